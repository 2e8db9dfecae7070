package io.sentrytrace.demo.collector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceCheckTest {
  private final Transactions t = new Transactions();

  private ReceivedTransaction page() {
    return t.tx("shop", "page", null, "http.server", "GET /");
  }

  private ReceivedTransaction checkout() {
    return t.tx("shop", "checkout", "page", "http.server", "POST /api/checkout",
        "c1", "checkout", "http.client", "POST /reserve",
        "c2", "checkout", "http.client", "POST /charge",
        "c3", "checkout", "http.client", "POST /quote");
  }

  @Test
  void checkoutWithAllThreeDownstreamsUnderItsClientSpansPasses() {
    Trace trace = Transactions.trace(page(), checkout(),
        t.tx("inventory", "i", "c1", "http.server", "POST /reserve"),
        t.tx("payments", "p", "c2", "http.server", "POST /charge"),
        t.tx("shipping", "s", "c3", "http.server", "POST /quote"));

    assertThat(TraceCheck.checkoutProblems(trace, "page")).isEmpty();
  }

  @Test
  void downstreamThatHangsFromTheCheckoutTransactionItselfFails() {
    Trace trace = Transactions.trace(page(), checkout(),
        t.tx("inventory", "i", "c1", "http.server", "POST /reserve"),
        t.tx("payments", "p", "c2", "http.server", "POST /charge"),
        t.tx("shipping", "s", "checkout", "http.server", "POST /quote"));

    assertThat(TraceCheck.checkoutProblems(trace, "page"))
        .containsExactly("shipping: parent span checkout is not an http.client span of the checkout");
  }

  @Test
  void missingDownstreamAndDisconnectedPartsFail() {
    Trace trace = Transactions.trace(page(), checkout(),
        t.tx("inventory", "i", "c1", "http.server", "POST /reserve"),
        t.tx("payments", "p", "elsewhere", "http.server", "POST /charge"));

    assertThat(TraceCheck.checkoutProblems(trace, "page")).containsExactly(
        "payments: parent span elsewhere is not an http.client span of the checkout",
        "shipping: no transaction in this trace",
        "the trace has 2 separate parts");
  }

  @Test
  void checkoutThatHasNotArrivedFails() {
    assertThat(TraceCheck.checkoutProblems(Transactions.trace(page()), "page"))
        .containsExactly("the shop's checkout transaction has not arrived");
  }
}
