package io.sentrytrace.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.Dsn;
import io.sentrytrace.PropagationContext;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.TransactionNameSource;
import io.sentrytrace.testing.InMemorySpanExporter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnvelopeEncoderTest {
  private static final Dsn DSN = Dsn.parse("https://f00dcafe@o7.ingest.sentry.io/42");
  private static final Instant SENT_AT = Instant.parse("2023-11-14T22:13:25.250Z");
  private static final String EVENT_ID = "0123456789abcdef0123456789abcdef";

  /** A clock the test moves by hand, so timestamps are known to the nanosecond. */
  private static final class HandClock extends Clock {
    volatile Instant now = Instant.ofEpochSecond(1_700_000_000L, 123_456_789L);

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private final HandClock clock = new HandClock();
  private final InMemorySpanExporter memory = new InMemorySpanExporter();

  private Tracer.Builder tracer() {
    return Tracer.builder().dsn(DSN.toString()).tracesSampleRate(1.0).exporter(memory).clock(clock);
  }

  private static ReceivedEnvelope encodeAndParse(TransactionData tx) throws IOException {
    return ReceivedEnvelope.parse(new EnvelopeEncoder().encode(tx, DSN, EVENT_ID, SENT_AT));
  }

  @Test
  void writesEnvelopeHeaderWithDscItemHeaderAndTransactionPayload() throws IOException {
    Tracer tracer = tracer().release("shop@1.4.0").environment("production").build();
    Span tx = tracer.startTransaction("GET /checkout", "http.server");
    Span db = tx.startChild("db.query", "SELECT 1");
    Span http = db.startChild("http.client", "GET https://api.example.com/");
    http.setStatus(SpanStatus.NOT_FOUND).setData("http.response.status_code", 404);
    http.finish();
    db.finish();
    tx.setStatus(SpanStatus.INTERNAL_ERROR).setData("route", "/checkout");
    tx.finish();

    ReceivedEnvelope envelope = encodeAndParse(memory.transactions().get(0));

    envelope.assertCarries(tx, List.of(db, http));
    assertThat(envelope.header)
        .containsEntry("event_id", EVENT_ID)
        .containsEntry("sent_at", "2023-11-14T22:13:25.250Z")
        .containsEntry("dsn", DSN.toString())
        .containsEntry("sdk", Map.of("name", "sentry-trace.java", "version", "0.1.0-SNAPSHOT"));
    assertThat(envelope.dsc())
        .containsEntry("public_key", "f00dcafe")
        .containsEntry("org_id", "7")
        .containsEntry("transaction", "GET /checkout")
        .containsEntry("release", "shop@1.4.0")
        .containsEntry("sampled", "true");
    assertThat(envelope.itemHeader).isEqualTo(Map.of("type", "transaction", "length", (long) envelope.payloadBytes.length));
    assertThat(envelope.payload)
        .containsEntry("event_id", EVENT_ID)
        .containsEntry("release", "shop@1.4.0")
        .containsEntry("environment", "production")
        .containsEntry("platform", "java")
        .containsEntry("sdk", Map.of("name", "sentry-trace.java", "version", "0.1.0-SNAPSHOT"));
    assertThat(envelope.traceContext())
        .containsEntry("status", "internal_error")
        .containsEntry("data", Map.of("route", "/checkout"));
    Map<String, Object> httpSpan = envelope.spans().stream()
        .filter(s -> s.get("span_id").equals(http.spanId().toString())).findFirst().orElseThrow();
    assertThat(httpSpan)
        .containsEntry("status", "not_found")
        .containsEntry("data", Map.of("http.response.status_code", 404L));
  }

  @Test
  void timestampsAreEpochSecondsWithMicroseconds() throws IOException {
    Tracer tracer = tracer().build();
    Span tx = tracer.startTransaction("tx", "task"); // at 1700000000.123456789
    clock.now = Instant.ofEpochSecond(1_700_000_000L, 500_000_000L);
    Span child = tx.startChild("work", "step");
    clock.now = Instant.ofEpochSecond(1_700_000_001L, 1_000L);
    child.finish();
    clock.now = Instant.ofEpochSecond(1_700_000_002L, 999_999_999L);
    tx.finish();

    byte[] body = new EnvelopeEncoder().encode(memory.transactions().get(0), DSN, EVENT_ID, SENT_AT);
    String text = new String(body, StandardCharsets.UTF_8);
    ReceivedEnvelope envelope = ReceivedEnvelope.parse(body);

    assertThat(text).contains("\"start_timestamp\":1700000000.123456,").contains("\"timestamp\":1700000002.999999,");
    assertThat(envelope.payload.get("start_timestamp")).isEqualTo(new BigDecimal("1700000000.123456"));
    assertThat(envelope.payload.get("timestamp")).isEqualTo(new BigDecimal("1700000002.999999"));
    assertThat(envelope.spans().get(0))
        .containsEntry("start_timestamp", new BigDecimal("1700000000.500000"))
        .containsEntry("timestamp", new BigDecimal("1700000001.000001"));
  }

  @Test
  void lengthCountsUtf8BytesNotCharacters() throws IOException {
    Tracer tracer = tracer().build();
    String name = "GET /café/✓/日本";
    Span tx = tracer.startTransaction(name, "http.server");
    tx.finish();

    ReceivedEnvelope envelope = encodeAndParse(memory.transactions().get(0));

    assertThat(envelope.payload).containsEntry("transaction", name);
    assertThat((long) envelope.itemHeader.get("length")).isEqualTo(envelope.payloadBytes.length);
    assertThat(envelope.payloadBytes.length).isGreaterThan(new String(envelope.payloadBytes, StandardCharsets.UTF_8).length());
  }

  @Test
  void headTransactionHasNoParentAndUnsetStatusIsOk() throws IOException {
    Span tx = tracer().build().startTransaction("job", "task");
    tx.startChild("step", "one").finish();
    tx.finish();

    ReceivedEnvelope envelope = encodeAndParse(memory.transactions().get(0));

    assertThat(envelope.traceContext()).doesNotContainKey("parent_span_id").containsEntry("status", "ok")
        .doesNotContainKey("data");
    assertThat(envelope.spans().get(0)).containsEntry("status", "ok").doesNotContainKey("data");
  }

  @Test
  void continuedTraceKeepsIncomingParentAndFrozenDsc() throws IOException {
    Tracer tracer = tracer().build();
    String upstreamTrace = "771a43a4192642f0b136d5159a501700";
    String upstreamSpan = "b1a2c3d4e5f60718";
    String baggage = "sentry-trace_id=" + upstreamTrace + ",sentry-public_key=browserkey,sentry-sample_rate=0.5,"
        + "sentry-sample_rand=0.25,sentry-sampled=true,sentry-release=web@2,other=kept";
    PropagationContext incoming = tracer.continueTrace(upstreamTrace + "-" + upstreamSpan + "-1", baggage);
    Span tx = tracer.startTransaction("GET /api", "http.server", incoming);
    tx.finish();

    ReceivedEnvelope envelope = encodeAndParse(memory.transactions().get(0));

    envelope.assertCarries(tx, List.of());
    assertThat(envelope.traceContext()).containsEntry("parent_span_id", upstreamSpan);
    assertThat(envelope.dsc()).isEqualTo(Map.of(
        "trace_id", upstreamTrace, "public_key", "browserkey", "sample_rate", "0.5", "sample_rand", "0.25",
        "sampled", "true", "release", "web@2"));
  }

  @Test
  void leavesOutTraceHeaderWhenTheIncomingTraceHadNoBaggage() throws IOException {
    Tracer tracer = tracer().build();
    Span tx = tracer.startTransaction("GET /api", "http.server",
        tracer.continueTrace("771a43a4192642f0b136d5159a501700-b1a2c3d4e5f60718-1", null));
    tx.finish();

    ReceivedEnvelope envelope = encodeAndParse(memory.transactions().get(0));

    assertThat(envelope.header).doesNotContainKey("trace").containsKey("event_id");
    assertThat(envelope.traceContext()).containsEntry("trace_id", "771a43a4192642f0b136d5159a501700");
  }

  @Test
  void dataValuesKeepTheirJsonTypes() throws IOException {
    Span tx = tracer().build().startTransaction("tx", "task");
    tx.setData("s", "text").setData("i", 7).setData("l", 1L << 40).setData("d", 0.25).setData("b", true)
        .setData("nan", Double.NaN).setData("quote", "a\"b\nc");
    tx.finish();

    ReceivedEnvelope envelope = encodeAndParse(memory.transactions().get(0));

    assertThat(envelope.traceContext().get("data")).isEqualTo(Map.of(
        "s", "text", "i", 7L, "l", 1L << 40, "d", new BigDecimal("0.25"), "b", true, "nan", "NaN", "quote", "a\"b\nc"));
  }

  @Test
  void leavesOutReleaseAndEnvironmentWhenUnset() throws IOException {
    tracer().build().startTransaction("tx", "task").finish();

    ReceivedEnvelope envelope = encodeAndParse(memory.transactions().get(0));

    assertThat(envelope.payload).doesNotContainKeys("release", "environment");
    assertThat(envelope.dsc()).doesNotContainKeys("release", "environment");
  }

  @Test
  void anEncoderReusedForManyEnvelopesWritesEachOnItsOwn() throws IOException {
    Tracer tracer = tracer().release("shop@1.4.0").build();
    Span big = tracer.startTransaction("big", "task");
    for (int i = 0; i < 300; i++) big.startChild("step", "x".repeat(300)).finish(); // grows the buffer past its keep limit
    big.finish();
    Span small = tracer.startTransaction("small", "task");
    Span db = small.startChild("db", "SELECT 1");
    db.finish();
    small.finish();
    EnvelopeEncoder encoder = new EnvelopeEncoder();

    byte[] first = encoder.encode(memory.transactions().get(1), DSN, EVENT_ID, SENT_AT);
    ReceivedEnvelope bigEnvelope = ReceivedEnvelope.parse(encoder.encode(memory.transactions().get(0), DSN, EVENT_ID, SENT_AT));
    byte[] again = encoder.encode(memory.transactions().get(1), DSN, EVENT_ID, SENT_AT);

    assertThat(bigEnvelope.spans()).hasSize(300);
    assertThat(again).isEqualTo(first);
    ReceivedEnvelope.parse(again).assertCarries(small, List.of(db));
  }

  @Test
  void anEnvelopeThatCannotBeEncodedLeavesTheEncoderReadyForTheNext() throws IOException {
    Span ok = tracer().build().startTransaction("ok", "task");
    ok.finish();
    TransactionData good = memory.transactions().get(0);
    SpanData farFuture = SpanData.create(good.root().traceId(), good.root().spanId(), null, "task", "far", null, Map.of(),
        Instant.MAX.minusSeconds(1), Instant.MAX);
    TransactionData unencodable = TransactionData.create("far", TransactionNameSource.CUSTOM, farFuture, List.of(),
        good.dynamicSamplingContext(), null, null);
    EnvelopeEncoder encoder = new EnvelopeEncoder();

    assertThatThrownBy(() -> encoder.encode(unencodable, DSN, EVENT_ID, SENT_AT)).isInstanceOf(ArithmeticException.class);
    assertThat(encoder.encode(good, DSN, EVENT_ID, SENT_AT)).isEqualTo(new EnvelopeEncoder().encode(good, DSN, EVENT_ID, SENT_AT));
  }

  @Test
  void aLoneSurrogateInANameStillGivesAValidEnvelope() throws IOException {
    Span tx = tracer().build().startTransaction("GET /\uD800x", "task"); // half of a surrogate pair
    tx.finish();

    ReceivedEnvelope envelope = encodeAndParse(memory.transactions().get(0));

    assertThat(envelope.payload).containsEntry("transaction", "GET /?x");
  }

  @Test
  void eventIdsAre32LowercaseHexAndDistinct() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = EnvelopeEncoder.newEventId();
      assertThat(id).matches("[0-9a-f]{32}");
      ids.add(id);
    }
    assertThat(ids).hasSize(1000);
  }

  @Test
  void envelopeHeaderCarriesTheDsnWithoutItsSecretKey() throws IOException {
    Tracer tracer = tracer().build();
    Span tx = tracer.startTransaction("GET /", "http.server");
    tx.finish();
    Dsn withSecret = Dsn.parse("https://f00dcafe:SECRETKEY@o7.ingest.sentry.io/42");
    byte[] bytes = new EnvelopeEncoder().encode(memory.transactions().get(0), withSecret, EVENT_ID, SENT_AT);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain("SECRETKEY");
    assertThat(ReceivedEnvelope.parse(bytes).header).containsEntry("dsn", "https://f00dcafe@o7.ingest.sentry.io/42");
  }
}
