package io.sentrytrace.demo.collector;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code --once} requires of the assembled trace: the page's server transaction, the checkout
 * as its child, and each downstream service's transaction as the child of one of the checkout's
 * {@code http.client} spans, all connected.
 *
 * <pre>{@code
 * List<String> problems = TraceCheck.checkoutProblems(trace, pageSpanId);
 * }</pre>
 */
public final class TraceCheck {
  public static final List<String> DOWNSTREAMS = List.of("inventory", "payments", "shipping");

  private TraceCheck() {}

  /** Empty when the trace is complete and connected; else what is missing, one item each. */
  public static List<String> checkoutProblems(Trace trace, String pageSpanId) {
    List<String> problems = new ArrayList<>();
    Optional<ReceivedTransaction> page = trace.transaction(tx -> tx.root().spanId().equals(pageSpanId));
    if (page.isEmpty()) problems.add("the shop's page transaction (span " + pageSpanId + ") has not arrived");
    Optional<ReceivedTransaction> checkout = trace.transaction(tx -> "shop".equals(tx.service())
        && tx.name() != null && tx.name().contains("/api/checkout"));
    if (checkout.isEmpty()) {
      problems.add("the shop's checkout transaction has not arrived");
      return problems;
    }
    for (String service : DOWNSTREAMS) {
      List<ReceivedTransaction> txs = trace.fromService(service);
      if (txs.isEmpty()) {
        problems.add(service + ": no transaction in this trace");
        continue;
      }
      String parent = txs.get(0).root().parentSpanId();
      boolean underCheckout = checkout.get().spans().stream()
          .anyMatch(s -> s.spanId() != null && s.spanId().equals(parent) && "http.client".equals(s.op()));
      if (!underCheckout) problems.add(service + ": parent span " + parent + " is not an http.client span of the checkout");
    }
    if (!trace.isConnected()) problems.add("the trace has " + trace.roots().size() + " separate parts");
    return problems;
  }
}
