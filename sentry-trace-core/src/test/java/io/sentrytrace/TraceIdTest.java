package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TraceIdTest {
  private static final String HEX = "0123456789abcdef0123456789abcdef";

  @Test
  void randomIsThirtyTwoLowerCaseHexAndNeverAllZero() {
    Set<TraceId> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      TraceId id = TraceId.random();
      assertThat(id.toString()).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
      seen.add(id);
    }
    assertThat(seen).hasSize(10_000);
  }

  @Test
  void fromHexRoundTrips() {
    for (int i = 0; i < 1_000; i++) {
      TraceId id = TraceId.random();
      TraceId parsed = TraceId.fromHex(id.toString());
      assertThat(parsed).isEqualTo(id).hasSameHashCodeAs(id);
      assertThat(parsed.toString()).isEqualTo(id.toString());
    }
    assertThat(TraceId.fromHex(HEX).toString()).isEqualTo(HEX);
  }

  @Test
  void acceptsUpperCaseAndNormalisesToLowerCase() {
    assertThat(TraceId.fromHex(HEX.toUpperCase()).toString()).isEqualTo(HEX);
    assertThat(TraceId.fromHex(HEX.toUpperCase())).isEqualTo(TraceId.fromHex(HEX));
  }

  @Test
  void acceptsIdsWithOnlyOneNonZeroHalf() {
    assertThat(TraceId.fromHex("0".repeat(31) + "1").toString()).isEqualTo("0".repeat(31) + "1");
    assertThat(TraceId.fromHex("1" + "0".repeat(31)).toString()).isEqualTo("1" + "0".repeat(31));
  }

  @Test
  void rejectsWrongLengthSayingSo() {
    assertThatThrownBy(() -> TraceId.fromHex(HEX.substring(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 hex chars")
        .hasMessageContaining("got 31");
    assertThatThrownBy(() -> TraceId.fromHex(HEX + "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 33");
    assertThatThrownBy(() -> TraceId.fromHex(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 0");
  }

  @Test
  void rejectsNonHexSayingSo() {
    assertThatThrownBy(() -> TraceId.fromHex("g" + HEX.substring(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not hex");
    assertThatThrownBy(() -> TraceId.fromHex(HEX.substring(0, 31) + "é"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not hex");
    assertThatThrownBy(() -> TraceId.fromHex(HEX.substring(0, 16) + "-" + HEX.substring(17)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not hex");
  }

  @Test
  void rejectsAllZeroSayingSo() {
    assertThatThrownBy(() -> TraceId.fromHex("0".repeat(32)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("all zero");
  }

  @Test
  void rejectsNullSayingSo() {
    assertThatThrownBy(() -> TraceId.fromHex(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("null");
  }

  @Test
  void messageShowsHostileInputOnOneShortLine() {
    String hostile = "\r\nX-Injected: 1" + "x".repeat(500);
    assertThatThrownBy(() -> TraceId.fromHex(hostile))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\r", "\n").hasSizeLessThan(150));
  }
}
