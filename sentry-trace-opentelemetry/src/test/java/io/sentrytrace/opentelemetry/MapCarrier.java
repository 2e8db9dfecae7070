package io.sentrytrace.opentelemetry;

import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Map;

/** A header map as a propagation carrier; the setter replaces, as TextMapSetter's contract says. */
final class MapCarrier {
  private MapCarrier() {}

  static final TextMapGetter<Map<String, String>> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  static final TextMapSetter<Map<String, String>> SETTER = Map::put;
}
