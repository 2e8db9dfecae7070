package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.internal.Instrumentation;
import io.sentrytrace.test.LogRecords;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // scopes are opened for their effect, not referenced
class ScopeTest {
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).build();
  /** The misuses these tests commit on purpose are logged; the tests about logging assert them. */
  private final LogRecords misuses = LogRecords.of(Scope.class);

  @AfterEach
  void nothingLeaksIntoTheNextTest() {
    misuses.close();
    assertThat(tracer.currentSpan()).isNull();
    assertThat(Instrumentation.isSuppressed()).isFalse();
  }

  @Test
  void makeCurrentThenCloseRestoresNothing() {
    Span tx = tracer.startTransaction("t", "o");
    assertThat(tracer.currentSpan()).isNull();
    try (Scope scope = tx.makeCurrent()) {
      assertThat(tracer.currentSpan()).isSameAs(tx);
    }
    assertThat(tracer.currentSpan()).isNull();
  }

  @Test
  void nestedScopesRestoreThePreviousSpan() {
    Span tx = tracer.startTransaction("t", "o");
    Span child = tx.startChild("c", "d");
    Span grandchild = child.startChild("g", "h");
    try (Scope a = tx.makeCurrent()) {
      try (Scope b = child.makeCurrent()) {
        try (Scope c = grandchild.makeCurrent()) {
          assertThat(tracer.currentSpan()).isSameAs(grandchild);
        }
        assertThat(tracer.currentSpan()).isSameAs(child);
      }
      assertThat(tracer.currentSpan()).isSameAs(tx);
    }
    assertThat(tracer.currentSpan()).isNull();
  }

  @Test
  void makingTheCurrentSpanCurrentAgainKeepsItUntilTheOuterScopeCloses() {
    Span tx = tracer.startTransaction("t", "o");
    try (Scope outer = tx.makeCurrent()) {
      try (Scope inner = tx.makeCurrent()) {
        assertThat(tracer.currentSpan()).isSameAs(tx);
      }
      assertThat(tracer.currentSpan()).isSameAs(tx);
    }
    assertThat(tracer.currentSpan()).isNull();
  }

  @Test
  void closingTwiceDoesNotUndoAnotherScope() {
    Span a = tracer.startTransaction("a", "o");
    Span b = tracer.startTransaction("b", "o");
    try (Scope sa = a.makeCurrent()) {
      Scope sb = b.makeCurrent();
      sb.close();
      sb.close();
      assertThat(tracer.currentSpan()).isSameAs(a);
    }
  }

  @Test
  void closingOnAnotherThreadChangesNothing() throws Exception {
    Span tx = tracer.startTransaction("t", "o");
    try (Scope scope = tx.makeCurrent()) {
      Thread other = new Thread(scope::close);
      other.start();
      other.join(5_000);
      assertThat(tracer.currentSpan()).isSameAs(tx);
    }
  }

  @Test
  void currentSpanIsPerThread() throws Exception {
    Span tx = tracer.startTransaction("t", "o");
    AtomicReference<Span> seen = new AtomicReference<>(tx);
    try (Scope scope = tx.makeCurrent()) {
      Thread other = new Thread(() -> seen.set(tracer.currentSpan()));
      other.start();
      other.join(5_000);
    }
    assertThat(seen.get()).isNull();
  }

  @Test
  void propagationContextMadeCurrentIsUsedByInjectWithoutASpan() {
    Tracer off = Tracer.builder().build();
    PropagationContext ctx = off.continueTrace("0123456789abcdef0123456789abcdef-0123456789abcdef-1", "sentry-release=up,other=x");
    Map<String, String> inScope = new HashMap<>();
    try (Scope scope = ctx.makeCurrent()) {
      assertThat(off.currentPropagationContext()).isSameAs(ctx);
      assertThat(off.currentSpan()).as("a context is not a span").isNull();
      off.inject((Span) null, inScope, Map::get, Map::put);
    }
    assertThat(inScope.get("sentry-trace")).isEqualTo("0123456789abcdef0123456789abcdef-" + ctx.spanId() + "-1");
    assertThat(Baggage.parse(inScope.get("baggage"))).isEqualTo(ctx.frozenDynamicSamplingContext());
    assertThat(inScope.get("baggage")).contains("sentry-release=up").doesNotContain("other");

    // After the scope: the tracer's own context, another trace, the same on every call.
    Map<String, String> after = new HashMap<>();
    off.inject((Span) null, after, Map::get, Map::put);
    assertThat(off.currentPropagationContext()).isNotSameAs(ctx).isSameAs(off.currentPropagationContext());
    assertThat(after.get("sentry-trace")).doesNotStartWith("0123456789abcdef0123456789abcdef")
        .startsWith(off.currentPropagationContext().traceId().toString())
        .hasSize(49);
  }

  @Test
  void aNewTraceMadeCurrentPropagatesAsTheHead() {
    Tracer off = Tracer.builder().release("r").build();
    PropagationContext head = off.newTrace();
    Map<String, String> carrier = new HashMap<>();
    try (Scope scope = head.makeCurrent()) {
      off.inject((Span) null, carrier, Map::get, Map::put);
    }
    assertThat(carrier.get("sentry-trace")).isEqualTo(head.traceId() + "-" + head.spanId());
    assertThat(Baggage.parse(carrier.get("baggage")).sentryValues())
        .containsEntry("trace_id", head.traceId().toString())
        .containsEntry("release", "r")
        .containsEntry("sample_rand", SampleRand.format(head.sampleRand()))
        .doesNotContainKey("sampled");
  }

  @Test
  void suppressionLastsUntilItsScopeCloses() {
    assertThat(Instrumentation.isSuppressed()).isFalse();
    try (Scope outer = Instrumentation.suppress()) {
      assertThat(Instrumentation.isSuppressed()).isTrue();
      try (Scope inner = Instrumentation.suppress()) {
        assertThat(Instrumentation.isSuppressed()).isTrue();
      }
      assertThat(Instrumentation.isSuppressed()).as("the inner scope does not end the outer one").isTrue();
    }
    assertThat(Instrumentation.isSuppressed()).isFalse();
  }

  // ---- scopes closed out of order, twice or on another thread (rules in Scope's javadoc) ----

  @Test
  void closingAnOuterScopeFirstEndsTheInnerOneAndRestoresWhatWasBeforeBoth() {
    Span a = tracer.startTransaction("a", "o");
    Span b = tracer.startTransaction("b", "o");
    Scope sa = a.makeCurrent();
    Scope sb = b.makeCurrent();
    sa.close();
    assertThat(tracer.currentSpan()).as("b's scope ended with a's").isNull();
    sb.close();
    assertThat(tracer.currentSpan()).as("neither a nor b is restored").isNull();
  }

  @Test
  void closingOutOfOrderInsideAnOuterScopeReturnsToTheOuterSpan() {
    Span outer = tracer.startTransaction("outer", "o");
    Span a = tracer.startTransaction("a", "o");
    Span b = tracer.startTransaction("b", "o");
    try (Scope so = outer.makeCurrent()) {
      Scope sa = a.makeCurrent();
      Scope sb = b.makeCurrent();
      sa.close();
      sb.close();
      assertThat(tracer.currentSpan()).isSameAs(outer);
    }
  }

  @Test
  void closingOutOfOrderInsideOutThreeDeepEndsWithNothingCurrent() {
    Span a = tracer.startTransaction("a", "o");
    Span b = a.startChild("b", "d");
    Span c = b.startChild("c", "d");
    Scope sa = a.makeCurrent();
    Scope sb = b.makeCurrent();
    Scope sc = c.makeCurrent();
    sb.close();
    assertThat(tracer.currentSpan()).as("c ended with b; a is back").isSameAs(a);
    sa.close();
    assertThat(tracer.currentSpan()).isNull();
    sc.close();
    assertThat(tracer.currentSpan()).isNull();
  }

  @Test
  void anOuterScopeClosedTwiceOutOfOrderChangesNothingTheSecondTime() {
    Span a = tracer.startTransaction("a", "o");
    Span b = tracer.startTransaction("b", "o");
    Scope sa = a.makeCurrent();
    Scope sb = b.makeCurrent();
    sa.close();
    Scope sc = b.makeCurrent();
    sa.close();
    assertThat(tracer.currentSpan()).as("a scope opened after the first close survives the second").isSameAs(b);
    sc.close();
    sb.close();
    sb.close();
    assertThat(tracer.currentSpan()).isNull();
  }

  @Test
  void theCurrentSpanMadeCurrentAgainAndClosedOutOfOrderIsNotLeftBehind() {
    Span a = tracer.startTransaction("a", "o");
    Scope first = a.makeCurrent();
    Scope again = a.makeCurrent();
    first.close();
    assertThat(tracer.currentSpan()).isNull();
    again.close();
    assertThat(tracer.currentSpan()).isNull();
  }

  @Test
  void aPropagationContextClosedOutOfOrderIsNotLeftCurrent() {
    Tracer off = Tracer.builder().build();
    PropagationContext root = off.currentPropagationContext();
    PropagationContext ctx = off.newTrace();
    Span b = off.startTransaction("b", "o");
    Scope sc = ctx.makeCurrent();
    Scope sb = b.makeCurrent();
    sc.close();
    sb.close();
    assertThat(off.currentPropagationContext()).isSameAs(root);
  }

  @Test
  void closingOnAnotherThreadLeavesThatThreadsOwnScopeAlone() throws Exception {
    Span mine = tracer.startTransaction("mine", "o");
    Span theirs = tracer.startTransaction("theirs", "o");
    AtomicReference<Span> seenThere = new AtomicReference<>();
    try (Scope scope = mine.makeCurrent()) {
      Thread other =
          new Thread(
              () -> {
                try (Scope own = theirs.makeCurrent()) {
                  scope.close();
                  seenThere.set(tracer.currentSpan());
                }
              });
      other.start();
      other.join(5_000);
      assertThat(tracer.currentSpan()).isSameAs(mine);
    }
    assertThat(seenThere.get()).isSameAs(theirs);
  }

  @Test
  void eachMisuseIsReportedWarningTheFirstTimeThenDebug() throws Exception {
    CurrentContext.MISUSE.reset();
    Span a = tracer.startTransaction("a", "o");
    Span b = tracer.startTransaction("b", "o");
    try (LogRecords log = LogRecords.of(Scope.class)) {
      Scope sa = a.makeCurrent();
      Scope sb = b.makeCurrent();
      sa.close(); // out of order
      assertThat(log.levels()).containsExactly(Level.WARNING);
      assertThat(log.records().get(0).getThrown()).as("the stack of the bad close").isNotNull();
      sa.close(); // twice
      Thread other = new Thread(sb::close); // another thread
      other.start();
      other.join(5_000);
      sb.close(); // ended with sa: a second close
      assertThat(log.levels()).containsExactly(Level.WARNING, Level.FINE, Level.FINE, Level.FINE);
      assertThat(log.records().get(2).getMessage()).contains("closed on thread", other.getName());
      assertThat(log.records().get(3).getMessage()).contains("closed twice");
    }
  }

  @Test
  void aCorrectlyNestedScopeIsNotReported() {
    CurrentContext.MISUSE.reset();
    Span a = tracer.startTransaction("a", "o");
    try (LogRecords log = LogRecords.of(Scope.class)) {
      try (Scope outer = a.makeCurrent(); Scope inner = a.startChild("c", "d").makeCurrent()) {
        assertThat(tracer.currentSpan()).isNotSameAs(a);
      }
      assertThat(log.levels()).isEmpty();
    }
  }
}
