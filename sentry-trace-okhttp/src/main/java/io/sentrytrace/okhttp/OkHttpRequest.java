package io.sentrytrace.okhttp;

import io.sentrytrace.http.HttpClientRequest;
import io.sentrytrace.http.RequestUrl;
import io.sentrytrace.http.internal.HeaderValues;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * An OkHttp request as the handler sees it. OkHttp's requests are immutable: headers go to a copy,
 * made on the first write only, and reads see the request as it came.
 *
 * <p>Values are written without OkHttp's per-character check ({@code addUnsafeNonAscii}), which
 * cost more than the rest of the instrumentation together: what the handler writes is hex, dashes
 * and percent-encoded baggage, plus other vendors' baggage members copied from this request's own
 * headers, which OkHttp checked when the user set them. Names are still checked.
 */
final class OkHttpRequest implements HttpClientRequest {
  private final Request source;
  private Headers.Builder headers;

  OkHttpRequest(Request source) {
    this.source = source;
  }

  @Override
  public String method() {
    return source.method();
  }

  @Override
  public RequestUrl url() {
    HttpUrl url = source.url();
    return RequestUrl.of(url.scheme(), url.host(), url.port(), url.encodedPath(), url.encodedQuery());
  }

  @Override
  public String header(String name) {
    // The usual answer is "absent": find that without allocating the list of values.
    return source.header(name) == null ? null : HeaderValues.join(source.headers(name));
  }

  @Override
  public void setHeader(String name, String value) {
    if (headers == null) headers = source.headers().newBuilder();
    headers.removeAll(name);
    headers.addUnsafeNonAscii(name, value);
  }

  /** A builder of the request with what was written. */
  Request.Builder builder() {
    Request.Builder builder = source.newBuilder();
    return headers == null ? builder : builder.headers(headers.build());
  }

  /** The request with what was written, or the request itself when nothing was. */
  Request result() {
    return headers == null ? source : builder().build();
  }
}
