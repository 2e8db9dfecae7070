package io.sentrytrace.demo;

import io.sentrytrace.demo.collector.Trace;
import io.sentrytrace.demo.collector.TraceCheck;
import io.sentrytrace.demo.collector.TraceTree;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The sentry-trace demo: a traced shop page whose @sentry/browser pageload continues the server's
 * trace, a checkout that fans out to three services through OkHttp, Apache HttpClient and the JDK
 * HttpClient, and a local collector that prints the assembled trace.
 *
 * <pre>{@code
 * java -jar sentry-trace-demo/target/sentry-trace-demo.jar          # open the printed URL; Ctrl-C stops
 * java -jar sentry-trace-demo/target/sentry-trace-demo.jar --once   # a built-in client plays the browser
 * }</pre>
 */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) {
    int code = run(args, System.out);
    if (code >= 0) System.exit(code);
  }

  /**
   * Runs the demo; returns the exit code: 0 ok, 1 the trace did not connect, 2 bad flags. Without
   * {@code --once} it blocks until the JVM shuts down (Ctrl-C) and returns -1.
   */
  static int run(String[] args, PrintStream out) {
    DemoOptions options;
    try {
      options = DemoOptions.parse(args);
    } catch (IllegalArgumentException e) {
      out.println("error: " + e.getMessage());
      out.println(DemoOptions.USAGE);
      return 2;
    }
    if (options.help()) {
      out.println(DemoOptions.USAGE);
      return 0;
    }
    DemoApp app;
    try {
      app = DemoApp.start(options, out);
    } catch (RuntimeException e) {
      out.println("error: " + e.getMessage());
      return 2;
    }
    try (app) {
      app.printWelcome(out);
      out.println();
      if (options.once()) return once(app, out);
      return untilShutdown(app, out);
    }
  }

  private static int once(DemoApp app, PrintStream out) {
    OnceClient.Result result;
    try {
      result = OnceClient.playBrowser(app.shop.baseUri(), out);
    } catch (IOException e) {
      out.println("FAILED: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    out.println();
    out.println("waiting up to " + app.options.traceWait().toSeconds() + " s for the collector to assemble trace " + result.traceId() + " ...");
    Optional<Trace> trace;
    try {
      trace = app.collector.store().await(result.traceId(),
          t -> TraceCheck.checkoutProblems(t, result.pageSpanId()).isEmpty(), app.options.traceWait());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    out.println();
    if (trace.isEmpty()) {
      out.println("FAILED: nothing of trace " + result.traceId() + " reached the collector");
      return 1;
    }
    out.print(TraceTree.of(trace.get()).render());
    out.println();
    List<String> problems = TraceCheck.checkoutProblems(trace.get(), result.pageSpanId());
    if (!problems.isEmpty()) {
      out.println("FAILED: the trace did not connect:");
      problems.forEach(p -> out.println("  - " + p));
      return 1;
    }
    out.println("OK: one trace from the page's server span through the checkout to "
        + String.join(", ", TraceCheck.DOWNSTREAMS) + " (" + trace.get().transactions().size() + " transactions)");
    return 0;
  }

  private static int untilShutdown(DemoApp app, PrintStream out) {
    out.println("Open " + app.shop.baseUri() + "/ in a browser; each page load prints its trace here once it");
    out.println("goes quiet, and " + app.collector.tracesUri() + " shows the waterfall. Ctrl-C stops.");
    out.println();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close(); // flushes every service's transactions before the JVM goes
      out.println("demo: stopped");
      stopped.countDown();
    }, "demo-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return -1;
  }
}
