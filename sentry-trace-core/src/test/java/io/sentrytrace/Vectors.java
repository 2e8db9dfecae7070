package io.sentrytrace;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Loads the shared conformance vectors from the test classpath ({@code /conformance/*.json}). */
final class Vectors {
  private Vectors() {}

  static Object load(String file) {
    try (InputStream in = Vectors.class.getResourceAsStream("/conformance/" + file)) {
      if (in == null) throw new IllegalStateException("conformance vector file not on the classpath: " + file);
      return Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A file whose top level is an array of objects. */
  static List<Map<String, Object>> cases(String file) {
    return objects(load(file));
  }

  /** An array of objects under {@code key} of a file whose top level is an object. */
  static List<Map<String, Object>> cases(String file, String key) {
    return objects(map(load(file)).get(key));
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> objects(Object json) {
    return (List<Map<String, Object>>) json;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object json) {
    return (Map<String, Object>) json;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object json) {
    return (List<Object>) json;
  }

  /** A JSON object of strings as a {@code Map<String, String>}. */
  @SuppressWarnings("unchecked")
  static Map<String, String> strings(Object json) {
    return (Map<String, String>) json;
  }

  /** A readable test name: the vector's input, with its note when it has one. */
  static String name(Object input, Map<String, Object> vector) {
    String shown =
        input == null ? "null" : '"' + Strings.preview(String.valueOf(input).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")) + '"';
    Object note = vector.get("note");
    return note == null ? shown : shown + "  (" + note + ")";
  }
}
