package io.sentrytrace.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A Sentry some distance away: an HTTP/1.1 envelope endpoint on 127.0.0.1 that sleeps a
 * configurable round trip before each answer, with a thread per connection (up to {@code
 * maxConnections} at once), so that many envelopes can be in flight. It counts what a measurement
 * needs and {@link EnvelopeSink} (the JDK {@code HttpServer}) cannot tell: TCP connections accepted,
 * and envelopes by their {@code event_id}, so that a client's retries of one envelope count once.
 * It reads gzip bodies (sentry-java's), {@code client_report} items (summed by reason and
 * category), and can misbehave: answer 429 with {@code Retry-After}, answer 503, or hang (hold the
 * request unanswered until the behaviour changes, then close the connection).
 *
 * <p>Bounded: request lines and headers at most 8 KB each and 100 of them, bodies at most 16 MB
 * (also inflated), connections idle for 60 s are closed, and the set of event ids is allocated
 * once for {@code maxDistinct} ids (beyond that, ids are counted without being remembered).
 */
final class StandInSentry implements AutoCloseable {
  /** How the endpoint answers. */
  enum Behaviour { OK, RATE_LIMITED_429, UNAVAILABLE_503, HANG }

  static final String THREAD_PREFIX = "standin-";
  private static final int MAX_LINE = 8 * 1024;
  private static final int MAX_HEADERS = 100;
  static final int MAX_BODY = 16 * 1024 * 1024;
  private static final int IDLE_TIMEOUT_MILLIS = 60_000;
  private static final Pattern EVENT_ID = Pattern.compile("\"event_id\"\\s*:\\s*\"([0-9a-fA-F-]{32,36})\"");
  private static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern LENGTH = Pattern.compile("\"length\"\\s*:\\s*(\\d{1,9})");
  private static final Pattern OUTCOME = Pattern.compile("\\{[^{}]*\\}");
  private static final Pattern REASON = Pattern.compile("\"reason\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern CATEGORY = Pattern.compile("\"category\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern QUANTITY = Pattern.compile("\"quantity\"\\s*:\\s*(\\d{1,12})");
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final ServerSocket server;
  private final long delayNanos;
  private final Semaphore connectionSlots;
  private final ExecutorService connections = Executors.newCachedThreadPool(Threads.named(THREAD_PREFIX + "conn"));
  private final Thread acceptor;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final IdSet accepted;
  private final Object behaviourChanged = new Object();
  private volatile Behaviour behaviour = Behaviour.OK;
  private volatile int retryAfterSeconds = 1;
  private volatile boolean closed;

  /** TCP connections accepted. */
  final AtomicLong connectionsOpened = new AtomicLong();
  /** The most connections open at once. */
  final AtomicLong peakOpen = new AtomicLong();
  /** Envelope POSTs read in full (retries included). */
  final AtomicLong requests = new AtomicLong();
  /** Envelopes answered 200 whose event id had not been answered 200 before. */
  final AtomicLong distinctAccepted = new AtomicLong();
  /** Envelopes answered 200 again (a retry of one already accepted: the client missed the answer). */
  final AtomicLong duplicateAccepted = new AtomicLong();
  /** Envelopes answered 200 without an event id in their header (a client report on its own). */
  final AtomicLong acceptedWithoutEventId = new AtomicLong();
  /** {@code transaction} items in distinct accepted envelopes. */
  final AtomicLong transactionItems = new AtomicLong();
  final AtomicLong answered429 = new AtomicLong();
  /** Transaction items in the envelopes answered 429: outcomes Relay records itself. */
  final AtomicLong transactionsAnswered429 = new AtomicLong();
  final AtomicLong answered503 = new AtomicLong();
  /** Requests held unanswered by {@link Behaviour#HANG}, then cut off. */
  final AtomicLong hung = new AtomicLong();
  /** Requests that could not be read (malformed, too large, cut off by the client). */
  final AtomicLong bad = new AtomicLong();
  /** Bytes of request bodies as they came over the wire. */
  final AtomicLong bodyBytes = new AtomicLong();
  /** CPU time of the connection threads, so that a measurement can tell Sentry's work from the client's. */
  final AtomicLong cpuNanos = new AtomicLong();
  private final Map<String, AtomicLong> clientReports = new ConcurrentHashMap<>();

