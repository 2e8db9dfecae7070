package io.sentrytrace;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A 64-bit span id, unique within a trace. Immutable.
 *
 * <pre>{@code
 * SpanId id = SpanId.random();
 * String hex = id.toString(); // 16 lower-case hex chars
 * }</pre>
 */
public final class SpanId {
  /** Length of the hex form. */
  public static final int HEX_LENGTH = 16;

  private final long value;
  private String hex;

  private SpanId(long value) {
    this.value = value;
  }

  /** A new random id, never all-zero; lock-free under many threads. */
  public static SpanId random() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long value;
    do {
      value = random.nextLong();
    } while (value == 0);
    return new SpanId(value);
  }

  /**
   * Parses 16 hex chars (either case).
   *
   * @throws IllegalArgumentException if {@code hex} is not 16 hex chars or is all zero
   */
  public static SpanId fromHex(CharSequence hex) {
    if (hex == null) throw new IllegalArgumentException("span id is null");
    if (hex.length() != HEX_LENGTH) {
      throw new IllegalArgumentException(
          "span id must be 16 hex chars, got " + hex.length() + ": \"" + Strings.preview(hex) + "\"");
    }
    if (!Hex.isHex(hex, 0, HEX_LENGTH)) {
      throw new IllegalArgumentException("span id is not hex: \"" + Strings.preview(hex) + "\"");
    }
    SpanId id = parseValid(hex, 0);
    if (id == null) throw new IllegalArgumentException("span id must not be all zero");
    return id;
  }

  static SpanId parseValid(CharSequence s, int offset) {
    return of(Hex.parseLong(s, offset));
  }

  /** The id for these bits; null when zero. */
  static SpanId of(long value) {
    return value == 0 ? null : new SpanId(value);
  }

  /** The 16 lower-case hex chars. */
  @Override
  public String toString() {
    String s = hex;
    if (s == null) hex = s = Hex.toHex(value);
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpanId && ((SpanId) o).value == value;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(value);
  }
}
