package io.sentrytrace.demo.shop;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.sentrytrace.Span;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.demo.web.Http;
import java.net.URI;
import java.time.Duration;

/**
 * One of the demo's backend services: a JDK HTTP server on 127.0.0.1 whose traced routes run behind
 * the trace filter, and the service's own {@link Tracer} (its release names it in the trace).
 *
 * <pre>{@code
 * Service service = Service.create("inventory", 0, tracer, traceFilter).traced("/reserve", handler).start();
 * }</pre>
 */
public final class Service implements AutoCloseable {
  final String name;
  final Tracer tracer;
  private final HttpServer server;
  private final Filter traceFilter;

  private Service(String name, Tracer tracer, HttpServer server, Filter traceFilter) {
    this.name = name;
    this.tracer = tracer;
    this.server = server;
    this.traceFilter = traceFilter;
  }

  /** Binds 127.0.0.1:{@code port} (0: any free port); call {@link #start()} after adding routes. */
  public static Service create(String name, int port, Tracer tracer, Filter traceFilter) {
    return new Service(name, tracer, Http.loopbackServer(name, port), traceFilter);
  }

  /** A route whose requests continue the caller's trace in an {@code http.server} transaction. */
  public Service traced(String path, HttpHandler handler) {
    server.createContext(path, handler).getFilters().add(traceFilter);
    return this;
  }

  /** A route without tracing (static files, the page's result beacon). */
  Service untraced(String path, HttpHandler handler) {
    server.createContext(path, handler);
    return this;
  }

  public Service start() {
    server.start();
    return this;
  }

  public URI baseUri() {
    return Http.baseUri(server);
  }

  /** The origin browsers see, e.g. {@code http://127.0.0.1:8080}. */
  String origin() {
    return baseUri().toString();
  }

  /**
   * Some work of the request being handled, as a child span of the current transaction (stands in
   * for a database query).
   */
  public void work(String op, String description, Duration time) {
    Span current = tracer.currentSpan();
    Span span = current == null ? null : current.startChild(op, description);
    try {
      Thread.sleep(time.toMillis());
      if (span != null) span.setStatus(SpanStatus.OK);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (span != null) span.finish();
    }
  }

  /** Stops serving, then flushes the service's transactions to the collector. */
  @Override
  public void close() {
    Http.stop(server);
    tracer.flush(Duration.ofSeconds(2));
    tracer.close();
  }
}
