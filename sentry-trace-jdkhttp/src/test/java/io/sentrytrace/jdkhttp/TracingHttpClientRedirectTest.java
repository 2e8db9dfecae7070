package io.sentrytrace.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.PropagationContext;
import io.sentrytrace.Scope;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.testing.InMemorySpanExporter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Redirects are decided per hop: a target's trace headers never reach a host that is not a target,
 * though the JDK client copies every request header to the next hop.
 */
@SuppressWarnings("try") // scopes are used for their close()
class TracingHttpClientRedirectTest {
  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private TestServer target;
  private TestServer outside;
  private Tracer tracer;

  @BeforeEach
  void start() throws Exception {
    outside = TestServer.start(TracingHttpClientRedirectTest::answer);
    target = TestServer.start(TracingHttpClientRedirectTest::answer);
    tracer =
        Tracer.builder()
            .tracePropagationTargets(List.of(Pattern.compile("^http://127\\.0\\.0\\.1:" + target.port() + "/")))
            .tracesSampleRate(1.0)
            .exporter(exporter)
            .build();
  }

  /** {@code /to?<url>} answers 302 to that URL, {@code /see-other?<url>} 303, {@code /temporary?<url>} 307, {@code /loop} to itself. */
  private static void answer(com.sun.net.httpserver.HttpExchange exchange) throws java.io.IOException {
    String path = exchange.getRequestURI().getPath();
    String to = exchange.getRequestURI().getRawQuery();
    int code = path.equals("/see-other") ? 303 : path.equals("/temporary") ? 307 : path.equals("/to") || path.equals("/loop") ? 302 : 0;
    if (path.equals("/loop")) to = "/loop";
    if (path.equals("/bad-location")) {
      code = 302;
      to = "http://exa mple.com/%%";
    }
    if (code == 0) {
      TestServer.respond(exchange, 200, "landed " + exchange.getRequestMethod());
      return;
    }
    exchange.getResponseHeaders().set("Location", to);
    TestServer.respond(exchange, code, "redirect body");
  }

  @AfterEach
  void stop() {
    target.close();
    outside.close();
  }

  private HttpClient client(HttpClient.Redirect policy) {
    return TracingHttpClient.instrument(HttpClient.newBuilder().followRedirects(policy).version(HttpClient.Version.HTTP_1_1).build(), tracer);
  }

  private <T> HttpResponse<T> send(HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> handler, boolean async)
      throws Exception {
    return async ? client.sendAsync(request, handler).get(5, TimeUnit.SECONDS) : client.send(request, handler);
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void redirectFromATargetToAnotherHostCarriesNoTraceHeaders(boolean async) throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    HttpResponse<String> response;
    try (Scope scope = tx.makeCurrent()) {
      HttpRequest request = HttpRequest.newBuilder(target.uri("/to?" + outside.uri("/landing"))).header("X-User", "kept").build();
      response = send(client(HttpClient.Redirect.NORMAL), request, HttpResponse.BodyHandlers.ofString(), async);
    }
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("landed GET");
    assertThat(response.uri()).isEqualTo(outside.uri("/landing"));
    TestServer.Received first = target.take();
    TestServer.Received second = outside.take();
    assertThat(SentryTrace.parse(first.header("sentry-trace")).orElseThrow().traceId()).isEqualTo(tx.traceId());
    assertThat(second.has("sentry-trace")).isFalse();
    assertThat(second.has("baggage")).isFalse();
    assertThat(second.header("X-User")).isEqualTo("kept");
    tx.finish();
    SpanData span = exporter.transactions().get(0).spans().get(0);
    assertThat(exporter.transactions().get(0).spans()).hasSize(1);
    assertThat(span.data()).containsEntry("http.response.status_code", 200).containsEntry("url", target.uri("/to").toString());
    assertThat(span.status()).isEqualTo(SpanStatus.OK);
  }

