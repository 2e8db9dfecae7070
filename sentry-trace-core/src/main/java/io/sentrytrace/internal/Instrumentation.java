package io.sentrytrace.internal;

import io.sentrytrace.Scope;

/**
 * Not API: may change without notice.
 *
 * <p>Switches our own instrumentation off for requests made on this thread, for traffic that must
 * never be traced, such as the exporter's own requests to Sentry.
 *
 * <pre>{@code
 * try (Scope quiet = Instrumentation.suppress()) {
 *   transport.send(envelope); // interceptors add no headers and record no span
 * }
 * }</pre>
 */
public final class Instrumentation {
  private static final ThreadLocal<Boolean> SUPPRESSED = new ThreadLocal<>();

  private Instrumentation() {}

  /** Suppresses instrumentation on this thread until the scope closes. */
  public static Scope suppress() {
    if (Boolean.TRUE.equals(SUPPRESSED.get())) return () -> {};
    SUPPRESSED.set(Boolean.TRUE);
    return SUPPRESSED::remove;
  }

  /** True while a {@link #suppress()} scope is open on this thread. */
  public static boolean isSuppressed() {
    return SUPPRESSED.get() != null;
  }
}
