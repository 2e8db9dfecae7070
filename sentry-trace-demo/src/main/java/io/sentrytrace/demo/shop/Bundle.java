package io.sentrytrace.demo.shop;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The @sentry/browser bundle the shop page loads, when it was built ({@code cd sentry-trace-demo/js
 * && npm ci && npm run build}). Looked up in order: an explicit path, the classpath ({@code
 * static/sentry.js}, copied there by the Maven build when the bundle existed), {@code
 * sentry-trace-demo/js/dist/sentry.js} and {@code js/dist/sentry.js} below the working directory.
 *
 * <pre>{@code
 * Bundle bundle = Bundle.locate(null); // null when not built
 * }</pre>
 */
public record Bundle(byte[] bytes, String source) {
  static final String CLASSPATH_NAME = "static/sentry.js";
  public static final String HOW_TO_BUILD = "cd sentry-trace-demo/js && npm ci && npm run build";

  /**
   * The bundle, or null when there is none.
   *
   * @throws IllegalArgumentException when {@code explicit} is given but not a readable file
   */
  public static Bundle locate(Path explicit) {
    if (explicit != null) {
      if (!Files.isRegularFile(explicit)) throw new IllegalArgumentException("--bundle: no such file: " + explicit);
      return read(explicit);
    }
    try (InputStream in = Bundle.class.getClassLoader().getResourceAsStream(CLASSPATH_NAME)) {
      if (in != null) return new Bundle(in.readAllBytes(), "classpath " + CLASSPATH_NAME);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String candidate : new String[] {"sentry-trace-demo/js/dist/sentry.js", "js/dist/sentry.js"}) {
      Path p = Path.of(candidate);
      if (Files.isRegularFile(p)) return read(p);
    }
    return null;
  }

  private static Bundle read(Path p) {
    try {
      return new Bundle(Files.readAllBytes(p), p.toAbsolutePath().normalize().toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }

  public String describe() {
    return source + " (" + bytes.length / 1024 + " KB)";
  }
}
