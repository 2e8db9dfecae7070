package io.sentrytrace;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs each task given to {@code execute}, {@code submit}, {@code invokeAll} or {@code invokeAny}
 * with what was current on the submitting thread; the lifecycle methods go to the delegate as they
 * are ({@link #shutdownNow()} returns the wrapped tasks, which still run as submitted). Made by
 * {@link Tracer#wrap(ExecutorService)}:
 *
 * <pre>{@code
 * ExecutorService pool = tracer.wrap(Executors.newFixedThreadPool(4));
 * Future<Quote> quote = pool.submit(() -> pricing.quote(cart)); // a child of the submitter's span
 * }</pre>
 */
final class ContextExecutorService implements ExecutorService {
  private final ExecutorService delegate;

  ContextExecutorService(ExecutorService delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    delegate.execute(CurrentContext.wrap(CurrentContext.get(), task));
  }

  @Override
  public <T> Future<T> submit(Callable<T> task) {
    return delegate.submit(CurrentContext.wrap(CurrentContext.get(), task));
  }

  @Override
  public Future<?> submit(Runnable task) {
    return delegate.submit(CurrentContext.wrap(CurrentContext.get(), task));
  }

  @Override
  public <T> Future<T> submit(Runnable task, T result) {
    return delegate.submit(CurrentContext.wrap(CurrentContext.get(), task), result);
  }

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
    return delegate.invokeAll(CurrentContext.wrapAll(CurrentContext.get(), tasks));
  }

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException {
    return delegate.invokeAll(CurrentContext.wrapAll(CurrentContext.get(), tasks), timeout, unit);
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
    return delegate.invokeAny(CurrentContext.wrapAll(CurrentContext.get(), tasks));
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    return delegate.invokeAny(CurrentContext.wrapAll(CurrentContext.get(), tasks), timeout, unit);
  }

  @Override
  public void shutdown() {
    delegate.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    return delegate.shutdownNow();
  }

  @Override
  public boolean isShutdown() {
    return delegate.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return delegate.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return delegate.awaitTermination(timeout, unit);
  }

  @Override
  public String toString() {
    return "ContextExecutorService{" + delegate + '}';
  }
}
