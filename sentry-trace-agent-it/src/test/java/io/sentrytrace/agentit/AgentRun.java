package io.sentrytrace.agentit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.envelope.FakeSentry;
import io.sentrytrace.envelope.ReceivedEnvelope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An application in a child JVM with only what a user adds: the stock OpenTelemetry agent, this
 * project's extension and {@code -Dsentry-trace.dsn} (pointing at a {@link FakeSentry}). The app
 * prints {@code LISTENING <port>} once it serves (or {@code READY} if it serves nothing) and runs
 * until stopped; {@link #stop()} sends SIGTERM, so the agent's shutdown flushes the last batch.
 * Every wait is bounded; a wait that fails shows the app's output.
 */
final class AgentRun implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("LISTENING (\\d+)");

  private final Process process;
  private final Path log;

  private AgentRun(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code main} with the test class path under the agent. {@code properties} are further
   * {@code -Dkey=value} options (the DSN, a sample rate of 1.0 and the service name are set here).
   */
  static AgentRun start(Path dir, FakeSentry sentry, String serviceName, List<String> properties, Class<?> main, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-javaagent:" + existing("javaagent.jar"));
    command.add("-Dotel.javaagent.extensions=" + existing("extension.jar"));
    command.add("-Dsentry-trace.dsn=" + sentry.dsn());
    command.add("-Dsentry-trace.traces-sample-rate=1.0");
    command.add("-Dotel.service.name=" + serviceName);
    command.add("-Xmx512m");
    if (Runtime.version().feature() >= 22) {
      // Netty loads its native transport: on JDK 24+ that prints a restricted-method WARNING unless
      // the app allows native access, as a real service on those JDKs does (the flag is from JDK 22).
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    for (String p : properties) command.add("-D" + p);
    command.add("-cp");
    command.add(testClassPath());
    command.add(main.getName());
    command.addAll(List.of(args));
    Path log = Files.createTempFile(dir, serviceName, ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new AgentRun(process, log);
  }

  /** The port the app printed; fails with the app's output if it exits or takes over {@code timeout}. */
  int awaitPort(Duration timeout) throws IOException, InterruptedException {
    return Integer.parseInt(awaitLine(LISTENING, timeout).group(1));
  }

  /** Waits for the first match of {@code pattern} in the app's output. */
  Matcher awaitLine(Pattern pattern, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String out = output();
      Matcher m = pattern.matcher(out);
      if (m.find()) return m;
      assertThat(process.isAlive()).as("the app exited before printing %s:%n%s", pattern, out).isTrue();
      Thread.sleep(100);
    }
    throw new AssertionError("the app did not print " + pattern + " in " + timeout + ":\n" + output());
  }

  /** SIGTERM, then waits (bounded) for the JVM to end: the agent's shutdown flushes the exporter. */
  void stop() throws InterruptedException, IOException {
    process.destroy();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the app stopped on SIGTERM:%n%s", output()).isTrue();
  }

  /** Everything the app printed so far. */
  String output() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /**
   * The transactions among the envelopes {@code sentry} received, once at least {@code expected}
   * distinct envelopes carrying one have arrived (bounded by {@code timeout}). Distinct by
   * {@code event_id}: an HTTP client may send a POST again on its own (a keep-alive connection
   * closed under it), which is one transaction, not two.
   */
  static List<ReceivedEnvelope> transactions(FakeSentry sentry, int expected, Duration timeout)
      throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ReceivedEnvelope> transactions = new ArrayList<>();
    while (true) {
      transactions.clear();
      java.util.Set<Object> seen = new java.util.HashSet<>();
      for (FakeSentry.Request r : sentry.requests()) {
        ReceivedEnvelope e = r.envelope();
        if (!e.payloads("transaction").isEmpty() && seen.add(e.header.get("event_id"))) transactions.add(e);
      }
      if (transactions.size() >= expected || System.nanoTime() > deadline) return List.copyOf(transactions);
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  /** The test JVM's own class path (Surefire/Failsafe pass the real one in this property). */
  private static String testClassPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isEmpty() ? cp : System.getProperty("java.class.path");
  }

  private static String existing(String property) {
    String path = System.getProperty(property);
    assertThat(path).as(property + " (set by failsafe in the pom)").isNotNull();
    assertThat(Path.of(path)).exists();
    return path;
  }
}
