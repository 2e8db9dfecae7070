package io.sentrytrace;

import java.util.Map;
import java.util.Objects;

/**
 * The {@code sentry-} members of a W3C {@code baggage} header: Sentry's dynamic sampling context
 * (DSC). Immutable. Other vendors' members are never kept: they belong to the request they came
 * with, not to the requests we send.
 *
 * <pre>{@code
 * Baggage incoming = Baggage.parse(request.header(Baggage.HEADER));
 * String release = incoming.sentryValues().get("release");
 * String outgoing = Baggage.merge(existingBaggageHeader, span.toBaggage());
 * }</pre>
 */
public final class Baggage {
  /** The header name. */
  public static final String HEADER = "baggage";
  /** Longest header we write (W3C: at least 8192 bytes must be propagated). */
  public static final int MAX_HEADER_LENGTH = 8192;
  /** Most members we write in one header (W3C: at least 64 must be propagated). */
  public static final int MAX_MEMBERS = 64;

  static final String SENTRY_PREFIX = "sentry-";
  private static final Baggage EMPTY = new Baggage(SentryValues.EMPTY);

  private final SentryValues sentryValues;
  private String header;

  private Baggage(SentryValues sentryValues) {
    this.sentryValues = sentryValues;
  }

  /** No members. */
  public static Baggage empty() {
    return EMPTY;
  }

  /**
   * Baggage with these {@code sentry-} values (keys without the prefix). Null or empty keys and
   * values are left out.
   */
  public static Baggage of(Map<String, String> sentryValues) {
    SentryValues.Builder copy = new SentryValues.Builder(Integer.MAX_VALUE);
    for (Map.Entry<String, String> e : sentryValues.entrySet()) {
      if (e.getKey() != null && !e.getKey().isEmpty() && e.getValue() != null && !e.getValue().isEmpty()) {
        copy.put(e.getKey(), e.getValue());
      }
    }
    SentryValues values = copy.build();
    return values.isEmpty() ? EMPTY : new Baggage(values);
  }

  /**
   * Reads the {@code sentry-} members of a {@code baggage} header. Members are split at commas and
   * at their first {@code =}; whitespace around members, keys and values is ignored; properties
   * after {@code ;} stay in the value; keys and values are percent-decoded; members that are empty
   * or do not decode are dropped; the last of duplicate keys wins; keys are case-sensitive. At most
   * {@link #MAX_MEMBERS} Sentry values are kept. Never throws; null or garbage gives empty baggage.
   */
  public static Baggage parse(CharSequence header) {
    if (header == null) return EMPTY;
    SentryValues.Builder values = null;
    int length = header.length();
    int start = 0;
    while (start < length) {
      int end = indexOf(header, ',', start, length);
      int keyStart = skipOws(header, start, end);
      if (startsWith(header, keyStart, end, SENTRY_PREFIX)) {
        int eq = indexOf(header, '=', keyStart, end);
        if (eq < end) {
          int keyEnd = trimEnd(header, keyStart, eq);
          int valueStart = skipOws(header, eq + 1, end);
          int valueEnd = trimEnd(header, valueStart, end);
          String key = knownKey(header, keyStart + SENTRY_PREFIX.length(), keyEnd);
          if (key == null) key = PercentCodec.decode(header, keyStart + SENTRY_PREFIX.length(), keyEnd);
          String value = valueStart < valueEnd ? PercentCodec.decode(header, valueStart, valueEnd) : null;
          if (key != null && !key.isEmpty() && value != null && !value.isEmpty()) {
            if (values == null) values = new SentryValues.Builder(MAX_MEMBERS);
            values.put(key, value);
          }
        }
      }
      start = end + 1;
    }
    return values == null ? EMPTY : new Baggage(values.build());
  }

