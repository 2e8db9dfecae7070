package io.sentrytrace.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The soak at CI size: 20,000 requests over the three clients, 64 at once, while the loopback
 * Sentry stalls, answers 500 and 429, and refuses connections. Bounded: 2.5 minutes of load at most.
 */
class SoakTest {
  @Test
  @Timeout(170)
  void failingSentryNeverReachesRequestsAndLeavesNothingBehind() throws Exception {
    Soak.Result result = run(Soak.Options.ci().wrapWorkers(true));

    assertThat(result.complete()).as("all 20,000 requests ran within the time bound").isTrue();
    assertThat(result.checks()).as("invariants").allSatisfy(c -> assertThat(c.pass()).as(c.name() + ": " + c.detail()).isTrue());
  }

  /**
   * A handler that leaves a scope open on the JDK server's own (unwrapped) pool: its worker thread
   * must not start the next request with that scope. Today it does: SentryTraceFilter.doFilter
   * closes its own scope under the handler's, which core's rules treat as an out-of-order close
   * (logged, the newer scope stays current), so the scope outlives the request.
   */
  @Test
  @Timeout(170)
  @Disabled("SentryTraceFilter (sentry-trace-jdkhttp) leaves a handler's open scope on the worker thread; see the report")
  void handlerScopeLeftOpenIsNotCarriedIntoTheNextRequest() throws Exception {
    Soak.Result result = run(Soak.Options.ci());

    assertThat(result.checks()).filteredOn(c -> c.name().startsWith("scopes left open"))
        .singleElement().satisfies(c -> assertThat(c.pass()).as(c.detail()).isTrue());
  }

  private static Soak.Result run(Soak.Options options) throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    Soak.Result result;
    try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      result = new Soak(options, out).run();
      Soak.print(result, out);
    }
    System.out.println(buffer.toString(StandardCharsets.UTF_8));
    return result;
  }
}
