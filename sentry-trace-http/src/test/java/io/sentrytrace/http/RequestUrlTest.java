package io.sentrytrace.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestUrlTest {
  @Test
  void keepsTheQueryApartFromTheUrlSpansShow() {
    RequestUrl url = RequestUrl.of("https", "api.example.com", 443, "/v1/orders", "id=7&sort=asc");
    assertThat(url.withoutQuery()).isEqualTo("https://api.example.com/v1/orders");
    assertThat(url.query()).isEqualTo("id=7&sort=asc");
    assertThat(url).hasToString("https://api.example.com/v1/orders?id=7&sort=asc");
  }

  @Test
  void lowerCasesSchemeAndHost() {
    assertThat(RequestUrl.of("HTTPS", "API.Example.COM", -1, "/Path", null).withoutQuery())
        .isEqualTo("https://api.example.com/Path");
  }

  @Test
  void lowerCasesNonAsciiHosts() {
    assertThat(RequestUrl.of("http", "B\u00dcCHER.example", -1, "/", null).host()).isEqualTo("b\u00fccher.example");
    assertThat(RequestUrl.of("http", "\u00c9t\u00e9.example", -1, "/", null).host()).isEqualTo("\u00e9t\u00e9.example");
    assertThat(RequestUrl.of("hTTps", "h", -1, "/", null).scheme()).isEqualTo("https");
  }

  @ParameterizedTest
  @CsvSource({
    "http, 80, http://h/",
    "https, 443, https://h/",
    "http, 443, http://h:443/",
    "https, 8443, https://h:8443/",
    "ws, 80, ws://h/",
    "wss, 443, wss://h/",
    "http, 0, http://h/",
    "http, -1, http://h/",
    "http, 65536, http://h/",
    "http, 65535, http://h:65535/",
    "http, 1, http://h:1/"
  })
  void dropsTheDefaultPortAndAnyPortOutsideTheValidRange(String scheme, int port, String expected) {
    assertThat(RequestUrl.of(scheme, "h", port, "/", null).withoutQuery()).isEqualTo(expected);
  }

  @Test
  void putsAnIpv6LiteralInBracketsOnce() {
    assertThat(RequestUrl.of("http", "::1", 8080, "/", null).withoutQuery()).isEqualTo("http://[::1]:8080/");
    assertThat(RequestUrl.of("http", "[::1]", 8080, "/", null).withoutQuery()).isEqualTo("http://[::1]:8080/");
    assertThat(RequestUrl.of(URI.create("http://[FE80::1]:8080/x")).withoutQuery()).isEqualTo("http://[fe80::1]:8080/x");
  }

  @Test
  void dropsTheFragment() {
    assertThat(RequestUrl.of("http", "h", -1, "/a", "b=1#frag")).hasToString("http://h/a?b=1");
    assertThat(RequestUrl.of("http", "h", -1, "/a#frag", "b=1")).hasToString("http://h/a");
    assertThat(RequestUrl.of("http", "h", -1, "/a?b=1#frag")).hasToString("http://h/a?b=1");
  }

  @Test
  void writesAnEmptyPathAsSlashAndAnEmptyQueryAsNone() {
    RequestUrl url = RequestUrl.of("http", "h", -1, "", "");
    assertThat(url).hasToString("http://h/");
    assertThat(url.query()).isNull();
    assertThat(RequestUrl.of("http", "h", -1, "a", null).path()).isEqualTo("/a");
  }

  @Test
  void parsesAFullUrlWithoutItsUserInfoOrFragment() {
    RequestUrl url = RequestUrl.parse("HTTP://alice:secret@Example.com:80/p/q?x=1#top");
    assertThat(url).hasToString("http://example.com/p/q?x=1");
    assertThat(url.toString()).doesNotContain("alice").doesNotContain("secret");
    assertThat(RequestUrl.parse("https://[::1]:8443")).hasToString("https://[::1]:8443/");
    assertThat(RequestUrl.parse("https://h:99999/").port()).isEqualTo(-1);
  }

  @Test
  void readsAUriWithoutItsUserInfo() {
    RequestUrl url = RequestUrl.of(URI.create("http://bob@127.0.0.1:8080/a%20b?q=%20"));
    assertThat(url).hasToString("http://127.0.0.1:8080/a%20b?q=%20");
    RequestUrl underscore = RequestUrl.of(URI.create("http://my_host:81/x"));
    assertThat(underscore).hasToString("http://my_host:81/x");
  }

  @Test
  void equalUrlsAreEqual() {
    assertThat(RequestUrl.of("HTTP", "H", 80, "/", null)).isEqualTo(RequestUrl.parse("http://h/")).hasSameHashCodeAs(RequestUrl.parse("http://h"));
  }
}
