package io.sentrytrace.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Scope;
import io.sentrytrace.apache.TracingExecInterceptor;
import io.sentrytrace.jdkhttp.TracingHttpClient;
import io.sentrytrace.okhttp.TracingInterceptor;
import io.sentrytrace.testing.InMemorySpanExporter;
import java.net.http.HttpClient;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.apache.ApacheTransport;
import io.sentrytrace.envelope.EnvelopeExporter;
import io.sentrytrace.envelope.FakeSentry;
import io.sentrytrace.envelope.JdkHttpTransport;
import io.sentrytrace.okhttp.OkHttpTransport;
import io.sentrytrace.test.LogRecords;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The envelope exporter end to end over each transport, against a fake Sentry on 127.0.0.1. */
class EnvelopeTransportsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private FakeSentry sentry;
  private EnvelopeExporter exporter;
  /** The exporter's log, kept off the console: the tests that provoke warnings assert them. */
  private LogRecords exporterLog;

  static Stream<Named<Supplier<EnvelopeTransport>>> transports() {
    return Stream.of(
        Named.of("JDK HttpClient", JdkHttpTransport::create),
        Named.of("OkHttp", OkHttpTransport::create),
        Named.of("Apache HttpClient 5", ApacheTransport::create));
  }

  @BeforeEach
  void start() throws Exception {
    exporterLog = LogRecords.asConfigured(EnvelopeExporter.class.getName());
    sentry = FakeSentry.start();
  }

  @AfterEach
  void stop() {
    try {
      if (exporter != null) exporter.close();
      sentry.close();
    } finally {
      exporterLog.close();
    }
  }

  /** What the exporter warned of, formatted. */
  private List<String> warnings() {
    return exporterLog.atLeast(Level.WARNING);
  }

  private Tracer tracer(String dsn, Supplier<EnvelopeTransport> transport) {
    exporter = EnvelopeExporter.builder(dsn).transport(transport.get()).retryBaseDelay(Duration.ofMillis(20)).build();
    return Tracer.builder().dsn(dsn).tracesSampleRate(1.0).environment("test").exporter(exporter).build();
  }

  @ParameterizedTest
  @MethodSource("transports")
  void deliversTheTransactionAndItsSpansToTheEnvelopeEndpoint(Supplier<EnvelopeTransport> transport) throws Exception {
    Tracer tracer = tracer(sentry.dsn(), transport);
    Span tx = tracer.startTransaction("GET /orders", "http.server",
        tracer.continueTrace("771a43a4192642f0b136d5159a501700-b1a2c3d4e5f60718-1",
            "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=browser,sentry-sample_rate=1,"
                + "sentry-sampled=true,sentry-transaction=pageload"));
    Span db = tx.startChild("db.query", "SELECT * FROM orders");
    Span call = tx.startChild("http.client", "GET http://inventory/");
    db.finish();
    call.finish();
    tx.finish();

    assertThat(exporter.flush(WAIT)).isTrue();

    List<FakeSentry.Request> requests = sentry.requests();
    assertThat(requests).hasSize(1);
    FakeSentry.Request request = requests.get(0);
    assertThat(request.method).isEqualTo("POST");
    assertThat(request.path).isEqualTo(FakeSentry.ENVELOPE_PATH);
    assertThat(request.header("X-Sentry-Auth"))
        .isEqualTo("Sentry sentry_version=7, sentry_client=sentry-trace.java/0.1.0-SNAPSHOT, sentry_key=f00dcafe");
    // Sentry's SDK identity, not the client's own (Java-http-client, okhttp, Apache-HttpClient, Java/17).
    assertThat(request.header("User-Agent")).isEqualTo("sentry-trace.java/0.1.0-SNAPSHOT");
    assertThat(request.header("Accept")).isEqualTo("application/json");
    assertThat(request.header("Content-Type")).isEqualTo("application/x-sentry-envelope");
    assertThat(request.headers).doesNotContainKeys("sentry-trace", "baggage", "traceparent");
    request.envelope().assertCarries(tx, List.of(db, call));
    assertThat(request.envelope().dsc()).containsEntry("public_key", "browser").containsEntry("transaction", "pageload");
    assertThat(request.envelope().traceContext()).containsEntry("parent_span_id", "b1a2c3d4e5f60718");
    assertThat(exporter.sentCount()).isEqualTo(1);
  }

  /** Each transport over a client that our own instrumentation traces, with the same tracer. */
  static Stream<Named<Function<Tracer, EnvelopeTransport>>> instrumentedTransports() {
    return Stream.of(
        Named.of("JDK HttpClient + TracingHttpClient",
            tracer -> JdkHttpTransport.create(TracingHttpClient.instrument(HttpClient.newHttpClient(), tracer))),
        Named.of("OkHttp + TracingInterceptor",
            tracer -> OkHttpTransport.create(TracingInterceptor.instrument(new OkHttpClient(), tracer))),
        Named.of("Apache + TracingExecInterceptor",
            tracer -> ApacheTransport.create(HttpClients.custom()
                .addExecInterceptorFirst("sentry-trace", TracingExecInterceptor.create(tracer)).build())));
  }

  @ParameterizedTest
  @MethodSource("instrumentedTransports")
  void envelopePostThroughAnInstrumentedClientIsNeverTraced(Function<Tracer, EnvelopeTransport> transport) throws Exception {
    // The exporter's own traffic must not carry a trace, not even the tracer's propagation context
    // that an instrumented client adds to every request made outside a span.
    String dsn = sentry.dsn();
    InMemorySpanExporter local = new InMemorySpanExporter();
    EnvelopeExporter[] envelopes = new EnvelopeExporter[1];
    Tracer tracer = Tracer.builder().dsn(dsn).tracesSampleRate(1.0)
        .exporter(tx -> {
          local.export(tx);
          envelopes[0].export(tx);
        })
        .build();
    envelopes[0] = EnvelopeExporter.builder(dsn).transport(transport.apply(tracer)).build();
    exporter = envelopes[0];
    Span tx = tracer.startTransaction("GET /orders", "http.server");
    tx.finish();

    assertThat(exporter.flush(WAIT)).isTrue();
    List<FakeSentry.Request> requests = sentry.requests();
    assertThat(requests).hasSize(1);
    assertThat(requests.get(0).headers).doesNotContainKeys("sentry-trace", "baggage", "traceparent");
    // ...and it is not recorded as an http.client span of anything.
    assertThat(local.transactions()).singleElement().satisfies(t -> assertThat(t.spans()).isEmpty());
  }

  @ParameterizedTest
  @MethodSource("instrumentedTransports")
  void transportSendsUntracedEvenUnderAnActiveSpan(Function<Tracer, EnvelopeTransport> transport) throws Exception {
    // The transport itself suppresses our instrumentation, whoever calls it and whatever is current.
    InMemorySpanExporter local = new InMemorySpanExporter();
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(local).build();
    Span tx = tracer.startTransaction("GET /orders", "http.server");
    try (Scope scope = tx.makeCurrent()) {
      transport.apply(tracer).send(io.sentrytrace.Dsn.parse(sentry.dsn()).envelopeUri(),
          Map.of("Content-Type", "application/x-sentry-envelope"), "{}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    tx.finish();

    assertThat(sentry.requests()).singleElement()
        .satisfies(r -> assertThat(r.headers).doesNotContainKeys("sentry-trace", "baggage", "traceparent"));
    assertThat(local.transactions()).singleElement().satisfies(t -> assertThat(t.spans()).isEmpty());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void retriesA500AndDeliversOnce(Supplier<EnvelopeTransport> transport) throws Exception {
    sentry.enqueue(500);
    tracer(sentry.dsn(), transport).startTransaction("job", "task").finish();

    assertThat(exporter.flush(WAIT)).isTrue();

    assertThat(sentry.requests()).extracting(r -> r.answeredStatus).containsExactly(500, 200);
    assertThat(exporter.sentCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("transports")
  void honoursA429RateLimit(Supplier<EnvelopeTransport> transport) throws Exception {
    sentry.enqueue(429, Map.of("Retry-After", "60", "X-Sentry-Rate-Limits", "60:transaction:key"));
    Tracer tracer = tracer(sentry.dsn(), transport);
    tracer.startTransaction("limited", "task").finish();
    assertThat(exporter.flush(WAIT)).isTrue();

    tracer.startTransaction("during the limit", "task").finish();
    assertThat(exporter.flush(WAIT)).isTrue();

    assertThat(sentry.requests()).hasSize(1);
    assertThat(exporter.rateLimitedCount()).isEqualTo(2);
    assertThat(warnings()).singleElement().asString().contains("rate-limited transactions for 60 s");
  }

  @ParameterizedTest
  @MethodSource("transports")
  void connectionRefusedIsCountedAsFailed(Supplier<EnvelopeTransport> transport) throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    tracer("http://f00dcafe@127.0.0.1:" + closedPort + "/42", transport).startTransaction("job", "task").finish();

    assertThat(exporter.flush(WAIT)).isTrue();

    assertThat(exporter.failedCount()).isEqualTo(1);
    assertThat(exporter.sentCount()).isZero();
    assertThat(warnings()).singleElement().asString().contains("failed after 3 attempts").containsIgnoringCase("connect");
  }
}
