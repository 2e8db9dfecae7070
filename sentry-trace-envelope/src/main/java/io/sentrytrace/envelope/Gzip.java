package io.sentrytrace.envelope;

import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Gzips envelope bodies (RFC 1952: a fixed 10-byte header, the raw deflate stream, CRC-32 and
 * length), reusing one {@link Deflater} and buffer from one envelope to the next; both are made
 * with the first body. One per sender thread (not thread-safe); {@link #close()} frees the
 * deflater's native memory.
 */
final class Gzip implements AutoCloseable {
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff};

  private final int level;
  private final CRC32 crc = new CRC32();
  private Deflater deflater;
  private byte[] buffer;

  Gzip(int level) {
    this.level = level;
  }

  byte[] compress(byte[] input) {
    if (deflater == null) {
      deflater = new Deflater(level, true); // raw deflate: the gzip framing is written here
      buffer = new byte[8192];
    }
    deflater.reset();
    deflater.setInput(input);
    deflater.finish();
    byte[] out = buffer;
    System.arraycopy(HEADER, 0, out, 0, HEADER.length);
    int n = HEADER.length;
    while (!deflater.finished()) {
      if (n == out.length) out = Arrays.copyOf(out, out.length * 2);
      n += deflater.deflate(out, n, out.length - n);
    }
    if (out.length - n < 8) out = Arrays.copyOf(out, n + 8);
    crc.reset();
    crc.update(input, 0, input.length);
    n = littleEndian((int) crc.getValue(), out, n);
    n = littleEndian(input.length, out, n);
    // A buffer grown for an unusually large envelope is let go, like the encoder's.
    buffer = out.length > JsonOut.KEEP_AT_MOST ? new byte[8192] : out;
    return Arrays.copyOf(out, n);
  }

  private static int littleEndian(int v, byte[] out, int at) {
    out[at] = (byte) v;
    out[at + 1] = (byte) (v >>> 8);
    out[at + 2] = (byte) (v >>> 16);
    out[at + 3] = (byte) (v >>> 24);
    return at + 4;
  }

  @Override
  public void close() {
    if (deflater != null) deflater.end();
  }
}
