package io.sentrytrace.jdkhttp;

import io.sentrytrace.http.HttpClientExchange;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One traced send: its exchange (span and headers, as {@code HttpClientHandler} decided them), the
 * first hop as it goes out, the body handler that reports the final response to the exchange and,
 * when the wrapper follows redirects itself, the hops: each built as the JDK client builds it, from
 * the user's request, with the trace headers only when its own URL is a target.
 */
final class ClientCall<T> {
  /** The JDK client's own limit ({@code jdk.httpclient.redirects.retrylimit}), same default. */
  private static final int MAX_REDIRECTS = Integer.getInteger("jdk.httpclient.redirects.retrylimit", 5);

  final HttpClientExchange exchange;
  /** The user's request, unchanged: what every redirect hop is built from. */
  private final HttpRequest original;
  /** The first hop as it goes out: the user's request, with the trace headers when they go. */
  final HttpRequest first;
  /** The user's handler; when a span is recorded, one that also reports the final response. */
  final HttpResponse.BodyHandler<T> handler;
  /** The client that sends each hop when the wrapper follows redirects itself; else null. */
  private final HttpClient follower;
  private final HttpClient.Redirect policy;

  ClientCall(
      HttpClientExchange exchange,
      HttpRequest original,
      HttpRequest first,
      HttpResponse.BodyHandler<T> handler,
      HttpClient follower,
      HttpClient.Redirect policy) {
    this.exchange = exchange;
    this.original = original;
    this.first = first;
    this.handler = exchange.span() == null ? handler : new TracedBodyHandler<>(handler, exchange);
    this.follower = follower;
    this.policy = policy;
  }

  /** Whether the wrapper follows this call's redirects itself ({@link #follow}). */
  boolean follows() {
    return follower != null;
  }

  /** Sends the hops one after the other until a response is final; returns that one. */
  HttpResponse<T> follow() throws IOException, InterruptedException {
    HttpRequest hop = first;
    HttpResponse<T> previous = null;
    for (int followed = 0; ; followed++) {
      HopHandler<T> hopHandler = new HopHandler<>(this, hop, followed);
      HttpResponse<T> response = linked(follower.send(hop, hopHandler), previous);
      if (hopHandler.next() == null) return response;
      previous = response;
      hop = hopHandler.next();
    }
  }

  /** Sends {@code hop} and, when its response is a redirect, the next hop; completes {@code result}. */
  void followAsync(
      HttpRequest hop, HttpResponse.PushPromiseHandler<T> push, int followed, HttpResponse<T> previous, TracedFuture<T> result) {
    HopHandler<T> hopHandler = new HopHandler<>(this, hop, followed);
    CompletableFuture<HttpResponse<T>> sent = follower.sendAsync(hop, hopHandler, push);
    result.track(sent);
    sent.whenComplete(
        (response, error) -> {
          HttpRequest next = error == null ? hopHandler.next() : null;
          if (next == null) {
            result.finish(error == null ? linked(response, previous) : null, error);
            return;
          }
          try {
            followAsync(next, push, followed + 1, linked(response, previous), result);
          } catch (RuntimeException | Error e) {
            result.finish(null, e);
          }
        });
  }

  private static <T> HttpResponse<T> linked(HttpResponse<T> response, HttpResponse<T> previous) {
    return previous == null ? response : new FollowedResponse<>(response, previous);
  }

  /**
   * The next hop when {@code response} to {@code hop} is a redirect the JDK client would follow
   * (same codes, method rewrite, scheme rule and limit), built from the user's request, with the
   * trace headers only when its own URL is a target. Null: the response is final (also when
   * anything here fails).
   */
  HttpRequest redirect(HttpRequest hop, HttpResponse.ResponseInfo response, int followed) {
    try {
      int code = response.statusCode();
      if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) return null;
      if (policy == HttpClient.Redirect.NEVER || followed + 1 >= MAX_REDIRECTS) return null;
      Optional<String> location = response.headers().firstValue("Location");
      if (location.isEmpty()) return null;
      URI to;
      try {
        to = hop.uri().resolve(location.get());
      } catch (IllegalArgumentException e) {
        return null; // the server's unusable Location: the user gets its redirect response
      }
      String scheme = to.getScheme();
      if (scheme == null || to.getHost() == null) return null;
      boolean https = scheme.equalsIgnoreCase("https");
      if (!https && !scheme.equalsIgnoreCase("http")) return null;
      if (policy == HttpClient.Redirect.NORMAL && !https && !scheme.equalsIgnoreCase(hop.uri().getScheme())) return null;
      String method = hop.method();
      boolean toGet =
          (code == 303 && !method.equals("HEAD")) || ((code == 301 || code == 302) && method.equals("POST"));
      HttpRequest.Builder next = HttpRequest.newBuilder(original, (name, value) -> true).uri(to);
      // Once a hop turned into a GET, later hops stay GETs without a body.
      if (toGet || !method.equals(original.method())) next.GET();
      HttpRequest plain = next.build();
      JdkHttpRequest withHeaders = new JdkHttpRequest(plain);
      return exchange.propagate(withHeaders) ? withHeaders.result() : plain;
    } catch (RuntimeException e) {
      DelegatingHttpClient.LOG.failed("could not follow a redirect; the redirect response is returned", e);
      return null;
    }
  }
}
