package io.sentrytrace.jdkhttp;

import io.sentrytrace.PropagationTargets;
import io.sentrytrace.Tracer;
import io.sentrytrace.http.HttpClientExchange;
import io.sentrytrace.http.HttpClientHandler;
import io.sentrytrace.http.internal.InstrumentationLog;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The client {@link TracingHttpClient#instrument} returns: every method goes to the wrapped client;
 * {@code send} and {@code sendAsync} start an exchange of {@link HttpClientHandler} under the
 * caller's parent, captured on the calling thread, and send the request with the headers it wrote.
 *
 * <p>Redirects: the JDK client follows them inside {@code send}, copying every request header to
 * the next hop, so a target's trace headers would reach any host it redirects to (and a hop to a
 * target would get none when the first URL is not one). When the client follows redirects and not
 * every URL is a target, the wrapper follows the redirects itself ({@link ClientCall}), hop by hop,
 * through a twin of the wrapped client built with the same settings and {@link
 * HttpClient.Redirect#NEVER}, and lets the exchange decide each hop's headers.
 *
 * <p>The twin is best-effort by nature: {@code HttpClient} has no way to copy itself, so it is
 * built from what its accessors report, all of them (the same nine on Java 17 and 25, {@code
 * followRedirects} replaced by {@code NEVER}). What the builder takes and no accessor reports is
 * lost: {@code priority(int)}, {@code localAddress(InetAddress)} (Java 19+), and whatever a later
 * JDK adds without an accessor here. Only the JDK's own implementation is twinned, told by its
 * module, since a subclass's own behaviour would be bypassed by the twin.
 */
final class DelegatingHttpClient extends HttpClient {
  static final InstrumentationLog LOG = InstrumentationLog.of(TracingHttpClient.class, "JDK HttpClient");

  private final HttpClient delegate;
  private final HttpClientHandler handler;
  /**
   * Only the JDK's own client (a class of {@code java.net.http}, whatever its name) can be twinned
   * without losing what a custom subclass does.
   */
  private final boolean twinnable;
  private final Object twinLock = new Object();
  private volatile HttpClient twin;
  private volatile boolean noTwin;
  private volatile boolean shutdown;

  DelegatingHttpClient(HttpClient delegate, Tracer tracer) {
    this.delegate = delegate;
    this.handler = HttpClientHandler.create(tracer, TracingHttpClient.class, "JDK HttpClient");
    this.twinnable = isJdkOwn(delegate);
  }

  /** Whether {@code object} is of the JDK's own HTTP client implementation. */
  static boolean isJdkOwn(Object object) {
    return object.getClass().getModule() == HttpClient.class.getModule();
  }

  Tracer tracer() {
    return handler.tracer();
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler)
      throws IOException, InterruptedException {
    ClientCall<T> call = start(request, bodyHandler);
    if (call == null) return delegate.send(request, bodyHandler);
    try {
      return call.follows() ? call.follow() : delegate.send(call.first, call.handler);
    } catch (Throwable t) {
      call.exchange.failed(t);
      throw t;
    }
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler) {
    return sendAsync(request, bodyHandler, null, false);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler, HttpResponse.PushPromiseHandler<T> push) {
    return sendAsync(request, bodyHandler, push, true);
  }

  private <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler, HttpResponse.PushPromiseHandler<T> push, boolean withPush) {
    ClientCall<T> call = start(request, bodyHandler);
    if (call == null) return send(delegate, request, bodyHandler, push, withPush);
    // No span and no hops of ours: the client's own future, as it is.
    if (call.exchange.span() == null && !call.follows()) return send(delegate, call.first, call.handler, push, withPush);
    TracedFuture<T> result = new TracedFuture<>(call.exchange);
    try {
      if (call.follows()) {
        call.followAsync(call.first, push, 0, null, result);
      } else {
        CompletableFuture<HttpResponse<T>> sent = send(delegate, call.first, call.handler, push, withPush);
        result.track(sent);
        sent.whenComplete(result::finish);
      }
    } catch (RuntimeException | Error e) {
      call.exchange.failed(e);
      throw e;
    }
    return result;
  }

  private static <T> CompletableFuture<HttpResponse<T>> send(
      HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler, HttpResponse.PushPromiseHandler<T> push, boolean withPush) {
    return withPush ? client.sendAsync(request, bodyHandler, push) : client.sendAsync(request, bodyHandler);
  }

  /**
   * The call of {@code request}, its parent captured here, on the caller's thread; null when the
   * request goes to the wrapped client as it is: suppressed, or a null argument (the wrapped client
   * rejects it as it would unwrapped).
   */
  private <T> ClientCall<T> start(HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler) {
    if (request == null || bodyHandler == null) return null;
    HttpClientHandler.Parent parent = handler.capture();
    if (parent.isSuppressed()) return null;
    JdkHttpRequest adapted = new JdkHttpRequest(request);
    HttpClientExchange exchange = handler.start(adapted, parent);
    boolean perHop = followsRedirectsItself();
    HttpClient follower = perHop ? twin() : null;
    // Without a twin, the request goes as it was rather than let the client carry our headers on.
    boolean noTwinToFollowWith = perHop && follower == null;
    HttpRequest first = exchange.propagated() && !noTwinToFollowWith ? adapted.result() : request;
    return new ClientCall<>(exchange, request, first, bodyHandler, follower, delegate.followRedirects());
  }

  /**
   * Whether we follow redirects ourselves: only when the client follows them and some URLs are not
   * targets, since only then can hops differ.
   */
  private boolean followsRedirectsItself() {
    if (!twinnable || delegate.followRedirects() == Redirect.NEVER) return false;
    PropagationTargets targets = handler.tracer().propagationTargets();
    return targets != PropagationTargets.all() && targets != PropagationTargets.none();
  }

  /** The wrapped client's settings, but not following redirects; made once, on first need. */
  HttpClient twin() {
    HttpClient t = twin;
    if (t != null || noTwin || shutdown) return t;
    synchronized (twinLock) {
      if (twin == null && !noTwin && !shutdown) {
        try {
          Builder b =
              HttpClient.newBuilder()
                  .followRedirects(Redirect.NEVER)
                  .version(delegate.version())
                  .sslContext(delegate.sslContext())
                  .sslParameters(delegate.sslParameters());
          delegate.cookieHandler().ifPresent(b::cookieHandler);
          delegate.connectTimeout().ifPresent(b::connectTimeout);
          delegate.proxy().ifPresent(b::proxy);
          delegate.authenticator().ifPresent(b::authenticator);
          delegate.executor().ifPresent(b::executor);
          twin = b.build();
        } catch (RuntimeException e) {
          noTwin = true;
          LOG.failed("could not build a client to follow redirects with; requests to targets go out without trace headers", e);
        }
      }
      return twin;
    }
  }

  // ---- everything else: the wrapped client ----

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }

  /** WebSockets are passed through untraced. */
  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    return delegate.newWebSocketBuilder();
  }

  // Java 21+ lifecycle: these override HttpClient's methods there (no @Override: built for 17).

  /** Shuts down the wrapped client (and the redirect twin). Java 21+. */
  public void shutdown() {
    shutdown = true;
    Lifecycle.shutdown(delegate);
    HttpClient t = twin;
    if (t != null) Lifecycle.shutdown(t);
  }

  /** Shuts down the wrapped client now (and the redirect twin). Java 21+. */
  public void shutdownNow() {
    shutdown = true;
    Lifecycle.shutdownNow(delegate);
    HttpClient t = twin;
    if (t != null) Lifecycle.shutdownNow(t);
  }

  /** Waits for the wrapped client (and the redirect twin) to terminate. Java 21+. */
  public boolean awaitTermination(Duration duration) throws InterruptedException {
    long deadline = System.nanoTime() + duration.toNanos();
    boolean done = Lifecycle.awaitTermination(delegate, duration);
    HttpClient t = twin;
    if (t != null) done &= Lifecycle.awaitTermination(t, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    return done;
  }

  /** Whether the wrapped client (and the redirect twin) terminated. Java 21+. */
  public boolean isTerminated() {
    HttpClient t = twin;
    return Lifecycle.isTerminated(delegate) && (t == null || Lifecycle.isTerminated(t));
  }

  /** Closes the wrapped client (and the redirect twin). Java 21+. */
  public void close() {
    shutdown = true;
    HttpClient t = twin;
    if (t != null) Lifecycle.close(t);
    Lifecycle.close(delegate);
  }

  @Override
  public String toString() {
    return "TracingHttpClient(" + delegate + ")";
  }
}
