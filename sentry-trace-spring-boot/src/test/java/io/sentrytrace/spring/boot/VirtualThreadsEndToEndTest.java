package io.sentrytrace.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.SpanData;
import io.sentrytrace.TransactionData;
import io.sentrytrace.spring.boot.shop.ShopApplication;
import io.sentrytrace.testing.InMemorySpanExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With virtual threads Boot's executor is a SimpleAsyncTaskExecutor: @Async still keeps the parent. */
@EnabledForJreRange(min = JRE.JAVA_21)
@SpringBootTest(classes = {ShopApplication.class, SpringBootEndToEndTest.Spans.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.threads.virtual.enabled=true", "sentry-trace.traces-sample-rate=1.0",
        "spring.main.banner-mode=off", "spring.main.log-startup-info=false", "logging.level.org.springframework=WARN", "logging.level.org.apache=WARN",
        "logging.level.io.sentrytrace.spring.boot=warn"}) // the start-up line: SentryTraceStartupReportTest
class VirtualThreadsEndToEndTest {
  static final Downstream DOWNSTREAM = SpringBootEndToEndTest.start();

  @DynamicPropertySource
  static void downstream(DynamicPropertyRegistry registry) {
    registry.add("downstream.url", DOWNSTREAM::url);
  }

  @LocalServerPort int port;
  @Autowired InMemorySpanExporter spans;

  @AfterAll
  static void stop() {
    DOWNSTREAM.close();
  }

  @Test
  void asyncMethodsOnVirtualThreadsKeepTheRequestsTransactionAsParent() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders/5")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.body()).endsWith("audited on virtual thread");

    List<TransactionData> done = spans.await(1, Duration.ofSeconds(10));
    assertThat(done).hasSize(1);
    TransactionData tx = done.get(0);
    SpanData task = tx.spans().stream().filter(s -> s.op().equals("task")).findFirst().orElseThrow();
    assertThat(task.parentSpanId()).isEqualTo(tx.root().spanId());
    SpanData client = tx.spans().stream().filter(s -> s.op().equals("http.client")).findFirst().orElseThrow();
    assertThat(DOWNSTREAM.received.get(0).sentryTrace()).isEqualTo(tx.root().traceId() + "-" + client.spanId() + "-1");
  }
}
