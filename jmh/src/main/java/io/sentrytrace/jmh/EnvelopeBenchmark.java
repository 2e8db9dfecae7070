package io.sentrytrace.jmh;

import io.sentry.ISerializer;
import io.sentry.ITransaction;
import io.sentry.NoOpTransportFactory;
import io.sentry.Sentry;
import io.sentry.SentryEnvelope;
import io.sentry.SentryEnvelopeHeader;
import io.sentry.SentryEnvelopeItem;
import io.sentry.SentryOptions;
import io.sentry.TraceContext;
import io.sentry.TransactionOptions;
import io.sentry.protocol.SentryTransaction;
import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.PropagationContext;
import io.sentrytrace.Span;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.TransactionNameSource;
import io.sentrytrace.envelope.EnvelopeExporter;
import io.sentrytrace.testing.InMemorySpanExporter;
import io.sentrytrace.http.internal.HttpSpanData;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The exporter's work for one typical transaction: an {@code http.server} transaction continued
 * from a browser (a 7-member DSC), with an {@code http.client} child (the data keys of {@link
 * HttpSpanData}) and a {@code db} child, release and environment set.
 *
 * <p>{@code envelope_ours} goes through the public path, {@link EnvelopeExporter#export} on the
 * benchmark thread, {@link EnvelopeExporter#flush} after every {@value #BATCH}: the sender threads
 * take each transaction off the queue, encodes it (event id, timestamps, envelope) and hands the
 * bytes to a transport that only counts them, so the time is the exporter's CPU per transaction
 * minus the network (its queue and the hand-over included, spread over the batch). {@code -prof gc}
 * counts the sender thread's allocation too. {@code envelope_sentryJava} is sentry-java's {@code
 * JsonSerializer} writing the envelope of the same transaction, as captured by its client (after
 * its event processors), with the trace header from its DSC; on its benchmark thread, no queue, no
 * gzip (its HTTP transport would add that).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(Defaults.FORKS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.SECONDS)
public class EnvelopeBenchmark {
  static final int BATCH = 100;
  static final String DSN = "https://5d0e7c6b1f1d4b7f9c4e2a1b3c5d7e9f@o1.ingest.sentry.io/2";
  /** What @sentry/browser sends: 7 sentry- members, frozen into the transaction's DSC. */
  static final String BAGGAGE = "sentry-trace_id=" + Inputs.TRACE_ID
      + ",sentry-public_key=5d0e7c6b1f1d4b7f9c4e2a1b3c5d7e9f,sentry-release=shop-web%401.4.0,"
      + "sentry-environment=production,sentry-sample_rate=1,sentry-sample_rand=0.4213,sentry-sampled=true";

  /** Counts what it is given and answers 200, as Sentry would; keeps the last envelope for the test. */
  static final class CountingTransport implements EnvelopeTransport {
    private static final Response OK = Response.of(200, null, null);
    private final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
    volatile byte[] last;
    /** The shortest envelope's length: sent_at writes its fraction in as few 3-digit groups as it needs. */
    final java.util.concurrent.atomic.AtomicInteger shortest = new java.util.concurrent.atomic.AtomicInteger(Integer.MAX_VALUE);

    @Override
    public Response send(URI uri, Map<String, String> headers, byte[] body) {
      bytes.addAndGet(body.length); // the exporter may send from several threads under a backlog
      last = body;
      shortest.accumulateAndGet(body.length, Math::min);
      return OK;
    }

    long bytes() {
      return bytes.get();
    }
  }

  TransactionData transaction;
  CountingTransport transport;
  EnvelopeExporter exporter;

  ISerializer sentryJavaSerializer;
  SentryTransaction sentryJavaTransaction;
  TraceContext sentryJavaTraceContext;
  /** Where sentry-java's envelope goes (our transport drops it too). */
  OutputStream sentryJavaOut = OutputStream.nullOutputStream();

  @Setup(Level.Trial)
  public void setUp() {
    transaction = oursTransaction();
    transport = new CountingTransport();
    exporter = EnvelopeExporter.builder(DSN).transport(transport).shutdownHook(false).build();
    setUpSentryJava();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    exporter.close();
    Sentry.close();
  }

  /** The same transaction the load test's service records, made by our tracer. */
  static TransactionData oursTransaction() {
    InMemorySpanExporter memory = new InMemorySpanExporter();
    Tracer tracer = Tracer.builder().dsn(DSN).tracesSampleRate(1.0).release("shop@1.4.0").environment("production")
        .exporter(memory).build();
    PropagationContext incoming = tracer.continueTrace(Inputs.SENTRY_TRACE_SAMPLED, BAGGAGE);
    Span server = tracer.startTransaction("GET /checkout", "http.server", incoming);
    server.setName("GET /checkout", TransactionNameSource.URL);
    server.setData(HttpSpanData.METHOD, "GET").setData(HttpSpanData.URL, "http://127.0.0.1:8080/checkout")
        .setData(HttpSpanData.QUERY, "cart=42");
    Span client = server.startChild(HttpSpanData.OP_CLIENT, "POST http://127.0.0.1:8081/reserve");
    client.setData(HttpSpanData.METHOD, "POST").setData(HttpSpanData.URL, "http://127.0.0.1:8081/reserve")
        .setData(HttpSpanData.QUERY, "sku=A-1234&qty=2").setData(HttpSpanData.STATUS_CODE, 200)
        .setData(HttpSpanData.RESPONSE_CONTENT_LENGTH, 187L).setData(HttpSpanData.TIME_TO_FIRST_BYTE, 1.234)
        .setStatus(SpanStatus.OK);
    client.finish();
    Span db = server.startChild("db", "SELECT stock FROM items WHERE sku = ?");
    db.setData("db.system", "postgresql").setStatus(SpanStatus.OK);
    db.finish();
    server.setData(HttpSpanData.STATUS_CODE, 200).setStatus(SpanStatus.OK);
    server.finish();
    return memory.transactions().get(0);
  }

  private void setUpSentryJava() {
    AtomicReference<SentryTransaction> captured = new AtomicReference<>();
    Sentry.init(
        options -> {
          options.setDsn(DSN);
          options.setTransportFactory(NoOpTransportFactory.getInstance());
          options.setTracesSampleRate(1.0);
          options.setRelease("shop@1.4.0");
          options.setEnvironment("production");
          options.setSendClientReports(false);
          options.setSendModules(false);
          options.setShutdownTimeoutMillis(0);
          options.setFlushTimeoutMillis(0);
          options.setBeforeSendTransaction((tx, hint) -> {
            captured.set(tx);
            return null; // captured: nothing to send
          });
        });
    SentryOptions options = Sentry.getCurrentScopes().getOptions();
    sentryJavaSerializer = options.getSerializer();
    TransactionOptions txOptions = new TransactionOptions();
    ITransaction tx = Sentry.startTransaction(
        Sentry.continueTrace(Inputs.SENTRY_TRACE_SAMPLED, List.of(BAGGAGE)), txOptions);
    tx.setName("GET /checkout", io.sentry.protocol.TransactionNameSource.URL);
    tx.setOperation("http.server");
    tx.setData(HttpSpanData.METHOD, "GET");
    tx.setData(HttpSpanData.URL, "http://127.0.0.1:8080/checkout");
    tx.setData(HttpSpanData.QUERY, "cart=42");
    io.sentry.ISpan client = tx.startChild(HttpSpanData.OP_CLIENT, "POST http://127.0.0.1:8081/reserve");
    client.setData(HttpSpanData.METHOD, "POST");
    client.setData(HttpSpanData.URL, "http://127.0.0.1:8081/reserve");
    client.setData(HttpSpanData.QUERY, "sku=A-1234&qty=2");
    client.setData(HttpSpanData.STATUS_CODE, 200);
    client.setData(HttpSpanData.RESPONSE_CONTENT_LENGTH, 187L);
    client.setData(HttpSpanData.TIME_TO_FIRST_BYTE, 1.234);
    client.finish(io.sentry.SpanStatus.OK);
    io.sentry.ISpan db = tx.startChild("db", "SELECT stock FROM items WHERE sku = ?");
    db.setData("db.system", "postgresql");
    db.finish(io.sentry.SpanStatus.OK);
    tx.setData(HttpSpanData.STATUS_CODE, 200);
    sentryJavaTraceContext = tx.traceContext();
    tx.finish(io.sentry.SpanStatus.OK);
    sentryJavaTransaction = captured.get();
    if (sentryJavaTransaction == null) throw new IllegalStateException("sentry-java captured no transaction");
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long envelope_ours() {
    for (int i = 0; i < BATCH; i++) exporter.export(transaction);
    if (!exporter.flush(Duration.ofSeconds(10))) throw new IllegalStateException("not flushed: " + exporter);
    return transport.bytes();
  }

  @Benchmark
  public SentryEnvelope envelope_sentryJava() throws Exception {
    SentryEnvelopeHeader header = new SentryEnvelopeHeader(
        sentryJavaTransaction.getEventId(), sentryJavaTransaction.getSdk(), sentryJavaTraceContext);
    header.setSentAt(io.sentry.DateUtils.getCurrentDateTime());
    SentryEnvelope envelope = new SentryEnvelope(
        header, List.of(SentryEnvelopeItem.fromEvent(sentryJavaSerializer, sentryJavaTransaction)));
    sentryJavaSerializer.serialize(envelope, sentryJavaOut);
    return envelope;
  }
}
