package io.sentrytrace.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HeaderValuesTest {
  @Test
  void joinsRepeatedLinesWithCommas() {
    assertThat(HeaderValues.join(List.of("a=1", "b=2"))).isEqualTo("a=1,b=2");
    assertThat(HeaderValues.join(List.of("a=1"))).isEqualTo("a=1");
    assertThat(HeaderValues.join(List.of())).isNull();
    assertThat(HeaderValues.join(null)).isNull();
  }

  @ParameterizedTest
  @CsvSource(value = {"5|5", "' 12 '|12", "0|0", "-1|-1", "1x|-1", "''|-1", "+5|-1", "1.0|-1", "9223372036854775807|-1", "123456789012345678|123456789012345678"}, delimiter = '|')
  void readsAContentLengthOrMinusOne(String value, long expected) {
    assertThat(HeaderValues.contentLength(value)).isEqualTo(expected);
  }

  @Test
  void aMissingOrHugeContentLengthIsUnknown() {
    assertThat(HeaderValues.contentLength(null)).isEqualTo(-1);
    char[] digits = new char[100_000];
    Arrays.fill(digits, '9');
    assertThat(HeaderValues.contentLength(new String(digits))).isEqualTo(-1);
  }
}
