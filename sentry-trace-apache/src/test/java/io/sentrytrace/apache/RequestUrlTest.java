package io.sentrytrace.apache;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.junit.jupiter.api.Test;

class RequestUrlTest {
  private static RequestUrl of(String uri) {
    return RequestUrl.of(new BasicHttpRequest("GET", URI.create(uri)), null);
  }

  @Test
  void keepsTheQueryApartAndDropsTheFragment() {
    RequestUrl url = of("http://example.com:8080/a/b?x=1&y=2#frag");
    assertThat(url.withoutQuery).isEqualTo("http://example.com:8080/a/b");
    assertThat(url.query).isEqualTo("x=1&y=2");
    assertThat(url.full()).isEqualTo("http://example.com:8080/a/b?x=1&y=2");
  }

  @Test
  void dropsUserInfo() {
    assertThat(of("https://user:secret@example.com/private").full()).isEqualTo("https://example.com/private");
  }

  @Test
  void omitsTheSchemesDefaultPort() {
    assertThat(of("http://example.com:80/a").withoutQuery).isEqualTo("http://example.com/a");
    assertThat(of("https://example.com:443/a").withoutQuery).isEqualTo("https://example.com/a");
    assertThat(of("https://example.com:80/a").withoutQuery).isEqualTo("https://example.com:80/a");
  }

  @Test
  void bracketsIpv6Hosts() {
    assertThat(of("http://[::1]:8080/p").withoutQuery).isEqualTo("http://[::1]:8080/p");
  }

  @Test
  void emptyPathBecomesSlashAndEmptyQueryIsNone() {
    RequestUrl url = of("http://example.com?");
    assertThat(url.withoutQuery).isEqualTo("http://example.com/");
    assertThat(url.query).isNull();
  }

  @Test
  void takesHostFromTheRouteWhenTheRequestHasNone() {
    BasicHttpRequest request = new BasicHttpRequest("GET", "/only/path?q");
    RequestUrl url = RequestUrl.of(request, new HttpRoute(new HttpHost("https", "api.example.com", 8443)));
    assertThat(url.full()).isEqualTo("https://api.example.com:8443/only/path?q");
  }
}