  @Test
  void theJdkClientAloneWouldCarryTheHeadersAlong() throws Exception {
    // Why the wrapper follows redirects itself: the plain client copies the headers to every hop.
    HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    plain.send(
        HttpRequest.newBuilder(target.uri("/to?" + outside.uri("/landing"))).header("sentry-trace", "x").build(),
        HttpResponse.BodyHandlers.discarding());
    assertThat(outside.take().header("sentry-trace")).isEqualTo("x");
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void aClientOfAnotherImplementationIsNeverBypassed(boolean async) throws Exception {
    // Following the redirects through a twin would skip whatever this client does on each send.
    Forwarding own = new Forwarding(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build());
    HttpClient client = TracingHttpClient.instrument(own, tracer);
    Span tx = tracer.startTransaction("checkout", "task");
    HttpResponse<String> response;
    try (Scope scope = tx.makeCurrent()) {
      HttpRequest request = HttpRequest.newBuilder(target.uri("/to?" + outside.uri("/landing"))).build();
      response = send(client, request, HttpResponse.BodyHandlers.ofString(), async);
    }
    tx.finish();
    assertThat(own.sent).containsExactly(target.uri("/to?" + outside.uri("/landing")));
    assertThat(response.uri()).isEqualTo(outside.uri("/landing"));
    assertThat(target.take().has("sentry-trace")).isTrue();
    outside.take();
    assertThat(exporter.transactions().get(0).spans()).hasSize(1);
  }

  /** A client of the user's own class, forwarding to a JDK client and noting what it is sent. */
  private static final class Forwarding extends HttpClient {
    final List<java.net.URI> sent = new CopyOnWriteArrayList<>();
    private final HttpClient delegate;

    Forwarding(HttpClient delegate) {
      this.delegate = delegate;
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
        throws java.io.IOException, InterruptedException {
      sent.add(request.uri());
      return delegate.send(request, handler);
    }

    @Override
    public <T> java.util.concurrent.CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
      sent.add(request.uri());
      return delegate.sendAsync(request, handler);
    }

    @Override
    public <T> java.util.concurrent.CompletableFuture<HttpResponse<T>> sendAsync(
        HttpRequest request, HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> push) {
      sent.add(request.uri());
      return delegate.sendAsync(request, handler, push);
    }

    @Override
    public java.util.Optional<java.net.CookieHandler> cookieHandler() {
      return delegate.cookieHandler();
    }

    @Override
    public java.util.Optional<java.time.Duration> connectTimeout() {
      return delegate.connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
      return delegate.followRedirects();
    }

    @Override
    public java.util.Optional<java.net.ProxySelector> proxy() {
      return delegate.proxy();
    }

    @Override
    public javax.net.ssl.SSLContext sslContext() {
      return delegate.sslContext();
    }

    @Override
    public javax.net.ssl.SSLParameters sslParameters() {
      return delegate.sslParameters();
    }

    @Override
    public java.util.Optional<java.net.Authenticator> authenticator() {
      return delegate.authenticator();
    }

    @Override
    public Version version() {
      return delegate.version();
    }

    @Override
    public java.util.Optional<java.util.concurrent.Executor> executor() {
      return delegate.executor();
    }
  }

  @Test
  void withoutACurrentSpanTheTargetHopGetsTheTracersContext() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(outside.uri("/to?" + target.uri("/landing"))).build();
    client(HttpClient.Redirect.NORMAL).send(request, HttpResponse.BodyHandlers.discarding());
    assertThat(outside.take().has("sentry-trace")).isFalse();
    SentryTrace sent = SentryTrace.parse(target.take().header("sentry-trace")).orElseThrow();
    assertThat(sent.traceId()).isEqualTo(tracer.currentPropagationContext().traceId());
    assertThat(exporter.transactions()).isEmpty();
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void everyHopCarriesTheCallersContinuedTraceWhenNoSpanIsCurrent(boolean async) throws Exception {
    // Propagation only: the caller made an incoming context current; hops are built on the
    // client's threads, where that context is not current.
    PropagationContext incoming =
        tracer.continueTrace("0123456789abcdef0123456789abcdef-0123456789abcdef-1", "sentry-release=web@1");
    try (Scope scope = incoming.makeCurrent()) {
      HttpRequest request = HttpRequest.newBuilder(target.uri("/to?/landing")).build();
      send(client(HttpClient.Redirect.NORMAL), request, HttpResponse.BodyHandlers.discarding(), async);
    }
    for (TestServer.Received hop : List.of(target.take(), target.take())) {
      assertThat(hop.header("sentry-trace")).startsWith("0123456789abcdef0123456789abcdef-").endsWith("-1");
      assertThat(hop.header("baggage")).contains("sentry-release=web%401");
    }
  }

  @Test
  void theUsersBodyHandlerSeesOnlyTheFinalResponse() throws Exception {
    List<Integer> seen = new CopyOnWriteArrayList<>();
    HttpResponse.BodyHandler<String> handler =
        info -> {
          seen.add(info.statusCode());
          return HttpResponse.BodySubscribers.ofString(java.nio.charset.StandardCharsets.UTF_8);
        };
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      HttpRequest request = HttpRequest.newBuilder(target.uri("/to?" + target.uri("/to?" + outside.uri("/landing")))).build();
      assertThat(client(HttpClient.Redirect.NORMAL).send(request, handler).body()).isEqualTo("landed GET");
    }
    assertThat(seen).containsExactly(200);
  }

