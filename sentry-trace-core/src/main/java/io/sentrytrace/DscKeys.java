package io.sentrytrace;

/**
 * The keys of Sentry's dynamic sampling context. When a DSC is over the W3C limits, these are
 * kept and written before unknown {@code sentry-} members, in {@link #PRIORITY} order.
 */
final class DscKeys {
  /**
   * Every known key, most needed first: what keeps sampling consistent along the trace (the trace
   * id, the random value and the rate the decision used), then what names its origin, then what
   * describes it. Values a tracer writes itself ({@code sample_rand}) are short, so they always fit.
   */
  static final String[] PRIORITY = {
    "trace_id", "sample_rand", "sample_rate", "sampled", "public_key", "org_id", "environment", "release",
    "transaction", "replay_id", "user_segment", "user_id"
  };

  private DscKeys() {}

  /** The key as its shared constant when {@code s[from, to)} is a known key, else null. */
  static String known(CharSequence s, int from, int to) {
    int length = to - from;
    for (String key : PRIORITY) {
      if (key.length() == length && Strings.regionMatches(s, from, key)) return key;
    }
    return null;
  }

  static boolean isKnown(String key) {
    for (String known : PRIORITY) {
      if (known.equals(key)) return true;
    }
    return false;
  }
}
