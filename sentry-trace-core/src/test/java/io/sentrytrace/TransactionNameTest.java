package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Transaction names and their source: a raw URL never goes downstream in the DSC. */
class TransactionNameTest {
  private final RecordingExporter exporter = new RecordingExporter();
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).release("r").exporter(exporter).build();

  private static Map<String, String> sentryBaggage(Tracer tracer, Span span) {
    Map<String, String> headers = new HashMap<>();
    tracer.inject(span, headers, Map::get, Map::put);
    return Baggage.parse(headers.get("baggage")).sentryValues();
  }

  @Test
  void aNameFromTheRawUrlIsNotSentInBaggageNorMetaTags() {
    Span tx = tracer.startTransaction("GET /users/alice@example.com", "http.server");
    tx.setName("GET /users/alice@example.com", TransactionNameSource.URL);
    assertThat(sentryBaggage(tracer, tx)).doesNotContainKey("transaction").containsEntry("release", "r");
    assertThat(MetaTags.render(tx)).doesNotContain("sentry-transaction").doesNotContain("alice");
    assertThat(tx.description()).isEqualTo("GET /users/alice@example.com");
    assertThat(tx.nameSource()).isEqualTo(TransactionNameSource.URL);
  }

  @Test
  void renamedToItsRouteBeforeTheDscFreezesTheRouteIsSent() {
    Span tx = tracer.startTransaction("GET /orders/42", "http.server");
    tx.setName("GET /orders/42", TransactionNameSource.URL);
    tx.setName("GET /orders/{id}", TransactionNameSource.ROUTE);
    assertThat(sentryBaggage(tracer, tx)).containsEntry("transaction", "GET /orders/{id}");
  }

  @Test
  void renamedAfterTheDscFroseTheDscKeepsItsName() {
    Span tx = tracer.startTransaction("checkout", "task");
    Map<String, String> frozen = sentryBaggage(tracer, tx);
    tx.setName("GET /users/42", TransactionNameSource.URL);
    assertThat(sentryBaggage(tracer, tx)).isEqualTo(frozen).containsEntry("transaction", "checkout");
    tx.finish();
    TransactionData exported = exporter.transactions().get(0);
    assertThat(exported.name()).isEqualTo("GET /users/42");
    assertThat(exported.nameSource()).isEqualTo(TransactionNameSource.URL);
    assertThat(exported.dynamicSamplingContext().get("transaction")).isEqualTo("checkout");
  }

  @Test
  void theExportCarriesTheNameAndSourceAtFinishAndLaterRenamesAreIgnored() {
    Span tx = tracer.startTransaction("GET /a/1", "http.server");
    assertThat(tx.nameSource()).isEqualTo(TransactionNameSource.CUSTOM);
    tx.setName("GET /a/{id}", TransactionNameSource.ROUTE);
    tx.finish();
    tx.setName("too late", TransactionNameSource.CUSTOM);
    TransactionData exported = exporter.transactions().get(0);
    assertThat(exported.name()).isEqualTo("GET /a/{id}");
    assertThat(exported.nameSource()).isEqualTo(TransactionNameSource.ROUTE);
    assertThat(exported.root().description()).isEqualTo("GET /a/{id}");
  }

  @Test
  void aChildSpanTakesTheNameAsItsDescription() {
    Span tx = tracer.startTransaction("t", "o");
    Span child = tx.startChild("db", "q").setName("SELECT 1", TransactionNameSource.CUSTOM);
    child.finish();
    tx.finish();
    assertThat(exporter.transactions().get(0).spans()).extracting(SpanData::description).containsExactly("SELECT 1");
    assertThat(exporter.transactions().get(0).name()).isEqualTo("t");
  }

  @Test
  void setNameRejectsNulls() {
    Span tx = tracer.startTransaction("t", "o");
    assertThatThrownBy(() -> tx.setName(null, TransactionNameSource.ROUTE)).hasMessage("name");
    assertThatThrownBy(() -> tx.setName("n", null)).hasMessage("source");
  }

  @Test
  void sourcesHaveSentrysWireNames() {
    assertThat(TransactionNameSource.URL.wireName()).isEqualTo("url");
    assertThat(TransactionNameSource.ROUTE.wireName()).isEqualTo("route");
    assertThat(TransactionNameSource.COMPONENT.wireName()).isEqualTo("component");
  }
}
