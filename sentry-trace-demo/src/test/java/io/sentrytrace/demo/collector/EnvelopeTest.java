package io.sentrytrace.demo.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvelopeTest {
  private static byte[] resource(String name) throws IOException {
    try (InputStream in = EnvelopeTest.class.getClassLoader().getResourceAsStream(name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void readsThePageloadThatSentryBrowser11Sent() throws IOException {
    // Recorded from @sentry/browser 11.12.0 in headless Chromium (traceLifecycle 'static').
    Envelope envelope = Envelope.parse(resource("browser-pageload-envelope.txt"));

    assertThat(envelope.items()).extracting(Envelope.Item::type).containsExactly("transaction");
    ReceivedTransaction tx = ReceivedTransaction.from(envelope, envelope.items().get(0), "2", Instant.EPOCH);
    assertThat(tx.traceId()).isEqualTo("f2e3417b2ee16e7175da19df031fad67");
    assertThat(tx.root().parentSpanId()).isEqualTo("913cbfdb7a32667a");
    assertThat(tx.root().spanId()).isEqualTo("8a08a769d8e0c3ad");
    assertThat(tx.op()).isEqualTo("pageload");
    assertThat(tx.service()).isEqualTo("frontend");
    assertThat(tx.envelopeTrace()).containsEntry("trace_id", "f2e3417b2ee16e7175da19df031fad67")
        .containsEntry("sample_rand", "0.123456").containsEntry("release", "backend@1.0.0");
    assertThat(tx.spans()).filteredOn(s -> "http.client".equals(s.op()))
        .extracting(ReceivedSpan::description)
        .containsExactly("POST /api/checkout", "POST http://127.0.0.1:38769/api/cross");
    assertThat(tx.root().duration().toNanos() / 1e6).isCloseTo(398.0, within(0.01));
  }

  @Test
  void sessionEnvelopeHasNoTransaction() throws IOException {
    Envelope envelope = Envelope.parse(resource("browser-session-envelope.txt"));

    assertThat(envelope.items()).extracting(Envelope.Item::type).containsExactly("session");
    assertThat(envelope.items("transaction")).isEmpty();
  }

  @Test
  void readsExactlyLengthBytesWhenTheItemHeaderGivesALength() {
    String payload = "line one\nline two";
    String body = "{}\n{\"type\":\"attachment\",\"length\":" + payload.length() + "}\n" + payload + "\n"
        + "{\"type\":\"event\"}\n{\"message\":\"after\"}\n";

    Envelope envelope = Envelope.parse(body.getBytes(StandardCharsets.UTF_8));

    assertThat(envelope.items()).extracting(Envelope.Item::type).containsExactly("attachment", "event");
    assertThat(envelope.items().get(0).payload()).isNull(); // not JSON
    assertThat(Envelope.asMap(envelope.items().get(1).payload())).containsEntry("message", "after");
  }

  @Test
  void rejectsALengthRunningPastTheEnd() {
    byte[] body = "{}\n{\"type\":\"event\",\"length\":500}\n{}\n".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> Envelope.parse(body)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("runs past the end");
  }

  @Test
  void rejectsAHeaderThatIsNotJson() {
    assertThatThrownBy(() -> Envelope.parse("not json\n".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("envelope header");
  }

  @Test
  void transactionWithoutTraceContextIsRejected() {
    Envelope envelope = Envelope.parse("{}\n{\"type\":\"transaction\"}\n{\"transaction\":\"x\"}\n".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> ReceivedTransaction.from(envelope, envelope.items().get(0), "1", Instant.EPOCH))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("contexts.trace");
  }

  @Test
  void readsNumericAndRfc3339Timestamps() {
    assertThat(ReceivedSpan.timestamp(1767225600.25)).isEqualTo(Instant.parse("2026-01-01T00:00:00.250Z"));
    assertThat(ReceivedSpan.timestamp("2026-01-01T00:00:00.250Z")).isEqualTo(Instant.parse("2026-01-01T00:00:00.250Z"));
    assertThat(ReceivedSpan.timestamp("2026-01-01T00:00:00.250")).isEqualTo(Instant.parse("2026-01-01T00:00:00.250Z"));
    assertThat(ReceivedSpan.timestamp("yesterday")).isNull();
  }

  @Test
  void serviceIsTheReleaseNameElseTheSdk() {
    assertThat(ReceivedTransaction.service("shop@0.1.0", "sentry.java")).isEqualTo("shop");
    assertThat(ReceivedTransaction.service(null, "sentry.javascript.browser")).isEqualTo("sentry.javascript.browser");
    assertThat(ReceivedTransaction.service(null, null)).isEqualTo("unknown");
  }

  @Test
  void handWrittenEnvelopesParse() {
    String body = TestEnvelopes.transaction("inventory@1", "a".repeat(32), "b".repeat(16), "c".repeat(16), "http.server", "POST /reserve",
        List.of(new TestEnvelopes.Child("d".repeat(16), "b".repeat(16), "db.query", "SELECT 1")));

    Envelope envelope = Envelope.parse(body.getBytes(StandardCharsets.UTF_8));
    ReceivedTransaction tx = ReceivedTransaction.from(envelope, envelope.items().get(0), "1", Instant.EPOCH);

    assertThat(tx.name()).isEqualTo("POST /reserve");
    assertThat(tx.spans()).singleElement().satisfies(s -> assertThat(s.parentSpanId()).isEqualTo("b".repeat(16)));
  }
}
