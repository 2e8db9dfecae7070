package io.sentrytrace.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.ReadableSpan;

/**
 * The request URL of the client span being propagated, when the SDK records it. Only this class
 * touches the SDK's {@link ReadableSpan}: with the API alone (no SDK on the class path) it is never
 * loaded.
 */
final class ClientSpanUrl {
  static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
  /** The name before semantic conventions 1.21. */
  static final AttributeKey<String> HTTP_URL = AttributeKey.stringKey("http.url");

  private static final boolean SDK_PRESENT = sdkPresent();

  private ClientSpanUrl() {}

  /** The URL of a CLIENT span made by the SDK, or null (another kind, no URL, or no SDK). */
  static String of(Span span) {
    if (!SDK_PRESENT) return null;
    return Sdk.url(span);
  }

  private static boolean sdkPresent() {
    try {
      Class.forName("io.opentelemetry.sdk.trace.ReadableSpan", false, ClientSpanUrl.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static final class Sdk {
    static String url(Span span) {
      if (!(span instanceof ReadableSpan)) return null;
      ReadableSpan readable = (ReadableSpan) span;
      // A server span's URL is its own request's, not the one the headers go to.
      if (readable.getKind() != SpanKind.CLIENT) return null;
      String url = readable.getAttribute(URL_FULL);
      return url != null ? url : readable.getAttribute(HTTP_URL);
    }
  }
}
