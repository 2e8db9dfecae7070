package io.sentrytrace;

/**
 * Makes a span (or propagation context) current on this thread until closed; closing restores
 * what was current before.
 *
 * <pre>{@code
 * try (Scope scope = span.makeCurrent()) {
 *   client.newCall(request).execute(); // the interceptor sees span as the parent
 * }
 * }</pre>
 */
@FunctionalInterface
public interface Scope extends AutoCloseable {
  @Override
  void close();
}
