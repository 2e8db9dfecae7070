package io.sentrytrace;

/** The thread's current span or propagation context. */
final class CurrentContext {
  private static final ThreadLocal<Object> CURRENT = new ThreadLocal<>();

  private CurrentContext() {}

  static Object get() {
    return CURRENT.get();
  }

  static Scope attach(Object value) {
    Object previous = CURRENT.get();
    if (previous == value) return () -> {};
    CURRENT.set(value);
    Thread owner = Thread.currentThread();
    return new Scope() {
      private boolean closed;

      @Override
      public void close() {
        // A scope closed twice, or on another thread, must not corrupt that thread's state.
        if (closed || Thread.currentThread() != owner) return;
        closed = true;
        if (previous == null) CURRENT.remove();
        else CURRENT.set(previous);
      }
    };
  }
}
