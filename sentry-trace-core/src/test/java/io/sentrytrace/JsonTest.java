package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test-only JSON reader the conformance vectors go through. */
class JsonTest {
  @Test
  void readsObjectsInOrderArraysAndScalars() {
    Object json = Json.parse(" {\"b\": [1, -2.5e1, true, false, null], \"a\": {}, \"c\": []} ");

    assertThat(json).isInstanceOf(LinkedHashMap.class);
    Map<String, Object> map = Vectors.map(json);
    assertThat(map.keySet()).containsExactly("b", "a", "c");
    assertThat(Vectors.list(map.get("b"))).isEqualTo(Arrays.asList(1.0, -25.0, true, false, null));
    assertThat(Vectors.map(map.get("a"))).isEmpty();
    assertThat(Vectors.list(map.get("c"))).isEmpty();
  }

  @Test
  void decodesStringEscapesIncludingUnicode() {
    assertThat(Json.parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9\\u0041\""))
        .isEqualTo("q\" b\\ s/ \b\f\n\r\t éA");
  }

  @Test
  void rejectsMalformedJson() {
    for (String bad : List.of("{", "[1,", "\"open", "{\"a\" 1}", "tru", "1 2", "\"\\x\"")) {
      assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void loadsEveryConformanceFileFromTheClasspath() {
    for (String file : List.of("baggage-merge.json", "baggage-parse.json", "baggage-serialise.json",
        "continuation.json", "meta-tags.json", "sentry-trace.json", "targets.json")) {
      assertThat(Vectors.load(file)).as(file).isNotNull();
    }
  }
}
