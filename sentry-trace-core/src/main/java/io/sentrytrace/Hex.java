package io.sentrytrace;

import java.util.HexFormat;

/** Lower-case hex for ids, by fixed offsets: no regex, one pass, no intermediate strings. */
final class Hex {
  private static final HexFormat LOWER = HexFormat.of();
  /** Digit value of each Latin-1 char, -1 for a non-hex char. */
  private static final int[] VALUES = new int[256];
  /** Reused per thread: a 32-char id costs its String and nothing else. */
  private static final ThreadLocal<char[]> BUFFER = ThreadLocal.withInitial(() -> new char[32]);
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();
  /** Two hex chars per byte value: half the steps of a char-at-a-time loop. */
  private static final char[] BYTE_HEX = new char[512];

  static {
    for (int b = 0; b < 256; b++) {
      BYTE_HEX[2 * b] = DIGITS[b >>> 4];
      BYTE_HEX[2 * b + 1] = DIGITS[b & 0xF];
    }
    java.util.Arrays.fill(VALUES, -1);
    for (int i = 0; i < 10; i++) VALUES['0' + i] = i;
    for (int i = 0; i < 6; i++) {
      VALUES['a' + i] = 10 + i;
      VALUES['A' + i] = 10 + i;
    }
  }

  private Hex() {}

  /** 16 lower-case hex chars; JDK's HexFormat builds the String without copying. */
  static String toHex(long value) {
    return LOWER.toHexDigits(value);
  }

  /** 32 lower-case hex chars. */
  static String toHex(long high, long low) {
    char[] chars = BUFFER.get();
    write(high, chars, 0);
    write(low, chars, 16);
    return new String(chars, 0, 32);
  }

  private static void write(long value, char[] dest, int offset) {
    for (int i = 14; i >= 0; i -= 2) {
      int b = (int) (value & 0xFF) << 1;
      dest[offset + i] = BYTE_HEX[b];
      dest[offset + i + 1] = BYTE_HEX[b + 1];
      value >>>= 8;
    }
  }

  /** The value of one hex digit (either case), or -1. */
  static int value(char c) {
    return c < 256 ? VALUES[c] : -1;
  }

  /**
   * Reads 8 hex chars (either case) at {@code offset} into the low 32 bits; -1 when one is not hex.
   * Branch-free per char: invalid digits set the sign bit of {@code bad}.
   */
  static long read8(CharSequence s, int offset) {
    long value = 0;
    int bad = 0;
    for (int i = 0; i < 8; i++) {
      char c = s.charAt(offset + i);
      int v = c < 256 ? VALUES[c] : -1;
      bad |= v;
      value = (value << 4) | (v & 0xF);
    }
    return bad < 0 ? -1 : value;
  }

  /** Whether {@code s[from, to)} is all hex (either case). */
  static boolean isHex(CharSequence s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (value(s.charAt(i)) < 0) return false;
    }
    return true;
  }

  /** Reads 16 chars known to be hex. */
  static long parseLong(CharSequence s, int offset) {
    return (read8(s, offset) << 32) | read8(s, offset + 8);
  }
}
