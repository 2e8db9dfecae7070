package io.sentrytrace.load;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;

/**
 * A closed-loop load generator: {@code connections} threads, each with its own keep-alive HTTP/1.1
 * connection, sending the next request as soon as the last answer is read. Each request carries a
 * browser's {@code sentry-trace} and {@code baggage} for a new trace of its own (sampled, as
 * {@code @sentry/browser} sends them with its fetches; or, with {@code -Dload.incoming=deferred},
 * with the decision left to the service, which then samples at its own rate: the way to compare
 * configurations at equal delivery). Plain sockets keep the generator's own cost small and equal
 * for every configuration.
 */
final class LoadGenerator {
  /** Picks the histogram a request's latency goes to (by when it started), or null to not record. */
  interface Recorder {
    Histogram at(long startNanos, long endNanos);
  }

  private final int port;
  private final int connections;
  private final LongFunction<ClientKind> clientFor;
  private final boolean deferred = incomingDeferred();

  final AtomicLong issued = new AtomicLong();
  final AtomicLong completed = new AtomicLong();
  final AtomicLong not200 = new AtomicLong();
  final AtomicLong ioErrors = new AtomicLong();
  final AtomicReference<Throwable> firstError = new AtomicReference<>();

  private volatile long limit;
  private volatile long deadlineNanos;
  private volatile Recorder recorder;
  private volatile boolean stop;
  private final List<Thread> threads = new ArrayList<>();

  LoadGenerator(int port, int connections, LongFunction<ClientKind> clientFor) {
    this.port = port;
    this.connections = connections;
    this.clientFor = clientFor;
  }

  /** Starts sending; stops after {@code requests} in all (sequence numbers from {@code firstSeq}) or at {@code deadline}. */
  void start(long firstSeq, long requests, long deadlineNanos, Recorder recorder) {
    issued.set(firstSeq);
    this.limit = firstSeq + requests;
    this.deadlineNanos = deadlineNanos;
    this.recorder = recorder;
    stop = false;
    threads.clear();
    for (int i = 0; i < connections; i++) {
      Thread t = new Thread(this::loop, "load-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  void recorder(Recorder recorder) {
    this.recorder = recorder;
  }

  void stop() {
    stop = true;
  }

  void join() throws InterruptedException {
    for (Thread t : threads) t.join();
  }

  private void loop() {
    Conn socket = null;
    try {
      while (!stop && System.nanoTime() < deadlineNanos) {
        long seq = issued.getAndIncrement();
        if (seq >= limit) break;
        byte[] request = request(seq);
        try {
          if (socket == null) socket = connect();
          long start = System.nanoTime();
          int status = exchange(socket, request);
          long end = System.nanoTime();
          completed.incrementAndGet();
          if (status != 200) not200.incrementAndGet();
          Recorder r = recorder;
          Histogram h = r == null ? null : r.at(start, end);
          if (h != null) h.recordNanos(end - start);
        } catch (IOException e) {
          ioErrors.incrementAndGet();
          firstError.compareAndSet(null, e);
          closeQuietly(socket);
          socket = null;
        }
      }
    } finally {
      closeQuietly(socket);
    }
  }

  private Conn connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    s.setTcpNoDelay(true);
    s.setSoTimeout(60_000);
    return new Conn(s, new BufferedInputStream(s.getInputStream(), 8192), s.getOutputStream());
  }

  private record Conn(Socket socket, InputStream in, OutputStream out) {}

  private byte[] request(long seq) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String traceId = hex(random.nextLong(), 16) + hex(random.nextLong(), 16);
    String spanId = hex(random.nextLong(), 16);
    String digits = Integer.toString(1_000_000 + random.nextInt(1_000_000)).substring(1);
    String sampleRand = "0." + digits;
    String text = "GET /checkout?id=" + traceId + "&c=" + clientFor.apply(seq).label + "&n=" + seq + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + port + "\r\n"
        + "Accept: */*\r\n"
        + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36\r\n"
        + "sentry-trace: " + traceId + "-" + spanId + (deferred ? "" : "-1") + "\r\n"
        + "baggage: sentry-environment=production,sentry-release=shop-web%401.4.0,"
        + "sentry-public_key=5d0e7c6b1f1d4b7f9c4e2a1b3c5d7e9f,sentry-trace_id=" + traceId
        + (deferred ? "" : ",sentry-sample_rate=1,sentry-sampled=true")
        + ",sentry-transaction=%2Fcheckout,sentry-sample_rand=" + sampleRand + "\r\n"
        + "\r\n";
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** {@code -Dload.incoming}: {@code sampled} (the default) or {@code deferred}. */
  static boolean incomingDeferred() {
    String incoming = System.getProperty("load.incoming", "sampled");
    return switch (incoming) {
      case "sampled" -> false;
      case "deferred" -> true;
      default -> throw new IllegalArgumentException("load.incoming must be sampled or deferred, not " + incoming);
    };
  }

  private static String hex(long value, int digits) {
    String s = Long.toHexString(value);
    return "0".repeat(digits - s.length()) + s;
  }

  /** Sends the request and reads the whole answer; its status. */
  private static int exchange(Conn conn, byte[] request) throws IOException {
    conn.out().write(request);
    InputStream in = conn.in();
    String statusLine = readLine(in);
    if (statusLine.length() < 12) throw new IOException("bad status line: " + statusLine);
    int status = Integer.parseInt(statusLine.substring(9, 12));
    long length = -1;
    for (String line; !(line = readLine(in)).isEmpty(); ) {
      if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) length = Long.parseLong(line.substring(15).trim());
    }
    if (length < 0) throw new IOException("no Content-Length");
    byte[] body = new byte[(int) length];
    if (in.readNBytes(body, 0, body.length) < body.length) throw new EOFException("body cut short");
    return status;
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder(64);
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) throw new EOFException("connection closed");
      if (c != '\r') sb.append((char) c);
    }
    return sb.toString();
  }

  private static void closeQuietly(Conn c) {
    if (c == null) return;
    try {
      c.socket().close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