  @Test
  void seeOtherTurnsAPostIntoAGetWithoutBodyAndTemporaryKeepsIt() throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      HttpClient client = client(HttpClient.Redirect.NORMAL);
      client.send(
          HttpRequest.newBuilder(target.uri("/see-other?" + outside.uri("/a"))).POST(HttpRequest.BodyPublishers.ofString("order")).build(),
          HttpResponse.BodyHandlers.discarding());
      client.send(
          HttpRequest.newBuilder(target.uri("/temporary?" + outside.uri("/b"))).POST(HttpRequest.BodyPublishers.ofString("order")).build(),
          HttpResponse.BodyHandlers.discarding());
    }
    TestServer.Received seeOther = outside.take();
    TestServer.Received temporary = outside.take();
    assertThat(seeOther.method).isEqualTo("GET");
    assertThat(seeOther.body).isEmpty();
    assertThat(temporary.method).isEqualTo("POST");
    assertThat(temporary.body).isEqualTo("order");
    assertThat(temporary.has("sentry-trace")).isFalse();
  }

  @Test
  void followingRedirectsKeepsTheClientsCookiesAndExecutor() throws Exception {
    java.util.concurrent.atomic.AtomicInteger tasks = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    java.net.CookieManager cookies = new java.net.CookieManager(null, java.net.CookiePolicy.ACCEPT_ALL);
    java.net.HttpCookie session = new java.net.HttpCookie("session", "s1");
    session.setPath("/");
    session.setVersion(0);
    cookies.getCookieStore().add(target.uri("/"), session);
    try {
      HttpClient client =
          TracingHttpClient.instrument(
              HttpClient.newBuilder()
                  .followRedirects(HttpClient.Redirect.NORMAL)
                  .cookieHandler(cookies)
                  .executor(task -> {
                    tasks.incrementAndGet();
                    pool.execute(task);
                  })
                  .build(),
              tracer);
      Span tx = tracer.startTransaction("checkout", "task");
      try (Scope scope = tx.makeCurrent()) {
        client.send(HttpRequest.newBuilder(outside.uri("/to?" + target.uri("/landing"))).build(), HttpResponse.BodyHandlers.discarding());
      }
      outside.take();
      TestServer.Received landed = target.take();
      assertThat(landed.header("Cookie")).contains("session=s1");
      assertThat(landed.has("sentry-trace")).isTrue();
      assertThat(tasks.get()).isPositive();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void neverPolicyReturnsTheRedirectItself() throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    HttpResponse<String> response;
    try (Scope scope = tx.makeCurrent()) {
      HttpRequest request = HttpRequest.newBuilder(target.uri("/to?" + outside.uri("/landing"))).build();
      response = client(HttpClient.Redirect.NEVER).send(request, HttpResponse.BodyHandlers.ofString());
    }
    assertThat(response.statusCode()).isEqualTo(302);
    assertThat(response.body()).isEqualTo("redirect body");
    assertThat(target.take().has("sentry-trace")).isTrue();
    assertThat(outside.drain()).isEmpty();
  }

  @Test
  void followsNoMoreRedirectsThanTheJdkClient() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(target.uri("/loop")).build();
    HttpResponse<String> untraced =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build().send(request, HttpResponse.BodyHandlers.ofString());
    int untracedHops = target.drain().size();
    HttpResponse<String> traced;
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      traced = client(HttpClient.Redirect.NORMAL).send(request, HttpResponse.BodyHandlers.ofString());
    }
    assertThat(target.drain()).hasSize(untracedHops);
    assertThat(untracedHops).isGreaterThan(1);
    assertThat(traced.statusCode()).isEqualTo(untraced.statusCode()).isEqualTo(302);
    assertThat(traced.body()).isEqualTo(untraced.body()).isEqualTo("redirect body");
  }

  @Test
  void anUnusableLocationReturnsTheRedirectResponseToTheUser() throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    HttpResponse<String> response;
    try (Scope scope = tx.makeCurrent()) {
      response = client(HttpClient.Redirect.NORMAL).send(HttpRequest.newBuilder(target.uri("/bad-location")).build(), HttpResponse.BodyHandlers.ofString());
    }
    assertThat(response.statusCode()).isEqualTo(302);
    assertThat(response.body()).isEqualTo("redirect body");
  }
  @Test
  void linksThePreviousResponsesAsTheJdkClientDoes() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(target.uri("/to?" + target.uri("/to?" + outside.uri("/landing")))).build();
    HttpResponse<String> untraced =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build().send(request, HttpResponse.BodyHandlers.ofString());
    Span tx = tracer.startTransaction("checkout", "task");
    HttpResponse<String> traced;
    try (Scope scope = tx.makeCurrent()) {
      traced = send(client(HttpClient.Redirect.NORMAL), request, HttpResponse.BodyHandlers.ofString(), true);
    }
    assertThat(chain(traced)).hasSize(3).isEqualTo(chain(untraced));
    HttpResponse<String> firstHop = traced.previousResponse().orElseThrow().previousResponse().orElseThrow();
    assertThat(firstHop.request().headers().firstValue("sentry-trace")).as("the first hop went to a target").isPresent();
    assertThat(traced.request().headers().firstValue("sentry-trace")).as("the last hop did not").isEmpty();
  }

  /** Status, URI and body of a response and of every response before it, newest first. */
  private static List<String> chain(HttpResponse<String> response) {
    List<String> hops = new java.util.ArrayList<>();
    for (HttpResponse<String> r = response; r != null; r = r.previousResponse().orElse(null)) {
      hops.add(r.statusCode() + " " + r.uri() + " " + r.body());
    }
    return hops;
  }
}
