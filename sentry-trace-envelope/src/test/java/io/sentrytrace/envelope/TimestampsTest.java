package io.sentrytrace.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimestampsTest {
  private static final long YEAR_9999_END = Instant.parse("9999-12-31T23:59:59.999999999Z").getEpochSecond();

  /** Edge cases plus random instants with each kind of fraction (none, millis, micros, nanos). */
  private static List<Instant> instants(long minSecond, long maxSecond) {
    List<Instant> all = new ArrayList<>(List.of(
        Instant.ofEpochSecond(minSecond), Instant.ofEpochSecond(maxSecond, 999_999_999),
        Instant.EPOCH, Instant.ofEpochSecond(0, 1), Instant.ofEpochSecond(0, 999),
        Instant.ofEpochSecond(-1, 999_999_999), Instant.ofEpochSecond(-1, 999_999),
        Instant.parse("2000-02-29T23:59:59.001Z"), Instant.parse("2023-11-14T22:13:25.250Z")));
    all.removeIf(i -> i.getEpochSecond() < minSecond || i.getEpochSecond() > maxSecond);
    SplittableRandom random = new SplittableRandom(42);
    int[] fractionUnits = {1_000_000_000, 1_000_000, 1_000, 1};
    for (int i = 0; i < 20_000; i++) {
      int unit = fractionUnits[i % 4];
      int nanos = unit == 1_000_000_000 ? 0 : random.nextInt(1_000_000_000 / unit) * unit;
      all.add(Instant.ofEpochSecond(random.nextLong(minSecond, maxSecond + 1), nanos));
    }
    return all;
  }

  /** What was written from position 1 (position 0 shows that the start is respected) up to {@code end}. */
  private static String ascii(byte[] out, int end) {
    return new String(out, 1, end - 1, StandardCharsets.US_ASCII);
  }

  @Test
  void epochSecondsWithMicrosIsWhatBigDecimalWrites() {
    byte[] out = new byte[Timestamps.MAX_DECIMAL_LENGTH + 1];
    for (Instant instant : instants(-9_000_000_000_000L, 9_000_000_000_000L)) {
      long micros = instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
      String expected = BigDecimal.valueOf(micros, 6).toString();
      assertThat(ascii(out, Timestamps.epochSecondsWithMicros(instant, out, 1))).as("%s", instant).isEqualTo(expected);
    }
  }

  @Test
  void epochSecondsWithMicrosRejectsInstantsBeyondALongOfMicros() {
    byte[] out = new byte[Timestamps.MAX_DECIMAL_LENGTH + 1];
    assertThatThrownBy(() -> Timestamps.epochSecondsWithMicros(Instant.MAX, out, 0)).isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> Timestamps.epochSecondsWithMicros(Instant.MIN, out, 0)).isInstanceOf(ArithmeticException.class);
  }

  @Test
  void isoInstantIsWhatIsoInstantFormatterWrites() {
    byte[] out = new byte[Timestamps.MAX_ISO_LENGTH + 1];
    for (Instant instant : instants(0, YEAR_9999_END)) {
      assertThat(ascii(out, Timestamps.isoInstant(instant, out, 1))).as("%s", instant)
          .isEqualTo(DateTimeFormatter.ISO_INSTANT.format(instant));
    }
  }

  @Test
  void isoInstantLeavesYearsOutsideFourDigitsToTheFormatter() {
    byte[] out = new byte[Timestamps.MAX_ISO_LENGTH + 1];
    assertThat(Timestamps.isoInstant(Instant.ofEpochSecond(-1), out, 0)).isEqualTo(-1);
    assertThat(Timestamps.isoInstant(Instant.ofEpochSecond(YEAR_9999_END + 1), out, 0)).isEqualTo(-1);
    assertThat(Timestamps.isoInstant(Instant.MAX, out, 0)).isEqualTo(-1);
  }
}
