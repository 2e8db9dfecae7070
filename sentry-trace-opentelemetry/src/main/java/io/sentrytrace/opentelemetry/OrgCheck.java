package io.sentrytrace.opentelemetry;

import io.sentrytrace.Baggage;

/**
 * The org check of sentry-trace's {@code Tracer.continueTrace}, made before the DSC is read: the
 * incoming {@code sentry-org_id} is found by scanning the members and decoding only those that can
 * be it, with the core's own {@link Baggage#parse}, so both read the same value.
 */
final class OrgCheck {
  private static final String KEY = "sentry-org_id";

  private final String orgId;
  private final boolean strict;

  OrgCheck(String orgId, boolean strict) {
    this.orgId = orgId;
    this.strict = strict;
  }

  /** Whether nothing in the baggage can change the answer. */
  boolean alwaysContinues() {
    return orgId == null && !strict;
  }

  boolean continues(String baggage) {
    if (alwaysContinues()) return true;
    String incoming = incomingOrg(baggage);
    if (incoming != null && orgId != null) return incoming.equals(orgId);
    if (strict) return incoming == null && orgId == null;
    return true;
  }

  /** The last {@code sentry-org_id} value, decoded as {@link Baggage#parse} does; null if none. */
  static String incomingOrg(String baggage) {
    if (baggage == null || baggage.indexOf("sentry-") < 0) return null;
    String org = null;
    int length = baggage.length();
    int start = 0;
    while (start < length) {
      int end = baggage.indexOf(',', start);
      if (end < 0) end = length;
      int keyStart = start;
      while (keyStart < end && isOws(baggage.charAt(keyStart))) keyStart++;
      if (baggage.startsWith("sentry-", keyStart)) {
        int eq = baggage.indexOf('=', keyStart);
        int keyEnd = eq < 0 || eq > end ? end : eq;
        while (keyEnd > keyStart && isOws(baggage.charAt(keyEnd - 1))) keyEnd--;
        boolean candidate =
            (keyEnd - keyStart == KEY.length() && baggage.startsWith(KEY, keyStart))
                || hasPercent(baggage, keyStart, keyEnd);
        if (candidate) {
          String value = Baggage.parse(baggage.substring(start, end)).get("org_id");
          if (value != null) org = value;
        }
      }
      start = end + 1;
    }
    return org;
  }

  /** A percent-encoded key may decode to {@code org_id}. */
  private static boolean hasPercent(String s, int from, int to) {
    int i = s.indexOf('%', from);
    return i >= 0 && i < to;
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }
}
