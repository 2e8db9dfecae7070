package io.sentrytrace.okhttp;

import io.sentrytrace.Baggage;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.http.HttpClientExchange;
import java.util.List;
import okhttp3.Call;
import okhttp3.Request;

/**
 * The trace headers of one call, carried as a tag on the request it sends. OkHttp builds redirects
 * and retries from that request with {@code newBuilder()}, which copies tags and headers; the tag
 * lets each network hop find the call's exchange and put back the header values the user had set
 * when its URL is not a propagation target.
 */
final class CallHeaders {
  /** The headers that the handler may set. */
  private static final String[] NAMES = {SentryTrace.HEADER, Baggage.HEADER, "traceparent"};

  /** The call this belongs to: a request re-sent in another call is instrumented anew. */
  final Call call;
  private final HttpClientExchange exchange;
  /**
   * The request before anything was written (immutable): its values of {@link #NAMES} are only
   * read when a hop or a re-send needs them, not on every call.
   */
  private final Request userRequest;

  CallHeaders(Call call, HttpClientExchange exchange, Request userRequest) {
    this.call = call;
    this.exchange = exchange;
    this.userRequest = userRequest;
  }

  /** The request to send: {@code headers} (with ours, or the user's own) tagged with this. */
  Request tag(Request.Builder headers) {
    return headers.tag(CallHeaders.class, this).build();
  }

  /**
   * A hop of this call (itself, a retry or a redirect), with the headers its own URL calls for:
   * ours when it is a target (kept as they are when already there), otherwise the user's own.
   */
  Request forHop(Request hop) {
    OkHttpRequest carrier = new OkHttpRequest(hop);
    return exchange.propagate(carrier) ? carrier.result() : withUserHeaders(hop);
  }

  /** {@code request} with the trace headers as the user set them, ours removed. */
  Request withUserHeaders(Request request) {
    Request.Builder builder = null;
    for (int i = 0; i < NAMES.length; i++) {
      List<String> user = userRequest.headers(NAMES[i]);
      if (request.headers(NAMES[i]).equals(user)) continue;
      if (builder == null) builder = request.newBuilder();
      builder.removeHeader(NAMES[i]);
      for (String value : user) builder.addHeader(NAMES[i], value);
    }
    return builder == null ? request : builder.build();
  }
}
