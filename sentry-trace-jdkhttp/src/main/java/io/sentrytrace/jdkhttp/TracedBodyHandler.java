package io.sentrytrace.jdkhttp;

import io.sentrytrace.http.EndingInputStream;
import io.sentrytrace.http.HttpClientExchange;
import io.sentrytrace.http.internal.HeaderValues;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * The user's body handler, telling the exchange about the final response: {@code response(...)}
 * when its headers arrive (the time to first byte), {@code finish()} once the body is consumed.
 * Consumed means: the body subscriber completed, or its consumer cancelled it (a stream closed
 * early); for the JDK's own {@code BodyHandlers.ofInputStream()} stream, whose subscriber completes
 * as soon as the last bytes have arrived, the stream hit its end or was closed. The user's handler,
 * subscriber and body are used as they are, except that the JDK's stream is handed out wrapped.
 */
final class TracedBodyHandler<T> implements HttpResponse.BodyHandler<T> {
  private final HttpResponse.BodyHandler<T> user;
  private final HttpClientExchange exchange;

  TracedBodyHandler(HttpResponse.BodyHandler<T> user, HttpClientExchange exchange) {
    this.user = user;
    this.exchange = exchange;
  }

  @Override
  public HttpResponse.BodySubscriber<T> apply(HttpResponse.ResponseInfo response) {
    exchange.response(response.statusCode(), HeaderValues.contentLength(response.headers().firstValue("Content-Length").orElse(null)));
    HttpResponse.BodySubscriber<T> subscriber = user.apply(response);
    return subscriber == null ? null : new Subscriber<>(subscriber, exchange);
  }

  private static final class Subscriber<T> implements HttpResponse.BodySubscriber<T> {
    private final HttpResponse.BodySubscriber<T> user;
    private final HttpClientExchange exchange;
    /**
     * True for {@code BodyHandlers.ofInputStream()}, whose subscriber is the JDK's own stream (a
     * class the user can only name as InputStream, so handing out another InputStream is safe):
     * its end or close finishes the exchange, not the subscriber's completion.
     */
    private final boolean stream;

    Subscriber(HttpResponse.BodySubscriber<T> user, HttpClientExchange exchange) {
      this.user = user;
      this.exchange = exchange;
      this.stream = user instanceof InputStream && DelegatingHttpClient.isJdkOwn(user);
    }

    @Override
    @SuppressWarnings("unchecked") // T is InputStream or a supertype of it: see stream
    public CompletionStage<T> getBody() {
      CompletionStage<T> body = user.getBody();
      return stream ? body.thenApply(in -> (T) new EndingInputStream((InputStream) in, exchange)) : body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      user.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {
              subscription.request(n);
            }

            @Override
            public void cancel() {
              exchange.finish(); // the consumer stopped reading: the exchange is over
              subscription.cancel();
            }
          });
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      user.onNext(item);
    }

    @Override
    public void onError(Throwable error) {
      exchange.failed(error);
      user.onError(error);
    }

    @Override
    public void onComplete() {
      // Before the user's subscriber completes the body, so the span has ended when send returns.
      if (!stream) exchange.finish();
      user.onComplete();
    }
  }

}
