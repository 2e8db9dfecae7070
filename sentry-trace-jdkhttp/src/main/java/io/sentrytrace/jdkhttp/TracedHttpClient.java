package io.sentrytrace.jdkhttp;

import io.sentrytrace.PropagationTargets;
import io.sentrytrace.Tracer;
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
 * The client {@link TracingHttpClient#wrap} returns: every method goes to the wrapped client;
 * {@code send} and {@code sendAsync} add the trace headers and record an {@code http.client} span.
 *
 * <p>Redirects: the JDK client follows them inside {@code send}, copying every request header to
 * the next hop, so a target's trace headers would reach any host it redirects to (and a hop to a
 * target would get none when the first URL is not one). When the client follows redirects and not
 * every URL is a target, the wrapper follows the redirects itself, hop by hop, through a twin of
 * the wrapped client built with the same settings and {@link HttpClient.Redirect#NEVER}, and puts
 * the headers on each hop only when that hop's URL is a target.
 */
final class TracedHttpClient extends HttpClient {
  private final HttpClient delegate;
  private final Tracer tracer;
  /** Only the JDK's own client can be twinned without losing what a custom subclass does. */
  private final boolean twinnable;
  private final Object twinLock = new Object();
  private volatile HttpClient twin;
  private volatile boolean noTwin;
  private volatile boolean shutdown;

  TracedHttpClient(HttpClient delegate, Tracer tracer) {
    this.delegate = delegate;
    this.tracer = tracer;
    this.twinnable = delegate.getClass().getName().startsWith("jdk.internal.net.http.");
  }

  Tracer tracer() {
    return tracer;
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    ClientCall call = request == null || handler == null ? null : ClientCall.start(tracer, request, perHop());
    if (call == null) return delegate.send(request, handler);
    try {
      Route route = route(call);
      HttpResponse<T> response =
          route.follower() == null ? delegate.send(route.first(), handler) : sendFollowing(route, call, handler);
      call.end(response, null);
      return response;
    } catch (Throwable t) {
      call.end(null, t);
      throw t;
    }
  }

  private <T> HttpResponse<T> sendFollowing(Route route, ClientCall call, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    HttpRequest hop = route.first();
    for (int followed = 0; ; followed++) {
      HopHandler<T> hopHandler = new HopHandler<>(call, handler, hop, delegate.followRedirects(), followed);
      HttpResponse<T> response = route.follower().send(hop, hopHandler);
      if (hopHandler.next() == null) return response;
      hop = hopHandler.next();
    }
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    return sendAsync(request, handler, null, false);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> push) {
    return sendAsync(request, handler, push, true);
  }

  private <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> push, boolean withPush) {
    // The parent is the span current here, on the caller's thread; the span ends on the client's.
    ClientCall call = request == null || handler == null ? null : ClientCall.start(tracer, request, perHop());
    if (call == null) {
      return withPush ? delegate.sendAsync(request, handler, push) : delegate.sendAsync(request, handler);
    }
    TracedFuture<T> result = new TracedFuture<>(call);
    try {
      Route route = route(call);
      if (route.follower() == null) {
        CompletableFuture<HttpResponse<T>> sent =
            withPush ? delegate.sendAsync(route.first(), handler, push) : delegate.sendAsync(route.first(), handler);
        result.track(sent);
        sent.whenComplete(result::finish);
      } else {
        sendHop(route.follower(), call, route.first(), handler, push, 0, result);
      }
    } catch (RuntimeException | Error e) {
      call.end(null, e);
      throw e;
    }
    return result;
  }

  private <T> void sendHop(
      HttpClient follower,
      ClientCall call,
      HttpRequest hop,
      HttpResponse.BodyHandler<T> handler,
      HttpResponse.PushPromiseHandler<T> push,
      int followed,
      TracedFuture<T> result) {
    HopHandler<T> hopHandler = new HopHandler<>(call, handler, hop, delegate.followRedirects(), followed);
    CompletableFuture<HttpResponse<T>> sent = follower.sendAsync(hop, hopHandler, push);
    result.track(sent);
    sent.whenComplete(
        (response, error) -> {
          HttpRequest next = error == null ? hopHandler.next() : null;
          if (next == null) {
            result.finish(response, error);
            return;
          }
          try {
            sendHop(follower, call, next, handler, push, followed + 1, result);
          } catch (RuntimeException | Error e) {
            result.finish(null, e);
          }
        });
  }

  /**
   * Which client sends which first request. {@code follower} null: the wrapped client sends {@code
   * first} and follows any redirects itself.
   */
  private record Route(HttpClient follower, HttpRequest first) {}

  private Route route(ClientCall call) {
    if (!perHop()) return new Route(null, call.request());
    HttpClient follower = twin();
    // Without a twin, send the request unchanged rather than let the client carry our headers away.
    return follower != null ? new Route(follower, call.request()) : new Route(null, call.original());
  }

  /**
   * Whether we follow redirects ourselves: only when the client follows them and some URLs are not
   * targets, since only then can hops differ.
   */
  private boolean perHop() {
    PropagationTargets targets = tracer.propagationTargets();
    return twinnable
        && delegate.followRedirects() != Redirect.NEVER
        && targets != PropagationTargets.all()
        && targets != PropagationTargets.none();
  }

  /** The wrapped client's settings, but not following redirects; made once, on first need. */
  private HttpClient twin() {
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
          ClientCall.LOG.failed("could not build a client to follow redirects with; traced requests to targets go out without trace headers", e);
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
