package io.sentrytrace;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A 128-bit trace id, shared by every span of one trace. Immutable.
 *
 * <pre>{@code
 * TraceId id = TraceId.random();
 * String hex = id.toString(); // 32 lower-case hex chars
 * }</pre>
 */
public final class TraceId {
  /** Length of the hex form. */
  public static final int HEX_LENGTH = 32;

  private final long high;
  private final long low;
  private String hex; // racy single-check cache, like String.hashCode

  private TraceId(long high, long low) {
    this.high = high;
    this.low = low;
  }

  /**
   * A new random id, never all-zero. Uses {@link ThreadLocalRandom}: fast, lock-free under many
   * threads. Trace ids are identifiers, not secrets.
   */
  public static TraceId random() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high;
    long low;
    do {
      high = random.nextLong();
      low = random.nextLong();
    } while (high == 0 && low == 0);
    return new TraceId(high, low);
  }

  /**
   * Parses 32 hex chars (either case).
   *
   * @throws IllegalArgumentException if {@code hex} is not 32 hex chars or is all zero
   */
  public static TraceId fromHex(CharSequence hex) {
    if (hex == null) throw new IllegalArgumentException("trace id is null");
    if (hex.length() != HEX_LENGTH) {
      throw new IllegalArgumentException(
          "trace id must be 32 hex chars, got " + hex.length() + ": \"" + Strings.preview(hex) + "\"");
    }
    if (!Hex.isHex(hex, 0, HEX_LENGTH)) {
      throw new IllegalArgumentException("trace id is not hex: \"" + Strings.preview(hex) + "\"");
    }
    TraceId id = parseValid(hex, 0);
    if (id == null) throw new IllegalArgumentException("trace id must not be all zero");
    return id;
  }

  /** Reads 32 already-validated hex chars at {@code offset}; null if all zero. */
  static TraceId parseValid(CharSequence s, int offset) {
    return of(Hex.parseLong(s, offset), Hex.parseLong(s, offset + 16));
  }

  /** The id for these bits; null when all zero. */
  static TraceId of(long high, long low) {
    return high == 0 && low == 0 ? null : new TraceId(high, low);
  }

  /** The 32 lower-case hex chars. */
  @Override
  public String toString() {
    String s = hex;
    if (s == null) hex = s = Hex.toHex(high, low);
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TraceId && ((TraceId) o).high == high && ((TraceId) o).low == low;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(high) * 31 + Long.hashCode(low);
  }
}
