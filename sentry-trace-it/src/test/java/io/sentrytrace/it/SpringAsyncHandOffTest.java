package io.sentrytrace.it;

import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

/** Spring's {@code @Async} methods, run by an executor from {@link Tracer#wrap}, keep the caller's span. */
@SuppressWarnings("try")
class SpringAsyncHandOffTest {
  static final Tracer TRACER = Tracer.builder().tracesSampleRate(1.0).build();

  /** A bean whose methods Spring runs on the executor bean. */
  public static class Worker {
    @Async
    public CompletableFuture<Span> completable() {
      return CompletableFuture.completedFuture(TRACER.currentSpan());
    }

    @Async
    public Future<Span> future() {
      return CompletableFuture.completedFuture(TRACER.currentSpan());
    }

    @Async
    public void fireAndForget(CompletableFuture<Span> seen) {
      seen.complete(TRACER.currentSpan());
    }
  }

  @Configuration
  @EnableAsync
  static class Config {
    @Bean(destroyMethod = "shutdown")
    ExecutorService taskExecutor() {
      return TRACER.wrap(Executors.newFixedThreadPool(2));
    }

    @Bean
    Worker worker() {
      return new Worker();
    }
  }

  private final AnnotationConfigApplicationContext spring = new AnnotationConfigApplicationContext(Config.class);

  @AfterEach
  void closeSpring() {
    spring.close();
  }

  @Test
  void asyncMethodsRunWithTheCallersSpan() throws Exception {
    Worker worker = spring.getBean(Worker.class);
    Span tx = TRACER.startTransaction("POST /orders", "http.server");
    CompletableFuture<Span> completable;
    Future<Span> future;
    CompletableFuture<Span> fired = new CompletableFuture<>();
    try (Scope scope = tx.makeCurrent()) {
      completable = worker.completable();
      future = worker.future();
      worker.fireAndForget(fired);
    }
    assertThat(completable.get(5, TimeUnit.SECONDS)).isSameAs(tx);
    assertThat(future.get(5, TimeUnit.SECONDS)).isSameAs(tx);
    assertThat(fired.get(5, TimeUnit.SECONDS)).isSameAs(tx);
  }

  @Test
  void asyncMethodsCalledWithoutASpanSeeNone() throws Exception {
    Worker worker = spring.getBean(Worker.class);
    Span tx = TRACER.startTransaction("POST /orders", "http.server");
    try (Scope scope = tx.makeCurrent()) {
      assertThat(worker.completable().get(5, TimeUnit.SECONDS)).isSameAs(tx);
    }
    // The same worker threads, called from a thread with nothing current.
    assertThat(worker.completable().get(5, TimeUnit.SECONDS)).isNull();
  }
}
