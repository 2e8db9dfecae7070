package io.sentrytrace.okhttp;

import io.sentrytrace.http.HeaderValues;
import io.sentrytrace.http.HttpClientRequest;
import io.sentrytrace.http.RequestUrl;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * An OkHttp request as the handler sees it. OkHttp's requests are immutable: headers go to a copy,
 * made on the first write only, and reads see the request as it came.
 */
final class OkHttpRequest implements HttpClientRequest {
  private final Request source;
  private Request.Builder builder;

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
    builder().header(name, value);
  }

  /** The copy being written; made now if nothing was written yet. */
  Request.Builder builder() {
    if (builder == null) builder = source.newBuilder();
    return builder;
  }

  /** The request with what was written, or the request itself when nothing was. */
  Request result() {
    return builder == null ? source : builder.build();
  }
}
