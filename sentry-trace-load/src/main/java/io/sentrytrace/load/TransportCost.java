package io.sentrytrace.load;

import io.sentrytrace.Dsn;
import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.PropagationContext;
import io.sentrytrace.Span;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.envelope.EnvelopeExporter;
import io.sentrytrace.envelope.JdkHttpTransport;
import io.sentrytrace.envelope.UrlConnectionTransport;
import io.sentrytrace.okhttp.OkHttpTransport;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The CPU one envelope costs to send, per {@link EnvelopeTransport}: the same envelope (a typical
 * transaction, about 1.9 KB) POSTed one after another on one thread, as the exporter's sender
 * does, to the loopback envelope endpoint ({@link EnvelopeSink}, a JDK {@code HttpServer}
 * answering 200). A {@code main} and not JMH because most of the JDK client's work runs on its own
 * selector and executor threads: only the process's CPU time (minus the endpoint's threads) counts
 * all of it, and JMH times the calling thread. Rounds alternate between the transports (the order
 * rotating), so that the noise of a shared machine falls on all alike; the table gives medians.
 *
 * <pre>{@code
 * java -jar sentry-trace-load/target/sentry-trace-load.jar transport --sends 20000 --rounds 3
 * }</pre>
 */
final class TransportCost {
  /** The transports measured by default; {@code --transports} picks others. */
  static final String DEFAULT_TRANSPORTS = "urlconnection,jdk,okhttp";

  record Options(List<String> transports, int sends, int warmupSends, int rounds) {}

  /** One transport's rounds. */
  static final class Totals {
    final String name;
    final List<Double> cpuMicros = new ArrayList<>(); // process minus endpoint, per send
    final List<Double> senderMicros = new ArrayList<>();
    final List<Double> clientThreadsMicros = new ArrayList<>();
    final List<Double> jvmMicros = new ArrayList<>();
    final List<Double> endpointMicros = new ArrayList<>();
    final List<Double> allocKb = new ArrayList<>();
    final List<Double> wallMicros = new ArrayList<>();
    long sends;
    long not200;

    Totals(String name) {
      this.name = name;
    }
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  static {
    // As in Rig: without TCP_NODELAY the endpoint's replies wait for Nagle and the delayed ACK.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final Options options;
  private final PrintStream out;

  TransportCost(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** A transport by its name in {@code --transports}, each with a client of its own. */
  static EnvelopeTransport open(String name) {
    switch (name) {
      case "urlconnection": return UrlConnectionTransport.create(); // the exporter's default
      case "jdk": return JdkHttpTransport.create();
      // For comparison only: the JDK client running its dependent tasks on the thread that completes
      // them (the selector's) instead of handing them to its executor.
      case "jdk-direct": return JdkHttpTransport.create(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10)).executor(Runnable::run).build());
      case "okhttp": return OkHttpTransport.create();
      default: throw new IllegalArgumentException("unknown transport " + name + " (urlconnection, jdk, jdk-direct, okhttp)");
    }
  }

  Map<String, Totals> run() throws Exception {
    Map<String, Totals> all = new LinkedHashMap<>();
    try (EnvelopeSink sink = new EnvelopeSink()) {
      Dsn dsn = Dsn.parse(sink.dsn());
      URI uri = dsn.envelopeUri();
      Map<String, String> headers = Map.of(
          "X-Sentry-Auth", "Sentry sentry_version=7, sentry_key=" + dsn.publicKey() + ", sentry_client=sentry-trace/load",
          "Content-Type", "application/x-sentry-envelope");
      byte[] body = typicalEnvelope(sink.dsn());
      out.printf(Locale.ROOT, "envelope of %,d bytes; %,d sends per round after %,d to warm up%n",
          body.length, options.sends(), options.warmupSends());
      Map<String, EnvelopeTransport> transports = new LinkedHashMap<>();
      for (String name : options.transports()) {
        transports.put(name, open(name));
        all.put(name, new Totals(name));
      }
      try {
        for (Map.Entry<String, EnvelopeTransport> t : transports.entrySet()) {
          round(t.getValue(), uri, headers, body, options.warmupSends(), null);
        }
        for (int r = 0; r < options.rounds(); r++) {
          List<String> order = new ArrayList<>(transports.keySet());
          Collections.rotate(order, -r);
          for (String name : order) round(transports.get(name), uri, headers, body, options.sends(), all.get(name));
          out.printf("   round %d/%d done (%s)%n", r + 1, options.rounds(), String.join(", ", order));
        }
      } finally {
        for (EnvelopeTransport t : transports.values()) t.close();
      }
    }
    return all;
  }