  /** {@code roundTrip} is slept before each answer; up to {@code maxConnections} served at once. */
  StandInSentry(Duration roundTrip, int maxConnections, int maxDistinct) throws IOException {
    if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
    this.delayNanos = roundTrip.toNanos();
    this.connectionSlots = new Semaphore(maxConnections);
    this.accepted = new IdSet(maxDistinct);
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    acceptor = new Thread(this::acceptLoop, THREAD_PREFIX + "accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String dsn() {
    return "http://5d0e7c6b1f1d4b7f9c4e2a1b3c5d7e9f@127.0.0.1:" + server.getLocalPort() + "/1";
  }

  int port() {
    return server.getLocalPort();
  }

  Behaviour behaviour() {
    return behaviour;
  }

  /** Switches how requests are answered; requests held by a hang are let go (their connection closed). */
  void behave(Behaviour next) {
    synchronized (behaviourChanged) {
      behaviour = next;
      behaviourChanged.notifyAll();
    }
  }

  /** The {@code Retry-After} sent with a 429. */
  void retryAfterSeconds(int seconds) {
    retryAfterSeconds = seconds;
  }

  /** Discarded events reported in accepted client reports, by {@code reason/category}. */
  Map<String, Long> clientReports() {
    Map<String, Long> m = new TreeMap<>();
    clientReports.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }

  /** Discarded events of {@code category} reported in accepted client reports, all reasons. */
  long clientReported(String category) {
    long n = 0;
    for (Map.Entry<String, AtomicLong> e : clientReports.entrySet()) {
      if (e.getKey().endsWith("/" + category)) n += e.getValue().get();
    }
    return n;
  }

  /** Whether more distinct ids came than the set holds (counted, but a retry of them counts again). */
  boolean idSetOverflowed() {
    return accepted.overflowed();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket socket = null;
      try {
        // A bounded wait, so that close() is noticed; at most maxConnections are served at once.
        if (!connectionSlots.tryAcquire(100, TimeUnit.MILLISECONDS)) continue;
        socket = server.accept();
        connectionsOpened.incrementAndGet();
        open.add(socket);
        peakOpen.accumulateAndGet(open.size(), Math::max);
        Socket s = socket;
        connections.execute(() -> serve(s));
        socket = null;
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (socket != null) {
          open.remove(socket);
          closeQuietly(socket);
        }
        connectionSlots.release();
        if (closed) return;
        try {
          Thread.sleep(10); // e.g. out of file descriptors: no busy loop
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /** One connection: requests one after another (keep-alive) until the client closes it or asks to. */
  private void serve(Socket socket) {
    long cpu0 = THREADS.getCurrentThreadCpuTime();
    try (socket) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(IDLE_TIMEOUT_MILLIS);
      InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      OutputStream out = socket.getOutputStream();
      while (!closed) {
        if (!exchange(in, out)) return;
      }
    } catch (SocketTimeoutException | SocketException | EOFException e) {
      // idle, closed by the client or by close(): the connection ends
    } catch (IOException | RuntimeException e) {
      bad.incrementAndGet();
    } finally {
      open.remove(socket);
      connectionSlots.release();
      long cpu1 = THREADS.getCurrentThreadCpuTime();
      if (cpu0 >= 0 && cpu1 >= cpu0) cpuNanos.addAndGet(cpu1 - cpu0);
    }
  }

  /** Reads one request and answers it; false when the connection is to be closed. */
  private boolean exchange(InputStream in, OutputStream out) throws IOException {
    String requestLine = readLine(in);
    if (requestLine == null) return false; // the client closed an idle connection
    if (requestLine.isEmpty()) return true; // a stray CRLF between requests
    String[] parts = requestLine.split(" ", 3);
    if (parts.length != 3) {
      bad.incrementAndGet();
      respond(out, 400, "Bad Request", "", true);
      return false;
    }
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 0; ; i++) {
      String line = readLine(in);
      if (line == null) throw new EOFException("headers cut off");
      if (line.isEmpty()) break;
      if (i >= MAX_HEADERS) throw new IOException("more than " + MAX_HEADERS + " headers");
      int colon = line.indexOf(':');
      if (colon > 0) headers.merge(line.substring(0, colon).trim(), line.substring(colon + 1).trim(), (a, b) -> a + "," + b);
    }
    boolean close = parts[2].equals("HTTP/1.0") || "close".equalsIgnoreCase(headers.get("Connection"));
    if ("100-continue".equalsIgnoreCase(headers.get("Expect"))) {
      out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }
    byte[] body = readBody(in, headers);
    if (body == null) {
      bad.incrementAndGet();
      respond(out, 413, "Payload Too Large", "", true);
      return false;
    }
    String path = parts[1];
    int query = path.indexOf('?');
    if (query >= 0) path = path.substring(0, query);
    if (!parts[0].equals("POST") || !path.startsWith("/api/") || !path.endsWith("/envelope/")) {
      respond(out, 404, "Not Found", "", close);
      return !close;
    }
    requests.incrementAndGet();
    bodyBytes.addAndGet(body.length);

    Behaviour b = behaviour;
    if (b == Behaviour.HANG) {
      hung.incrementAndGet();
      holdWhileHanging();
      return false; // never answered: the connection is closed
    }
    sleepRoundTrip();
    if (b == Behaviour.RATE_LIMITED_429) {
      answered429.incrementAndGet();
      // What Relay records itself for the envelopes it answers 429 (SDKs do not report them).
      byte[] limited = "gzip".equalsIgnoreCase(headers.get("Content-Encoding")) ? gunzip(body) : body;
      if (limited != null) transactionsAnswered429.addAndGet(Envelope.parse(limited).transactions);
      respond(out, 429, "Too Many Requests", "Retry-After: " + retryAfterSeconds + "\r\n", close);
      return !close;
    }
    if (b == Behaviour.UNAVAILABLE_503) {
      answered503.incrementAndGet();
      respond(out, 503, "Service Unavailable", "", close);
      return !close;
    }
    byte[] envelope = "gzip".equalsIgnoreCase(headers.get("Content-Encoding")) ? gunzip(body) : body;
    if (envelope == null) {
      bad.incrementAndGet();
      respond(out, 400, "Bad Request", "", true);
      return false;
    }
    Envelope e = Envelope.parse(envelope);
    respond(out, 200, "OK", "", close, "{\"id\":\"" + (e.eventId == null ? "" : e.eventId) + "\"}");
    // Counted once the answer is written: what the client can have seen as accepted.
    if (e.eventId == null) {
      acceptedWithoutEventId.incrementAndGet();
    } else if (!accepted.add(e.eventId)) {
      duplicateAccepted.incrementAndGet();
      return !close;
    } else {
      distinctAccepted.incrementAndGet();
    }
    transactionItems.addAndGet(e.transactions);
    e.clientReports.forEach((k, v) -> clientReports.computeIfAbsent(k, x -> new AtomicLong()).addAndGet(v));
    return !close;
  }

  private void sleepRoundTrip() {
    if (delayNanos <= 0) return;
    try {
      TimeUnit.NANOSECONDS.sleep(delayNanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Until the behaviour changes or the stand-in closes. */
  private void holdWhileHanging() {
    synchronized (behaviourChanged) {
      while (behaviour == Behaviour.HANG && !closed) {
        try {
          behaviourChanged.wait(1_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static void respond(OutputStream out, int code, String reason, String extraHeaders, boolean close)
      throws IOException {
    respond(out, code, reason, extraHeaders, close, "");
  }

  /** Headers and body in one write: no Nagle delay between them. */
  private static void respond(OutputStream out, int code, String reason, String extraHeaders, boolean close,
      String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 " + code + " " + reason + "\r\n" + extraHeaders
        + (b.length > 0 ? "Content-Type: application/json\r\n" : "")
        + "Content-Length: " + b.length + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
    byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[h.length + b.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(b, 0, all, h.length, b.length);
    out.write(all);
    out.flush();
  }

  /** A CRLF- (or LF-) terminated line, at most {@link #MAX_LINE} bytes; null at the end of the stream. */
  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int n = 0; ; n++) {
      int c = in.read();
      if (c < 0) {
        if (n == 0) return null;
        throw new EOFException("line cut off");
      }
      if (c == '\n') break;
      if (n >= MAX_LINE) throw new IOException("line longer than " + MAX_LINE + " bytes");
      line.append((char) c);
    }
    int end = line.length();
    if (end > 0 && line.charAt(end - 1) == '\r') line.setLength(end - 1);
    return line.toString();
  }

  /** The body by Content-Length or chunked; null when larger than {@link #MAX_BODY}. */
  private static byte[] readBody(InputStream in, Map<String, String> headers) throws IOException {
    String te = headers.get("Transfer-Encoding");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String sizeLine = readLine(in);
        if (sizeLine == null) throw new EOFException("chunk cut off");
        int semi = sizeLine.indexOf(';');
        long size;
        try {
          size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size " + sizeLine);
        }
        if (size < 0 || body.size() + size > MAX_BODY) return null;
        if (size == 0) {
          for (int i = 0; i <= MAX_HEADERS; i++) { // trailers, then the empty line
            String t = readLine(in);
            if (t == null || t.isEmpty()) return body.toByteArray();
          }
          throw new IOException("too many trailers");
        }
        body.write(in.readNBytes((int) size));
        readLine(in); // the CRLF after the chunk
      }
    }
    String length = headers.get("Content-Length");
    if (length == null) return new byte[0];
    long n;
    try {
      n = Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      throw new IOException("bad Content-Length " + length);
    }
    if (n < 0 || n > MAX_BODY) return null;
    byte[] body = in.readNBytes((int) n);
    if (body.length < n) throw new EOFException("body cut off");
    return body;
  }

  /** Inflated, at most {@link #MAX_BODY} bytes; null when not gzip or larger. */
  static byte[] gunzip(byte[] body) {
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
      byte[] out = in.readNBytes(MAX_BODY + 1);
      return out.length > MAX_BODY ? null : out;
    } catch (IOException e) {
      return null;
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /** Stops accepting, closes every connection (held requests included) and waits for their threads (bounded). */
  @Override
  public void close() {
    closed = true;
    behave(behaviour); // wakes requests held by a hang
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket s : open) closeQuietly(s);
    connections.shutdown();
    try {
      acceptor.join(5_000);
      connections.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "StandInSentry{port %d, %d ms, %,d requests, %,d distinct accepted, %,d connections}",
        port(), delayNanos / 1_000_000, requests.get(), distinctAccepted.get(), connectionsOpened.get());
  }

  /**
   * What the stand-in reads of an envelope: the header's event id, the number of transaction
   * items, and client reports summed by {@code reason/category}.
   */
  static final class Envelope {
    final String eventId;
    final int transactions;
    final Map<String, Long> clientReports;

    private Envelope(String eventId, int transactions, Map<String, Long> clientReports) {
      this.eventId = eventId;
      this.transactions = transactions;
      this.clientReports = clientReports;
    }

    /** Reads an envelope; what does not parse is skipped (each step moves forward, so the loop ends). */
    static Envelope parse(byte[] bytes) {
      int headerEnd = indexOf(bytes, (byte) '\n', 0);
      String header = new String(bytes, 0, headerEnd, StandardCharsets.UTF_8);
      Matcher id = EVENT_ID.matcher(header);
      String eventId = id.find() ? id.group(1).replace("-", "").toLowerCase(Locale.ROOT) : null;
      int transactions = 0;
      Map<String, Long> reports = new TreeMap<>();
      int pos = headerEnd + 1;
      while (pos < bytes.length) {
        int itemHeaderEnd = indexOf(bytes, (byte) '\n', pos);
        String itemHeader = new String(bytes, pos, itemHeaderEnd - pos, StandardCharsets.UTF_8);
        pos = itemHeaderEnd + 1;
        if (itemHeader.isBlank()) continue;
        Matcher type = TYPE.matcher(itemHeader);
        Matcher length = LENGTH.matcher(itemHeader);
        int payloadEnd;
        if (length.find()) {
          payloadEnd = (int) Math.min(bytes.length, pos + Long.parseLong(length.group(1)));
        } else {
          payloadEnd = indexOf(bytes, (byte) '\n', pos);
        }
        String t = type.find() ? type.group(1) : "";
        if (t.equals("transaction")) {
          transactions++;
        } else if (t.equals("client_report")) {
          addOutcomes(new String(bytes, pos, payloadEnd - pos, StandardCharsets.UTF_8), reports);
        }
        pos = payloadEnd + 1; // the newline after the payload
      }
      return new Envelope(eventId, transactions, reports);
    }

    /** {@code discarded_events: [{reason, category, quantity}, ...]}, summed into {@code into}. */
    private static void addOutcomes(String json, Map<String, Long> into) {
      int start = json.indexOf("\"discarded_events\"");
      if (start < 0) return;
      Matcher outcome = OUTCOME.matcher(json);
      outcome.region(start, json.length());
      while (outcome.find()) {
        String o = outcome.group();
        Matcher r = REASON.matcher(o);
        Matcher c = CATEGORY.matcher(o);
        Matcher q = QUANTITY.matcher(o);
        if (r.find() && c.find() && q.find()) into.merge(r.group(1) + "/" + c.group(1), Long.parseLong(q.group(1)), Long::sum);
      }
    }

    /** The index of {@code b} from {@code from}, or the length when absent. */
    private static int indexOf(byte[] bytes, byte b, int from) {
      for (int i = from; i < bytes.length; i++) if (bytes[i] == b) return i;
      return bytes.length;
    }
  }

  /**
   * Event ids (128 bits) in an open-addressing table allocated once, so that the heap does not grow
   * with the ids a long soak sees. Beyond 3/4 full, new ids are reported as new without being kept.
   */
  static final class IdSet {
    private final long[] hi;
    private final long[] lo;
    private final boolean[] used;
    private final int limit;
    private int size;
    private boolean overflowed;

    IdSet(int maxIds) {
      int capacity = Integer.highestOneBit(Math.max(16, maxIds) * 2 - 1) << 1;
      hi = new long[capacity];
      lo = new long[capacity];
      used = new boolean[capacity];
      limit = capacity / 4 * 3;
    }

    /** True when {@code hex32} (32 hex digits) was not in the set; an id that is not hex counts as new. */
    synchronized boolean add(String hex32) {
      long h;
      long l;
      try {
        h = Long.parseUnsignedLong(hex32.substring(0, 16), 16);
        l = Long.parseUnsignedLong(hex32.substring(16, 32), 16);
      } catch (RuntimeException e) {
        return true;
      }
      int mask = hi.length - 1;
      int i = (int) (mix(h ^ l) & mask);
      for (int probes = 0; probes < hi.length && used[i]; probes++, i = (i + 1) & mask) {
        if (hi[i] == h && lo[i] == l) return false;
      }
      if (size >= limit) {
        overflowed = true;
        return true;
      }
      used[i] = true;
      hi[i] = h;
      lo[i] = l;
      size++;
      return true;
    }

    synchronized boolean overflowed() {
      return overflowed;
    }

    private static long mix(long x) {
      x ^= x >>> 33;
      x *= 0xff51afd7ed558ccdL;
      x ^= x >>> 33;
      return x;
    }
  }
}
