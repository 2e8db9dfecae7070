package io.sentrytrace;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The thread's current span or propagation context: a stack of scopes, the rules of which are in
 * {@link Scope}'s javadoc. The thread-local holds the innermost open scope; each scope links to the
 * one that was innermost when it opened. The innermost one is never a closed scope, so reading the
 * current value is one thread-local lookup.
 */
final class CurrentContext {
  private static final ThreadLocal<Frame> CURRENT = new ThreadLocal<>();
  static final WarnOnce MISUSE = new WarnOnce(System.getLogger(Scope.class.getName()));

  private CurrentContext() {}

  /** The current span or propagation context, or null. */
  static Object get() {
    Frame top = CURRENT.get();
    return top == null ? null : top.value;
  }

  /** Makes {@code value} (may be null: nothing) current until the returned scope closes. */
  static Scope attach(Object value) {
    Frame frame = new Frame(value, CURRENT.get(), Thread.currentThread());
    CURRENT.set(frame);
    return frame;
  }

  /** {@code task} running with {@code captured} current, then the running thread's own again. */
  static Runnable wrap(Object captured, Runnable task) {
    return () -> {
      Frame frame = (Frame) attach(captured);
      try {
        task.run();
      } finally {
        frame.endTask();
      }
    };
  }

  static <T> Callable<T> wrap(Object captured, Callable<T> task) {
    return () -> {
      Frame frame = (Frame) attach(captured);
      try {
        return task.call();
      } finally {
        frame.endTask();
      }
    };
  }

  static <T> List<Callable<T>> wrapAll(Object captured, Collection<? extends Callable<T>> tasks) {
    List<Callable<T>> wrapped = new ArrayList<>(tasks.size());
    for (Callable<T> task : tasks) wrapped.add(wrap(captured, task));
    return wrapped;
  }

  /** Makes the innermost open scope at or below {@code frame} current; nothing if there is none. */
  private static void resumeAt(Frame frame) {
    while (frame != null && frame.closed) frame = frame.parent;
    if (frame == null) CURRENT.remove(); // a pool thread keeps no entry once nothing is current
    else CURRENT.set(frame);
  }

  private static final class Frame implements Scope {
    final Object value;
    final Frame parent;
    final Thread owner;
    /** How many frames are below this one in its chain: how {@link #endTask} aligns two chains. */
    final int depth;
    /** Only read and written on the owner thread: a close on another thread changes nothing. */
    boolean closed;

    Frame(Object value, Frame parent, Thread owner) {
      this.value = value;
      this.parent = parent;
      this.owner = owner;
      this.depth = parent == null ? 0 : parent.depth + 1;
    }

    @Override
    public void close() {
      if (Thread.currentThread() != owner) {
        misuse("closed on thread " + Thread.currentThread().getName() + ", opened on " + owner.getName()
            + "; ignored (close a scope on the thread that opened it)");
        return;
      }
      if (closed) {
        misuse("closed twice; ignored");
        return;
      }
      Frame top = CURRENT.get();
      if (top != this) {
        // Scopes opened after this one and left open (a handler that forgot to close its own)
        // end with it: what was current when this one opened comes back, as with OpenTelemetry,
        // so nothing of this request outlives it on a pooled thread.
        misuse("closed while scopes opened after it were still open; they are closed with it");
        for (Frame f = top; f != null && f != this; f = f.parent) f.closed = true;
      }
      closed = true;
      resumeAt(parent);
    }

    /**
     * After a wrapped task: closes the scopes the task opened and left open, then resumes the
     * innermost open scope that was there before the task. That is this frame's parent, unless the
     * task closed a scope opened before it (a task run on the submitting thread, by a direct
     * executor or {@code CallerRunsPolicy}): that close ended this frame too and restored what was
     * current when the closed scope opened, so the thread stays as that close left it.
     */
    void endTask() {
      // The frames that were open before the task are this one's parent chain; the current chain
      // holds them and, above them, what the task opened. Their meeting point is found by walking
      // both chains down once, the deeper first (a common ancestor in a tree).
      Frame current = CURRENT.get();
      Frame ours = this;
      boolean reported = false;
      while (current != ours) {
        if (depth(current) >= depth(ours)) {
          if (!reported) {
            current.misuse("left open by a wrapped task; closed when the task ended");
            reported = true;
          }
          current.closed = true;
          current = current.parent;
        } else {
          ours = ours.parent;
        }
      }
      closed = true;
      resumeAt(current);
    }

    private static int depth(Frame frame) {
      return frame == null ? -1 : frame.depth;
    }

    private void misuse(String what) {
      MISUSE.log(
          () -> "scope of " + value + " " + what,
          () -> new IllegalStateException("scope misused here"));
    }
  }
}
