package io.sentrytrace.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.envelope.FakeSentry;
import io.sentrytrace.envelope.ReceivedEnvelope;
import io.sentrytrace.spring.boot.shop.ShopApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The real EnvelopeExporter path: a Boot service sends its transaction to a loopback fake Sentry. */
class EnvelopeExportOnCloseTest {
  @Test
  void theTransactionReachesSentryByTheTimeTheContextHasClosed() throws Exception {
    try (FakeSentry sentry = FakeSentry.start(); Downstream downstream = new Downstream()) {
      ConfigurableApplicationContext context = new SpringApplicationBuilder(ShopApplication.class)
          .properties(Map.of("server.port", "0", "server.address", "127.0.0.1", "downstream.url", downstream.url(),
              "sentry-trace.dsn", sentry.dsn(), "sentry-trace.traces-sample-rate", "1.0",
              // Quiet start-up: a passing test prints nothing (the start-up line is asserted in SentryTraceStartupReportTest).
              "spring.main.banner-mode", "off", "spring.main.log-startup-info", "false",
              "logging.level.org.springframework", "WARN", "logging.level.org.apache", "WARN",
              "logging.level.io.sentrytrace.spring.boot", "warn"))
          .run();
      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders/9")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      context.close();

      // close() flushed: the envelope is there without waiting for the sender's next turn
      List<FakeSentry.Request> requests = sentry.requests();
      assertThat(requests).hasSize(1);
      assertThat(requests.get(0).path).isEqualTo(FakeSentry.ENVELOPE_PATH);
      ReceivedEnvelope envelope = requests.get(0).envelope();
      assertThat(envelope.payload).containsEntry("transaction", "GET /orders/{id}");
      assertThat(envelope.spans()).extracting(s -> s.get("op")).containsExactlyInAnyOrder("http.client", "task");
      assertThat(downstream.received.get(0).sentryTrace()).startsWith(envelope.traceContext().get("trace_id") + "-");
    }
  }
}
