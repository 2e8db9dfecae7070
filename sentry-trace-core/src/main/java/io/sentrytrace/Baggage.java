package io.sentrytrace;

import java.util.Map;
import java.util.Objects;

/**
 * The {@code sentry-} members of a W3C {@code baggage} header: Sentry's dynamic sampling context
 * (DSC). Immutable. {@link #parse} keeps only the {@code sentry-} members of an incoming header:
 * other vendors' members belong to the request they came with, not to the requests this process
 * sends. {@link #merge} is for an outgoing request's own header: it keeps that header's other
 * vendors' members and replaces its {@code sentry-} members with ours, within the same limits
 * (Sentry's DSC keys get their room first).
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
  static final WarnOnce DROPPED = new WarnOnce(System.getLogger(Baggage.class.getName()));

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
   * the same request twice therefore never grows the header.
   *
   * <p>The result keeps to the W3C limits, {@link #MAX_MEMBERS} members and {@link
   * #MAX_HEADER_LENGTH} chars, however long the existing header is. Within them, Sentry's DSC keys
   * come first (the trace must keep its sampling decision downstream), then the other vendors'
   * members in their order, each if it still fits, then our unknown {@code sentry-} keys (they came
   * with the trace and must not push out the application's own members). Ours are written after
   * the other vendors' members, in their own order. Other vendors' members that do not fit are
   * dropped and counted: one log line per merge that drops, on the {@code io.sentrytrace.Baggage}
   * logger, at WARNING the first time in the JVM and at DEBUG after. Time linear in the existing
   * header, of which at most {@link #MAX_HEADER_LENGTH} chars are kept. Returns an empty string
   * when nothing is left to send.
   */
  public static String merge(String existingHeader, Baggage sentry) {
    return mergeFrom(existingHeader, sentry);
  }

  /** {@link #merge} for any char sequence (the scaling tests count what it reads). */
  static String mergeFrom(CharSequence existingHeader, Baggage sentry) {
    Objects.requireNonNull(sentry, "sentry");
    if (existingHeader == null || existingHeader.length() == 0) return sentry.toHeader();
    int[] lengths = sentry.encodedLengths();
    boolean[] chosen = new boolean[lengths.length];
    // Each of ours is counted with a comma before it: exact once other members precede them.
    int oursChars = sentry.chooseKnown(lengths, chosen);
    int oursMembers = count(chosen);
    StringBuilder out = new StringBuilder(Math.min(existingHeader.length(), MAX_HEADER_LENGTH) + oursChars);
    int members = 0;
    int dropped = 0;
    int length = existingHeader.length();
    int start = 0;
    while (start < length) {
      int end = Strings.indexOf(existingHeader, ',', start, length);
      int memberStart = Strings.skipOws(existingHeader, start, end);
      int memberEnd = Strings.trimOws(existingHeader, memberStart, end);
      if (memberStart < memberEnd && !Strings.startsWith(existingHeader, memberStart, memberEnd, SENTRY_PREFIX)) {
        int needed = (out.length() > 0 ? 1 : 0) + memberEnd - memberStart;
        if (members + oursMembers < MAX_MEMBERS && out.length() + needed + oursChars <= MAX_HEADER_LENGTH) {
          if (out.length() > 0) out.append(',');
          out.append(existingHeader, memberStart, memberEnd);
          members++;
        } else {
          dropped++;
        }
      }
      start = end + 1;
    }
    if (dropped > 0) logDropped(dropped, members);
    // No other member kept: ours alone, which the cached header already chose the same way.
    if (out.length() == 0) return sentry.toHeader();
    sentry.chooseUnknown(lengths, chosen, MAX_HEADER_LENGTH - out.length() - oursChars, MAX_MEMBERS - members - oursMembers);
    if (count(chosen) == lengths.length) {
      // Usually all of ours fits: append the cached header instead of encoding again.
      String ours = sentry.toHeader();
      return ours.isEmpty() ? out.toString() : out.append(',').append(ours).toString();
    }
    sentry.appendChosen(out, chosen);
    return out.toString();
  }

  private static void logDropped(int dropped, int kept) {
    DROPPED.log(
        () -> "baggage: " + dropped + " of the outgoing request's other members left out, " + kept
            + " kept, to stay within the W3C limits of " + MAX_MEMBERS + " members and " + MAX_HEADER_LENGTH
            + " chars with Sentry's DSC members first",
        null);
  }

  private static int count(boolean[] chosen) {
    int n = 0;
    for (boolean c : chosen) if (c) n++;
    return n;
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
    int[] lengths = encodedLengths();
    int total = out.length() == 0 ? -1 : 0; // n members need n - 1 commas, n after existing ones
    for (int length : lengths) total += 1 + length;
    boolean[] chosen = null;
    if (lengths.length > MAX_MEMBERS - existingMembers || out.length() + total > MAX_HEADER_LENGTH) {
      chosen = new boolean[lengths.length];
      // The first member needs no comma before it when nothing precedes it: one char more room.
      int roomChars = MAX_HEADER_LENGTH - out.length() + (out.length() == 0 ? 1 : 0);
      int roomMembers = MAX_MEMBERS - existingMembers;
      int used = chooseKnown(lengths, chosen, roomChars, roomMembers);
      chooseUnknown(lengths, chosen, roomChars - used, roomMembers - count(chosen));
    }
    appendChosen(out, chosen);
  }

  /** Writes the chosen members (all when {@code chosen} is null), each after a comma if needed. */
  private void appendChosen(StringBuilder out, boolean[] chosen) {
    for (int i = 0; i < sentryValues.size(); i++) {
      if (chosen != null && !chosen[i]) continue;
      if (out.length() > 0) out.append(',');
      out.append(SENTRY_PREFIX);
      PercentCodec.encode(sentryValues.key(i), out);
      out.append('=');
      PercentCodec.encode(sentryValues.value(i), out);
    }
  }

  /** Each member's length as written, {@code sentry-key=value} encoded. */
  private int[] encodedLengths() {
    int[] lengths = new int[sentryValues.size()];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = SENTRY_PREFIX.length() + PercentCodec.encodedLength(sentryValues.key(i)) + 1
          + PercentCodec.encodedLength(sentryValues.value(i));
    }
    return lengths;
  }

  /** {@link #chooseKnown(int[], boolean[], int, int)} with the whole header to itself. */
  private int chooseKnown(int[] lengths, boolean[] chosen) {
    return chooseKnown(lengths, chosen, MAX_HEADER_LENGTH + 1, MAX_MEMBERS);
  }

  /**
   * Chooses DSC keys in {@link DscKeys#PRIORITY} order, each if it fits in the room left, counting
   * a comma before each member; returns the chars they take so counted.
   */
  private int chooseKnown(int[] lengths, boolean[] chosen, int roomChars, int roomMembers) {
    int used = 0;
    int members = 0;
    for (int c = 0; c < DscKeys.PRIORITY.length && members < roomMembers; c++) {
      int i = sentryValues.indexOf(DscKeys.PRIORITY[c]);
      if (i >= 0 && used + 1 + lengths[i] <= roomChars) {
        chosen[i] = true;
        used += 1 + lengths[i];
        members++;
      }
    }
    return used;
  }

  /** Chooses unknown keys in order, each if it fits in the room left (a comma before each). */
  private void chooseUnknown(int[] lengths, boolean[] chosen, int roomChars, int roomMembers) {
    int used = 0;
    int members = 0;
    for (int i = 0; i < lengths.length && members < roomMembers; i++) {
      if (chosen[i] || DscKeys.isKnown(sentryValues.key(i))) continue;
      if (used + 1 + lengths[i] <= roomChars) {
        chosen[i] = true;
        used += 1 + lengths[i];
        members++;
      }
    }
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
