package io.sentrytrace.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Baggage;
import io.sentrytrace.envelope.FakeSentry;
import io.sentrytrace.envelope.ReceivedEnvelope;
import io.sentrytrace.spring.boot.shop.ShopMain;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The starter and the stock OpenTelemetry agent with sentry-trace's extension in one service
 * (issue 23): the agent traces the server and the clients, its spans reach Sentry through the
 * extension, and the starter steps back (no filter, no interceptors). Each request is one
 * transaction, and each downstream call carries one {@code sentry-trace} and one {@code baggage}.
 * Run by failsafe after {@code package}: the shop in a child JVM under the agent 2.31.1.
 */
class UnderTheOpenTelemetryAgentIT {
  private static final String BROWSER_TRACE = "771a43a4192642f0b136d5159a501700";
  private static final String BROWSER_SPAN = "b0e6f15b45c36b12";
  private static final String BROWSER_BAGGAGE = "sentry-trace_id=" + BROWSER_TRACE + ",sentry-public_key=" + FakeSentry.PUBLIC_KEY
      + ",sentry-release=web%401.0,sentry-environment=prod,sentry-sample_rate=1,sentry-sampled=true,sentry-sample_rand=0.123456";

  @TempDir Path dir;
  private FakeSentry sentry;
  private Downstream downstream;
  private Process app;

  @BeforeEach
  void start() throws Exception {
    sentry = FakeSentry.start();
    downstream = new Downstream();
  }

  @AfterEach
  void stop() {
    if (app != null) app.destroyForcibly();
    downstream.close();
    sentry.close();
  }

  @Test
  void theStarterStepsBackAndEachRequestIsOneTransactionWithOneSetOfHeaders() throws Exception {
    Path log = dir.resolve("shop.log");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-javaagent:" + existing("javaagent.jar"),
        "-Dotel.javaagent.extensions=" + existing("extension.jar"),
        "-Dsentry-trace.dsn=" + sentry.dsn(), // read by the extension and by the starter
        "-Dsentry-trace.traces-sample-rate=1.0",
        "-Dotel.service.name=shop",
        "-Dotel.bsp.schedule.delay=100",
        "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        ShopMain.class.getName(),
        "--server.port=0", "--server.address=127.0.0.1", "--downstream.url=" + downstream.url(),
        "--spring.main.banner-mode=off", "--spring.main.log-startup-info=false",
        "--logging.level.org.springframework=WARN", "--logging.level.org.apache=WARN"));
    app = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    int port = awaitPort(log, Duration.ofSeconds(120));

    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders/42"))
            .header("sentry-trace", BROWSER_TRACE + "-" + BROWSER_SPAN + "-1")
            .header("baggage", BROWSER_BAGGAGE)
            .timeout(Duration.ofSeconds(60))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(Files.readString(log)).isEqualTo(200);
    assertThat(sentry.await(1, Duration.ofSeconds(60))).isNotEmpty();
    Thread.sleep(1_000); // ten export cycles: a second transaction of the same request would be here
    app.destroy();
    assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("the shop stopped on SIGTERM").isTrue();
    String output = Files.readString(log);

    List<ReceivedEnvelope> transactions = new ArrayList<>();
    java.util.Set<Object> seen = new java.util.HashSet<>(); // distinct: a client may resend a POST on its own
    for (FakeSentry.Request r : sentry.requests()) {
      ReceivedEnvelope e = r.envelope();
      if (!e.payloads("transaction").isEmpty() && seen.add(e.header.get("event_id"))) transactions.add(e);
    }
    assertThat(transactions).as("one transaction for the one request: %s", output).singleElement()
        .satisfies(tx -> {
          assertThat(tx.traceContext()).containsEntry("trace_id", BROWSER_TRACE).containsEntry("parent_span_id", BROWSER_SPAN)
              .containsEntry("op", "http.server");
          assertThat(tx.payload).containsEntry("transaction", "GET /orders/{id}");
          assertThat(tx.dsc()).isEqualTo(Baggage.parse(BROWSER_BAGGAGE).sentryValues());
        });
    assertThat(downstream.received).as(output).singleElement().satisfies(call -> {
      assertThat(call.sentryTraceHeaders()).as("sentry-trace headers on the downstream call").isEqualTo(1);
      assertThat(call.baggageHeaders()).as("baggage headers on the downstream call").isEqualTo(1);
      assertThat(call.sentryTrace()).startsWith(BROWSER_TRACE + "-").doesNotContain(",").endsWith("-1");
      assertThat(Baggage.parse(call.baggage()).sentryValues()).isEqualTo(Baggage.parse(BROWSER_BAGGAGE).sentryValues());
    });
    assertThat(output)
        .contains("sentry-trace: sentry-trace.dsn is set;")
        .contains(AgentExtensionAbsent.STEPPED_BACK)
        .doesNotContain("Exception", "WARNING", "SEVERE", " WARN ", " ERROR ");
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
    throw new AssertionError("the shop did not start in " + timeout + ": " + Files.readString(log));
  }
}
