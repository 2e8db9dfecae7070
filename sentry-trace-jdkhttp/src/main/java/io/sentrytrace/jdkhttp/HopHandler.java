package io.sentrytrace.jdkhttp;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * The body handler of one hop when the wrapper follows redirects itself: a redirect it follows has
 * its body discarded and remembers the next hop; any other response goes to the call's handler,
 * which thus sees only the final response, as with the JDK client's own redirects.
 */
final class HopHandler<T> implements HttpResponse.BodyHandler<T> {
  private final ClientCall<T> call;
  private final HttpRequest hop;
  private final int followed;
  private volatile HttpRequest next;

  HopHandler(ClientCall<T> call, HttpRequest hop, int followed) {
    this.call = call;
    this.hop = hop;
    this.followed = followed;
  }

  @Override
  public HttpResponse.BodySubscriber<T> apply(HttpResponse.ResponseInfo response) {
    HttpRequest redirect = call.redirect(hop, response, followed);
    if (redirect == null) return call.handler.apply(response);
    next = redirect;
    return HttpResponse.BodySubscribers.replacing(null);
  }

  /** The request to send next, or null when the response was final. */
  HttpRequest next() {
    return next;
  }
}
