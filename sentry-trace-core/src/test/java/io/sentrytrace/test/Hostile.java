package io.sentrytrace.test;

import java.util.Random;

/**
 * Hostile strings for the fuzz tests (core's FuzzTest, the servlet filter's HostileHeadersTest), from
 * a seeded {@link Random} so that a failure repeats: random ASCII, control characters and line
 * breaks, near-valid {@code sentry-trace}, {@code baggage}, {@code traceparent} and DSN values,
 * unicode (Latin-1, lone surrogates and code points above the BMP included), runs of hostile pieces
 * with the separators of both headers, and now and then a huge one.
 */
public final class Hostile {
  public static final String VALID_TRACE = "0123456789abcdef0123456789abcdef-0123456789abcdef-1";
  public static final String VALID_BAGGAGE =
      "sentry-trace_id=0123456789abcdef0123456789abcdef,sentry-release=1.0,sentry-environment=prod,other=x;p,sentry-sample_rand=0.5";
  public static final String VALID_TRACEPARENT = "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01";
  public static final String VALID_DSN = "https://key@o1.ingest.sentry.io/2";

  private static final String[] PIECES = {
    "<script>", "</script>", "\"", "'", "<", ">", "&", "\"><img src=x onerror=alert(1)>", "\r\n", "\r\nX-Injected: 1",
    "\u0000", "\t", " ", ",", "=", ";", "-", "%", "%2", "%zz", "%C3", "%C3%A9", "%F0%9F", "%00", "%22", "%3C", "+",
    "sentry-", "sentry-release=", "sentry-sample_rand=", "sentry-org_id=", "sentry-trace_id=", "é", "😀", "\uD83D", "\uDE00",
    "\u202E", "\u0301", "\uFEFF", "\u2028", "ſ", "\\", "\\\"", "/", "://", "@", "[", "]", "{", "}", "(", ")", "*", "?",
    "0", "1", "f", "F"
  };

  private final Random random;
  private final int hugeLength;

  private Hostile(Random random, int hugeLength) {
    this.random = random;
    this.hugeLength = hugeLength;
  }

  /**
   * Strings drawn from {@code random}; the huge ones (one input in a thousand) are 10,000 chars up
   * to about {@code hugeLength}, which a test over HTTP keeps under its container's header limit.
   */
  public static Hostile from(Random random, int hugeLength) {
    if (hugeLength <= 10_000) throw new IllegalArgumentException("hugeLength " + hugeLength + " is not above 10,000");
    return new Hostile(random, hugeLength);
  }

  /** Input number {@code i}: {@code i} picks the kind, so a run of ten consecutive inputs has each. */
  public String input(int i) {
    switch (i % 10) {
      case 0: { // random ASCII
        char[] chars = new char[random.nextInt(100)];
        for (int k = 0; k < chars.length; k++) chars[k] = (char) random.nextInt(128);
        return new String(chars);
      }
      case 1: { // control chars and line breaks
        StringBuilder b = new StringBuilder();
        for (int k = random.nextInt(40); k > 0; k--) {
          b.append(random.nextBoolean() ? (char) random.nextInt(32) : random.nextBoolean() ? "\r\n" : "a");
        }
        return b.toString();
      }
      case 2: // near-valid sentry-trace
        return mutate(VALID_TRACE);
      case 3: // near-valid baggage
        return mutate(VALID_BAGGAGE);
      case 4: // near-valid DSN or traceparent
        return mutate(random.nextBoolean() ? VALID_DSN : VALID_TRACEPARENT);
      case 5: { // unicode: above the BMP, Latin-1's upper half, anything in the BMP (lone surrogates included)
        StringBuilder b = new StringBuilder();
        for (int k = random.nextInt(40); k > 0; k--) {
          b.appendCodePoint(random.nextInt(4) == 0 ? 0x10000 + random.nextInt(0x100000)
              : random.nextBoolean() ? 0x80 + random.nextInt(0x80) : random.nextInt(0x10000));
        }
        return b.toString();
      }
      case 6: { // huge, now and then: only sentry- members, or members and hostile pieces
        if (i % 1_000 != 6) return pieces(random.nextInt(30));
        boolean membersOnly = random.nextBoolean();
        StringBuilder b = new StringBuilder();
        int target = 10_000 + random.nextInt(hugeLength - 10_000);
        while (b.length() < target) {
          if (membersOnly || random.nextBoolean()) {
            b.append("sentry-k").append(b.length()).append('=').append(PIECES[random.nextInt(PIECES.length)]).append(',');
          } else {
            b.append(pieces(5));
          }
        }
        return b.toString();
      }
      default: // hostile pieces with the separators of both headers
        return pieces(random.nextInt(20));
    }
  }

  private String pieces(int n) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < n; k++) b.append(PIECES[random.nextInt(PIECES.length)]);
    return b.toString();
  }

  /** One to three edits of {@code valid}: replace, insert or delete a char, or splice in a hostile piece. */
  public String mutate(String valid) {
    StringBuilder b = new StringBuilder(valid);
    for (int e = 1 + random.nextInt(3); e > 0; e--) {
      int at = random.nextInt(b.length() + 1);
      switch (random.nextInt(4)) {
        case 0:
          if (at < b.length()) b.setCharAt(at, (char) random.nextInt(0x80));
          break;
        case 1:
          b.insert(at, (char) random.nextInt(0x3000));
          break;
        case 2:
          if (at < b.length()) b.deleteCharAt(at);
          break;
        default:
          b.insert(at, PIECES[random.nextInt(PIECES.length)]);
      }
    }
    return b.toString();
  }
}
