package io.sentrytrace.jdkhttp;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import io.sentrytrace.http.HttpServerContract;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** {@link TracingFilter} keeps every server rule of the shared contract. */
class TracingFilterContractTest extends HttpServerContract {
  private TestServer server;

  @Override
  protected URI start(Options options, App app) throws IOException {
    server = TestServer.bare();
    HttpContext context =
        server.server.createContext(
            "/",
            exchange -> {
              Reply reply = app.handle(exchange.getAttribute(TracingFilter.SPAN_ATTRIBUTE));
              for (Map.Entry<String, String> header : reply.headers) exchange.getResponseHeaders().add(header.getKey(), header.getValue());
              byte[] body = reply.body.getBytes(StandardCharsets.UTF_8);
              exchange.sendResponseHeaders(reply.status, reply.length() == 0 ? -1 : reply.length());
              try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < reply.repeat && body.length > 0; i++) out.write(body);
              }
            });
    context.getFilters().add(serverErrorHandling(app));
    context.getFilters().add(TracingFilter.create(options.handler()));
    server.server.start();
    return URI.create("http://127.0.0.1:" + server.port());
  }

  @Override
  protected void stop() {
    server.close();
  }

  /** The server's own error handling, outside the filter: what escapes becomes a 500. */
  private static Filter serverErrorHandling(App app) {
    return new Filter() {
      @Override
      public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        try {
          chain.doFilter(exchange);
        } catch (RuntimeException e) {
          app.escaped(e);
          write(exchange, 500, "error");
        }
      }

      @Override
      public String description() {
        return "answers 500 to what the chain throws";
      }
    };
  }

  private static void write(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
