package io.sentrytrace;

/** Lower-case hex for ids, by fixed offsets: no regex, no intermediate strings. */
final class Hex {
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();
  private static final byte[] VALUES = new byte[128];

  static {
    java.util.Arrays.fill(VALUES, (byte) -1);
    for (int i = 0; i < 10; i++) VALUES['0' + i] = (byte) i;
    for (int i = 0; i < 6; i++) {
      VALUES['a' + i] = (byte) (10 + i);
      VALUES['A' + i] = (byte) (10 + i);
    }
  }

  private Hex() {}

  /** Writes {@code value} as 16 lower-case hex chars into {@code dest} at {@code offset}. */
  static void write(long value, char[] dest, int offset) {
    for (int i = 15; i >= 0; i--) {
      dest[offset + i] = DIGITS[(int) (value & 0xF)];
      value >>>= 4;
    }
  }

  /**
   * Reads 16 hex chars (either case) at {@code offset}; returns false in {@code ok[0]} on a
   * non-hex char. The out-parameter keeps this allocation-free on the parse path.
   */
  static long read(CharSequence s, int offset, boolean[] ok) {
    long value = 0;
    for (int i = 0; i < 16; i++) {
      int v = value(s.charAt(offset + i));
      if (v < 0) {
        ok[0] = false;
        return 0;
      }
      value = (value << 4) | v;
    }
    return value;
  }

  /** The value of one hex digit, or -1. */
  static int value(char c) {
    return c < 128 ? VALUES[c] : -1;
  }

  static boolean isHex(CharSequence s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (value(s.charAt(i)) < 0) return false;
    }
    return true;
  }

  static long parseLong(CharSequence s, int offset) {
    long value = 0;
    for (int i = 0; i < 16; i++) value = (value << 4) | value(s.charAt(offset + i));
    return value;
  }
}
