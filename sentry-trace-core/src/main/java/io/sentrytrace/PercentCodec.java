package io.sentrytrace;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Percent-encoding of baggage keys and values (UTF-8; space as %20, never '+'). */
final class PercentCodec {
  private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();

  private PercentCodec() {}

  /**
   * Appends {@code value} with everything but RFC 3986 unreserved chars encoded, so that the
   * result is safe in a header, a baggage member and an HTML attribute alike.
   */
  static void encode(String value, StringBuilder out) {
    int n = value.length();
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (isUnreserved(c)) {
        out.append(c);
      } else if (c < 0x80) {
        appendByte(c, out);
      } else {
        // Rare: non-ASCII. Encode the rest through UTF-8 bytes in one go.
        byte[] bytes = value.substring(i).getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
          int u = b & 0xFF;
          if (u < 0x80 && isUnreserved((char) u)) out.append((char) u);
          else appendByte(u, out);
        }
        return;
      }
    }
  }

  static int encodedLength(String value) {
    int n = value.length();
    int length = 0;
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (isUnreserved(c)) length++;
      else if (c < 0x80) length += 3;
      else {
        // Count exactly as encode() writes: unreserved ASCII after the first non-ASCII stays one char.
        for (byte b : value.substring(i).getBytes(StandardCharsets.UTF_8)) {
          int u = b & 0xFF;
          length += u < 0x80 && isUnreserved((char) u) ? 1 : 3;
        }
        return length;
      }
    }
    return length;
  }

  private static void appendByte(int b, StringBuilder out) {
    out.append('%').append(UPPER_HEX[b >>> 4]).append(UPPER_HEX[b & 0xF]);
  }

  static boolean isUnreserved(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }

  /**
   * Decodes {@code s[from, to)}; null when a %-escape or the UTF-8 it encodes is malformed. Reads
   * nothing outside the range.
   */
  static String decode(CharSequence s, int from, int to) {
    return decode(s, from, to, Strings.indexOf(s, '%', from, to) < to);
  }

  /** {@link #decode(CharSequence, int, int)} when the caller already knows whether a {@code %} is in range. */
  static String decode(CharSequence s, int from, int to, boolean escaped) {
    if (!escaped) return s.subSequence(from, to).toString();
    byte[] bytes = new byte[to - from];
    int n = 0;
    boolean ascii = true;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= to) return null;
        int hi = Hex.value(s.charAt(i + 1));
        int lo = Hex.value(s.charAt(i + 2));
        if (hi < 0 || lo < 0) return null;
        if (hi >= 8) ascii = false;
        bytes[n++] = (byte) ((hi << 4) | lo);
        i += 2;
      } else if (c < 0x80) {
        bytes[n++] = (byte) c;
      } else {
        // Raw non-ASCII in a header is not valid baggage; keep it as its UTF-8 bytes.
        ascii = false;
        byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        // Room for these bytes and one per char still to come (the ASCII path writes unchecked).
        int needed = n + raw.length + (to - i - 1);
        // Grow by doubling: a value of raw non-ASCII would otherwise be copied once per few chars.
        if (needed > bytes.length) bytes = java.util.Arrays.copyOf(bytes, Math.max(needed, 2 * bytes.length));
        for (byte b : raw) bytes[n++] = b;
      }
    }
    // The common case (%20, %2F, %40...) is ASCII: no decoder needed.
    if (ascii) return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, 0, n));
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
