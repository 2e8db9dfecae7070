package io.sentrytrace.load;

import com.sun.net.httpserver.Filter;
import io.sentrytrace.Tracer;
import io.sentrytrace.apache.TracingExecInterceptor;
import io.sentrytrace.envelope.EnvelopeExporter;
import io.sentrytrace.jdkhttp.TracingFilter;
import io.sentrytrace.jdkhttp.TracingHttpClient;
import io.sentrytrace.okhttp.TracingInterceptor;
import java.time.Duration;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;

/** sentry-trace: the JDK server filter, the three instrumented clients, export through EnvelopeExporter. */
final class SentryTraceSetup implements Setup {
  final Tracer tracer;
  final EnvelopeExporter exporter;
  private final TracingFilter filter;
  private final DownstreamClient okhttp;
  private final CloseableHttpClient apacheClient;
  private final DownstreamClient apache;
  private final DownstreamClient jdk;

  private final String name;

  SentryTraceSetup(BaseClients base, String dsn) {
    this(base, dsn, null);
  }

  /** {@code transport} null: the default ({@link io.sentrytrace.envelope.UrlConnectionTransport}). */
  SentryTraceSetup(BaseClients base, String dsn, io.sentrytrace.EnvelopeTransport transport) {
    EnvelopeExporter.Builder b = EnvelopeExporter.builder(dsn).shutdownHook(false);
    if (transport != null) b.transport(transport);
    exporter = b.build();
    name = transport == null ? "sentry-trace" : "sentry-trace, " + transport.getClass().getSimpleName();
    tracer = Tracer.builder().dsn(dsn).tracesSampleRate(CostRun.sampleRate()).release("shop@1.4.0").environment("production")
        .exporter(exporter).build();
    filter = TracingFilter.create(tracer);
    okhttp = BaseClients.okhttp(TracingInterceptor.instrument(base.okhttp, tracer));
    apacheClient = base.apacheBuilder()
        .addExecInterceptorFirst("sentry-trace", TracingExecInterceptor.create(tracer))
        .build();
    apache = BaseClients.apache(apacheClient);
    jdk = BaseClients.jdk(TracingHttpClient.instrument(base.jdk, tracer));
  }

  @Override public String name() { return name; }
  @Override public Filter filter() { return filter; }

  @Override
  public DownstreamClient client(ClientKind kind) {
    switch (kind) {
      case OKHTTP: return okhttp;
      case APACHE: return apache;
      default: return jdk;
    }
  }

  @Override public boolean propagates() { return true; }

  @Override
  public void flush() {
    tracer.flush(Duration.ofSeconds(30));
  }

  @Override
  public String exportSummary() {
    return "sent " + exporter.sentCount() + ", dropped " + exporter.droppedCount() + ", failed "
        + exporter.failedCount() + ", rate-limited " + exporter.rateLimitedCount();
  }

  @Override
  public void close() {
    tracer.close();
    try {
      apacheClient.close();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
