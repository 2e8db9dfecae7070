package io.sentrytrace.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Tracer;
import io.sentrytrace.servlet.TracingServletFilter;
import io.sentrytrace.spring.boot.shop.ShopApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@code sentry-trace.enabled=false}: the same service runs with no filter and sends no trace headers. */
@SpringBootTest(classes = ShopApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"sentry-trace.enabled=false", "sentry-trace.traces-sample-rate=1.0",
        "spring.main.banner-mode=off", "spring.main.log-startup-info=false", "logging.level.org.springframework=WARN", "logging.level.org.apache=WARN"})
class DisabledEndToEndTest {
  static final Downstream DOWNSTREAM = SpringBootEndToEndTest.start();

  @DynamicPropertySource
  static void downstream(DynamicPropertyRegistry registry) {
    registry.add("downstream.url", DOWNSTREAM::url);
  }

  @LocalServerPort int port;
  @Autowired ApplicationContext context;

  @AfterAll
  static void stop() {
    DOWNSTREAM.close();
  }

  @Test
  void noFilterNoTracerAndNoHeadersDownstream() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders/1"))
            .header("sentry-trace", SpringBootEndToEndTest.BROWSER_TRACE + "-" + SpringBootEndToEndTest.BROWSER_SPAN + "-1")
            .build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Server-Timing")).isEmpty();
    assertThat(context.getBeansOfType(Tracer.class)).isEmpty();
    assertThat(context.getBeanNamesForType(TracingServletFilter.class)).isEmpty();
    assertThat(context.containsBean("sentryTraceFilter")).isFalse();
    assertThat(DOWNSTREAM.received).hasSize(1);
    assertThat(DOWNSTREAM.received.get(0).sentryTrace()).isNull();
    assertThat(DOWNSTREAM.received.get(0).baggage()).isNull();
  }
}
