package io.sentrytrace.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code agent-startup} at one round (run by failsafe after {@code package}, which copies the
 * agent, the extension and the single-file agent to {@code target/javaagent}): every configuration
 * starts and answers, and only those with the extension send their transaction to the stand-in.
 */
class AgentStartupIT {
  @Test
  @Timeout(600) // bounds a hang only: four JVMs, three of them with the agent, on a loaded machine
  void everyConfigurationStartsAndAnswersAndOnlyTheExtensionSendsTransactions() throws Exception {
    Path dir = Path.of("target", "javaagent");
    AgentStartup.Options options = new AgentStartup.Options(dir.resolve("opentelemetry-javaagent.jar"),
        dir.resolve("sentry-trace-opentelemetry-agent.jar"), dir.resolve("sentry-trace-opentelemetry-javaagent.jar"), 1);
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    AgentStartup.Result result;
    try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      result = new AgentStartup(options, out).run();
    }

    assertThat(result.allAnswered()).as(buffer.toString(StandardCharsets.UTF_8)).isTrue();
    assertThat(result.starts()).containsOnlyKeys("no agent", "agent, exporters none", "agent + extension + DSN",
        "single-file agent + DSN");
    assertThat(result.starts().values()).allSatisfy(starts -> assertThat(starts).singleElement()
        .satisfies(s -> assertThat(s.firstAnswerMillis()).isGreaterThan(s.listeningMillis())));
    assertThat(result.transactions())
        .containsEntry("no agent", 0L)
        .containsEntry("agent, exporters none", 0L)
        .containsEntry("agent + extension + DSN", 1L)
        .containsEntry("single-file agent + DSN", 1L);
    assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("| single-file agent + DSN |");
  }
}
