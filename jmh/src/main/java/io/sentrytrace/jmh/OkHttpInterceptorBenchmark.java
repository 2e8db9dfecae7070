package io.sentrytrace.jmh;

import io.sentry.ITransaction;
import io.sentry.NoOpTransportFactory;
import io.sentry.Sentry;
import io.sentry.TransactionOptions;
import io.sentry.okhttp.SentryOkHttpInterceptor;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.okhttp.TracingInterceptor;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One OkHttp call under an active, sampled transaction, through {@link TracingInterceptor}
 * (added with {@code addInterceptor}, like sentry-java's, and with {@code instrument}), through
 * sentry-java's {@code SentryOkHttpInterceptor}, and through no instrumentation. The last
 * application interceptor answers with a canned response, so no connection is made and only the
 * call and its instrumentation are measured: a child span started, {@code sentry-trace} and {@code
 * baggage} added, the span finished (sentry-java also records a breadcrumb).
 *
 * <p>Every 256 calls the transaction is replaced by a new one, identically on both sides, so that
 * neither hits its 1000-spans-per-transaction limit (past which spans are dropped cheaply).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(Defaults.FORKS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.SECONDS)
public class OkHttpInterceptorBenchmark {
  static final int CALLS_PER_TRANSACTION = 256;

  /** Answers every call; {@code chain.proceed} is never reached. */
  static final Interceptor CANNED =
      chain ->
          new Response.Builder()
              .request(chain.request())
              .protocol(Protocol.HTTP_1_1)
              .code(200)
              .message("OK")
              .body(ResponseBody.EMPTY)
              .build();

  Request request = new Request.Builder().url("https://api.example.com/v1/users/42").build();
  OkHttpClient none;
  OkHttpClient ours;
  OkHttpClient oursInstrumented;
  OkHttpClient sentryJava;

  Tracer tracer;
  Span transaction;
  io.sentrytrace.Scope current;
  ITransaction sentryJavaTransaction;
  int calls;

  @Setup(Level.Trial)
  public void setUp() {
    // A DSN so the SDK is enabled, a transport that sends nothing.
    Sentry.init(
        options -> {
          options.setDsn("https://49d0f7386ad645858ae85020e393bef3@o1.ingest.sentry.io/2");
          options.setTransportFactory(NoOpTransportFactory.getInstance());
          options.setTracesSampleRate(1.0);
          options.setSendClientReports(false);
          options.setSendModules(false);
          options.setShutdownTimeoutMillis(0); // nothing to flush: close at once
          options.setFlushTimeoutMillis(0);
        });
    tracer = Tracer.builder().tracesSampleRate(1.0).build();
    OkHttpClient base = new OkHttpClient.Builder().build();
    none = base.newBuilder().addInterceptor(CANNED).build();
    ours = base.newBuilder().addInterceptor(TracingInterceptor.create(tracer)).addInterceptor(CANNED).build();
    // The recommended set-up: the interceptor plus its event listener (its network-interceptor half
    // is never reached here, as no request goes to the network).
    oursInstrumented = TracingInterceptor.instrument(base, tracer).newBuilder().addInterceptor(CANNED).build();
    sentryJava = base.newBuilder().addInterceptor(new SentryOkHttpInterceptor()).addInterceptor(CANNED).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (current != null) current.close();
    Sentry.close();
  }

  /**
   * Keeps a transaction current on this (the benchmark's) thread, a new one every {@link
   * #CALLS_PER_TRANSACTION} calls. Both SDKs keep the current span per thread.
   */
  void nextCall() {
    if (calls++ % CALLS_PER_TRANSACTION != 0) return;
    if (current != null) current.close();
    transaction = tracer.startTransaction("GET /checkout", "http.server");
    current = transaction.makeCurrent();
    TransactionOptions options = new TransactionOptions();
    options.setBindToScope(true);
    sentryJavaTransaction = Sentry.startTransaction("GET /checkout", "http.server", options);
  }

  @Benchmark
  public Response call_none() throws IOException {
    nextCall();
    return execute(none);
  }

  @Benchmark
  public Response call_ours() throws IOException {
    nextCall();
    return execute(ours);
  }

  @Benchmark
  public Response call_oursInstrumented() throws IOException {
    nextCall();
    return execute(oursInstrumented);
  }

  @Benchmark
  public Response call_sentryJava() throws IOException {
    nextCall();
    return execute(sentryJava);
  }

  private Response execute(OkHttpClient client) throws IOException {
    try (Response response = client.newCall(request).execute()) {
      return response;
    }
  }
}
