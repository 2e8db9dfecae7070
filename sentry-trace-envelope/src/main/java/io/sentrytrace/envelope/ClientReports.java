package io.sentrytrace.envelope;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What was discarded, and why, since the last client report went out (Sentry's develop docs,
 * "Client Reports"): counts per reason and category, taken (reset) when a report is attached to an
 * envelope, and given back when that envelope does not arrive. Thread-safe, lock-free.
 */
final class ClientReports {
  /** The discard reasons this exporter reports. */
  enum Reason {
    QUEUE_OVERFLOW("queue_overflow"),
    RATELIMIT_BACKOFF("ratelimit_backoff"),
    NETWORK_ERROR("network_error"),
    SEND_ERROR("send_error"),
    INTERNAL_SDK_ERROR("internal_sdk_error"),
    SAMPLE_RATE("sample_rate");

    final String wireName;

    Reason(String wireName) {
      this.wireName = wireName;
    }

    static Reason of(String wireName) {
      for (Reason r : values()) if (r.wireName.equals(wireName)) return r;
      return null;
    }
  }

  static final String TRANSACTION = "transaction";
  static final String SPAN = "span";
  private static final String[] CATEGORIES = {TRANSACTION, SPAN};
  private static final byte[] TYPE_CLIENT_REPORT = JsonOut.quotedMember("type", "client_report");

  /** [reason.ordinal() * 2 + category]: category 0 transactions, 1 spans. */
  private final AtomicLongArray counts = new AtomicLongArray(Reason.values().length * 2);

  /** Counts a transaction carrying {@code spans} spans (its own included) discarded for {@code reason}. */
  void transaction(Reason reason, long spans) {
    counts.addAndGet(reason.ordinal() * 2, 1);
    counts.addAndGet(reason.ordinal() * 2 + 1, spans);
  }

  /** Counts what the tracer reports; reasons and categories this exporter does not report are ignored. */
  void add(String reason, String category, long quantity) {
    Reason r = Reason.of(reason);
    int c = TRANSACTION.equals(category) ? 0 : SPAN.equals(category) ? 1 : -1;
    if (r == null || c < 0 || quantity <= 0) return;
    counts.addAndGet(r.ordinal() * 2 + c, quantity);
  }

  /** The count for one reason and category (for tests and toString). */
  long count(Reason reason, String category) {
    return counts.get(reason.ordinal() * 2 + (SPAN.equals(category) ? 1 : 0));
  }

  /** Takes every count (leaving zero); null when there is nothing to report. */
  long[] take() {
    long[] taken = null;
    for (int i = 0; i < counts.length(); i++) {
      if (counts.get(i) == 0) continue;
      long n = counts.getAndSet(i, 0);
      if (n == 0) continue;
      if (taken == null) taken = new long[counts.length()];
      taken[i] = n;
    }
    return taken;
  }

  /** Gives back counts taken for a report that did not reach Sentry. */
  void giveBack(long[] taken) {
    if (taken == null) return;
    for (int i = 0; i < taken.length; i++) if (taken[i] != 0) counts.addAndGet(i, taken[i]);
  }

  /** The {@code client_report} item (header line, payload line) for counts {@link #take()}n. */
  static byte[] item(long[] taken, Instant now) {
    JsonOut payload = new JsonOut(256);
    payload.beginObject().name("timestamp").isoInstant(now).name("discarded_events").beginArray();
    Reason[] reasons = Reason.values();
    for (int i = 0; i < taken.length; i++) {
      if (taken[i] == 0) continue;
      payload.beginObject().name("reason").plainString(reasons[i / 2].wireName)
          .name("category").plainString(CATEGORIES[i % 2]).name("quantity").number(taken[i]).endObject();
    }
    payload.endArray().endObject();
    JsonOut out = new JsonOut(payload.size() + 64);
    out.beginObject().member(TYPE_CLIENT_REPORT).name("length").number(payload.size()).endObject().newline();
    byte[] item = new byte[out.size() + payload.size() + 1];
    int at = out.copyTo(item, 0);
    at = payload.copyTo(item, at);
    item[at] = '\n';
    return item;
  }
}
