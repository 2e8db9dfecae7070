package io.sentrytrace;

import java.util.concurrent.Executor;

/**
 * Runs each task with what was current on the thread that called {@link #execute}. Made by {@link
 * Tracer#wrap(Executor)}:
 *
 * <pre>{@code
 * Executor traced = tracer.wrap(executor);
 * traced.execute(() -> client.newCall(request).execute()); // a child of the submitter's span
 * }</pre>
 */
final class ContextExecutor implements Executor {
  private final Executor delegate;

  ContextExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    delegate.execute(CurrentContext.wrap(CurrentContext.get(), task));
  }

  @Override
  public String toString() {
    return "ContextExecutor{" + delegate + '}';
  }
}
