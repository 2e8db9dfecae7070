package io.sentrytrace.internal;

/**
 * Not API: may change without notice.
 *
 * <p>Whether this JVM runs the OpenTelemetry Java agent, and whether sentry-trace's extension is
 * active in it. Then the agent instruments the requests and its spans reach Sentry through the
 * extension, so this project's own adapters (the Spring Boot starter's filter and interceptors)
 * step back: one transaction and one set of headers per request. The extension runs in the
 * agent's class loader, where the app's classes cannot see it: it says it is active with a system
 * property, set before the application's {@code main} runs.
 */
public final class OpenTelemetryAgent {
  /**
   * Set to {@code true} by the extension's customizer when it sets up export to Sentry in the agent;
   * outside the {@code sentry-trace.*} keys, which Spring Boot users set and the starter checks.
   */
  public static final String EXTENSION_ACTIVE_PROPERTY = "io.sentrytrace.agent-extension-active";
  /** A class of the agent's bootstrap part: on the boot class path exactly when the agent runs. */
  private static final String AGENT_CLASS = "io.opentelemetry.javaagent.bootstrap.AgentInitializer";

  private OpenTelemetryAgent() {}

  /** True when the OpenTelemetry Java agent runs in this JVM. */
  public static boolean isRunning() {
    try {
      Class.forName(AGENT_CLASS, false, null);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** True when sentry-trace's extension runs in the agent and sends its spans to Sentry. */
  public static boolean extensionActive() {
    return Boolean.parseBoolean(System.getProperty(EXTENSION_ACTIVE_PROPERTY));
  }

  /** Called by the extension once it has set up export to Sentry inside the agent. */
  public static void markExtensionActive() {
    if (isRunning()) System.setProperty(EXTENSION_ACTIVE_PROPERTY, "true");
  }
}
