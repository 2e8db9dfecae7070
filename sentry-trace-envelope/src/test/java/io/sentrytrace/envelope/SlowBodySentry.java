package io.sentrytrace.envelope;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An envelope endpoint on 127.0.0.1 (a raw socket) that answers the first request with {@code 200}
 * and a {@code Content-Length}, then sends the body either a byte at a time ({@link #trickle}) or as
 * fast as the client takes it ({@link #flood}). Counts the body bytes it wrote before the client
 * hung up. Bounded: it writes at most {@link #MAX_WRITTEN} bytes and stops after {@link
 * #MAX_SECONDS}, or when closed.
 */
final class SlowBodySentry implements AutoCloseable {
  static final long MAX_WRITTEN = 256L << 20;
  static final long MAX_SECONDS = 30;

  private final ServerSocket server;
  private final long contentLength;
  private final long pauseMillis;
  private final Thread thread;
  private final AtomicLong written = new AtomicLong();
  private final AtomicInteger requests = new AtomicInteger();
  private final CountDownLatch answered = new CountDownLatch(1);
  private final CountDownLatch hungUp = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile Socket connection;

  private final boolean tls;

  private SlowBodySentry(long contentLength, long pauseMillis, boolean tls) throws IOException {
    this.tls = tls;
    this.server = tls
        ? FakeSentry.serverTls().getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress())
        : new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.contentLength = contentLength;
    this.pauseMillis = pauseMillis;
    this.thread = new Thread(this::serve, "slow-body-sentry");
    thread.setDaemon(true);
    thread.start();
  }

  /** Answers {@code 200} with {@code Content-Length: contentLength}, then a body byte every {@code pause}. */
  static SlowBodySentry trickle(long contentLength, Duration pause) throws IOException {
    return new SlowBodySentry(contentLength, pause.toMillis(), false);
  }

  /** {@link #trickle} over TLS, with {@link FakeSentry#startTls()}'s certificate. */
  static SlowBodySentry trickleTls(long contentLength, Duration pause) throws IOException {
    return new SlowBodySentry(contentLength, pause.toMillis(), true);
  }

  /** Answers {@code 200} with {@code Content-Length: contentLength}, then the body as fast as it is taken. */
  static SlowBodySentry flood(long contentLength) throws IOException {
    return new SlowBodySentry(contentLength, 0, false);
  }

  URI uri() {
    return URI.create((tls ? "https" : "http") + "://127.0.0.1:" + server.getLocalPort() + FakeSentry.ENVELOPE_PATH);
  }

  String dsn() {
    return (tls ? "https" : "http") + "://" + FakeSentry.PUBLIC_KEY + "@127.0.0.1:" + server.getLocalPort() + FakeSentry.PATH_PREFIX + "/"
        + FakeSentry.PROJECT_ID;
  }

  /** Requests received (each on its own connection: the body never ends). */
  int requests() {
    return requests.get();
  }

  /** Waits until the status line and headers went out; false if not within {@code timeout}. */
  boolean awaitAnswered(Duration timeout) throws InterruptedException {
    return answered.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Waits until the client hung up on the body; false if it did not within {@code timeout}. */
  boolean awaitHangUp(Duration timeout) throws InterruptedException {
    return hungUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Body bytes written so far (all of them once the client hung up). */
  long written() {
    return written.get();
  }

  private void serve() {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_SECONDS);
    try (Socket socket = server.accept()) {
      connection = socket;
      socket.setSendBufferSize(16 * 1024); // the kernel holds less of what the client never reads
      socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(MAX_SECONDS));
      readRequest(socket.getInputStream());
      requests.incrementAndGet();
      OutputStream out = socket.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + contentLength + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      answered.countDown();
      byte[] chunk = new byte[pauseMillis > 0 ? 1 : 8192];
      java.util.Arrays.fill(chunk, (byte) ' ');
      while (!closed && written.get() < Math.min(contentLength, MAX_WRITTEN) && System.nanoTime() - end < 0) {
        out.write(chunk);
        out.flush();
        written.addAndGet(chunk.length);
        if (pauseMillis > 0) Thread.sleep(pauseMillis);
      }
    } catch (IOException e) {
      // the client hung up (or close() closed the server socket): what was written is counted
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      hungUp.countDown();
    }
  }

  /** Reads the request line, headers and a Content-Length body. */
  private static void readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) throw new IOException("request ended in its headers");
      head.write(b);
      matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
      if (head.size() > 64 * 1024) throw new IOException("request headers too long");
    }
    long length = 0;
    for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) length = Long.parseLong(line.substring(15).trim());
    }
    if (in.readNBytes((int) Math.min(length, 1 << 20)).length < length) throw new IOException("request body cut short");
  }

  @Override
  public void close() throws IOException, InterruptedException {
    closed = true;
    server.close();
    Socket c = connection;
    if (c != null) c.close(); // also ends a write blocked on a client that stopped reading
    thread.interrupt();
    thread.join(TimeUnit.SECONDS.toMillis(MAX_SECONDS) + 5_000);
  }
}
