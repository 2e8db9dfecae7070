package io.sentrytrace.envelope;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * A growable byte buffer that writes JSON as UTF-8: just what the envelope needs, nothing parsed.
 * Commas are placed by the writer (a value after a value gets one), so the encoder only says what
 * comes next. Field names the encoder knows are quoted once, as {@link #quotedName} constants,
 * and copied. Strings are RFC 8259 strings: {@code "} and {@code \} escaped, control characters
 * escaped ({@code \n}, {@code \t}, ... or {@code \}{@code u00XX}), everything else as UTF-8, a
 * lone surrogate as {@code ?} (as {@code String.getBytes} encodes it; a JSON parser such as Relay's
 * rejects an escaped lone surrogate). Not thread-safe; reused, one envelope after another.
 */
final class JsonOut {
  /** A buffer grown past this is dropped after use rather than kept for the next envelope. */
  static final int KEEP_AT_MOST = 64 * 1024;
  /** For \\u00XX escapes: upper case, as Jackson writes them. */
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  /** For each ASCII byte: 0 when it is written as is, else the letter of its escape ('u': \\u00XX). */
  private static final byte[] ESCAPE = new byte[128];

  static {
    for (int c = 0; c < 0x20; c++) ESCAPE[c] = 'u';
    ESCAPE['\b'] = 'b';
    ESCAPE['\t'] = 't';
    ESCAPE['\n'] = 'n';
    ESCAPE['\f'] = 'f';
    ESCAPE['\r'] = 'r';
    ESCAPE['"'] = '"';
    ESCAPE['\\'] = '\\';
  }

  private final int initialCapacity;
  private byte[] buf;
  private int size;
  /** True after a value (or a whole object or array): the next name or element needs a comma. */
  private boolean afterValue;

  JsonOut(int initialCapacity) {
    this.initialCapacity = initialCapacity;
    this.buf = new byte[initialCapacity];
  }

  /** {@code "name":} as bytes, for {@link #name(byte[])}: for names that are plain ASCII. */
  static byte[] quotedName(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 0x80 || ESCAPE[c] != 0) throw new IllegalArgumentException("not a plain name: " + name);
    }
    return ('"' + name + "\":").getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * {@code "name":"value"} as bytes, for {@link #member}: a member that is the same in every
   * envelope.
   */
  static byte[] quotedMember(String name, String value) {
    return new JsonOut(64).name(name).string(value).toByteArray();
  }

  /** Empties the buffer for the next envelope (a very large one is let go). */
  void reset() {
    if (buf.length > KEEP_AT_MOST) buf = new byte[initialCapacity];
    size = 0;
    afterValue = false;
  }

  int size() {
    return size;
  }

  /** What the buffer holds now (for tests). */
  int capacity() {
    return buf.length;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  /** Copies what was written to {@code dst} at {@code at}; returns the position after it. */
  int copyTo(byte[] dst, int at) {
    System.arraycopy(buf, 0, dst, at, size);
    return at + size;
  }

  JsonOut beginObject() {
    comma();
    append((byte) '{');
    afterValue = false;
    return this;
  }

  JsonOut endObject() {
    append((byte) '}');
    afterValue = true;
    return this;
  }

  JsonOut beginArray() {
    comma();
    append((byte) '[');
    afterValue = false;
    return this;
  }

  JsonOut endArray() {
    append((byte) ']');
    afterValue = true;
    return this;
  }

  /** Ends a line of the envelope: what follows starts a new top-level value. */
  JsonOut newline() {
    append((byte) '\n');
    afterValue = false;
    return this;
  }

  /** A name made by {@link #quotedName}. */
  JsonOut name(byte[] quotedNameAndColon) {
    comma();
    appendBytes(quotedNameAndColon, quotedNameAndColon.length);
    afterValue = false;
    return this;
  }

  /** A whole {@code "name":value} member, such as one made by {@link #quotedMember}. */
  JsonOut member(byte[] quotedMember) {
    comma();
    appendBytes(quotedMember, quotedMember.length);
    afterValue = true;
    return this;
  }

  /** Any name, escaped. */
  JsonOut name(String name) {
    comma();
    quoted(name);
    append((byte) ':');
    afterValue = false;
    return this;
  }

  JsonOut string(String value) {
    comma();
    quoted(value);
    afterValue = true;
    return this;
  }

  /**
   * A string of characters that JSON never escapes, such as the hex digits of an id, copied without
   * looking for any.
   */
  JsonOut plainString(String value) {
    comma();
    int n = value.length();
    ensure(n + 2);
    buf[size++] = '"';
    for (int i = 0; i < n; i++) buf[size + i] = (byte) value.charAt(i);
    size += n;
    buf[size++] = '"';
    afterValue = true;
    return this;
  }

  JsonOut number(long value) {
    return ascii(Long.toString(value));
  }

  /** A finite double, as {@code Double.toString} writes it (JSON numbers allow its exponent form). */
  JsonOut number(double value) {
    return ascii(Double.toString(value));
  }

  JsonOut bool(boolean value) {
    return ascii(value ? "true" : "false");
  }

  /** A value that is ASCII and needs no quotes or escapes: a number's text, {@code true}. */
  JsonOut ascii(String value) {
    comma();
    int n = value.length();
    ensure(n);
    for (int i = 0; i < n; i++) buf[size + i] = (byte) value.charAt(i);
    size += n;
    afterValue = true;
    return this;
  }

  /** Seconds since the epoch with microseconds, unquoted (see {@link Timestamps#epochSecondsWithMicros}). */
  JsonOut epochSecondsWithMicros(Instant instant) {
    comma();
    ensure(Timestamps.MAX_DECIMAL_LENGTH);
    size = Timestamps.epochSecondsWithMicros(instant, buf, size);
    afterValue = true;
    return this;
  }

  /** The instant in ISO-8601 as a string (see {@link Timestamps#isoInstant}). */
  JsonOut isoInstant(Instant instant) {
    comma();
    ensure(Timestamps.MAX_ISO_LENGTH + 2);
    int start = size;
    buf[size++] = '"';
    int end = Timestamps.isoInstant(instant, buf, size);
    if (end < 0) { // outside the years the fast path writes
      size = start;
      afterValue = false;
      return string(DateTimeFormatter.ISO_INSTANT.format(instant));
    }
    size = end;
    buf[size++] = '"';
    afterValue = true;
    return this;
  }

  private void comma() {
    if (afterValue) append((byte) ',');
  }

  /**
   * The string quoted. Most strings are ASCII with nothing to escape: copied char by char until
   * the first that is not; from there on the rest goes through {@code getBytes(UTF_8)} and is
   * escaped byte by byte.
   */
  private void quoted(String s) {
    int n = s.length();
    ensure(n + 2);
    buf[size++] = '"';
    int i = 0;
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80 || needsEscape((byte) c)) break;
      buf[size + i] = (byte) c;
    }
    size += i;
    if (i < n) escaped(s.substring(i).getBytes(StandardCharsets.UTF_8));
    append((byte) '"');
  }

  private void escaped(byte[] utf8) {
    int n = utf8.length;
    ensure(n);
    int i = 0;
    while (i < n) {
      int start = i;
      while (i < n && !needsEscape(utf8[i])) i++;
      appendBytes(utf8, start, i - start);
      if (i < n) escape(utf8[i++]);
    }
  }

  /** Control characters, {@code "} and {@code \}; never a byte of a UTF-8 multi-byte sequence (all negative). */
  private static boolean needsEscape(byte b) {
    return (b & 0xE0) == 0 || b == '"' || b == '\\';
  }

  private void escape(byte b) {
    byte kind = ESCAPE[b];
    if (kind == 'u') {
      ensure(6);
      buf[size++] = '\\';
      buf[size++] = 'u';
      buf[size++] = '0';
      buf[size++] = '0';
      buf[size++] = HEX[b >> 4];
      buf[size++] = HEX[b & 0xF];
    } else {
      ensure(2);
      buf[size++] = '\\';
      buf[size++] = kind;
    }
  }

  private void append(byte b) {
    ensure(1);
    buf[size++] = b;
  }

  private void appendBytes(byte[] bytes, int length) {
    appendBytes(bytes, 0, length);
  }

  private void appendBytes(byte[] bytes, int offset, int length) {
    ensure(length);
    System.arraycopy(bytes, offset, buf, size, length);
    size += length;
  }

  private void ensure(int more) {
    if (buf.length - size < more) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
  }

  @Override
  public String toString() {
    return new String(buf, 0, size, StandardCharsets.UTF_8);
  }
}
