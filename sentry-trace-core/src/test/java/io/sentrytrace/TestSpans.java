package io.sentrytrace;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Test helpers shared by several test classes. */
final class TestSpans {
  private TestSpans() {}

  /**
   * A transaction with exactly these outgoing headers (a span id cannot be chosen through the
   * public API): {@code sentryTrace} names the span, {@code baggage} (null: none) is its DSC.
   */
  static Span spanWith(String sentryTrace, String baggage) {
    SentryTrace st = SentryTrace.parse(sentryTrace).orElseThrow();
    Baggage dsc = baggage == null ? Baggage.empty() : Baggage.parse(baggage);
    TransactionState state = new TransactionState("tx", false, st.sampled(), null, 0.5, dsc, null);
    return new Span(Tracer.builder().build(), state, true, st.traceId(), st.spanId(), null, "http.server", "tx");
  }

  /** A clock that only moves when told to. */
  static final class ManualClock extends Clock {
    private Instant now;

    ManualClock(Instant start) {
      this.now = start;
    }

    synchronized void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public synchronized Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
