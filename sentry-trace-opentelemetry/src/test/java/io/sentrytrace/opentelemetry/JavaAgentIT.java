package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Baggage;
import io.sentrytrace.envelope.FakeSentry;
import io.sentrytrace.envelope.ReceivedEnvelope;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole setup is the stock agent, the extension and the DSN (issue 23): a JDK server and client
 * (both instrumented by the agent 2.31.1, nothing of ours in the app) continue a browser's trace,
 * start their own with a DSC that agrees with the sampler, pass both on downstream and send their
 * transactions to a stand-in Sentry. Run by failsafe after {@code package} (the {@code -agent.jar}).
 */
class JavaAgentIT {
  private static final String BROWSER_TRACE = "771a43a4192642f0b136d5159a501700";
  private static final String BROWSER_SPAN = "b0e6f15b45c36b12";
  private static final String BROWSER_BAGGAGE =
      "sentry-trace_id=" + BROWSER_TRACE + ",sentry-public_key=" + FakeSentry.PUBLIC_KEY
          + ",sentry-release=web%401.0,sentry-environment=prod,sentry-sample_rate=0.5,sentry-sampled=true,sentry-sample_rand=0.123456";

  @TempDir Path dir;
  private FakeSentry sentry;
  private Loopback downstream;
  private final List<Map<String, String>> downstreamHeaders = new CopyOnWriteArrayList<>();
  private Process app;

  @BeforeEach
  void start() throws IOException {
    sentry = FakeSentry.start();
    downstream = Loopback.serve(exchange -> {
      downstreamHeaders.add(Map.of(
          "sentry-trace", String.valueOf(Loopback.header(exchange, "sentry-trace")),
          "baggage", String.valueOf(Loopback.header(exchange, "baggage")),
          "traceparent", String.valueOf(Loopback.header(exchange, "traceparent"))));
      return "ok";
    });
  }

  @AfterEach
  void stop() {
    if (app != null) app.destroyForcibly();
    downstream.close();
    sentry.close();
  }

