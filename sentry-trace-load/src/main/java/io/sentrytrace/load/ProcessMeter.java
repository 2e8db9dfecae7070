package io.sentrytrace.load;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;

/**
 * Process CPU time and bytes allocated by the whole process. On JDK 21+ allocation is the JVM's
 * own total ({@code getTotalThreadAllocatedBytes}, dead threads included); on 17 it is the sum
 * over live threads, and threads that die inside a window take their bytes with them (counted).
 */
final class ProcessMeter {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final Method TOTAL = totalMethod();

  private static Method totalMethod() {
    try {
      Method m = com.sun.management.ThreadMXBean.class.getMethod("getTotalThreadAllocatedBytes");
      return ((Long) m.invoke(THREADS)) >= 0 ? m : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // JDK 17
    }
  }

  /** How allocation is counted, for the report. */
  static String allocationMethod() {
    return TOTAL != null
        ? "ThreadMXBean.getTotalThreadAllocatedBytes (JDK " + Runtime.version().feature() + ", all threads incl. dead)"
        : "sum of getThreadAllocatedBytes over live threads (JDK " + Runtime.version().feature()
            + "; bytes of threads that die in a window are lost, counted below)";
  }

  /** {@code perThread} is only kept on JDK 17, where the total is not available. */
  record Snapshot(long cpuNanos, long allocatedBytes, Map<Long, Long> perThread, long wallNanos, long endpointCpuNanos) {
    /** Bytes allocated between {@code start} and this snapshot. */
    long allocatedSince(Snapshot start) {
      if (TOTAL != null) return allocatedBytes - start.allocatedBytes;
      long sum = 0; // threads alive now: what they allocated since start (all of it if new)
      for (Map.Entry<Long, Long> e : perThread.entrySet()) {
        sum += e.getValue() - start.perThread.getOrDefault(e.getKey(), 0L);
      }
      return sum;
    }
  }

  static Snapshot snapshot() {
    long[] ids = THREADS.getAllThreadIds();
    Map<Long, Long> perThread = new HashMap<>();
    long allocated = 0;
    if (TOTAL != null) {
      try {
        allocated = (Long) TOTAL.invoke(THREADS);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    long[] bytes = THREADS.getThreadAllocatedBytes(ids);
    for (int i = 0; i < ids.length; i++) perThread.put(ids[i], bytes[i]);
    long endpoint = 0; // the envelope endpoint's handler threads: Sentry's work, not the service's
    for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(ids)) {
      if (info != null && info.getThreadName().startsWith(EnvelopeSink.THREAD_PREFIX)) {
        long t = THREADS.getThreadCpuTime(info.getThreadId());
        if (t > 0) endpoint += t;
      }
    }
    return new Snapshot(OS.getProcessCpuTime(), allocated, perThread, System.nanoTime(), endpoint);
  }

  /** Threads alive at {@code start} and gone at {@code end}: their bytes are lost on JDK 17. */
  static int threadsDied(Snapshot start, Snapshot end) {
    int died = 0;
    for (Long id : start.perThread().keySet()) if (!end.perThread().containsKey(id)) died++;
    return died;
  }

  static boolean exactAllocation() {
    return TOTAL != null;
  }

  private ProcessMeter() {}
}
