package io.sentrytrace.load;

import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Tracer;
import io.sentrytrace.apache.ApacheTransport;
import io.sentrytrace.envelope.EnvelopeExporter;
import io.sentrytrace.envelope.JdkHttpTransport;
import io.sentrytrace.envelope.UrlConnectionTransport;
import io.sentrytrace.okhttp.OkHttpTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.util.Timeout;

/**
 * Export at a distance over HTTPS, as Sentry's ingest is reached: for each round trip × offered
 * rate × transport, a {@link TlsStandInSentry} (h2 by ALPN, or HTTP/1.1) that far away, producers
 * finishing transactions at a steady rate for a few seconds through a {@code Tracer} whose {@link
 * EnvelopeExporter} has the builder's defaults but the transport, then {@code close()}. Each
 * transport is set up as its {@code create()} sets it up, except that it trusts the stand-in's
 * certificate:
 *
 * <ul>
 *   <li>{@code urlconnection}, the exporter's default, takes TLS from the JVM's default: here {@code
 *       HttpsURLConnection.setDefaultSSLSocketFactory}, for the cell, then restored. It offers no
 *       ALPN, so it speaks HTTP/1.1, a connection per sender in flight;
 *   <li>{@code jdk}: {@code JdkHttpTransport.create()}'s client (pinned to HTTP/1.1);
 *   <li>{@code jdk-h2}: the JDK client's own default version, HTTP/2, which it negotiates by ALPN;
 *   <li>{@code okhttp}: {@code OkHttpTransport.create()}'s client (h2 by ALPN, OkHttp's default);
 *   <li>{@code apache}: {@code ApacheTransport.create()}'s classic client (HTTP/1.1 only).
 * </ul>
 *
 * <pre>{@code
 * java -jar sentry-trace-load/target/sentry-trace-load.jar grid-tls --delays 25,150 --rates 1000,300 --seconds 5
 * }</pre>
 */
final class TlsExportGrid {
  static final String URLCONNECTION = "urlconnection";
  static final String JDK = "jdk";
  static final String JDK_H2 = "jdk-h2";
  static final String OKHTTP = "okhttp";
  static final String APACHE = "apache";
  static final List<String> TRANSPORTS = List.of(URLCONNECTION, JDK, JDK_H2, OKHTTP, APACHE);

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  record Options(List<Integer> delaysMillis, List<Integer> rates, double seconds, List<String> transports,
      int producers, double warmupSeconds, boolean cold) {
    Options {
      for (String t : transports) {
        if (!TRANSPORTS.contains(t)) throw new IllegalArgumentException("unknown transport " + t + " in --transports " + TRANSPORTS);
      }
      if (!(seconds > 0)) throw new IllegalArgumentException("--seconds must be positive, got " + seconds);
    }

    static Options full() {
      return new Options(List.of(25, 150), List.of(1000, 300), 5, TRANSPORTS, 4, 1, false);
    }
  }

  /** One cell. */
  record Cell(String transport, int delayMillis, int rate, long offered, long finished, long delivered, long requests,
      long connections, long connectionsUsed, long peakOpen, Map<String, Long> protocols, int peakInFlight, ExportGrid.Counters counters,
      double cpuSeconds, double standInCpuSeconds, double closeSeconds, long producerErrors, String firstProducerError) {
    double deliveredPercent() {
      return finished == 0 ? 0 : 100.0 * delivered / finished;
    }

    /** CPU of the process minus the stand-in's, per transaction finished (the transport's TLS included). */
    double clientCpuMicrosPerTransaction() {
      return finished == 0 ? 0 : (cpuSeconds - standInCpuSeconds) * 1e6 / finished;
    }

    /** The protocols requests came over, e.g. "h2" or "http/1.1 12, h2 3,000". */
    String protocolSeen() {
      if (protocols.isEmpty()) return "-";
      if (protocols.size() == 1) return protocols.keySet().iterator().next();
      return protocols.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
          .collect(Collectors.joining(", "));
    }

    String note() {
      List<String> notes = new ArrayList<>();
      if (finished < offered * 0.99) notes.add("producers fell behind");
      if (producerErrors > 0) notes.add(producerErrors + " producer errors, first: " + firstProducerError);
      return String.join("; ", notes);
    }
  }

  private final Options options;
  private final PrintStream out;

