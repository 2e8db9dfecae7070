package io.sentrytrace.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** How this library names itself to Sentry: in the envelope's {@code sdk} and in the auth header. */
final class Sdk {
  static final String NAME = "sentry-trace.java";
  static final String VERSION = loadVersion();
  /** The {@code sentry_client} of the {@code X-Sentry-Auth} header, and the {@code User-Agent}. */
  static final String CLIENT = NAME + "/" + VERSION;

  private Sdk() {}

  /** From the Maven-filtered sdk.properties, so the version never drifts from the pom's. */
  private static String loadVersion() {
    try (InputStream in = Sdk.class.getResourceAsStream("sdk.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null && !v.isEmpty() && !v.startsWith("$")) return v;
      }
    } catch (IOException ignored) {
      // fall through: an unknown version must not stop export
    }
    return "unknown";
  }
}
