package io.sentrytrace.jmh;

import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.apache.TracingExecInterceptor;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecRuntime;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.ExecSupport;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.CancellableDependency;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.apache.hc.core5.util.TimeValue;
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
 * Apache HttpClient 5's classic exec chain under an active, sampled transaction: {@link
 * TracingExecInterceptor#execute} in front of a stub chain that returns a canned response,
 * against the stub chain alone. Each call gets a new exchange id, context and {@code
 * ExecChain.Scope}, as the client makes them per call. sentry-java has no interceptor for the
 * classic client.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(Defaults.FORKS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.SECONDS)
public class ApacheInterceptorBenchmark {
  static final int CALLS_PER_TRANSACTION = OkHttpInterceptorBenchmark.CALLS_PER_TRANSACTION;

  /** The end of the chain: answers without a connection. */
  static final ExecChain CANNED = (request, scope) -> new BasicClassicHttpResponse(200, "OK");

  /** The chain is stubbed, so nothing ever connects. */
  static final ExecRuntime NO_CONNECTION = new NoConnection();

  ClassicHttpRequest request = new HttpGet("https://api.example.com/v1/users/42");
  HttpRoute route = new HttpRoute(new HttpHost("https", "api.example.com", 443));
  Tracer tracer;
  TracingExecInterceptor ours;
  Span transaction;
  io.sentrytrace.Scope current;
  int calls;

  @Setup(Level.Trial)
  public void setUp() {
    tracer = Tracer.builder().tracesSampleRate(1.0).build();
    ours = TracingExecInterceptor.create(tracer);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (current != null) current.close();
  }

  /** A new transaction every {@link #CALLS_PER_TRANSACTION} calls, current on this thread. */
  void nextCall() {
    if (calls++ % CALLS_PER_TRANSACTION != 0) return;
    if (current != null) current.close();
    transaction = tracer.startTransaction("GET /checkout", "http.server");
    current = transaction.makeCurrent();
  }

  ExecChain.Scope scope() {
    return new ExecChain.Scope(ExecSupport.getNextExchangeId(), route, request, NO_CONNECTION, HttpClientContext.create());
  }

  @Benchmark
  public ClassicHttpResponse execute_none() throws IOException, HttpException {
    nextCall();
    return CANNED.proceed(request, scope());
  }

  @Benchmark
  public ClassicHttpResponse execute_ours() throws IOException, HttpException {
    nextCall();
    return ours.execute(request, scope(), CANNED);
  }

  /** An {@link ExecRuntime} for a chain that never connects: every use is a bug. */
  private static final class NoConnection implements ExecRuntime {
    private static UnsupportedOperationException unused() {
      return new UnsupportedOperationException("the benchmark's chain never connects");
    }

    @Override
    public boolean isExecutionAborted() {
      return false;
    }

    @Override
    public boolean isEndpointAcquired() {
      return false;
    }

    @Override
    public void acquireEndpoint(String id, HttpRoute route, Object state, HttpClientContext context) {
      throw unused();
    }

    @Override
    public void releaseEndpoint() {
      throw unused();
    }

    @Override
    public void discardEndpoint() {
      throw unused();
    }

    @Override
    public boolean isEndpointConnected() {
      return false;
    }

    @Override
    public void disconnectEndpoint() {
      throw unused();
    }

    @Override
    public void connectEndpoint(HttpClientContext context) {
      throw unused();
    }

    @Override
    public void upgradeTls(HttpClientContext context) {
      throw unused();
    }

    @Override
    public ClassicHttpResponse execute(String id, ClassicHttpRequest request, HttpClientContext context) {
      throw unused();
    }

    @Override
    public boolean isConnectionReusable() {
      return false;
    }

    @Override
    public void markConnectionReusable(Object state, TimeValue duration) {
      throw unused();
    }

    @Override
    public void markConnectionNonReusable() {
      throw unused();
    }

    @Override
    public ExecRuntime fork(CancellableDependency cancellable) {
      throw unused();
    }
  }
}
