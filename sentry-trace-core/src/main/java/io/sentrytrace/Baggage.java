package io.sentrytrace;

import java.util.Map;
import java.util.Objects;

/**
 * The {@code sentry-} members of a W3C {@code baggage} header: Sentry's dynamic sampling context
 * (DSC). Immutable. {@link #parse} keeps only the {@code sentry-} members of an incoming header:
 * other vendors' members belong to the request they came with, not to the requests this process
 * sends. {@link #merge} is for an outgoing request's own header: it keeps that header's other
 * vendors' members and replaces its {@code sentry-} members with ours.
 *
 * <p>Bounded by the W3C limits in what it reads and keeps, not only in what it writes: {@link
 * #parse} looks at the first {@link #MAX_HEADER_LENGTH} chars of a header only and keeps at most
 * {@link #MAX_MEMBERS} values, so a parsed DSC never holds more than 8192 chars whatever a client
 * sends. Sentry's own DSC keys ({@code trace_id}, {@code sample_rand}, {@code sample_rate}, {@code
 * sampled}, {@code public_key}, {@code org_id}, {@code environment}, {@code release}, {@code
 * transaction}, {@code replay_id}, {@code user_segment}, {@code user_id}) are kept and written
 * before unknown {@code sentry-} keys.
 *
 * <pre>{@code
 * Baggage incoming = Baggage.parse(requestHeaders.get(Baggage.HEADER));
 * String release = incoming.get("release");
 * outgoingHeaders.put(Baggage.HEADER, Baggage.merge(outgoingHeaders.get(Baggage.HEADER), span.dynamicSamplingContext()));
 * }</pre>
 */
