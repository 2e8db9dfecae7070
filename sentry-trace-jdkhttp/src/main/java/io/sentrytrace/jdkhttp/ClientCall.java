package io.sentrytrace.jdkhttp;

import io.sentrytrace.CarrierGetter;
import io.sentrytrace.CarrierSetter;
import io.sentrytrace.Instrumentation;
import io.sentrytrace.PropagationContext;
import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One traced send: the {@code http.client} span (when a span was current at the call), the request
 * as it goes out (the user's plus our headers), each redirect hop's request, and the span's end.
 * Nothing here throws into the call: a failure is logged and the request goes out as the user
 * built it.
 */
final class ClientCall {
  static final String OP = "http.client";
  static final FailureLog LOG = new FailureLog(TracingHttpClient.class);

  /** The JDK client's own limit ({@code jdk.httpclient.redirects.retrylimit}), same default. */
  private static final int MAX_REDIRECTS = Integer.getInteger("jdk.httpclient.redirects.retrylimit", 5);

  private final Tracer tracer;
  private final HttpRequest original;
  private final Span span;
  /** The caller's propagation context when there is no span, else null. */
  private final PropagationContext context;
  private final HttpRequest first;
  private final AtomicBoolean ended = new AtomicBoolean();

  private ClientCall(Tracer tracer, HttpRequest original, Span span, PropagationContext context, HttpRequest first) {
    this.tracer = tracer;
    this.original = original;
    this.span = span;
    this.context = context;
    this.first = first;
  }

  /**
   * The call for {@code request}, or null when there is nothing to do: instrumentation suppressed,
   * or no current span and the URL not a target (nor, with {@code perHop}, any redirect hop), or a
   * failure (logged).
   */
  static ClientCall start(Tracer tracer, HttpRequest request, boolean perHop) {
    if (Instrumentation.isSuppressed()) return null;
    Span span;
    PropagationContext context;
    boolean target;
    try {
      Span parent = tracer.currentSpan();
      target = tracer.shouldPropagate(request.uri().toString());
      if (parent == null && !target && !perHop) return null;
      span = parent == null ? null : startSpan(parent, request);
      // Without a span, the caller's context: redirect hops are built on the client's threads.
      context = span == null ? tracer.currentPropagationContext() : null;
    } catch (RuntimeException e) {
      LOG.failed("could not trace an outgoing request; sent unchanged", e);
      return null;
    }
    HttpRequest first = request;
    if (target) {
      try {
        first = withTraceHeaders(tracer, span, context, request);
      } catch (RuntimeException e) {
        LOG.failed("could not add trace headers to an outgoing request; sent unchanged", e);
      }
    }
    return new ClientCall(tracer, request, span, context, first);
  }

  private static Span startSpan(Span parent, HttpRequest request) {
    URI uri = request.uri();
    String url = Urls.withoutQuery(uri.getScheme(), uri.getHost(), uri.getPort(), uri.getRawPath());
    Span span = parent.startChild(OP, request.method() + ' ' + url);
    span.setData("http.request.method", request.method());
    span.setData("url", url);
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) span.setData("http.query", query);
    return span;
  }

  /** The user's request as it goes out first: with our headers when its URL is a target. */
  HttpRequest request() {
    return first;
  }

  /** The user's request, unchanged. */
  HttpRequest original() {
    return original;
  }

  /**
   * The next hop when {@code response} to {@code hop} is a redirect the JDK client would follow
   * under {@code policy} (same codes, method rewrite, scheme rule and limit), built from the user's
   * request so that it carries our headers only when its own URL is a target. Null: the response
   * is final (also when anything here fails).
   */
  HttpRequest redirect(HttpRequest hop, HttpResponse.ResponseInfo response, HttpClient.Redirect policy, int followed) {
    try {
      int code = response.statusCode();
      if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) return null;
      if (policy == HttpClient.Redirect.NEVER || followed + 1 >= MAX_REDIRECTS) return null;
      Optional<String> location = response.headers().firstValue("Location");
      if (location.isEmpty()) return null;
      URI to;
      try {
        to = hop.uri().resolve(location.get());
      } catch (IllegalArgumentException e) {
        return null; // the server's unusable Location: the user gets its redirect response
      }
      String scheme = to.getScheme();
      if (scheme == null || to.getHost() == null) return null;
      boolean https = scheme.equalsIgnoreCase("https");
      if (!https && !scheme.equalsIgnoreCase("http")) return null;
      if (policy == HttpClient.Redirect.NORMAL && !https && !scheme.equalsIgnoreCase(hop.uri().getScheme())) return null;
      String method = hop.method();
      boolean toGet =
          (code == 303 && !method.equals("HEAD")) || ((code == 301 || code == 302) && method.equals("POST"));
      HttpRequest.Builder next = HttpRequest.newBuilder(original, (name, value) -> true).uri(to);
      // Once a hop turned into a GET, later hops stay GETs without a body.
      if (toGet || !method.equals(original.method())) next.GET();
      HttpRequest plain = next.build();
      try {
        return withTraceHeaders(tracer, span, context, plain);
      } catch (RuntimeException e) {
        LOG.failed("could not add trace headers to a redirect hop; sent without them", e);
        return plain;
      }
    } catch (RuntimeException e) {
      LOG.failed("could not follow a redirect; the redirect response is returned", e);
      return null;
    }
  }

  /** {@code request} plus our headers when its URL is a target; the same request otherwise. */
  @SuppressWarnings("try") // the scope is used for its close()
  private static HttpRequest withTraceHeaders(Tracer tracer, Span span, PropagationContext context, HttpRequest request) {
    if (!tracer.shouldPropagate(request.uri().toString())) return request;
    Outgoing out = new Outgoing(request);
    if (span != null) {
      tracer.inject(span, out, Outgoing.GETTER, Outgoing.SETTER);
    } else {
      try (Scope scope = context.makeCurrent()) {
        tracer.inject((Span) null, out, Outgoing.GETTER, Outgoing.SETTER);
      }
    }
    return out.copy == null ? request : out.copy.build();
  }

  /** Ends the span with the final response or the failure; only the first call counts. */
  void end(HttpResponse<?> response, Throwable error) {
    if (span == null || !ended.compareAndSet(false, true)) return;
    try {
      if (response != null) {
        int code = response.statusCode();
        span.setData("http.response.status_code", code);
        OptionalLong length = contentLength(response);
        if (length.isPresent()) span.setData("http.response_content_length", length.getAsLong());
        span.setStatus(SpanStatus.fromHttpStatus(code));
      } else {
        span.setStatus(isCancellation(error) ? SpanStatus.CANCELLED : SpanStatus.INTERNAL_ERROR);
      }
      span.finish();
    } catch (RuntimeException e) {
      LOG.failed("could not finish an http.client span", e);
    }
  }

  private static OptionalLong contentLength(HttpResponse<?> response) {
    try {
      OptionalLong length = response.headers().firstValueAsLong("Content-Length");
      return length.isPresent() && length.getAsLong() >= 0 ? length : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static boolean isCancellation(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof CancellationException || t instanceof InterruptedException;
  }

  /**
   * The carrier for {@link Tracer#inject}: reads the user's headers (several {@code baggage} lines
   * read as one list), writes to a copy of the request made on the first write, since HttpRequest
   * is immutable.
   */
  private static final class Outgoing {
    static final CarrierGetter<Outgoing> GETTER =
        (out, name) -> {
          List<String> values = out.request.headers().allValues(name);
          if (values.isEmpty()) return null;
          return values.size() == 1 ? values.get(0) : String.join(",", values);
        };
    static final CarrierSetter<Outgoing> SETTER =
        (out, name, value) -> {
          if (out.copy == null) out.copy = HttpRequest.newBuilder(out.request, (n, v) -> true);
          out.copy.setHeader(name, value);
        };

    final HttpRequest request;
    HttpRequest.Builder copy;

    Outgoing(HttpRequest request) {
      this.request = request;
    }
  }
}