  /**
   * Both ways to run it: the stock agent with the extension, and the single-file agent (the stock
   * agent with the extension embedded, this module's {@code -javaagent.jar}).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"stock agent and extension", "single-file agent"})
  void theStockAgentWithTheExtensionAndADsnSendsContinuedAndNewTracesToSentry(String how) throws Exception {
    Path log = dir.resolve("app.log");
    List<String> agent = how.equals("single-file agent")
        ? List.of("-javaagent:" + existing("extended-agent.jar"))
        : List.of("-javaagent:" + existing("javaagent.jar"), "-Dotel.javaagent.extensions=" + existing("extension.jar"));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(agent);
    command.addAll(List.of(
            "-Dsentry-trace.dsn=" + sentry.dsn(),
            "-Dsentry-trace.traces-sample-rate=1.0",
            "-Dotel.service.name=checkout",
            "-Dotel.bsp.schedule.delay=100", // export often: a traced envelope send would show within the pause below
            "-cp", Path.of(AgentApp.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
            AgentApp.class.getName(),
            downstream.url("/inventory")));
    app = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    int port = awaitPort(log, Duration.ofSeconds(60));
    HttpClient browser = HttpClient.newHttpClient();

    HttpResponse<String> continued = browser.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/checkout"))
            .header("sentry-trace", BROWSER_TRACE + "-" + BROWSER_SPAN + "-1")
            .header("baggage", BROWSER_BAGGAGE)
            .build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> started = browser.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/checkout")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(List.of(continued.body(), started.body())).containsOnly("downstream said 200");

    // Ten export cycles with the two transactions sent: were the exporter's own POSTs traced (the
    // agent instruments HttpURLConnection), each would come back as a transaction of its own.
    assertThat(sentry.await(2, Duration.ofSeconds(60))).hasSizeGreaterThanOrEqualTo(2);
    Thread.sleep(1_000);
    // SIGTERM: the agent's shutdown flushes the batch processor into the exporter, then closes it.
    app.destroy();
    assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("the app stopped").isTrue();
    String output = Files.readString(log);
    List<ReceivedEnvelope> transactions = new ArrayList<>();
    java.util.Set<Object> seen = new java.util.HashSet<>(); // distinct: a client may resend a POST on its own
    for (FakeSentry.Request r : sentry.requests()) {
      ReceivedEnvelope e = r.envelope();
      if (!e.payloads("transaction").isEmpty() && seen.add(e.header.get("event_id"))) transactions.add(e);
    }
    assertThat(transactions).as("the two requests' transactions, and no transaction of the exporter's own sends: %s", output)
        .hasSize(2);
    assertThat(downstreamHeaders).as(output).hasSize(2);

    // 1. The browser's trace is continued: same trace, its span the parent, its DSC frozen.
    ReceivedEnvelope first = byTrace(transactions, BROWSER_TRACE).orElseThrow(() -> new AssertionError(output));
    assertThat(first.traceContext()).containsEntry("parent_span_id", BROWSER_SPAN).containsEntry("op", "http.server");
    assertThat(first.dsc()).isEqualTo(Baggage.parse(BROWSER_BAGGAGE).sentryValues());
    Map<String, Object> clientSpan = clientSpan(first);
    assertThat(downstreamHeaders.get(0).get("sentry-trace")).isEqualTo(BROWSER_TRACE + "-" + clientSpan.get("span_id") + "-1");
    assertThat(Baggage.parse(downstreamHeaders.get(0).get("baggage")).sentryValues()).isEqualTo(first.dsc());

    // 2. A request without headers starts a trace of this service: its DSC agrees with the sampler.
    ReceivedEnvelope second = transactions.get(transactions.get(0) == first ? 1 : 0);
    String trace = (String) second.traceContext().get("trace_id");
    assertThat(trace).isNotEqualTo(BROWSER_TRACE);
    assertThat(second.traceContext()).doesNotContainKey("parent_span_id");
    assertThat(second.dsc())
        .containsEntry("trace_id", trace)
        .containsEntry("public_key", FakeSentry.PUBLIC_KEY)
        .containsEntry("sample_rate", "1")
        .containsEntry("sampled", "true");
    assertThat(Double.parseDouble((String) second.dsc().get("sample_rand")))
        .isEqualTo(SentryTraceSampler.asSent(TraceIdSampleRand.of(trace)));
    Map<String, Object> secondClient = clientSpan(second);
    assertThat(downstreamHeaders.get(1).get("sentry-trace")).isEqualTo(trace + "-" + secondClient.get("span_id") + "-1");
    assertThat(Baggage.parse(downstreamHeaders.get(1).get("baggage")).sentryValues()).isEqualTo(second.dsc());
    assertThat(downstreamHeaders.get(1).get("traceparent")).contains(trace);

    assertThat(output)
        .contains("INFO: sentry-trace: sentry-trace.dsn is set; set otel.propagators=tracecontext,baggage,sentry-trace,"
            + " otel.traces.exporter=sentry-trace, otel.metrics.exporter=none, otel.logs.exporter=none")
        .contains("sampler: sentry-trace at sentry-trace.traces-sample-rate=1.0")
        .doesNotContain("Exception", "WARNING", "SEVERE", " WARN ", " ERROR ");
  }

  private static Optional<ReceivedEnvelope> byTrace(List<ReceivedEnvelope> transactions, String trace) {
    return transactions.stream().filter(e -> trace.equals(e.traceContext().get("trace_id"))).findFirst();
  }

  /** The one span of the downstream call, made by the agent's JDK HttpClient instrumentation. */
  private Map<String, Object> clientSpan(ReceivedEnvelope transaction) {
    assertThat(transaction.spans()).as(transaction.payload.toString()).singleElement()
        .satisfies(s -> assertThat(s).containsEntry("op", "http.client").containsEntry("description", "GET " + downstream.url("/inventory")));
    return transaction.spans().get(0);
  }

  private static String existing(String property) {
    String path = System.getProperty(property);
    assertThat(path).as(property + " (set by failsafe in the pom)").isNotNull();
    assertThat(Path.of(path)).exists();
    return path;
  }

  private int awaitPort(Path log, Duration timeout) throws Exception {
    Pattern listening = Pattern.compile("LISTENING (\\d+)");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String out = Files.exists(log) ? Files.readString(log) : "";
      Matcher m = listening.matcher(out);
      if (m.find()) return Integer.parseInt(m.group(1));
      assertThat(app.isAlive()).as(out).isTrue();
      Thread.sleep(100);
    }
    throw new AssertionError("the app did not start in " + timeout + ": " + Files.readString(log));
  }
}
