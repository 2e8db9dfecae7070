package io.sentrytrace.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What reached a test server under load, keyed by a per-request unique id that the sender put in
 * {@link #REQUEST_ID}. A client may send a request once more on its own (the JDK client re-sends a
 * GET on a keep-alive connection the server closed, OkHttp and Apache retry too), so counting
 * arrivals counts the client's retries; a test counts the distinct ids instead, and checks that
 * every arrival, retries included, carried the trace its sender expected.
 *
 * <pre>{@code
 * Arrivals arrivals = new Arrivals();
 * server.createContext("/", exchange -> {
 *   Headers h = exchange.getRequestHeaders();
 *   arrivals.record(h.getFirst(Arrivals.REQUEST_ID), h.getFirst(Arrivals.EXPECTED_TRACE), h.getFirst("sentry-trace"));
 *   ...
 * });
 * ...
 * arrivals.assertEachArrivedWithItsTrace(sentIds);
 * }</pre>
 */
public final class Arrivals {
  /** The header carrying the sender's unique id for one request. */
  public static final String REQUEST_ID = "x-request-id";
  /** The header carrying the trace id the sender expects in {@code sentry-trace}. */
  public static final String EXPECTED_TRACE = "x-expected-trace";

  private static final int EXAMPLES = 5;

  private final Map<String, String> expectedById = new ConcurrentHashMap<>();
  private final AtomicInteger arrivals = new AtomicInteger();
  private final AtomicInteger wrong = new AtomicInteger();
  private final List<String> examples = new CopyOnWriteArrayList<>();

  /**
   * Records one arrival: the request's id, the trace id it should carry, and the {@code
   * sentry-trace} header it came with (null when none). Wrong when an id or the expected trace is
   * missing, the header does not carry the expected trace, or the same id came with another
   * expected trace.
   */
  public void record(String id, String expectedTrace, String sentryTrace) {
    arrivals.incrementAndGet();
    String problem = null;
    if (id == null || expectedTrace == null) {
      problem = "arrival without " + REQUEST_ID + "/" + EXPECTED_TRACE + ": " + id + "/" + expectedTrace;
    } else {
      String before = expectedById.putIfAbsent(id, expectedTrace);
      if (before != null && !before.equals(expectedTrace)) {
        problem = "id " + id + " came with traces " + before + " and " + expectedTrace;
      } else if (sentryTrace == null || !sentryTrace.startsWith(expectedTrace + "-")) {
        problem = "id " + id + " expected trace " + expectedTrace + ", received sentry-trace " + sentryTrace;
      }
    }
    if (problem != null && wrong.incrementAndGet() <= EXAMPLES) examples.add(problem);
  }

  /** Every arrival, the client's own retries included. */
  public int arrivals() {
    return arrivals.get();
  }

  /** The distinct request ids that arrived. */
  public Set<String> ids() {
    return Set.copyOf(expectedById.keySet());
  }

  /** The trace id the request {@code id} expected; null when it never arrived. */
  public String expectedTrace(String id) {
    return expectedById.get(id);
  }

  /** Arrivals that were wrong (see {@link #record}). */
  public int wrong() {
    return wrong.get();
  }

  /**
   * Each of {@code sentIds} arrived (once or more), no other id arrived, and no arrival carried
   * another request's trace.
   */
  public void assertEachArrivedWithItsTrace(Collection<String> sentIds) {
    assertThat(examples).as("arrivals with a wrong trace (%d in all)", wrong.get()).isEmpty();
    assertThat(wrong.get()).as("arrivals with a wrong trace").isZero();
    Set<String> sent = Set.copyOf(sentIds);
    Set<String> arrived = ids();
    // Set differences, not containsExactlyInAnyOrder: that is quadratic, and there are 32,000 ids.
    List<String> missing = sent.stream().filter(id -> !arrived.contains(id)).sorted().limit(EXAMPLES).toList();
    List<String> unknown = arrived.stream().filter(id -> !sent.contains(id)).sorted().limit(EXAMPLES).toList();
    assertThat(missing).as("sent ids that never arrived (%d of %d arrived)", arrived.size(), sent.size()).isEmpty();
    assertThat(unknown).as("ids that arrived but were never sent").isEmpty();
    assertThat(arrived).as("distinct request ids (%d arrivals, retries included)", arrivals.get()).hasSize(sent.size());
  }
}