  /** What the tracer exports for a request like the load test's: server span, an http.client and a db child. */
  static byte[] typicalEnvelope(String dsn) {
    AtomicReference<byte[]> body = new AtomicReference<>();
    EnvelopeTransport capture = (uri, headers, bytes) -> {
      body.set(bytes);
      return EnvelopeTransport.Response.of(200, null, null);
    };
    EnvelopeExporter exporter = EnvelopeExporter.builder(dsn).transport(capture).shutdownHook(false).build();
    try (Tracer tracer = Tracer.builder().dsn(dsn).tracesSampleRate(1.0).release("shop@1.4.0")
        .environment("production").exporter(exporter).build()) {
      PropagationContext incoming = tracer.continueTrace("771a43a4192642f0b136d5159a501700-b6b5d6b3a2a14f3c-1",
          "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=5d0e7c6b1f1d4b7f9c4e2a1b3c5d7e9f,"
              + "sentry-release=shop-web%401.4.0,sentry-environment=production,sentry-sample_rate=1,"
              + "sentry-sample_rand=0.4213,sentry-sampled=true");
      Span server = tracer.startTransaction("GET /checkout", "http.server", incoming);
      server.setData("http.request.method", "GET").setData("url", "http://127.0.0.1:8080/checkout");
      Span client = server.startChild("http.client", "POST http://127.0.0.1:8081/reserve");
      client.setData("http.request.method", "POST").setData("url", "http://127.0.0.1:8081/reserve")
          .setData("http.response.status_code", 200).setData("http.response_content_length", 187L)
          .setData("http.response.time_to_first_byte_ms", 1.234).setStatus(SpanStatus.OK);
      client.finish();
      server.startChild("db", "SELECT stock FROM items WHERE sku = ?").setData("db.system", "postgresql").finish();
      server.setData("http.response.status_code", 200).setStatus(SpanStatus.OK);
      server.finish();
      tracer.flush(Duration.ofSeconds(10));
    }
    if (body.get() == null) throw new IllegalStateException("the exporter sent nothing");
    return body.get();
  }

  private void round(EnvelopeTransport transport, URI uri, Map<String, String> headers, byte[] body, int sends,
      Totals into) throws Exception {
    long sender = Thread.currentThread().getId();
    Map<Long, Long> cpu0 = threadCpu();
    long process0 = OS.getProcessCpuTime();
    ProcessMeter.Snapshot alloc0 = ProcessMeter.snapshot();
    long wall0 = System.nanoTime();
    long not200 = 0;
    for (int i = 0; i < sends; i++) {
      if (transport.send(uri, headers, body).statusCode() != 200) not200++;
    }
    long wall = System.nanoTime() - wall0;
    ProcessMeter.Snapshot alloc1 = ProcessMeter.snapshot();
    long process = OS.getProcessCpuTime() - process0;
    Map<Long, Long> cpu1 = threadCpu();
    if (into == null) return;
    long senderCpu = 0;
    long endpoint = 0;
    long client = 0;
    for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(toArray(cpu1))) {
      if (info == null) continue;
      long delta = cpu1.get(info.getThreadId()) - cpu0.getOrDefault(info.getThreadId(), 0L);
      String name = info.getThreadName();
      if (info.getThreadId() == sender) senderCpu += delta;
      else if (name.startsWith(EnvelopeSink.THREAD_PREFIX) || name.startsWith("HTTP-Dispatcher")) endpoint += delta;
      else client += delta;
    }
    into.cpuMicros.add((process - endpoint) / 1e3 / sends);
    into.senderMicros.add(senderCpu / 1e3 / sends);
    into.clientThreadsMicros.add(client / 1e3 / sends);
    into.jvmMicros.add((process - endpoint - senderCpu - client) / 1e3 / sends);
    into.endpointMicros.add(endpoint / 1e3 / sends);
    into.allocKb.add(alloc1.allocatedSince(alloc0) / 1024.0 / sends);
    into.wallMicros.add(wall / 1e3 / sends);
    into.sends += sends;
    into.not200 += not200;
  }

  private static Map<Long, Long> threadCpu() {
    Map<Long, Long> cpu = new HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      long t = THREADS.getThreadCpuTime(id);
      if (t >= 0) cpu.put(id, t);
    }
    return cpu;
  }

  private static long[] toArray(Map<Long, Long> m) {
    return m.keySet().stream().mapToLong(Long::longValue).toArray();
  }

  /** The table, as markdown. Returns whether every send was answered 200. */
  static boolean print(Map<String, Totals> all, PrintStream out) {
    out.println();
    out.println("| Transport | CPU/send, process minus endpoint (µs) | sender thread (µs) | client's own threads (µs) "
        + "| rest of the JVM: JIT, GC (µs) | endpoint (µs) | wall/send (µs) | allocated/send (KB) | sends | not 200 |");
    out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    boolean ok = true;
    for (Totals t : all.values()) {
      out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %,d | %,d |%n", t.name,
          CostRun.median(t.cpuMicros), CostRun.median(t.senderMicros), CostRun.median(t.clientThreadsMicros),
          CostRun.median(t.jvmMicros), CostRun.median(t.endpointMicros), CostRun.median(t.wallMicros),
          CostRun.median(t.allocKb), t.sends, t.not200);
      ok &= t.not200 == 0;
    }
    out.println();
    for (Totals t : all.values()) {
      out.printf(Locale.ROOT, "per round, %s: CPU/send %s µs%n", t.name, rounded(t.cpuMicros));
    }
    return ok;
  }

  private static String rounded(List<Double> values) {
    List<String> s = new ArrayList<>();
    for (double v : values) s.add(String.format(Locale.ROOT, "%.1f", v));
    return String.join(" / ", s);
  }
}
