package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpanDataMapTest {
  @Test
  void keepsInsertionOrderAndReplacesInPlace() {
    SpanDataMap data = new SpanDataMap();
    data.put("a", 1);
    data.put("b", 2);
    data.put("c", 3);
    data.put("a", 10);
    Map<String, Object> snapshot = data.snapshot();
    assertThat(snapshot).containsExactly(Map.entry("a", 10), Map.entry("b", 2), Map.entry("c", 3));
    assertThat(snapshot.get("b")).isEqualTo(2);
    assertThat(snapshot.get("z")).isNull();
    assertThat(snapshot.containsKey("c")).isTrue();
  }

  @Test
  void removeClosesTheGap() {
    SpanDataMap data = new SpanDataMap();
    data.put("a", 1);
    data.put("b", 2);
    data.put("c", 3);
    data.remove("b");
    data.remove("missing");
    data.put("d", 4);
    assertThat(data.snapshot()).containsExactly(Map.entry("a", 1), Map.entry("c", 3), Map.entry("d", 4));
  }

  @Test
  void growsPastTheArrayAndPastSmallKeepingOrder() {
    SpanDataMap data = new SpanDataMap();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 3 * SpanDataMap.SMALL; i++) {
      keys.add("k" + i);
      data.put("k" + i, i);
    }
    data.put("k5", "five"); // replaced in place, also in the large form
    data.remove("k7");
    keys.remove("k7");
    Map<String, Object> snapshot = data.snapshot();
    assertThat(snapshot.keySet()).containsExactlyElementsOf(keys);
    assertThat(snapshot.get("k5")).isEqualTo("five");
  }

  @Test
  void snapshotIsACopyAndUnmodifiable() {
    SpanDataMap data = new SpanDataMap();
    data.put("a", 1);
    Map<String, Object> snapshot = data.snapshot();
    data.put("a", 2);
    data.put("b", 3);
    assertThat(snapshot).containsExactly(Map.entry("a", 1));
    assertThatThrownBy(() -> snapshot.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> snapshot.entrySet().iterator().remove()).isInstanceOf(UnsupportedOperationException.class);
    assertThat(new SpanDataMap().snapshot()).isEmpty();
  }

  @Test
  void snapshotEqualsAnOrdinaryMapWithTheSameEntries() {
    SpanDataMap data = new SpanDataMap();
    data.put("a", 1);
    data.put("b", "x");
    assertThat(data.snapshot()).isEqualTo(Map.of("a", 1, "b", "x"));
    assertThat(data.snapshot().hashCode()).isEqualTo(Map.of("a", 1, "b", "x").hashCode());
  }
}
