package io.sentrytrace.agentit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentry.JsonSerializer;
import io.sentry.SentryEnvelope;
import io.sentry.SentryEnvelopeItem;
import io.sentry.SentryOptions;
import io.sentry.protocol.SentryTransaction;
import io.sentrytrace.Baggage;
import io.sentrytrace.envelope.FakeSentry;
import io.sentrytrace.envelope.ReceivedEnvelope;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trace crosses gRPC with nothing but the stock agent, the extension and a DSN (issue 23): a JDK
 * {@code HttpServer} front ({@link GrpcFrontApp}) calls a grpc-java server over Netty ({@link
 * GrpcServerApp}), each in its own JVM and service, each reporting to its own stand-in Sentry. The
 * agent's gRPC instrumentation carries {@code sentry-trace} and {@code baggage} in the call's
 * metadata; the server's transaction continues the front's trace under the client span, with the
 * trace's frozen DSC.
 */
class GrpcAgentIT {
  private static final String BROWSER_TRACE = "771a43a4192642f0b136d5159a501700";
  private static final String BROWSER_SPAN = "b0e6f15b45c36b12";
  private static final String BROWSER_BAGGAGE =
      "sentry-trace_id=" + BROWSER_TRACE + ",sentry-public_key=" + FakeSentry.PUBLIC_KEY
          + ",sentry-release=web%401.0,sentry-environment=prod,sentry-sample_rate=0.5,sentry-sampled=true,sentry-sample_rand=0.123456";
  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration DELIVERY = Duration.ofSeconds(30);

  @TempDir Path dir;
  private FakeSentry frontSentry;
  private FakeSentry ordersSentry;
  private AgentRun orders;
  private AgentRun front;

  @BeforeEach
  void startSentries() throws Exception {
    frontSentry = FakeSentry.start();
    ordersSentry = FakeSentry.start();
  }

  @AfterEach
  void stopAll() {
    if (front != null) front.close();
    if (orders != null) orders.close();
    frontSentry.close();
    ordersSentry.close();
  }

