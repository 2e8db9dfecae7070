package io.sentrytrace.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** A request whose headers live in a map; {@code failOn} names a header whose write throws. */
class MapRequest implements HttpClientRequest {
  final Map<String, String> headers = new LinkedHashMap<>();
  final String url;
  String failOn;

  MapRequest(String url) {
    this.url = url;
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public RequestUrl url() {
    return RequestUrl.parse(url);
  }

  @Override
  public String header(String name) {
    return headers.get(name);
  }

  @Override
  public void setHeader(String name, String value) {
    if (name.equals(failOn)) throw new IllegalStateException("setter broke");
    headers.put(name, value);
  }
}
