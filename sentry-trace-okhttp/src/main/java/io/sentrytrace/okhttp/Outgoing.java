package io.sentrytrace.okhttp;

import io.sentrytrace.Baggage;
import io.sentrytrace.CarrierGetter;
import io.sentrytrace.CarrierSetter;
import io.sentrytrace.PropagationContext;
import io.sentrytrace.Scope;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import java.util.List;
import okhttp3.Call;
import okhttp3.Request;

/**
 * The instrumentation of one request, carried as a request tag. OkHttp builds redirects and
 * retries from the request with {@code newBuilder()}, which copies tags and headers; the tag lets
 * each network hop name the same span and put back the header values the user had set when its
 * URL is not a propagation target.
 */
final class Outgoing {
  /** The headers that {@link Tracer#inject} may set. */
  private static final String[] HEADERS = {SentryTrace.HEADER, Baggage.HEADER, "traceparent"};

  /** The call this belongs to: a request re-sent in another call is instrumented anew. */
  final Call call;
  /** The {@code http.client} span; null when there is no active span. */
  final Span span;
  /** What the headers carry when {@link #span} is null. */
  private final PropagationContext context;
  /** The values of {@link #HEADERS} before anything was injected, index for index. */
  private final List<List<String>> userValues;

  Outgoing(Call call, Span span, PropagationContext context, Request request) {
    this.call = call;
    this.span = span;
    this.context = context;
    this.userValues = List.of(request.headers(HEADERS[0]), request.headers(HEADERS[1]), request.headers(HEADERS[2]));
  }

  /** {@code request} tagged with this, and with the trace headers when its URL is a target. */
  Request apply(Request request, Tracer tracer) {
    Carrier carrier = new Carrier(request);
    carrier.builder().tag(Outgoing.class, this);
    if (tracer.shouldPropagate(request.url().toString())) inject(carrier, tracer);
    return carrier.result();
  }

  /**
   * A hop of this request (itself, a retry or a redirect), with the headers its own URL calls for:
   * ours when it is a target (kept as they are when already there), otherwise the user's own.
   */
  Request forHop(Request hop, Tracer tracer) {
    if (!tracer.shouldPropagate(hop.url().toString())) return withUserHeaders(hop);
    Carrier carrier = new Carrier(hop);
    inject(carrier, tracer);
    return carrier.result();
  }

  /** {@code request} with the trace headers as the user set them, ours removed. */
  Request withUserHeaders(Request request) {
    Request.Builder builder = null;
    for (int i = 0; i < HEADERS.length; i++) {
      List<String> user = userValues.get(i);
      if (request.headers(HEADERS[i]).equals(user)) continue;
      if (builder == null) builder = request.newBuilder();
      builder.removeHeader(HEADERS[i]);
      for (String value : user) builder.addHeader(HEADERS[i], value);
    }
    return builder == null ? request : builder.build();
  }

  @SuppressWarnings("try") // the scope only has to be open around inject(null)
  private void inject(Carrier carrier, Tracer tracer) {
    if (span != null) {
      tracer.inject(span, carrier, Carrier.GETTER, Carrier.SETTER);
      return;
    }
    // The caller's context, also on a dispatcher thread; inject(null) reads the current one.
    try (Scope scope = context.makeCurrent()) {
      tracer.inject((Span) null, carrier, Carrier.GETTER, Carrier.SETTER);
    }
  }

  /** A request being rewritten: reads the original, copies it only when something is set. */
  private static final class Carrier {
    static final CarrierGetter<Carrier> GETTER = (c, name) -> joined(c.source.headers(name));
    static final CarrierSetter<Carrier> SETTER = (c, name, value) -> c.builder().header(name, value);

    private final Request source;
    private Request.Builder builder;

    Carrier(Request source) {
      this.source = source;
    }

    Request.Builder builder() {
      if (builder == null) builder = source.newBuilder();
      return builder;
    }

    Request result() {
      return builder == null ? source : builder.build();
    }

    /** Repeated headers read as one list (RFC 9110 5.3), so that baggage is merged into one. */
    private static String joined(List<String> values) {
      if (values.isEmpty()) return null;
      return values.size() == 1 ? values.get(0) : String.join(",", values);
    }
  }
}
