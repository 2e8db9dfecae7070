package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.test.LogRecords;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/** Work handed to other threads through Tracer.wrap keeps its parent (issue 10 §3). */
@SuppressWarnings("try")
class ContextHandOffTest {
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).build();
  /** One worker, so that a task can see what the previous one left on the thread. */
  private final ExecutorService pool = Executors.newSingleThreadExecutor();

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(tracer.currentSpan()).isNull();
  }

  private <T> T onPool(Callable<T> task) throws Exception {
    return pool.submit(task).get(5, TimeUnit.SECONDS);
  }

  /** Leaves {@code span} current on the pool thread, as a task that forgot its scope would. */
  private void leaveOnPool(Span span) throws Exception {
    onPool(() -> span.makeCurrent());
  }

  @Test
  void aWrappedRunnableRunsWithTheSpanOfTheThreadThatWrappedIt() throws Exception {
    Span tx = tracer.startTransaction("t", "o");
    Runnable task;
    AtomicReference<Span> seen = new AtomicReference<>();
    try (Scope scope = tx.makeCurrent()) {
      task = tracer.wrap(() -> seen.set(tracer.currentSpan()));
    }
    pool.submit(task).get(5, TimeUnit.SECONDS);
    assertThat(seen.get()).isSameAs(tx);
    assertThat(onPool(tracer::currentSpan)).as("the worker's own context is back").isNull();
  }

  @Test
  void aWrappedCallableReturnsItsResultAndRestoresTheWorkersOwnSpan() throws Exception {
    Span workers = tracer.startTransaction("worker's", "o");
    leaveOnPool(workers);
    Span tx = tracer.startTransaction("t", "o");
    Callable<Span> task;
    try (Scope scope = tx.makeCurrent()) {
      task = tracer.wrap(tracer::currentSpan);
    }
    assertThat(onPool(task)).isSameAs(tx);
    assertThat(onPool(tracer::currentSpan)).isSameAs(workers);
  }

  @Test
  void aWrappedTaskThatThrowsStillRestoresTheWorkersOwnSpan() throws Exception {
    Span workers = tracer.startTransaction("worker's", "o");
    leaveOnPool(workers);
    Span tx = tracer.startTransaction("t", "o");
    Runnable task;
    try (Scope scope = tx.makeCurrent()) {
      task = tracer.wrap((Runnable) () -> { throw new IllegalStateException("boom"); });
    }
    Future<?> failed = pool.submit(task);
    assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("boom");
    assertThat(onPool(tracer::currentSpan)).isSameAs(workers);
  }

  @Test
  void aTaskWrappedWithNothingCurrentDoesNotSeeWhatTheWorkerHas() throws Exception {
    leaveOnPool(tracer.startTransaction("stale", "o"));
    assertThat(onPool(tracer.wrap(tracer::currentSpan))).isNull();
  }

  @Test
  void aWrappedTaskCarriesAPropagationContext() throws Exception {
    Tracer off = Tracer.builder().build();
    PropagationContext incoming =
        off.continueTrace("0123456789abcdef0123456789abcdef-0123456789abcdef-1", "sentry-release=up");
    Callable<Map<String, String>> call;
    try (Scope scope = incoming.makeCurrent()) {
      call =
          off.wrap(
              () -> {
                Map<String, String> headers = new HashMap<>();
                off.inject(off.currentSpan(), headers, Map::get, Map::put);
                return headers;
              });
    }
    Map<String, String> headers = onPool(call);
    assertThat(headers.get("sentry-trace")).isEqualTo("0123456789abcdef0123456789abcdef-" + incoming.spanId() + "-1");
    assertThat(headers.get("baggage")).startsWith("sentry-release=up,").isEqualTo(incoming.frozenDynamicSamplingContext().toHeader());
    assertThat(onPool(off::currentPropagationContext)).isNotSameAs(incoming);
  }

  @Test
  void scopesATaskLeavesOpenAreClosedWhenItEnds() throws Exception {
    Span workers = tracer.startTransaction("worker's", "o");
    leaveOnPool(workers);
    Span tx = tracer.startTransaction("t", "o");
    Runnable leaky;
    try (Scope scope = tx.makeCurrent()) {
      leaky = tracer.wrap(() -> { tx.startChild("c", "forgotten").makeCurrent(); });
    }
    try (LogRecords log = LogRecords.of(Scope.class)) {
      pool.submit(leaky).get(5, TimeUnit.SECONDS);
      assertThat(messages(log)).singleElement().asString().contains("forgotten", "left open by a wrapped task");
    }
    assertThat(onPool(tracer::currentSpan)).isSameAs(workers);
  }

  @Test
  void aWrappedExecutorCapturesTheSubmittingThreadsSpanAtEachSubmit() throws Exception {
    Executor traced = tracer.wrap((Executor) pool::execute);
    Span first = tracer.startTransaction("first", "o");
    Span second = tracer.startTransaction("second", "o");
    CompletableFuture<Span> a;
    CompletableFuture<Span> b;
    try (Scope scope = first.makeCurrent()) {
      a = CompletableFuture.supplyAsync(tracer::currentSpan, traced);
    }
    try (Scope scope = second.makeCurrent()) {
      b = CompletableFuture.supplyAsync(tracer::currentSpan, traced);
    }
    assertThat(a.get(5, TimeUnit.SECONDS)).isSameAs(first);
    assertThat(b.get(5, TimeUnit.SECONDS)).isSameAs(second);
  }

  @Test
  void completableFutureStagesOnAWrappedPoolKeepTheParent() throws Exception {
    ExecutorService traced = tracer.wrap(pool);
    Span tx = tracer.startTransaction("t", "o");
    CompletableFuture<List<Span>> seen;
    try (Scope scope = tx.makeCurrent()) {
      seen =
          CompletableFuture.supplyAsync(tracer::currentSpan, traced)
              .thenApplyAsync(s -> List.of(s, tracer.currentSpan()), traced);
    }
    assertThat(seen.get(5, TimeUnit.SECONDS)).containsExactly(tx, tx);
  }

  @Test
  void everySubmittingMethodOfAWrappedExecutorServiceCarriesTheSpan() throws Exception {
    ExecutorService traced = tracer.wrap(pool);
    Span tx = tracer.startTransaction("t", "o");
    Callable<Span> current = tracer::currentSpan;
    AtomicReference<Span> viaExecute = new AtomicReference<>();
    AtomicReference<Span> viaRunnable = new AtomicReference<>();
    Future<Span> viaCallable;
    Future<String> viaRunnableWithResult;
    List<Future<Span>> viaInvokeAll;
    List<Future<Span>> viaInvokeAllTimed;
    Span viaInvokeAny;
    Span viaInvokeAnyTimed;
    try (Scope scope = tx.makeCurrent()) {
      traced.execute(() -> viaExecute.set(tracer.currentSpan()));
      traced.submit(() -> viaRunnable.set(tracer.currentSpan())).get(5, TimeUnit.SECONDS);
      viaCallable = traced.submit(current);
      viaRunnableWithResult = traced.submit(() -> {}, "done");
      viaInvokeAll = traced.invokeAll(List.of(current, current));
      viaInvokeAllTimed = traced.invokeAll(List.of(current), 5, TimeUnit.SECONDS);
      viaInvokeAny = traced.invokeAny(List.of(current));
      viaInvokeAnyTimed = traced.invokeAny(List.of(current), 5, TimeUnit.SECONDS);
    }
    assertThat(viaExecute.get()).isSameAs(tx);
    assertThat(viaRunnable.get()).isSameAs(tx);
    assertThat(viaCallable.get()).isSameAs(tx);
    assertThat(viaRunnableWithResult.get()).isEqualTo("done");
    for (Future<Span> f : viaInvokeAll) assertThat(f.get()).isSameAs(tx);
    for (Future<Span> f : viaInvokeAllTimed) assertThat(f.get()).isSameAs(tx);
    assertThat(viaInvokeAny).isSameAs(tx);
    assertThat(viaInvokeAnyTimed).isSameAs(tx);
    assertThat(onPool(tracer::currentSpan)).isNull();
  }

  @Test
  void theLifecycleOfAWrappedExecutorServiceIsTheDelegates() throws Exception {
    ExecutorService traced = tracer.wrap(pool);
    assertThat(tracer.wrap(traced)).as("not wrapped twice").isSameAs(traced);
    assertThat(tracer.wrap((Executor) traced)).isSameAs(traced);
    assertThat(traced.isShutdown()).isFalse();
    traced.shutdown();
    assertThat(pool.isShutdown()).isTrue();
    assertThat(traced.isShutdown()).isTrue();
    assertThat(traced.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(traced.isTerminated()).isTrue();
    assertThat(traced.shutdownNow()).isEmpty();
  }

  @Test
  void wrapRejectsNull() {
    assertThatThrownBy(() -> tracer.wrap((Runnable) null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> tracer.wrap((ExecutorService) null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  @EnabledForJreRange(min = JRE.JAVA_21)
  void aVirtualThreadStartedWithAWrappedTaskKeepsTheParent() throws Throwable {
    Span tx = tracer.startTransaction("t", "o");
    AtomicReference<Span> seen = new AtomicReference<>();
    Thread virtual;
    try (Scope scope = tx.makeCurrent()) {
      virtual = startVirtualThread(tracer.wrap(() -> seen.set(tracer.currentSpan())));
    }
    virtual.join(5_000);
    assertThat(seen.get()).isSameAs(tx);
  }

  /** {@code Thread.ofVirtual().start(task)}, called reflectively: this module compiles for Java 17. */
  private static Thread startVirtualThread(Runnable task) throws Throwable {
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    Class<?> builderClass = Class.forName("java.lang.Thread$Builder$OfVirtual");
    Object builder = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(builderClass)).invoke();
    Thread thread =
        (Thread) lookup.findVirtual(builderClass, "start", MethodType.methodType(Thread.class, Runnable.class))
            .invoke(builder, task);
    assertThat((boolean) lookup.findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class))
        .invoke(thread)).isTrue();
    return thread;
  }

  @Test
  void aFailedHandOffSurfacesAsTheExecutorsOwnException() throws Exception {
    ExecutorService traced = tracer.wrap(pool);
    Future<Object> failed = traced.submit(() -> { throw new java.io.IOException("io"); });
    assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(java.io.IOException.class);
  }

  // ---- a task run on the submitting thread closes a scope the submitter opened (issue 19 §6) ----
  // The rule (OpenTelemetry's): closing a scope ends every scope opened after it on the thread,
  // the task's own among them, and restores what was current when it opened. So the task's end
  // must leave the thread as that close left it, and must not throw into the caller.

  /**
   * Runs {@code scenario} with a wrapped executor that runs tasks on the submitting thread: once a
   * direct executor ({@link ContextExecutor}), once a saturated pool with {@code CallerRunsPolicy}
   * ({@link ContextExecutorService}).
   */
  private void onTheSubmittingThread(Consumer<Executor> scenario) throws Exception {
    scenario.accept(tracer.wrap((Executor) Runnable::run));

    CountDownLatch release = new CountDownLatch(1);
    ThreadPoolExecutor saturated = new ThreadPoolExecutor(
        1, 1, 0, TimeUnit.SECONDS, new SynchronousQueue<>(), new ThreadPoolExecutor.CallerRunsPolicy());
    try {
      saturated.execute(() -> {
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      scenario.accept(tracer.wrap(saturated));
    } finally {
      release.countDown();
      saturated.shutdown();
      assertThat(saturated.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static List<String> messages(LogRecords log) {
    return log.records().stream().map(LogRecord::getMessage).toList();
  }

  @Test
  void aTaskOnTheCallersThreadClosingTheCallersOnlyScopeDoesNotThrowAndLeavesNothingCurrent() throws Exception {
    // Expected: inside the task after the close, and in the caller after the task, nothing is
    // current (what was current when the closed scope opened); the caller's own close after it is
    // a second close, ignored.
    onTheSubmittingThread(executor -> {
      CurrentContext.MISUSE.reset();
      Span tx = tracer.startTransaction("t", "o");
      AtomicReference<Thread> ranOn = new AtomicReference<>();
      AtomicReference<Object> seenInside = new AtomicReference<>("not run");
      try (LogRecords log = LogRecords.of(Scope.class)) {
        Scope scope = tx.makeCurrent();
        executor.execute(() -> {
          ranOn.set(Thread.currentThread());
          scope.close();
          seenInside.set(tracer.currentSpan());
        });
        assertThat(ranOn.get()).as(executor.toString()).isSameAs(Thread.currentThread());
        assertThat(seenInside.get()).as("inside the task, after the close").isNull();
        assertThat(tracer.currentSpan()).as("the caller, after the task").isNull();
        scope.close();
        assertThat(tracer.currentSpan()).isNull();
        assertThat(log.levels()).containsExactly(Level.WARNING, Level.FINE);
        assertThat(messages(log).get(0)).contains("closed while scopes opened after it were still open");
        assertThat(messages(log).get(1)).contains("closed twice");
      }
      tx.finish();
    });
  }

  @Test
  void aTaskOnTheCallersThreadClosingTheInnerOfTwoCallerScopesLeavesTheOuterCurrent() throws Exception {
    // Expected: after the task the caller sees the outer span (current when the inner scope
    // opened); the caller's inner close is ignored; its outer close leaves nothing current.
    onTheSubmittingThread(executor -> {
      CurrentContext.MISUSE.reset();
      Span outer = tracer.startTransaction("outer", "o");
      Span inner = outer.startChild("inner", "o");
      AtomicReference<Object> seenInside = new AtomicReference<>("not run");
      try (LogRecords log = LogRecords.of(Scope.class)) {
        Scope outerScope = outer.makeCurrent();
        Scope innerScope = inner.makeCurrent();
        executor.execute(() -> {
          innerScope.close();
          seenInside.set(tracer.currentSpan());
        });
        assertThat(seenInside.get()).as("inside the task, after the close").isSameAs(outer);
        assertThat(tracer.currentSpan()).as("the caller, after the task").isSameAs(outer);
        innerScope.close();
        assertThat(tracer.currentSpan()).isSameAs(outer);
        outerScope.close();
        assertThat(tracer.currentSpan()).isNull();
        assertThat(log.levels()).containsExactly(Level.WARNING, Level.FINE);
        assertThat(messages(log).get(1)).contains("closed twice");
      }
      inner.finish();
      outer.finish();
    });
  }

  @Test
  void aScopeATaskOpensAfterClosingTheCallersScopeEndsWithTheTask() throws Exception {
    // Expected: the scope the task opened after the close (and left open) ends with the task; the
    // caller sees the outer span again, as the close left it.
    onTheSubmittingThread(executor -> {
      CurrentContext.MISUSE.reset();
      Span outer = tracer.startTransaction("outer", "o");
      Span inner = outer.startChild("inner", "o");
      Span forgotten = outer.startChild("forgotten", "o");
      try (LogRecords log = LogRecords.of(Scope.class)) {
        Scope outerScope = outer.makeCurrent();
        Scope innerScope = inner.makeCurrent();
        executor.execute(() -> {
          innerScope.close();
          forgotten.makeCurrent();
        });
        assertThat(tracer.currentSpan()).as("the caller, after the task").isSameAs(outer);
        outerScope.close();
        assertThat(tracer.currentSpan()).isNull();
        assertThat(messages(log)).hasSize(2);
        assertThat(messages(log).get(1)).contains("forgotten", "left open by a wrapped task");
      }
      forgotten.finish();
      inner.finish();
      outer.finish();
    });
  }

  @Test
  void aTaskOnTheCallersThreadThatClosesNothingLeavesTheCallersScopes() throws Exception {
    // Expected: the caller's inner span is current after the task, as before it; nothing logged.
    onTheSubmittingThread(executor -> {
      CurrentContext.MISUSE.reset();
      Span outer = tracer.startTransaction("outer", "o");
      Span inner = outer.startChild("inner", "o");
      AtomicReference<Object> seenInside = new AtomicReference<>("not run");
      try (LogRecords log = LogRecords.of(Scope.class)) {
        try (Scope outerScope = outer.makeCurrent(); Scope innerScope = inner.makeCurrent()) {
          executor.execute(() -> seenInside.set(tracer.currentSpan()));
          assertThat(seenInside.get()).isSameAs(inner);
          assertThat(tracer.currentSpan()).isSameAs(inner);
        }
        assertThat(log.levels()).isEmpty();
      }
      inner.finish();
      outer.finish();
    });
  }
}
