package io.sentrytrace.jdkhttp;

import java.net.http.HttpResponse;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * What {@code sendAsync} returns: completes after the span has ended, with the very response or
 * exception of the client's own future (not wrapped again), and passes a cancel on to the request
 * in flight, as cancelling the JDK client's future does.
 */
final class TracedFuture<T> extends CompletableFuture<HttpResponse<T>> {
  private final ClientCall call;
  private volatile CompletableFuture<?> inFlight;

  TracedFuture(ClientCall call) {
    this.call = call;
  }

  /** The client's future for the hop now in flight. */
  void track(CompletableFuture<?> hop) {
    inFlight = hop;
    if (isCancelled()) hop.cancel(true);
  }

  /** Ends the span, then completes this future as the client's future completed. */
  void finish(HttpResponse<T> response, Throwable error) {
    call.end(response, error);
    if (error != null) completeExceptionally(error);
    else complete(response);
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    if (cancelled) call.end(null, new CancellationException());
    CompletableFuture<?> hop = inFlight;
    if (hop != null) hop.cancel(mayInterruptIfRunning);
    return cancelled;
  }
}