  /**
   * The header for an outgoing request that may already carry a {@code baggage} header: its other
   * vendors' members are kept as they are, its {@code sentry-} members are replaced by ours. Sending
   * the same request twice therefore never grows the header. Returns an empty string when nothing
   * is left to send.
   */
  public static String merge(String existingHeader, Baggage sentry) {
    Objects.requireNonNull(sentry, "sentry");
    if (existingHeader == null || existingHeader.isEmpty()) return sentry.toHeader();
    StringBuilder out = new StringBuilder(existingHeader.length() + 128);
    int members = 0;
    int length = existingHeader.length();
    int start = 0;
    while (start < length) {
      int end = indexOf(existingHeader, ',', start, length);
      int memberStart = skipOws(existingHeader, start, end);
      int memberEnd = trimEnd(existingHeader, memberStart, end);
      if (memberStart < memberEnd && !startsWith(existingHeader, memberStart, memberEnd, SENTRY_PREFIX)) {
        if (out.length() > 0) out.append(',');
        out.append(existingHeader, memberStart, memberEnd);
        members++;
      }
      start = end + 1;
    }
    if (out.length() == 0) return sentry.toHeader();
    String ours = sentry.toHeader();
    if (ours.isEmpty()) return out.toString();
    // Usually all of ours fits: append the cached header instead of encoding again.
    if (out.length() + 1 + ours.length() <= MAX_HEADER_LENGTH && members + sentry.sentryValues.size() <= MAX_MEMBERS) {
      return out.append(',').append(ours).toString();
    }
    sentry.appendTo(out, members);
    return out.toString();
  }

  /** The Sentry values, keys without the {@code sentry-} prefix, percent-decoded. Unmodifiable. */
  public Map<String, String> sentryValues() {
    return sentryValues;
  }

  /** One Sentry value, or null. */
  public String get(String key) {
    return sentryValues.get(key);
  }

  public boolean isEmpty() {
    return sentryValues.isEmpty();
  }

  /**
   * The {@code sentry-} members as a header value: {@code sentry-key=value} joined by {@code ,}
   * without spaces, values percent-encoded. A member that would push the header past {@link
   * #MAX_HEADER_LENGTH} characters or {@link #MAX_MEMBERS} members is left out. Empty when there
   * are no values.
   */
  public String toHeader() {
    String h = header;
    if (h == null) {
      StringBuilder out = new StringBuilder(sentryValues.size() * 40);
      appendTo(out, 0);
      header = h = out.toString();
    }
    return h;
  }

  private void appendTo(StringBuilder out, int existingMembers) {
    int members = existingMembers;
    for (int i = 0; i < sentryValues.size(); i++) {
      if (members >= MAX_MEMBERS) return;
      String key = sentryValues.key(i);
      String value = sentryValues.value(i);
      int memberLength =
          SENTRY_PREFIX.length() + PercentCodec.encodedLength(key) + 1 + PercentCodec.encodedLength(value);
      int separator = out.length() == 0 ? 0 : 1;
      if (out.length() + separator + memberLength > MAX_HEADER_LENGTH) continue;
      if (separator == 1) out.append(',');
      out.append(SENTRY_PREFIX);
      PercentCodec.encode(key, out);
      out.append('=');
      PercentCodec.encode(value, out);
      members++;
    }
  }

  /** A copy with one more value (or the value replaced). */
  Baggage with(String key, String value) {
    return new Baggage(new SentryValues.Builder(Integer.MAX_VALUE).putAll(sentryValues).put(key, value).build());
  }

  /** The DSC keys Sentry sends: matched in place, so parsing allocates no string for them. */
  private static final String[] KNOWN_KEYS = {
    "trace_id", "public_key", "sample_rate", "sample_rand", "sampled", "release", "environment",
    "transaction", "org_id", "user_id", "user_segment", "replay_id"
  };

  private static String knownKey(CharSequence s, int from, int to) {
    int length = to - from;
    for (String key : KNOWN_KEYS) {
      if (key.length() == length && startsWith(s, from, to, key)) return key;
    }
    return null;
  }

  private static int indexOf(CharSequence s, char c, int from, int to) {
    if (s instanceof String) {
      int i = ((String) s).indexOf(c, from); // a JDK intrinsic
      return i < 0 || i > to ? to : i;
    }
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == c) return i;
    }
    return to;
  }

  private static int skipOws(CharSequence s, int from, int to) {
    while (from < to && Strings.isOws(s.charAt(from))) from++;
    return from;
  }

  private static int trimEnd(CharSequence s, int from, int to) {
    while (to > from && Strings.isOws(s.charAt(to - 1))) to--;
    return to;
  }

  private static boolean startsWith(CharSequence s, int from, int to, String prefix) {
    if (to - from < prefix.length()) return false;
    if (s instanceof String) return ((String) s).startsWith(prefix, from);
    for (int i = 0; i < prefix.length(); i++) {
      if (s.charAt(from + i) != prefix.charAt(i)) return false;
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Baggage && ((Baggage) o).sentryValues.equals(sentryValues);
  }

  @Override
  public int hashCode() {
    return sentryValues.hashCode();
  }

  @Override
  public String toString() {
    return toHeader();
  }
}
