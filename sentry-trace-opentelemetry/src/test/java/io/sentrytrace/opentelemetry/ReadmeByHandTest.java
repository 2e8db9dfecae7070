package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.sentrytrace.Tracer;
import io.sentrytrace.envelope.FakeSentry;
import io.sentrytrace.envelope.ReceivedEnvelope;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's "By hand" wiring, word for word, against a stand-in Sentry: a span this service
 * starts reaches Sentry as a transaction whose DSC agrees with the sampler.
 */
class ReadmeByHandTest {
  @Test
  void theReadmesWiringSendsASampledTransactionWithItsDsc() throws Exception {
    try (FakeSentry sentry = FakeSentry.start()) {
      String dsn = sentry.dsn();
      // --- README, OpenTelemetry, By hand ---
      Tracer options = Tracer.builder().dsn(dsn).release("shop@1.4.0").tracesSampleRate(1.0).build();
      SentryEnvelopeSpanExporter exporter = SentryEnvelopeSpanExporter.builder(options).build();
      SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
          .addSpanProcessor(SentryEnvelopeSpanExporter.incomingDscRecorder())   // the DSC of continued traces
          .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
          .setSampler(exporter.sampler())                                       // agrees with the DSC
          .build();
      // ---
      Span span = tracerProvider.get("readme").spanBuilder("GET /orders/{id}").setSpanKind(SpanKind.SERVER)
          .setAttribute("http.request.method", "GET").setAttribute("http.route", "/orders/{id}").startSpan();
      span.end();
      assertThat(tracerProvider.shutdown().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();

      List<FakeSentry.Request> received = sentry.await(1, Duration.ofSeconds(30));
      assertThat(received).hasSize(1);
      ReceivedEnvelope envelope = received.get(0).envelope();
      String trace = span.getSpanContext().getTraceId();
      assertThat(envelope.traceContext()).containsEntry("trace_id", trace).containsEntry("op", "http.server");
      assertThat(envelope.dsc())
          .containsEntry("trace_id", trace)
          .containsEntry("public_key", FakeSentry.PUBLIC_KEY)
          .containsEntry("release", "shop@1.4.0")
          .containsEntry("sample_rate", "1")
          .containsEntry("sampled", "true");
    }
  }
}