public final class Baggage {
  /** The header name. */
  public static final String HEADER = "baggage";
  /**
   * Longest header we write, and the part of an incoming header we read (W3C: at least 8192 bytes
   * must be propagated).
   */
  public static final int MAX_HEADER_LENGTH = 8192;
  /** Most members we write in one header and keep from one (W3C: at least 64 must be propagated). */
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
   * or do not decode are dropped; the last of duplicate keys wins; keys are case-sensitive.
   *
   * <p>Only the first {@link #MAX_HEADER_LENGTH} chars are read: members after them, and the
   * member they cut, are dropped, so no kept value is longer than that and the work is bounded
   * whatever the header's length. At most {@link #MAX_MEMBERS} values are kept; Sentry's DSC keys
   * are always kept, unknown {@code sentry-} keys make room for them (the last unknown kept goes
   * first). Never throws; null or garbage gives empty baggage.
   */
  public static Baggage parse(CharSequence header) {
    if (header == null) return EMPTY;
    SentryValues.Builder values = null;
    int length = header.length();
    int limit = Math.min(length, MAX_HEADER_LENGTH);
    int start = 0;
    // The next '=' and '%' found so far (limit: none): searched again only once passed, so each
    // char is read at most once per delimiter even when members have neither.
    int nextEq = -1;
    int nextPercent = -1;
    while (start < limit) {
      int end = Strings.next(header, ',', start, limit);
      if (end == limit && limit < length && header.charAt(limit) != ',') break; // cut by the limit
      int keyStart = Strings.skipOws(header, start, end);
      if (Strings.startsWith(header, keyStart, end, SENTRY_PREFIX)) {
        if (nextEq < keyStart) nextEq = Strings.next(header, '=', keyStart, limit);
        int eq = nextEq;
        if (eq < end) {
          int nameStart = keyStart + SENTRY_PREFIX.length();
          int keyEnd = Strings.trimOws(header, nameStart, eq);
          int valueStart = Strings.skipOws(header, eq + 1, end);
          int valueEnd = Strings.trimOws(header, valueStart, end);
          if (nextPercent < nameStart) nextPercent = Strings.next(header, '%', nameStart, limit);
          // Known keys are matched in place: parsing allocates no string for them.
          String key = DscKeys.known(header, nameStart, keyEnd);
          if (key == null) key = PercentCodec.decode(header, nameStart, keyEnd, nextPercent < keyEnd);
          String value = null;
          if (valueStart < valueEnd) {
            if (nextPercent < valueStart) nextPercent = Strings.next(header, '%', valueStart, limit);
            value = PercentCodec.decode(header, valueStart, valueEnd, nextPercent < valueEnd);
          }
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
   * the same request twice therefore never grows the header. Ours are added as far as the limits
   * allow after the other vendors' members, Sentry's DSC keys first. Returns an empty string when
   * nothing is left to send.
   */
  public static String merge(String existingHeader, Baggage sentry) {
    return mergeFrom(existingHeader, sentry);
  }

  /** {@link #merge} for any char sequence (the scaling tests count what it reads). */
  static String mergeFrom(CharSequence existingHeader, Baggage sentry) {
    Objects.requireNonNull(sentry, "sentry");
    if (existingHeader == null || existingHeader.length() == 0) return sentry.toHeader();
    StringBuilder out = new StringBuilder(existingHeader.length() + 128);
    int members = 0;
    int length = existingHeader.length();
    int start = 0;
    while (start < length) {
      int end = Strings.indexOf(existingHeader, ',', start, length);
      int memberStart = Strings.skipOws(existingHeader, start, end);
      int memberEnd = Strings.trimOws(existingHeader, memberStart, end);
      if (memberStart < memberEnd && !Strings.startsWith(existingHeader, memberStart, memberEnd, SENTRY_PREFIX)) {
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
   * without spaces, values percent-encoded. When not all fit in {@link #MAX_HEADER_LENGTH}
   * characters and {@link #MAX_MEMBERS} members, Sentry's DSC keys are chosen first, then unknown
   * keys in order, each as long as it fits, and the chosen are written in their own order. Empty
   * when there are no values.
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

  /**
   * Appends our members after {@code out} (which holds {@code existingMembers}) within the limits.
   * When not all fit, Sentry's DSC keys are chosen first ({@link DscKeys#PRIORITY}), then unknown
   * keys in order, each as long as it fits; the chosen are written in their own order.
   */
  private void appendTo(StringBuilder out, int existingMembers) {
    int n = sentryValues.size();
    int[] lengths = new int[n];
    int total = out.length() == 0 ? -1 : 0; // n members need n - 1 commas, n after existing ones
    for (int i = 0; i < n; i++) {
      lengths[i] =
          SENTRY_PREFIX.length() + PercentCodec.encodedLength(sentryValues.key(i)) + 1
              + PercentCodec.encodedLength(sentryValues.value(i));
      total += 1 + lengths[i];
    }
    boolean[] chosen = null;
    if (n > MAX_MEMBERS - existingMembers || out.length() + total > MAX_HEADER_LENGTH) {
      chosen = choose(lengths, MAX_HEADER_LENGTH - out.length(), MAX_MEMBERS - existingMembers, out.length() > 0);
    }
    for (int i = 0; i < n; i++) {
      if (chosen != null && !chosen[i]) continue;
      if (out.length() > 0) out.append(',');
      out.append(SENTRY_PREFIX);
      PercentCodec.encode(sentryValues.key(i), out);
      out.append('=');
      PercentCodec.encode(sentryValues.value(i), out);
    }
  }

  private boolean[] choose(int[] lengths, int roomChars, int roomMembers, boolean afterOthers) {
    boolean[] chosen = new boolean[lengths.length];
    int used = afterOthers ? 0 : -1; // the first member chosen needs no comma before it
    int members = 0;
    for (int pass = 0; pass < 2; pass++) {
      int candidates = pass == 0 ? DscKeys.PRIORITY.length : lengths.length;
      for (int c = 0; c < candidates && members < roomMembers; c++) {
        int i = pass == 0 ? sentryValues.indexOf(DscKeys.PRIORITY[c]) : c;
        if (i < 0 || chosen[i] || (pass == 1 && DscKeys.isKnown(sentryValues.key(i)))) continue;
        if (used + 1 + lengths[i] <= roomChars) {
          chosen[i] = true;
          used += 1 + lengths[i];
          members++;
        }
      }
    }
    return chosen;
  }

  /**
   * A copy with one more value (or the value replaced). A DSC key always gets in: when the copy
   * would have more than {@link #MAX_MEMBERS} values, an unknown {@code sentry-} key makes room.
   */
  Baggage with(String key, String value) {
    return new Baggage(new SentryValues.Builder(MAX_MEMBERS).putAll(sentryValues).put(key, value).build());
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
