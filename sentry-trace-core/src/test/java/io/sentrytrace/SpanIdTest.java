package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpanIdTest {
  private static final String HEX = "0123456789abcdef";

  @Test
  void randomIsSixteenLowerCaseHexAndNeverAllZero() {
    Set<SpanId> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      SpanId id = SpanId.random();
      assertThat(id.toString()).matches("[0-9a-f]{16}").isNotEqualTo("0".repeat(16));
      seen.add(id);
    }
    assertThat(seen).hasSize(10_000);
  }

  @Test
  void fromHexRoundTrips() {
    for (int i = 0; i < 1_000; i++) {
      SpanId id = SpanId.random();
      SpanId parsed = SpanId.fromHex(id.toString());
      assertThat(parsed).isEqualTo(id).hasSameHashCodeAs(id);
      assertThat(parsed.toString()).isEqualTo(id.toString());
    }
    assertThat(SpanId.fromHex(HEX).toString()).isEqualTo(HEX);
    assertThat(SpanId.fromHex("ffffffffffffffff").toString()).isEqualTo("ffffffffffffffff");
  }

  @Test
  void acceptsUpperCaseAndNormalisesToLowerCase() {
    assertThat(SpanId.fromHex("ABCDEF0123456789").toString()).isEqualTo("abcdef0123456789");
  }

  @Test
  void rejectsWrongLengthSayingSo() {
    assertThatThrownBy(() -> SpanId.fromHex(HEX.substring(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("16 hex chars")
        .hasMessageContaining("got 15");
    assertThatThrownBy(() -> SpanId.fromHex(HEX + HEX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 32");
  }

  @Test
  void rejectsNonHexSayingSo() {
    assertThatThrownBy(() -> SpanId.fromHex("0123456789abcdeg"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not hex");
    assertThatThrownBy(() -> SpanId.fromHex(" 123456789abcdef"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not hex");
  }

  @Test
  void rejectsAllZeroSayingSo() {
    assertThatThrownBy(() -> SpanId.fromHex("0000000000000000"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("all zero");
  }

  @Test
  void rejectsNullSayingSo() {
    assertThatThrownBy(() -> SpanId.fromHex(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("null");
  }
}
