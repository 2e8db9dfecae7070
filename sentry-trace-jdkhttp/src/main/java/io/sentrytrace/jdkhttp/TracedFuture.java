package io.sentrytrace.jdkhttp;

import io.sentrytrace.http.HttpClientExchange;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

/**
 * What {@code sendAsync} returns: completes with the very response or exception of the client's
 * own future (not wrapped again), a failure only after the exchange has ended with it, and passes a
 * cancel on to the hop in flight, as cancelling the JDK client's future does; a cancel ends the
 * exchange {@code cancelled}.
 */
final class TracedFuture<T> extends CompletableFuture<HttpResponse<T>> {
  private final HttpClientExchange exchange;
  private volatile CompletableFuture<?> inFlight;

  TracedFuture(HttpClientExchange exchange) {
    this.exchange = exchange;
  }

  /** The client's future for the hop now in flight. */
  void track(CompletableFuture<?> hop) {
    inFlight = hop;
    if (isCancelled()) hop.cancel(true);
  }

  /** Completes this future as the client's future completed; a failure ends the exchange first. */
  void finish(HttpResponse<T> response, Throwable error) {
    if (error != null) {
      exchange.failed(error);
      completeExceptionally(error);
    } else {
      complete(response); // the body handler has ended the exchange, or will when the body is read
    }
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    if (cancelled) exchange.cancelled();
    CompletableFuture<?> hop = inFlight;
    if (hop != null) hop.cancel(mayInterruptIfRunning);
    return cancelled;
  }
}
