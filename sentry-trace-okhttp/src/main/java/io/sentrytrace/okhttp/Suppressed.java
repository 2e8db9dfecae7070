package io.sentrytrace.okhttp;

import okhttp3.Request;

/**
 * A request tag that switches the instrumentation off for one request, for calls made with {@code
 * enqueue} whose caller's {@code Instrumentation.suppress()} scope the interceptor cannot see
 * (such as an exporter transport's own requests).
 *
 * <pre>{@code
 * Request envelope = Suppressed.tag(new Request.Builder().url(envelopeUrl)).post(body).build();
 * }</pre>
 */
final class Suppressed {
  static final Suppressed INSTANCE = new Suppressed();

  private Suppressed() {}

  static Request.Builder tag(Request.Builder builder) {
    return builder.tag(Suppressed.class, INSTANCE);
  }

  static boolean isTagged(Request request) {
    return request.tag(Suppressed.class) != null;
  }
}
