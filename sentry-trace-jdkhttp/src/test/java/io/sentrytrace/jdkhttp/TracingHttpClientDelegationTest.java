package io.sentrytrace.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sentrytrace.Tracer;
import java.net.Authenticator;
import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/** The wrapper is the wrapped client in every respect but tracing. */
class TracingHttpClientDelegationTest {
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).build();

  @Test
  void reportsTheWrappedClientsSettings() {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      CookieManager cookies = new CookieManager();
      Authenticator authenticator = new Authenticator() {};
      HttpClient plain =
          HttpClient.newBuilder()
              .cookieHandler(cookies)
              .connectTimeout(Duration.ofSeconds(3))
              .followRedirects(HttpClient.Redirect.ALWAYS)
              .authenticator(authenticator)
              .version(HttpClient.Version.HTTP_1_1)
              .executor(executor)
              .build();
      HttpClient wrapped = TracingHttpClient.instrument(plain, tracer);
      assertThat(wrapped.cookieHandler()).containsSame(cookies);
      assertThat(wrapped.connectTimeout()).contains(Duration.ofSeconds(3));
      assertThat(wrapped.followRedirects()).isEqualTo(HttpClient.Redirect.ALWAYS);
      assertThat(wrapped.authenticator()).containsSame(authenticator);
      assertThat(wrapped.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      assertThat(wrapped.executor()).containsSame(executor);
      assertThat(wrapped.proxy()).isEqualTo(plain.proxy());
      assertThat(wrapped.sslContext()).isSameAs(plain.sslContext());
      assertThat(wrapped.sslParameters().getProtocols()).isEqualTo(plain.sslParameters().getProtocols());
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void theRedirectTwinHasEverySettingTheClientReports() throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      CookieManager cookies = new CookieManager();
      Authenticator authenticator = new Authenticator() {};
      ProxySelector proxy = ProxySelector.of(new InetSocketAddress("127.0.0.1", 9));
      SSLContext ssl = SSLContext.getInstance("TLSv1.3");
      ssl.init(null, null, null);
      SSLParameters parameters = new SSLParameters(new String[] {"TLS_AES_128_GCM_SHA256"}, new String[] {"TLSv1.3"});
      HttpClient plain =
          HttpClient.newBuilder()
              .cookieHandler(cookies)
              .connectTimeout(Duration.ofSeconds(3))
              .followRedirects(HttpClient.Redirect.NORMAL)
              .proxy(proxy)
              .sslContext(ssl)
              .sslParameters(parameters)
              .authenticator(authenticator)
              .version(HttpClient.Version.HTTP_1_1)
              .executor(executor)
              .build();
      HttpClient twin = ((DelegatingHttpClient) TracingHttpClient.instrument(plain, tracer)).twin();
      assertThat(twin).isNotNull().isNotSameAs(plain);
      assertThat(twin.followRedirects()).isEqualTo(HttpClient.Redirect.NEVER);
      assertThat(twin.cookieHandler()).containsSame(cookies);
      assertThat(twin.connectTimeout()).contains(Duration.ofSeconds(3));
      assertThat(twin.proxy()).containsSame(proxy);
      assertThat(twin.sslContext()).isSameAs(ssl);
      assertThat(twin.sslParameters().getCipherSuites()).containsExactly("TLS_AES_128_GCM_SHA256");
      assertThat(twin.sslParameters().getProtocols()).containsExactly("TLSv1.3");
      assertThat(twin.authenticator()).containsSame(authenticator);
      assertThat(twin.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      assertThat(twin.executor()).containsSame(executor);
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void instrumentingAnInstrumentedClientWithTheSameTracerReturnsIt() {
    HttpClient wrapped = TracingHttpClient.instrument(HttpClient.newHttpClient(), tracer);
    assertThat(TracingHttpClient.instrument(wrapped, tracer)).isSameAs(wrapped);
    assertThat(TracingHttpClient.instrument(wrapped, Tracer.builder().build())).isNotSameAs(wrapped);
  }

  @Test
  void rejectsNullArgumentsByName() {
    assertThatThrownBy(() -> TracingHttpClient.instrument(null, tracer)).isInstanceOf(NullPointerException.class).hasMessage("client");
    assertThatThrownBy(() -> TracingHttpClient.instrument(HttpClient.newHttpClient(), null)).isInstanceOf(NullPointerException.class).hasMessage("tracer");
  }

  @Test
  void aNullRequestFailsAsTheWrappedClientFails() throws Exception {
    HttpClient wrapped = TracingHttpClient.instrument(HttpClient.newHttpClient(), tracer);
    assertThatThrownBy(() -> wrapped.send(null, HttpResponse.BodyHandlers.discarding())).isInstanceOf(NullPointerException.class);
    HttpRequest request = HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:9/")).build();
    assertThatThrownBy(() -> wrapped.sendAsync(request, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void closingTheWrapperClosesTheWrappedClientOnJava21() throws Exception {
    assumeTrue(Runtime.version().feature() >= 21, "HttpClient has no lifecycle before Java 21");
    HttpClient plain = HttpClient.newHttpClient();
    HttpClient wrapped = TracingHttpClient.instrument(plain, tracer);
    HttpClient.class.getMethod("close").invoke(wrapped);
    assertThat((Boolean) HttpClient.class.getMethod("isTerminated").invoke(plain)).isTrue();
    assertThat((Boolean) HttpClient.class.getMethod("isTerminated").invoke(wrapped)).isTrue();
  }
}
