package io.sentrytrace.apache;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.junit.jupiter.api.Test;

/** How an Apache request maps onto the handler's view; the URL rules themselves are RequestUrl's. */
class ApacheRequestTest {
  private static ApacheRequest<HttpRequest> of(HttpRequest request, HttpRoute route) {
    return new ApacheRequest<>(request, route, ApacheRequest.ASYNC);
  }

  @Test
  void takesSchemeHostAndPortFromTheRouteWhenTheRequestHasNone() {
    BasicHttpRequest request = new BasicHttpRequest("GET", "/only/path?q");
    assertThat(of(request, new HttpRoute(new HttpHost("https", "api.example.com", 8443))).url())
        .hasToString("https://api.example.com:8443/only/path?q");
  }

  @Test
  void neverTakesTheUserInfoOrTheFragment() {
    HttpRequest request = new BasicHttpRequest("GET", URI.create("https://user:secret@Example.com:443/private?x=1#frag"));
    assertThat(of(request, null).url()).hasToString("https://example.com/private?x=1");
  }

  @Test
  void readsRepeatedLinesAsOneListAndWritesToACopyOnly() {
    BasicHttpRequest request = new BasicHttpRequest("GET", URI.create("http://example.com/"));
    request.addHeader("baggage", "a=1");
    request.addHeader("baggage", "b=2");
    ApacheRequest<HttpRequest> carrier = of(request, null);
    assertThat(carrier.header("baggage")).isEqualTo("a=1,b=2");
    assertThat(carrier.result()).as("nothing written: the request itself").isSameAs(request);

    carrier.setHeader("baggage", "a=1,b=2,sentry-trace_id=x");
    assertThat(carrier.header("baggage")).isEqualTo("a=1,b=2,sentry-trace_id=x");
    assertThat(carrier.result()).isNotSameAs(request);
    assertThat(carrier.result().getHeaders("baggage")).hasSize(1);
    assertThat(request.getHeaders("baggage")).as("the caller's request is not changed").hasSize(2);
  }
}