  TlsExportGrid(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  List<Cell> run() throws Exception {
    if (options.warmupSeconds() > 0) {
      for (String t : options.transports()) cell(t, 0, 200, options.warmupSeconds());
      out.printf(Locale.ROOT, "warm-up: %.1f s at 200/s per transport, not shown%n", options.warmupSeconds());
    }
    List<Cell> cells = new ArrayList<>();
    for (int delay : options.delaysMillis()) {
      for (int rate : options.rates()) {
        for (String t : options.transports()) {
          Cell c = cell(t, delay, rate, options.seconds());
          cells.add(c);
          out.printf(Locale.ROOT, "  %-13s %4d ms %,6d/s: delivered %,d of %,d (%.1f%%), %,d connections (%,d used), %s, peak %d in flight, close %.1f s%n",
              t, delay, rate, c.delivered(), c.finished(), c.deliveredPercent(), c.connections(), c.connectionsUsed(),
              c.protocolSeen(), c.peakInFlight(), c.closeSeconds());
        }
      }
    }
    return cells;
  }

  /** One cell: the stand-in {@code delayMillis} away, {@code rate} transactions a second for {@code seconds}, then close. */
  Cell cell(String transportName, int delayMillis, int rate, double seconds) throws Exception {
    Duration length = Duration.ofNanos((long) (seconds * 1e9));
    long expected = (long) Math.ceil(rate * seconds);
    SSLContext tls = TlsStandInSentry.clientTls();
    SSLSocketFactory jdkDefault = HttpsURLConnection.getDefaultSSLSocketFactory();
    TlsStandInSentry sentry = new TlsStandInSentry(Duration.ofMillis(delayMillis), (int) Math.min(4_000_000, expected + 1000));
    try {
      long cpu0 = OS.getProcessCpuTime();
      Opened opened = open(transportName, tls);
      PeakTransport transport = new PeakTransport(opened.transport);
      EnvelopeExporter exporter = EnvelopeExporter.builder(sentry.dsn()).transport(transport).build();
      Tracer tracer = Tracer.builder().dsn(sentry.dsn()).tracesSampleRate(1.0).release("shop@1.4.0")
          .environment("production").exporter(exporter).build();
      SteadyLoad load;
      long closeNanos;
      try {
        if (!options.cold()) prime(tracer, exporter);
        load = SteadyLoad.start("grid-producer", options.producers(), rate, length, ExportGrid.ours(tracer));
        if (!load.join(length.plusSeconds(30))) throw new IllegalStateException("producers still running 30 s after their window");
      } finally {
        long c0 = System.nanoTime();
        tracer.close(); // closes the exporter, which closes the transport
        closeNanos = System.nanoTime() - c0;
        opened.release.run();
      }
      sentry.close(); // reads its threads' CPU: the counts are final
      long cpu = OS.getProcessCpuTime() - cpu0;
      Throwable firstError = load.firstError.get();
      long delivered = sentry.distinctAccepted.get() - (options.cold() ? 0 : 1);
      return new Cell(transportName, delayMillis, rate, load.offered, load.finished.get(), delivered,
          sentry.requests.get(), sentry.connectionsOpened.get(), sentry.connectionsUsed(), sentry.peakOpen.get(), sentry.protocols(),
          transport.peak.get(), ExportGrid.Counters.of(exporter), cpu / 1e9, sentry.cpuNanos.get() / 1e9,
          closeNanos / 1e9, load.errors.get(), firstError == null ? null : firstError.toString());
    } finally {
      sentry.close();
      HttpsURLConnection.setDefaultSSLSocketFactory(jdkDefault);
    }
  }

  /**
   * One transaction sent alone before the load, as an app's first request goes: the connection is
   * made before the rate starts. Without it (--cold) the first sends wait on the handshake, the
   * backlog starts every sender at once, and each opens a connection of its own, h2 clients too.
   */
  private static void prime(Tracer tracer, EnvelopeExporter exporter) throws Exception {
    ExportGrid.ours(tracer).finish(0);
    if (!exporter.flush(Duration.ofSeconds(10))) throw new IllegalStateException("the first envelope was not sent in 10 s");
  }

  /** A transport and what releases what it does not close itself (a client passed in). */
  record Opened(EnvelopeTransport transport, Runnable release) {}

  /** {@code name}'s transport as its {@code create()} makes it, trusting {@code tls}. */
  static Opened open(String name, SSLContext tls) {
    switch (name) {
      case URLCONNECTION:
        // No per-transport TLS option: it uses the JVM's default factory (restored by the caller).
        HttpsURLConnection.setDefaultSSLSocketFactory(tls.getSocketFactory());
        return new Opened(UrlConnectionTransport.create(), () -> { });
      case JDK:
      case JDK_H2: {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(tls);
        if (name.equals(JDK)) b.version(HttpClient.Version.HTTP_1_1);
        HttpClient client = b.build();
        return new Opened(JdkHttpTransport.create(client), () -> closeQuietly(client));
      }
      case OKHTTP: {
        OkHttpClient client = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(10))
            .callTimeout(Duration.ofSeconds(30)).connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES))
            .sslSocketFactory(tls.getSocketFactory(), TlsStandInSentry.trustManager()).build();
        return new Opened(OkHttpTransport.create(client), () -> {
          client.dispatcher().executorService().shutdown();
          client.connectionPool().evictAll();
        });
      }
      case APACHE: {
        Timeout connect = Timeout.ofSeconds(10);
        Timeout response = Timeout.ofSeconds(30);
        var client = HttpClients.custom()
            .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                .setTlsSocketStrategy(ClientTlsStrategyBuilder.create().setSslContext(tls).buildClassic())
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(connect).setSocketTimeout(response).build())
                .setMaxConnPerRoute(64)
                .setMaxConnTotal(64)
                .build())
            .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(response).build())
            .disableAutomaticRetries()
            .build();
        return new Opened(ApacheTransport.create(client), () -> closeQuietly(client));
      }
      default:
        throw new IllegalArgumentException("unknown transport " + name + " " + TRANSPORTS);
    }
  }

  /** From Java 21 on {@code HttpClient} is AutoCloseable; on 17 its threads end when it is collected. */
  private static void closeQuietly(Object client) {
    if (!(client instanceof AutoCloseable)) return;
    try {
      ((AutoCloseable) client).close();
    } catch (Exception e) {
      // the cell is over either way
    }
  }

  /** Counts sends in flight at once: the senders busy, at their peak. */
  static final class PeakTransport implements EnvelopeTransport {
    private final EnvelopeTransport delegate;
    private final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();

    PeakTransport(EnvelopeTransport delegate) {
      this.delegate = delegate;
    }

    @Override
    public Response send(URI uri, Map<String, String> headers, byte[] body) throws IOException {
      peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        return delegate.send(uri, headers, body);
      } finally {
        inFlight.decrementAndGet();
      }
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  /** The table, as markdown. */
  static void print(List<Cell> cells, Options options, PrintStream out) {
    out.println();
    out.printf(Locale.ROOT, "HTTPS (TLS stand-in: h2 by ALPN, or HTTP/1.1); %s%.1f s per cell at a steady rate from %d"
        + " producer threads, then close(); delivered = distinct event ids the stand-in answered 200, as a share of the"
        + " transactions finished%n", options.cold() ? "cold (no envelope before the load); "
        : "one envelope sent alone first (not counted), then ", options.seconds(), options.producers());
    out.println();
    out.println("| transport | round trip | offered/s | finished | delivered | delivered % | connections opened (peak open) "
        + "| connections used | protocol | peak senders in flight | sent / dropped / failed / rate-limited | CPU s (of it stand-in) | client CPU µs/tx | close s | note |");
    out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |");
    for (Cell c : cells) {
      ExportGrid.Counters k = c.counters();
      out.printf(Locale.ROOT, "| %s | %d ms | %,d | %,d | %,d | %.1f%% | %,d (%d) | %,d | %s | %d | %,d / %,d / %,d / %,d | %.2f (%.2f) | %.0f | %.1f | %s |%n",
          c.transport(), c.delayMillis(), c.rate(), c.finished(), c.delivered(), c.deliveredPercent(), c.connections(),
          c.peakOpen(), c.connectionsUsed(), c.protocolSeen(), c.peakInFlight(), k.sent(), k.dropped(), k.failed(), k.rateLimited(),
          c.cpuSeconds(), c.standInCpuSeconds(), c.clientCpuMicrosPerTransaction(), c.closeSeconds(), c.note());
    }
  }
}
