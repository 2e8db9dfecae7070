package io.sentrytrace.opentelemetry;

import io.opentelemetry.api.baggage.Baggage;
import java.nio.charset.StandardCharsets;

/**
 * OpenTelemetry's {@link Baggage} entries as W3C {@code baggage} members, for the header we write:
 * the same members the W3C baggage propagator writes, so that whichever of us writes last, the
 * other vendors' members are there once. Entries whose key starts with {@code sentry-} are left
 * out: ours replace them.
 */
final class OtelBaggageHeader {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private OtelBaggageHeader() {}

  /** The non-Sentry members, comma-separated; empty when there are none. */
  static String render(Baggage baggage) {
    StringBuilder out = new StringBuilder();
    baggage.forEach(
        (key, entry) -> {
          if (key.startsWith("sentry-") || !isToken(key)) return;
          if (out.length() > 0) out.append(',');
          out.append(key).append('=');
          encode(entry.getValue(), out);
          String metadata = entry.getMetadata().getValue();
          if (metadata != null && !metadata.isEmpty()) out.append(';').append(metadata);
        });
    return out.toString();
  }

  /** W3C: a key is an RFC 7230 token. */
  private static boolean isToken(String key) {
    if (key.isEmpty()) return false;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) return false;
    }
    return true;
  }

  /** Percent-encodes every byte that is not a W3C baggage-octet, and {@code %} itself. */
  private static void encode(String value, StringBuilder out) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      int c = b & 0xff;
      boolean octet = c >= 0x21 && c <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\' && c != '%';
      if (octet) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
  }
}
