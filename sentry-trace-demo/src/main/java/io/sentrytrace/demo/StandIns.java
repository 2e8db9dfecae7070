package io.sentrytrace.demo;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.sentrytrace.Cors;
import io.sentrytrace.Dsn;
import io.sentrytrace.PropagationContext;
import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanExporter;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.core5.http.ClassicHttpResponse;

/**
 * TEMPORARY STAND-INS for the modules that have not landed on main yet (sentry-trace-apache,
 * -jdkhttp, -envelope). Each is the smallest thing that behaves like the real one for the
 * demo. Delete this class when the real modules are in.
 */
final class StandIns {
  private StandIns() {}

  /** TEMPORARY for io.sentrytrace.jdkhttp.SentryTraceFilter. */
  static Filter serverFilter(Tracer tracer, boolean corsHelp) {
    return new Filter() {
      @Override
      public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        if (corsHelp && exchange.getRequestMethod().equals("OPTIONS")
            && exchange.getRequestHeaders().getFirst("Access-Control-Request-Method") != null) {
          exchange.getResponseHeaders().set(Cors.ALLOW_HEADERS_HEADER,
              Cors.allowHeaders(exchange.getResponseHeaders().getFirst(Cors.ALLOW_HEADERS_HEADER)));
          chain.doFilter(exchange);
          return;
        }
        PropagationContext parent = tracer.continueTrace(exchange.getRequestHeaders(), (h, k) -> h.getFirst(k));
        Span tx = tracer.startTransaction(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath(), "http.server", parent);
        try (Scope scope = tx.makeCurrent()) {
          chain.doFilter(exchange);
          tx.setStatus(SpanStatus.fromHttpStatus(exchange.getResponseCode()));
        } catch (IOException | RuntimeException e) {
          tx.setStatus(SpanStatus.INTERNAL_ERROR);
          throw e;
        } finally {
          tx.finish();
        }
      }

      @Override
      public String description() {
        return "stand-in trace filter";
      }
    };
  }

  /** TEMPORARY for io.sentrytrace.apache.SentryTraceExecInterceptor. */
  static ExecChainHandler apacheInterceptor(Tracer tracer) {
    return (request, scope, chain) -> {
      Span parent = tracer.currentSpan();
      String uri;
      try {
        uri = request.getUri().toString();
      } catch (java.net.URISyntaxException e) {
        uri = request.getRequestUri();
      }
      Span span = parent == null ? null : parent.startChild("http.client", request.getMethod() + " " + uri);
      if (tracer.shouldPropagate(uri)) tracer.inject(span, request, (r, k) -> r.getFirstHeader(k) == null ? null : r.getFirstHeader(k).getValue(), (r, k, v) -> r.setHeader(k, v));
      try {
        ClassicHttpResponse response = chain.proceed(request, scope);
        if (span != null) span.setStatus(SpanStatus.fromHttpStatus(response.getCode()));
        return response;
      } finally {
        if (span != null) span.finish();
      }
    };
  }

  /** TEMPORARY for io.sentrytrace.jdkhttp.TracingHttpClient: traces one synchronous send. */
  static <T> HttpResponse<T> jdkSend(HttpClient client, Tracer tracer, HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    Span parent = tracer.currentSpan();
    Span span = parent == null ? null : parent.startChild("http.client", request.method() + " " + request.uri());
    HttpRequest.Builder b = HttpRequest.newBuilder(request, (k, v) -> true);
    if (tracer.shouldPropagate(request.uri().toString())) tracer.inject(span, b, (x, k, v) -> x.setHeader(k, v));
    try {
      HttpResponse<T> response = client.send(b.build(), handler);
      if (span != null) span.setStatus(SpanStatus.fromHttpStatus(response.statusCode()));
      return response;
    } finally {
      if (span != null) span.finish();
    }
  }

  /** TEMPORARY for io.sentrytrace.envelope.EnvelopeExporter. */
  static SpanExporter exporter(String dsn) {
    Dsn parsed = Dsn.parse(dsn);
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
    return new SpanExporter() {
      @Override
      public void export(TransactionData tx) {
        HttpRequest request = HttpRequest.newBuilder(parsed.envelopeUri())
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/x-sentry-envelope")
            .header("X-Sentry-Auth", "Sentry sentry_version=7, sentry_key=" + parsed.publicKey() + ", sentry_client=stand-in/0")
            .POST(HttpRequest.BodyPublishers.ofString(envelope(tx)))
            .build();
        CompletableFuture<?> f = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        pending.add(f);
        f.whenComplete((r, e) -> pending.remove(f));
      }

      @Override
      public boolean flush(Duration timeout) {
        try {
          CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
          return true;
        } catch (Exception e) {
          return false;
        }
      }

      @Override
      public void close() {
        flush(Duration.ofSeconds(2));
      }
    };
  }

  private static String envelope(TransactionData tx) {
    JsonFactory json = new JsonFactory();
    StringWriter out = new StringWriter();
    String eventId = UUID.randomUUID().toString().replace("-", "");
    try {
      try (JsonGenerator g = json.createGenerator(out)) {
        g.writeStartObject();
        g.writeStringField("event_id", eventId);
        g.writeObjectFieldStart("trace");
        for (Map.Entry<String, String> e : tx.dynamicSamplingContext().sentryValues().entrySet()) g.writeStringField(e.getKey(), e.getValue());
        g.writeEndObject();
        g.writeEndObject();
      }
      out.write("\n{\"type\":\"transaction\"}\n");
      try (JsonGenerator g = json.createGenerator(out)) {
        SpanData root = tx.root();
        g.writeStartObject();
        g.writeStringField("type", "transaction");
        g.writeStringField("event_id", eventId);
        g.writeStringField("transaction", tx.name());
        if (tx.release() != null) g.writeStringField("release", tx.release());
        if (tx.environment() != null) g.writeStringField("environment", tx.environment());
        g.writeNumberField("start_timestamp", seconds(root.startTimestamp()));
        g.writeNumberField("timestamp", seconds(root.endTimestamp()));
        g.writeObjectFieldStart("contexts");
        g.writeObjectFieldStart("trace");
        writeIds(g, root);
        g.writeEndObject();
        g.writeEndObject();
        g.writeArrayFieldStart("spans");
        for (SpanData s : tx.spans()) {
          g.writeStartObject();
          writeIds(g, s);
          if (s.description() != null) g.writeStringField("description", s.description());
          g.writeNumberField("start_timestamp", seconds(s.startTimestamp()));
          g.writeNumberField("timestamp", seconds(s.endTimestamp()));
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      out.write("\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void writeIds(JsonGenerator g, SpanData s) throws IOException {
    g.writeStringField("trace_id", s.traceId().toString());
    g.writeStringField("span_id", s.spanId().toString());
    if (s.parentSpanId() != null) g.writeStringField("parent_span_id", s.parentSpanId().toString());
    g.writeStringField("op", s.op());
    if (s.status() != null) g.writeStringField("status", s.status().wireName());
  }

  private static double seconds(Instant t) {
    return t.getEpochSecond() + t.getNano() / 1e9;
  }
}
