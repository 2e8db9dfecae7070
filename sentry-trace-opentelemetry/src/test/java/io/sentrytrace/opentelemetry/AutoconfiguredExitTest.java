package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.envelope.FakeSentry;
import io.sentrytrace.envelope.ReceivedEnvelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SDK autoconfigure without the agent, in a child JVM configured the ordinary ways (a system
 * property for the DSN, an environment variable for the rate): the exporter, propagators and
 * sampler come from the DSN alone, nothing tries OTLP, and a program that returns from main still
 * delivers its last transaction, because the exporter is flushed and closed by the SDK's shutdown
 * hook after the batch processor, not by a hook of its own racing it.
 */
class AutoconfiguredExitTest {
  @TempDir Path dir;

  @Test
  void theDsnAloneSendsTheLastTransactionOfAProgramThatJustReturns() throws Exception {
    try (FakeSentry sentry = FakeSentry.start()) {
      Path log = dir.resolve("app.log");
      ProcessBuilder builder = new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Dsentry-trace.dsn=" + sentry.dsn(),
              "-cp", System.getProperty("java.class.path"),
              AutoconfiguredApp.class.getName())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      builder.environment().put("SENTRY_TRACE_TRACES_SAMPLE_RATE", "1.0");
      Process app = builder.start();
      boolean exited = app.waitFor(60, TimeUnit.SECONDS);
      if (!exited) app.destroyForcibly();
      String output = Files.readString(log);
      assertThat(exited).as(output).isTrue();
      assertThat(app.exitValue()).as(output).isZero();

      List<FakeSentry.Request> received = sentry.await(1, Duration.ofSeconds(5));
      assertThat(received).as(output).hasSize(1);
      ReceivedEnvelope envelope = received.get(0).envelope();
      String trace = output.replaceAll("(?s).*DONE ([0-9a-f]{32}).*", "$1");
      assertThat(envelope.payload).containsEntry("transaction", "nightly job");
      assertThat(envelope.spans()).singleElement().satisfies(s -> assertThat(s).containsEntry("description", "step"));
      assertThat(envelope.dsc()).containsEntry("trace_id", trace).containsEntry("sample_rate", "1").containsEntry("sampled", "true");
      assertThat(output)
          .contains("set otel.propagators=tracecontext,baggage,sentry-trace, otel.traces.exporter=sentry-trace,"
              + " otel.metrics.exporter=none, otel.logs.exporter=none; sampler: sentry-trace at sentry-trace.traces-sample-rate=1.0")
          .doesNotContain("Exception", "WARNING", "SEVERE");
    }
  }
}
