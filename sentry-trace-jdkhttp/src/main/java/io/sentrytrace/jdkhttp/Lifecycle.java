package io.sentrytrace.jdkhttp;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * HttpClient's lifecycle methods of Java 21+ ({@code shutdown}, {@code close}, ...), found at run
 * time since this module is built for Java 17: the wrapper passes them on, so that closing it
 * closes the wrapped client. On Java 17 they do not exist and every call here does nothing.
 */
final class Lifecycle {
  private static final MethodHandle SHUTDOWN = find("shutdown", MethodType.methodType(void.class));
  private static final MethodHandle SHUTDOWN_NOW = find("shutdownNow", MethodType.methodType(void.class));
  private static final MethodHandle IS_TERMINATED = find("isTerminated", MethodType.methodType(boolean.class));
  private static final MethodHandle AWAIT_TERMINATION =
      find("awaitTermination", MethodType.methodType(boolean.class, Duration.class));
  private static final MethodHandle CLOSE = find("close", MethodType.methodType(void.class));

  private Lifecycle() {}

  private static MethodHandle find(String name, MethodType type) {
    try {
      return MethodHandles.publicLookup().findVirtual(HttpClient.class, name, type);
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null;
    }
  }

  static void shutdown(HttpClient client) {
    run(SHUTDOWN, client);
  }

  static void shutdownNow(HttpClient client) {
    run(SHUTDOWN_NOW, client);
  }

  static void close(HttpClient client) {
    run(CLOSE, client);
  }

  static boolean isTerminated(HttpClient client) {
    if (IS_TERMINATED == null) return false;
    try {
      return (boolean) IS_TERMINATED.invokeExact(client);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  static boolean awaitTermination(HttpClient client, Duration duration) throws InterruptedException {
    if (AWAIT_TERMINATION == null) return false;
    try {
      return (boolean) AWAIT_TERMINATION.invokeExact(client, duration);
    } catch (RuntimeException | Error | InterruptedException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static void run(MethodHandle method, HttpClient client) {
    if (method == null) return;
    try {
      method.invokeExact(client);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }
}
