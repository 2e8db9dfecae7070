package io.sentrytrace.load;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.sentry.BaggageHeader;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ISpan;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SpanStatus;
import io.sentry.TransactionContext;
import io.sentry.TransactionOptions;
import io.sentry.okhttp.SentryOkHttpInterceptor;
import io.sentry.protocol.TransactionNameSource;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * sentry-java 8.62.0 doing the same job: per request forked root scopes, {@code continueTrace} and
 * a transaction bound to the scope around the handler (what its servlet filter does);
 * {@code SentryOkHttpInterceptor} on OkHttp. For Apache and the JDK client sentry-java has no
 * instrumentation: a child span is made and its {@code sentry-trace}/{@code baggage} set by hand.
 * Its own transport sends to the same loopback endpoint, with the same queue size as ours (1000).
 *
 * <p>{@link Sentry#init} is global: one instance at a time, closed when its round ends.
 */
final class SentryJavaSetup implements Setup {
  private final BaseClients base;
  private final DownstreamClient okhttp;
  private final Filter filter = new TransactionFilter();

  SentryJavaSetup(BaseClients base, String dsn) {
    this.base = base;
    init(dsn, false);
    okhttp = BaseClients.okhttp(base.okhttp.newBuilder().addInterceptor(new SentryOkHttpInterceptor()).build());
  }

  /**
   * {@link Sentry#init} as every measurement here uses it: sending to {@code dsn} through its own
   * transport (one sender thread, {@code HttpURLConnection}), every transaction sampled, the
   * queue as large as ours (1000; its default is 30). Client reports (its default) only when asked
   * for: they tell why it discarded what it did. {@link Sentry#close()} ends it.
   */
  static void init(String dsn, boolean clientReports) {
    Sentry.init(options -> {
      options.setDsn(dsn);
      options.setTracesSampleRate(CostRun.sampleRate());
      options.setRelease("shop@1.4.0");
      options.setEnvironment("production");
      options.setMaxQueueSize(1000);
      options.setEnableShutdownHook(false);
      options.setEnableUncaughtExceptionHandler(false);
      options.setSendClientReports(clientReports);
    });
  }

  @Override public String name() { return "sentry-java 8.62.0"; }
  @Override public Filter filter() { return filter; }

  @Override
  public DownstreamClient client(ClientKind kind) {
    switch (kind) {
      case OKHTTP: return okhttp;
      case APACHE: return this::apacheByHand;
      default: return this::jdkByHand;
    }
  }

  private int apacheByHand(String url) throws IOException {
    HttpGet get = new HttpGet(url);
    ISpan span = childSpan(url);
    get.setHeader("sentry-trace", span.toSentryTrace().getValue());
    get.setHeader(BaggageHeader.BAGGAGE_HEADER, span.toBaggageHeader(null).getValue());
    return finish(span, base.apache.execute(get, response -> {
      EntityUtils.consume(response.getEntity());
      return response.getCode();
    }));
  }

  private int jdkByHand(String url) throws IOException, InterruptedException {
    ISpan span = childSpan(url);
    HttpRequest request = HttpRequest.newBuilder(java.net.URI.create(url))
        .header("sentry-trace", span.toSentryTrace().getValue())
        .header(BaggageHeader.BAGGAGE_HEADER, span.toBaggageHeader(null).getValue())
        .build();
    return finish(span, base.jdk.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode());
  }

  private static ISpan childSpan(String url) {
    ISpan parent = Sentry.getSpan();
    if (parent == null) throw new IllegalStateException("no sentry-java transaction is bound to the scope");
    ISpan span = parent.startChild("http.client", "GET " + url);
    span.setData("url", url);
    span.setData("http.request.method", "GET");
    return span;
  }

  private static int finish(ISpan span, int status) {
    span.setData("http.response.status_code", status);
    span.finish(SpanStatus.fromHttpStatusCode(status));
    return status;
  }

  @Override public boolean propagates() { return true; }

  @Override
  public void flush() {
    Sentry.flush(30_000);
  }

  @Override
  public String exportSummary() {
    return "its AsyncHttpTransport (queue 1000)";
  }

  @Override
  public void close() {
    Sentry.close();
  }

  /** What sentry-java's servlet filter does, on the JDK server. */
  private static final class TransactionFilter extends Filter {
    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
      try (ISentryLifecycleToken ignored = Sentry.forkedRootScopes("load").makeCurrent()) {
        String baggage = exchange.getRequestHeaders().getFirst(BaggageHeader.BAGGAGE_HEADER);
        TransactionContext context = Sentry.continueTrace(
            exchange.getRequestHeaders().getFirst("sentry-trace"), baggage == null ? null : List.of(baggage));
        String name = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
        context.setName(name);
        context.setTransactionNameSource(TransactionNameSource.URL);
        context.setOperation("http.server");
        TransactionOptions options = new TransactionOptions();
        options.setBindToScope(true);
        ITransaction transaction = Sentry.startTransaction(context, options);
        try {
          chain.doFilter(exchange);
          transaction.setStatus(SpanStatus.fromHttpStatusCode(exchange.getResponseCode()));
        } catch (IOException | RuntimeException e) {
          transaction.setThrowable(e);
          transaction.setStatus(SpanStatus.INTERNAL_ERROR);
          throw e;
        } finally {
          transaction.finish();
        }
      }
    }

    @Override
    public String description() {
      return "sentry-java transaction per request";
    }
  }
}
