package io.sentrytrace.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import io.sentrytrace.InMemorySpanExporter;
import io.sentrytrace.Tracer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** On CORS preflights the filter lets browsers send sentry-trace and baggage. */
class SentryTraceFilterCorsTest {
  private final InMemorySpanExporter exported = new InMemorySpanExporter();
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exported).build();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<TestServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(TestServer::close);
  }

  private TestServer serve(SentryTraceFilter filter, HttpHandler handler) throws Exception {
    TestServer server = TestServer.bare();
    servers.add(server);
    HttpContext context = server.server.createContext("/", handler);
    context.getFilters().add(filter);
    server.server.start();
    return server;
  }

  /** Answers CORS the way an app does: the origin, and its own list of allowed headers. */
  private static HttpHandler corsAnswer(String allowHeaders) {
    return exchange -> {
      exchange.getResponseHeaders().set("Access-Control-Allow-Origin", "https://shop.example");
      if (allowHeaders != null) exchange.getResponseHeaders().set("Access-Control-Allow-Headers", allowHeaders);
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    };
  }

  private HttpResponse<Void> preflight(TestServer server) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(server.uri("/api/orders"))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", "https://shop.example")
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type,sentry-trace,baggage")
            .build();
    return client.send(request, HttpResponse.BodyHandlers.discarding());
  }

  @Test
  void preflightGetsTheTraceHeadersMergedIntoTheHandlersListWithoutDuplicates() throws Exception {
    TestServer server = serve(SentryTraceFilter.create(tracer), corsAnswer("Content-Type, Baggage"));
    HttpResponse<Void> response = preflight(server);
    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.headers().allValues("Access-Control-Allow-Headers")).containsExactly("Content-Type, Baggage, sentry-trace");
  }

  @Test
  void preflightAnsweredWithOnlyAnOriginGetsTheTraceHeaders() throws Exception {
    TestServer server = serve(SentryTraceFilter.create(tracer), corsAnswer(null));
    assertThat(preflight(server).headers().allValues("Access-Control-Allow-Headers")).containsExactly("sentry-trace, baggage");
  }

  @Test
  void severalAllowHeadersLinesBecomeOneListWithoutDuplicates() throws Exception {
    TestServer server =
        serve(
            SentryTraceFilter.create(tracer),
            exchange -> {
              exchange.getResponseHeaders().add("Access-Control-Allow-Headers", "X-Api-Key");
              exchange.getResponseHeaders().add("Access-Control-Allow-Headers", "sentry-trace, x-api-key");
              exchange.sendResponseHeaders(204, -1);
              exchange.close();
            });
    assertThat(preflight(server).headers().allValues("Access-Control-Allow-Headers")).containsExactly("X-Api-Key, sentry-trace, baggage");
  }

  @Test
  void preflightThatTheHandlerAnswersWithoutCorsIsLeftAlone() throws Exception {
    TestServer server =
        serve(
            SentryTraceFilter.create(tracer),
            exchange -> {
              exchange.sendResponseHeaders(405, -1);
              exchange.close();
            });
    HttpResponse<Void> response = preflight(server);
    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Access-Control-Allow-Headers")).isEmpty();
  }

  @Test
  void withCorsHelpOffNothingIsAdded() throws Exception {
    TestServer server = serve(SentryTraceFilter.builder(tracer).corsAllowHeaders(false).build(), corsAnswer("Content-Type"));
    assertThat(preflight(server).headers().allValues("Access-Control-Allow-Headers")).containsExactly("Content-Type");
  }

  @Test
  void requestsThatAreNotPreflightsAreLeftAlone() throws Exception {
    TestServer server = serve(SentryTraceFilter.create(tracer), corsAnswer("Content-Type"));
    HttpResponse<Void> get = client.send(HttpRequest.newBuilder(server.uri("/api/orders")).header("Origin", "https://shop.example").build(), HttpResponse.BodyHandlers.discarding());
    HttpResponse<Void> options =
        client.send(
            HttpRequest.newBuilder(server.uri("/api/orders")).method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(get.headers().allValues("Access-Control-Allow-Headers")).containsExactly("Content-Type");
    assertThat(options.headers().allValues("Access-Control-Allow-Headers")).containsExactly("Content-Type");
  }

  @Test
  void preflightIsNotATransaction() throws Exception {
    TestServer server = serve(SentryTraceFilter.create(tracer), corsAnswer("Content-Type"));
    preflight(server);
    // An ordinary request after it is traced; the preflight before it is not.
    client.send(HttpRequest.newBuilder(server.uri("/api/orders")).build(), HttpResponse.BodyHandlers.discarding());

    // Waits a little for a second transaction that must not come.
    assertThat(exported.await(2, java.time.Duration.ofMillis(500)))
        .extracting(t -> t.name())
        .containsExactly("GET /api/orders");
  }
}
