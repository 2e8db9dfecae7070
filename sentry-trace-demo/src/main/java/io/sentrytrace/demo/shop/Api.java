package io.sentrytrace.demo.shop;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import io.sentrytrace.Cors;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Tracer;
import io.sentrytrace.demo.web.Html;
import io.sentrytrace.demo.web.Http;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The "api" service: another origin than the shop page, so the page's request to it is
 * cross-origin. Its own CORS answer allows the shop's origin and {@code content-type}, as an app
 * would; that the browser may also send {@code sentry-trace} and {@code baggage} is left to the
 * trace filter's CORS help. Without that help the preflight fails and the POST never arrives.
 *
 * <pre>{@code
 * Api api = Api.start(0, tracer, traceFilter, System.out); api.allowOrigin(shop.baseUri().getPort());
 * }</pre>
 */
public final class Api implements AutoCloseable {
  /** One request as it arrived: for the tests and the log. */
  public record Received(String method, String sentryTrace, String requestedHeaders, String allowedHeaders) {}

  final Service service;
  private volatile Set<String> allowedOrigins = Set.of();
  private final PrintStream log;
  private final List<Received> received = new CopyOnWriteArrayList<>();

  /** What the api origin received so far (preflights included), oldest first. */
  public List<Received> received() {
    return List.copyOf(received);
  }

  private Api(Service service, PrintStream log) {
    this.service = service;
    this.log = log;
  }

  /** Starts the api; it allows no origin until {@link #allowOrigin}. */
  public static Api start(int port, Tracer tracer, Filter traceFilter, PrintStream log) {
    Service service = Service.create("api", port, tracer, traceFilter);
    Api api = new Api(service, log);
    service.traced("/recommendations", api::recommendations).start();
    return api;
  }

  /** Allows the shop page's origin: {@code http://127.0.0.1:<shopPort>} (or {@code localhost}). */
  public void allowOrigin(int shopPort) {
    allowedOrigins = Set.of("http://127.0.0.1:" + shopPort, "http://localhost:" + shopPort);
  }

  public URI recommendationsUri() {
    return service.baseUri().resolve("/recommendations");
  }

  private void recommendations(HttpExchange ex) throws IOException {
    Headers request = ex.getRequestHeaders();
    String origin = request.getFirst("Origin");
    Headers response = ex.getResponseHeaders();
    if (origin != null && allowedOrigins.contains(origin)) {
      response.set("Access-Control-Allow-Origin", origin);
      response.add("Vary", "Origin");
    }
    if (ex.getRequestMethod().equals("OPTIONS")) {
      allowContentType(response);
      response.set("Access-Control-Allow-Methods", "POST");
      Http.empty(ex, 204);
      // Read after sending: the trace filter's CORS help adds its headers as the answer goes out.
      String allowed = response.getFirst(Cors.ALLOW_HEADERS_HEADER);
      String requested = request.getFirst("Access-Control-Request-Headers");
      received.add(new Received("OPTIONS", null, requested, allowed));
      log.println("api: CORS preflight from " + Html.printable(origin) + " asked for headers ["
          + Html.printable(requested) + "]; answered Access-Control-Allow-Headers: " + Html.printable(allowed));
      return;
    }
    received.add(new Received(ex.getRequestMethod(), request.getFirst(SentryTrace.HEADER), null, null));
    if (!ex.getRequestMethod().equals("POST")) {
      Http.send(ex, 405, "text/plain; charset=utf-8", "POST only\n");
      return;
    }
    Http.readBody(ex.getRequestBody(), 16 * 1024);
    service.work("db.query", "SELECT sku FROM also_bought WHERE sku = ?", Duration.ofMillis(4));
    log.println("api: POST /recommendations with sentry-trace " + Html.printable(String.valueOf(request.getFirst(SentryTrace.HEADER))));
    Http.send(ex, 200, "application/json", "{\"recommendations\": [\"shoes\", \"hat\"]}");
  }

  /** Allows the page's JSON body, as the app's own CORS config would; the trace headers are the filter's job. */
  private static void allowContentType(Headers response) {
    String existing = response.getFirst(Cors.ALLOW_HEADERS_HEADER);
    response.set(Cors.ALLOW_HEADERS_HEADER, existing == null || existing.isBlank() ? "content-type" : existing + ", content-type");
  }

  @Override
  public void close() {
    service.close();
  }
}