  @Test
  void theServersTransactionContinuesTheFrontsTraceUnderTheGrpcClientSpan() throws Exception {
    // Both JVMs start at once; the front reads the server's port from this file at its first call.
    Path ordersPort = dir.resolve("orders.port");
    orders = AgentRun.start(dir, ordersSentry, "orders", List.of(), GrpcServerApp.class);
    front = AgentRun.start(dir, frontSentry, "front", List.of(), GrpcFrontApp.class, ordersPort.toString());
    Files.writeString(ordersPort, String.valueOf(orders.awaitPort(START)));
    int frontPort = front.awaitPort(START);

    HttpClient browser = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> continued = browser.send(
        checkout(frontPort)
            .header("sentry-trace", BROWSER_TRACE + "-" + BROWSER_SPAN + "-1")
            .header("baggage", BROWSER_BAGGAGE)
            .build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> started = browser.send(checkout(frontPort).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(List.of(continued.body(), started.body())).containsOnly("order 42");

    // SIGTERM: each agent's shutdown flushes its batch into the exporter.
    front.stop();
    orders.stop();
    String output = "front:\n" + front.output() + "\norders:\n" + orders.output();
    List<ReceivedEnvelope> fronts = appTransactions(frontSentry, 2);
    List<ReceivedEnvelope> servers = appTransactions(ordersSentry, 2);
    assertThat(fronts).as("%s%n%s", output, payloads(fronts)).hasSize(2);
    assertThat(servers).as("%s%n%s", output, payloads(servers)).hasSize(2);

    // 1. The browser's trace: the front continues it, the server continues it under the client span.
    ReceivedEnvelope frontContinued = byTrace(fronts, BROWSER_TRACE);
    assertThat(frontContinued.traceContext()).containsEntry("parent_span_id", BROWSER_SPAN).containsEntry("op", "http.server");
    assertThat(frontContinued.payload).containsEntry("transaction", "GET /checkout");
    Map<String, Object> browserDsc = Map.copyOf(Baggage.parse(BROWSER_BAGGAGE).sentryValues());
    assertThat(frontContinued.dsc()).isEqualTo(browserDsc);
    Map<String, Object> client = clientSpan(frontContinued);
    ReceivedEnvelope serverContinued = byTrace(servers, BROWSER_TRACE);
    assertServerContinues(serverContinued, client, browserDsc);

    // 2. A request without headers: the front starts a trace of its own, and the server continues it
    //    with the front's DSC.
    ReceivedEnvelope frontStarted = fronts.get(fronts.get(0) == frontContinued ? 1 : 0);
    String trace = (String) frontStarted.traceContext().get("trace_id");
    assertThat(trace).isNotEqualTo(BROWSER_TRACE);
    assertThat(frontStarted.traceContext()).doesNotContainKey("parent_span_id");
    assertThat(frontStarted.dsc())
        .containsEntry("trace_id", trace)
        .containsEntry("public_key", FakeSentry.PUBLIC_KEY)
        .containsEntry("sample_rate", "1")
        .containsEntry("sampled", "true")
        .containsKey("sample_rand");
    assertServerContinues(byTrace(servers, trace), clientSpan(frontStarted), frontStarted.dsc());

    // 3. sentry-java reads what the server sent as Sentry would.
    JsonSerializer serializer = new JsonSerializer(new SentryOptions());
    SentryEnvelope envelope = serializer.deserializeEnvelope(new ByteArrayInputStream(rawBody(ordersSentry, serverContinued)));
    assertThat(envelope.getHeader().getTraceContext().getTraceId().toString()).isEqualTo(BROWSER_TRACE);
    assertThat(envelope.getHeader().getTraceContext().getPublicKey()).isEqualTo(FakeSentry.PUBLIC_KEY);
    assertThat(envelope.getHeader().getTraceContext().getSampleRand()).isEqualTo("0.123456");
    SentryEnvelopeItem item = envelope.getItems().iterator().next();
    SentryTransaction tx = item.getTransaction(serializer);
    assertThat(tx).isNotNull();
    assertThat(tx.getTransaction()).isEqualTo("checkout.Orders/Get");
    assertThat(tx.getContexts().getTrace().getOperation()).isEqualTo("rpc.server");
    assertThat(tx.getContexts().getTrace().getTraceId().toString()).isEqualTo(BROWSER_TRACE);
    assertThat(tx.getContexts().getTrace().getParentSpanId().toString()).isEqualTo(client.get("span_id"));
    assertThat(tx.getContexts().getTrace().getStatus()).isEqualTo(io.sentry.SpanStatus.OK);

    assertThat(output).doesNotContain("Exception", "WARNING", "SEVERE", " WARN ", " ERROR ");
  }

  /** The server's transaction: same trace, the client span its parent, the trace's frozen DSC. */
  private static void assertServerContinues(ReceivedEnvelope server, Map<String, Object> client, Map<String, Object> dsc) {
    assertThat(server.traceContext())
        .as(server.payload.toString())
        .containsEntry("trace_id", client.get("trace_id"))
        .containsEntry("parent_span_id", client.get("span_id"))
        .containsEntry("op", "rpc.server");
    assertThat(server.payload).containsEntry("transaction", "checkout.Orders/Get");
    assertThat(server.dsc()).isEqualTo(dsc);
  }

  /** The one span of the front's transaction: the agent's gRPC client span. */
  private static Map<String, Object> clientSpan(ReceivedEnvelope transaction) {
    assertThat(transaction.spans()).as(transaction.payload.toString()).singleElement()
        .satisfies(s -> assertThat(s)
            .containsEntry("op", "rpc.client")
            .containsEntry("description", "checkout.Orders/Get")
            .containsEntry("parent_span_id", transaction.traceContext().get("span_id"))
            .containsEntry("status", "ok")
            .extractingByKey("data", InstanceOfAssertFactories.MAP)
            .containsEntry("rpc.system", "grpc")
            .containsEntry("rpc.grpc.status_code", 0L));
    return transaction.spans().get(0);
  }

  private static ReceivedEnvelope byTrace(List<ReceivedEnvelope> transactions, String trace) {
    return transactions.stream()
        .filter(e -> trace.equals(e.traceContext().get("trace_id")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no transaction of trace " + trace + " in " + payloads(transactions)));
  }

  /**
   * The transactions {@code sentry} received, once {@code expected} arrived (bounded). None is a
   * send of the exporter's own: those run with OpenTelemetry's instrumentation suppressed (traced,
   * each export would come back as a root {@code http.client} transaction in the next batch).
   */
  private static List<ReceivedEnvelope> appTransactions(FakeSentry sentry, int expected) throws Exception {
    String ownSend = "POST http://127.0.0.1:" + sentry.port() + FakeSentry.ENVELOPE_PATH;
    List<ReceivedEnvelope> all = AgentRun.transactions(sentry, expected, DELIVERY);
    assertThat(all).as("transactions of the exporter's own envelope POSTs")
        .noneMatch(e -> ownSend.equals(e.payload.get("transaction")));
    return all;
  }

  private static List<String> payloads(List<ReceivedEnvelope> transactions) {
    return transactions.stream().map(e -> e.header + " " + e.payload).toList();
  }

  /** The body {@code sentry} received that carried {@code envelope}. */
  private static byte[] rawBody(FakeSentry sentry, ReceivedEnvelope envelope) throws Exception {
    for (FakeSentry.Request r : sentry.requests()) {
      if (r.envelope().header.equals(envelope.header)) return r.body;
    }
    throw new AssertionError("no request carried " + envelope.header);
  }

  private static HttpRequest.Builder checkout(int port) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/checkout")).timeout(Duration.ofSeconds(60));
  }
}
