package io.sentrytrace.spring.boot;

import io.sentrytrace.Baggage;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Tracer;
import io.sentrytrace.http.HttpClientExchange;
import io.sentrytrace.http.HttpClientHandler;
import io.sentrytrace.http.HttpClientRequest;
import io.sentrytrace.http.RequestUrl;
import io.sentrytrace.http.internal.HeaderValues;
import io.sentrytrace.http.internal.InstrumentationLog;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * The generic outgoing side for {@code RestClient} and {@code RestTemplate}: trace headers and an
 * {@code http.client} span by {@link HttpClientHandler}'s rules, whatever the request factory. It
 * sees one request per call, so a redirect the factory follows by itself is not decided again (the
 * headers go along when the factory copies them).
 *
 * <p>When the factory is one whose client is instrumented per hop ({@link PerHopRequestFactory}),
 * that client does the work: the factory takes the call over ({@link #takeOver()}), this
 * interceptor's headers are taken back off the request before it is sent, and its span is never
 * finished, so it is never exported.
 */
final class TracingClientHttpRequestInterceptor implements ClientHttpRequestInterceptor {
  static final InstrumentationLog LOG = InstrumentationLog.of(TracingClientHttpRequestInterceptor.class, "Spring HTTP client");
  static final List<String> TRACE_HEADERS = List.of(SentryTrace.HEADER, Baggage.HEADER, "traceparent");

  /** The call this thread is executing through the interceptor, until a per-hop factory takes it over. */
  private static final ThreadLocal<Handoff> HANDOFF = new ThreadLocal<>();

  private final HttpClientHandler handler;

  TracingClientHttpRequestInterceptor(Tracer tracer) {
    this.handler = HttpClientHandler.create(tracer, TracingClientHttpRequestInterceptor.class, "Spring HTTP client");
  }

  Tracer tracer() {
    return handler.tracer();
  }

  @Override
  public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
      throws IOException {
    HttpClientHandler.Parent parent = handler.capture();
    if (parent.isSuppressed()) return execution.execute(request, body);
    Handoff handoff = new Handoff(request.getHeaders());
    HttpClientExchange exchange = handler.start(new SpringRequest(request), parent);
    Handoff outer = HANDOFF.get();
    HANDOFF.set(handoff);
    ClientHttpResponse response;
    try {
      response = execution.execute(request, body);
    } catch (IOException | RuntimeException | Error e) {
      if (!handoff.takenOver) exchange.failed(e);
      throw e;
    } finally {
      if (outer == null) HANDOFF.remove(); else HANDOFF.set(outer);
    }
    if (handoff.takenOver) return response;
    try {
      exchange.response(response.getStatusCode().value(), response.getHeaders().getContentLength());
    } catch (IOException | RuntimeException e) {
      LOG.failed(e);
    }
    return new FinishingResponse(response, exchange);
  }

  /**
   * Called by a per-hop factory when it creates the request of the call in progress on this
   * thread: the call is the factory's client's from now on. Null when no call of this interceptor
   * is in progress (the factory is used directly) or another factory took it already.
   */
  static Handoff takeOver() {
    Handoff handoff = HANDOFF.get();
    if (handoff == null || handoff.takenOver) return null;
    handoff.takenOver = true;
    return handoff;
  }

  /** The trace headers as the caller made them, before this interceptor wrote its own. */
  static final class Handoff {
    private final Map<String, List<String>> original = new HashMap<>();
    volatile boolean takenOver;

    Handoff(HttpHeaders headers) {
      for (String name : TRACE_HEADERS) {
        List<String> values = headers.get(name);
        original.put(name, values == null ? null : new ArrayList<>(values));
      }
    }

    /** Puts the caller's own trace headers (or none) back on {@code headers}. */
    void restore(HttpHeaders headers) {
      original.forEach((name, values) -> {
        if (values == null) headers.remove(name); else headers.put(name, values);
      });
    }
  }

  /** A Spring request as {@link HttpClientHandler} reads and writes it. */
  private static final class SpringRequest implements HttpClientRequest {
    private final HttpRequest request;

    SpringRequest(HttpRequest request) {
      this.request = request;
    }

    @Override
    public String method() {
      return request.getMethod().name();
    }

    @Override
    public RequestUrl url() {
      return RequestUrl.of(request.getURI());
    }

    @Override
    public String header(String name) {
      return HeaderValues.join(request.getHeaders().get(name));
    }

    @Override
    public void setHeader(String name, String value) {
      request.getHeaders().set(name, value);
    }
  }

  /** Ends the span when the caller closes the response (RestClient and RestTemplate always do). */
  private static final class FinishingResponse implements ClientHttpResponse {
    private final ClientHttpResponse delegate;
    private final HttpClientExchange exchange;

    FinishingResponse(ClientHttpResponse delegate, HttpClientExchange exchange) {
      this.delegate = delegate;
      this.exchange = exchange;
    }

    @Override
    public HttpStatusCode getStatusCode() throws IOException {
      return delegate.getStatusCode();
    }

    @Override
    public String getStatusText() throws IOException {
      return delegate.getStatusText();
    }

    @Override
    public HttpHeaders getHeaders() {
      return delegate.getHeaders();
    }

    @Override
    public InputStream getBody() throws IOException {
      return delegate.getBody();
    }

    @Override
    public void close() {
      try {
        delegate.close();
      } finally {
        exchange.finish();
      }
    }
  }
}
