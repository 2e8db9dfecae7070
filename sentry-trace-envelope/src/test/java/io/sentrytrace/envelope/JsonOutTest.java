package io.sentrytrace.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JsonOutTest {
  private static final JsonFactory JSON = new JsonFactory();

  private static String written(JsonOut out) {
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }

  /** The string value of {"v":...} as a JSON parser reads it back. */
  private static String readBack(String value) throws IOException {
    JsonOut out = new JsonOut(16).beginObject().name("v").string(value).endObject();
    try (JsonParser p = JSON.createParser(out.toByteArray())) {
      assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
      assertThat(p.nextFieldName()).isEqualTo("v");
      assertThat(p.nextToken()).isEqualTo(JsonToken.VALUE_STRING);
      String text = p.getText();
      assertThat(p.nextToken()).isEqualTo(JsonToken.END_OBJECT);
      assertThat(p.nextToken()).isNull();
      return text;
    }
  }

  @Test
  void placesCommasBetweenMembersAndElementsOnly() {
    byte[] id = JsonOut.quotedName("id");
    JsonOut out = new JsonOut(4).beginObject().name(id).number(1).name("list").beginArray()
        .beginObject().endObject().beginObject().name("b").bool(true).endObject().string("x").endArray()
        .member(JsonOut.quotedMember("k", "v")).name("o").beginObject().endObject().endObject().newline()
        .beginObject().name("n").number(0.25).endObject();

    assertThat(written(out)).isEqualTo("{\"id\":1,\"list\":[{},{\"b\":true},\"x\"],\"k\":\"v\",\"o\":{}}\n{\"n\":0.25}");
  }

  @Test
  void escapesQuotesBackslashesAndControlCharacters() {
    JsonOut out = new JsonOut(4).string("a\"b\\c\nd\te\rf\bg\fh\u0001i\u001fj\u007fk/");

    assertThat(written(out)).isEqualTo("\"a\\\"b\\\\c\\nd\\te\\rf\\bg\\fh\\u0001i\\u001Fj\u007fk/\"");
  }

  @Test
  void everyAsciiCharacterReadsBackAsWritten() throws IOException {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x80; c++) all.append(c);
    assertThat(readBack(all.toString())).isEqualTo(all.toString());
  }

  @Test
  void writesOtherCharactersAsUtf8() throws IOException {
    String text = "café ✓ 日本 \uD83D\uDE00 \"quoted\"\n";
    JsonOut out = new JsonOut(4).string("café ✓ 日本 \uD83D\uDE00");

    assertThat(out.toByteArray()).isEqualTo("\"café ✓ 日本 \uD83D\uDE00\"".getBytes(StandardCharsets.UTF_8));
    assertThat(readBack(text)).isEqualTo(text);
  }

  @Test
  void randomStringsOfAnyCharactersReadBackAsWritten() throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    for (int n = 0; n < 2_000; n++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(40);
      for (int i = 0; i < length; i++) {
        int codePoint = random.nextInt(4) == 0 ? random.nextInt(0x80) : random.nextInt(Character.MAX_CODE_POINT + 1);
        if (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE) continue; // paired only
        s.appendCodePoint(codePoint);
      }
      assertThat(readBack(s.toString())).isEqualTo(s.toString());
    }
  }

  @Test
  void aLoneSurrogateIsWrittenAsAQuestionMarkNotAnEscape() throws IOException {
    assertThat(written(new JsonOut(4).string("a\uD800b\uDC00"))).isEqualTo("\"a?b?\"");
    assertThat(readBack("x\uDBFF")).isEqualTo("x?");
  }

  @Test
  void namesAreEscapedLikeStrings() {
    assertThat(written(new JsonOut(4).beginObject().name("a\"b").number(-3).endObject())).isEqualTo("{\"a\\\"b\":-3}");
  }

  @Test
  void quotedNameAcceptsPlainAsciiNamesOnly() {
    assertThat(new String(JsonOut.quotedName("trace_id"), StandardCharsets.US_ASCII)).isEqualTo("\"trace_id\":");
    assertThatThrownBy(() -> JsonOut.quotedName("a\"b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JsonOut.quotedName("café")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void numbersAreWrittenAsJavaPrintsThem() {
    assertThat(written(new JsonOut(4).beginArray().number(Long.MIN_VALUE).number(1.0E-7).number(2.5).bool(false)
        .ascii("1E+3").endArray())).isEqualTo("[" + Long.MIN_VALUE + ",1.0E-7,2.5,false,1E+3]");
  }

  @Test
  void instantsAsDecimalSecondsAndAsIsoStrings() {
    Instant instant = Instant.parse("2023-11-14T22:13:20.123456789Z");
    assertThat(written(new JsonOut(4).beginArray().epochSecondsWithMicros(instant).isoInstant(instant).endArray()))
        .isEqualTo("[1700000000.123456,\"2023-11-14T22:13:20.123456789Z\"]");
    Instant beforeTheEpoch = Instant.parse("1969-07-20T20:17:40Z");
    assertThat(written(new JsonOut(4).isoInstant(beforeTheEpoch))).isEqualTo("\"1969-07-20T20:17:40Z\"");
  }

  @Test
  void resetEmptiesTheBufferAndLetsGoOfAGrownOne() {
    JsonOut out = new JsonOut(64);
    out.string("x".repeat(1000));
    out.reset();
    assertThat(out.size()).isZero();
    assertThat(out.capacity()).isGreaterThanOrEqualTo(1000); // kept: small enough to reuse

    out.string("x".repeat(JsonOut.KEEP_AT_MOST + 1));
    out.reset();
    assertThat(out.capacity()).isEqualTo(64);
    assertThat(written(out.string("y"))).isEqualTo("\"y\""); // no comma carried over
  }
}
