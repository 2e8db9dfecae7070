package io.sentrytrace.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.demo.collector.ReceivedTransaction;
import io.sentrytrace.demo.collector.Trace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --once}: the built-in client plays the browser, and the trace must connect end to end. */
class OnceModeTest {
  private static final String[] EPHEMERAL = {"--shop-port=0", "--api-port=0", "--collector-port=0"};

  @Test
  void onceExitsZeroAndPrintsTheConnectedTrace() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    int code = Demo.run(new String[] {"--once", "--shop-port=0", "--api-port=0", "--collector-port=0", "--wait=20"}, out);

    String text = bytes.toString(StandardCharsets.UTF_8);
    System.out.print(text);
    assertThat(code).as(text).isZero();
    assertThat(text)
        .containsPattern("trace [0-9a-f]{32}  5 transactions from shop, inventory, payments, shipping; connected")
        .containsPattern("shop +http\\.server +GET /")
        .containsPattern("inventory +http\\.server +.*POST /reserve")
        .containsPattern("payments +http\\.server +.*POST /charge")
        .containsPattern("shipping +http\\.server +.*POST /quote")
        .contains("OK: one trace from the page's server span through the checkout to inventory, payments, shipping");
  }

  @Test
  void checkoutContinuesThePageTraceAndEveryDownstreamJoinsIt() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (DemoApp app = DemoApp.start(DemoOptions.parse(EPHEMERAL), new PrintStream(log, true, StandardCharsets.UTF_8))) {
      OnceClient.Result played = OnceClient.playBrowser(app.shop.baseUri(), new PrintStream(log, true, StandardCharsets.UTF_8));
      // Distinct transactions, not envelopes received: HttpURLConnection may POST an envelope once
      // more on a keep-alive connection the collector closed (its own retry). The bound only stops a hang.
      Trace trace = app.collector.store()
          .await(played.traceId(), t -> t.transactions().stream().map(tx -> tx.root().spanId()).distinct().count() >= 5,
              Duration.ofSeconds(60))
          .orElseThrow();

      assertThat(played.checkoutStatus()).isEqualTo(200);
      assertThat(trace.transactions()).extracting(ReceivedTransaction::traceId).containsOnly(played.traceId());
      ReceivedTransaction page = trace.transaction(tx -> tx.root().spanId().equals(played.pageSpanId())).orElseThrow();
      assertThat(page.name()).isEqualTo("GET /");
      ReceivedTransaction checkout = trace.transaction(tx -> "POST /api/checkout".equals(tx.name())).orElseThrow();
      assertThat(checkout.root().parentSpanId()).isEqualTo(played.pageSpanId());
      assertThat(checkout.spans()).filteredOn(s -> "http.client".equals(s.op())).hasSize(3);
      for (String service : List.of("inventory", "payments", "shipping")) {
        ReceivedTransaction downstream = trace.fromService(service).get(0);
        assertThat(checkout.spans()).as(service)
            .anySatisfy(s -> {
              assertThat(s.spanId()).isEqualTo(downstream.root().parentSpanId());
              assertThat(s.op()).isEqualTo("http.client");
            });
      }
      // containsOnly: an envelope the client sent twice is the same root twice, not a second root.
      assertThat(trace.roots()).extracting(tx -> tx.root().spanId()).containsOnly(page.root().spanId());
    }
  }

  @Test
  void badFlagExitsTwoWithTheReason() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    int code = Demo.run(new String[] {"--shop-port=99999"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(2);
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("--shop-port must be between 0 and 65535, got 99999")
        .contains("usage:");
  }
}
