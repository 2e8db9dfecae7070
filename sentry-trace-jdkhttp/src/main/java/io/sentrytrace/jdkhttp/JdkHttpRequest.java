package io.sentrytrace.jdkhttp;

import io.sentrytrace.http.HttpClientRequest;
import io.sentrytrace.http.RequestUrl;
import io.sentrytrace.http.internal.HeaderValues;
import java.net.http.HttpRequest;

/**
 * A {@code java.net.http} request as the handler sees it. HttpRequest is immutable: headers go to
 * a copy (body, timeout, version and the user's headers kept), made on the first write only; reads
 * see the request as it came.
 */
final class JdkHttpRequest implements HttpClientRequest {
  private final HttpRequest source;
  private HttpRequest.Builder copy;

  JdkHttpRequest(HttpRequest source) {
    this.source = source;
  }

  @Override
  public String method() {
    return source.method();
  }

  @Override
  public RequestUrl url() {
    return RequestUrl.of(source.uri());
  }

  @Override
  public String header(String name) {
    return HeaderValues.join(source.headers().allValues(name));
  }

  @Override
  public void setHeader(String name, String value) {
    if (copy == null) copy = HttpRequest.newBuilder(source, (n, v) -> true);
    copy.setHeader(name, value);
  }

  /** The request with what was written, or the request itself when nothing was. */
  HttpRequest result() {
    return copy == null ? source : copy.build();
  }
}
