package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Messaging spans get Sentry's queue ops (its Queues module's table: publish, create, receive,
 * process, settle) from OpenTelemetry's operation type, in the current attribute and the older
 * one the Java agent 2.x still emits by default; the span kind decides only without one.
 */
class SpanMappingMessagingTest {
  /** A provider without a processor makes no recording spans: this one keeps the last ended. */
  private final AtomicReference<SpanData> ended = new AtomicReference<>();
  private final SdkTracerProvider provider = SdkTracerProvider.builder()
      .addSpanProcessor(new SpanProcessor() {
        @Override
        public void onStart(Context parentContext, ReadWriteSpan span) {}

        @Override
        public boolean isStartRequired() {
          return false;
        }

        @Override
        public void onEnd(ReadableSpan span) {
          ended.set(span.toSpanData());
        }

        @Override
        public boolean isEndRequired() {
          return true;
        }
      })
      .build();
  private final Tracer tracer = provider.get("test");

  @AfterEach
  void close() {
    provider.close();
  }

  @ParameterizedTest(name = "{0} {1}={2} is {3}")
  @CsvSource({
    // messaging.operation.type (the agent with otel.semconv-stability.opt-in=messaging)
    "PRODUCER, messaging.operation.type, send, queue.publish",
    "PRODUCER, messaging.operation.type, create, queue.create",
    "CLIENT, messaging.operation.type, receive, queue.receive",
    "CONSUMER, messaging.operation.type, process, queue.process",
    "CLIENT, messaging.operation.type, settle, queue.settle",
    "PRODUCER, messaging.operation.type, publish, queue.publish",
    "CONSUMER, messaging.operation.type, deliver, queue.process",
    // messaging.operation (the agent's default): a receive is a CONSUMER span there
    "PRODUCER, messaging.operation, publish, queue.publish",
    "CONSUMER, messaging.operation, receive, queue.receive",
    "CONSUMER, messaging.operation, process, queue.process",
  })
  void theOperationTypeGivesTheQueueOp(SpanKind kind, String attribute, String operation, String op) {
    assertThat(SpanMapping.of(messaging(kind, attribute, operation)).op).isEqualTo(op);
  }

  @Test
  void theCurrentAttributeWinsOverTheOlderOne() {
    Span span = tracer.spanBuilder("orders receive").setSpanKind(SpanKind.CONSUMER)
        .setAttribute("messaging.system", "kafka")
        .setAttribute("messaging.operation.type", "receive")
        .setAttribute("messaging.operation", "process")
        .startSpan();
    span.end();
    assertThat(SpanMapping.of(ended.get()).op).isEqualTo("queue.receive");
  }

  @ParameterizedTest(name = "{0} without a known operation is {1}")
  @CsvSource({
    "CONSUMER, queue.process",
    "PRODUCER, queue.publish",
    "CLIENT, queue",
    "INTERNAL, queue",
  })
  void withoutAKnownOperationTheKindDecides(SpanKind kind, String op) {
    assertThat(SpanMapping.of(messaging(kind, null, null)).op).isEqualTo(op);
    assertThat(SpanMapping.of(messaging(kind, "messaging.operation.type", "ack")).op).isEqualTo(op);
  }

  @Test
  void theNameAndDataStayTheSpans() {
    SpanMapping m = SpanMapping.of(messaging(SpanKind.CONSUMER, "messaging.operation", "process"));
    assertThat(m.description).isEqualTo("orders process");
    assertThat(m.data).containsEntry("messaging.system", "kafka").containsEntry("messaging.destination.name", "orders");
  }

  private SpanData messaging(SpanKind kind, String attribute, String operation) {
    SpanBuilder builder = tracer.spanBuilder("orders process").setSpanKind(kind)
        .setAttribute("messaging.system", "kafka")
        .setAttribute("messaging.destination.name", "orders");
    if (attribute != null) builder.setAttribute(attribute, operation);
    builder.startSpan().end();
    return ended.get();
  }
}
