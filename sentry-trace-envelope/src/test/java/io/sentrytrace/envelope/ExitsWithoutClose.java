package io.sentrytrace.envelope;

import io.sentrytrace.Tracer;
import java.time.Duration;

/**
 * The main of a child JVM for {@link ShutdownHookTest}: finishes transactions into an {@link
 * EnvelopeExporter} and returns without closing anything, as a short-lived program would.
 * Arguments: the DSN, the number of transactions, and optionally the close timeout in ms.
 */
public final class ExitsWithoutClose {
  private ExitsWithoutClose() {}

  public static void main(String[] args) {
    String dsn = args[0];
    int count = Integer.parseInt(args[1]);
    EnvelopeExporter.Builder exporter = EnvelopeExporter.builder(dsn);
    if (args.length > 2) exporter.closeTimeout(Duration.ofMillis(Long.parseLong(args[2])));
    Tracer tracer = Tracer.builder().dsn(dsn).tracesSampleRate(1).exporter(exporter.build()).build();
    for (int i = 0; i < count; i++) {
      tracer.startTransaction("job " + i, "task").finish();
    }
    System.out.println("finished " + count + " transactions; returning without close()");
  }
}
