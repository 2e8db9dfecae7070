package io.sentrytrace.demo.collector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceTreeTest {
  private final Transactions t = new Transactions();

  @Test
  void joinsTransactionsAcrossServicesByParentSpanId() {
    Trace trace = Transactions.trace(
        t.tx("shop", "page", null, "http.server", "GET /"),
        t.tx("inventory", "inv", "c1", "http.server", "POST /reserve"), // arrives before its parent
        t.tx("shop", "checkout", "page", "http.server", "POST /api/checkout", "c1", "checkout", "http.client", "POST /reserve"));

    TraceTree tree = TraceTree.of(trace);

    assertThat(tree.rows).extracting(r -> r.node().span.spanId()).containsExactly("page", "checkout", "c1", "inv");
    assertThat(tree.rows).extracting(TraceTree.Row::depth).containsExactly(0, 1, 2, 3);
    assertThat(tree.render()).contains("3 transactions from shop, inventory; connected")
        .containsPattern("inventory +http\\.server +      `- POST /reserve");
  }

  @Test
  void countsButDoesNotShowLeafSpansThatAreNeitherHttpNorDatabase() {
    Trace trace = Transactions.trace(t.tx("browser", "pl", null, "pageload", "/",
        "r1", "pl", "resource.script", "/sentry.js",
        "h1", "pl", "http.client", "POST /api/checkout",
        "p1", "pl", "browser.paint", "first-paint"));

    TraceTree tree = TraceTree.of(trace);

    assertThat(tree.rows).extracting(r -> r.node().span.spanId()).containsExactly("pl", "h1");
    assertThat(tree.hidden).isEqualTo(2);
    assertThat(tree.render()).contains("(2 more spans not shown: browser.paint, resource.script)");
  }

  @Test
  void marksATransactionWhoseParentDidNotArrive() {
    Trace trace = Transactions.trace(
        t.tx("shop", "page", null, "http.server", "GET /"),
        t.tx("shipping", "ship", "lost", "http.server", "POST /quote"));

    String text = TraceTree.of(trace).render();

    assertThat(trace.isConnected()).isFalse();
    assertThat(text).contains("NOT connected (2 separate parts)").contains("(parent span lost not received)");
  }
}
