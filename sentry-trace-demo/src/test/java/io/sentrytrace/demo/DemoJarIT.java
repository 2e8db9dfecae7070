package io.sentrytrace.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar as users start it ({@code java -jar}), in a child JVM: it must run on its own and
 * print nothing on stderr. An SLF4J binding missing from (or mismatched in) the shade makes
 * httpclient5's first logger print "SLF4J: Failed to load class ..." there. Run by failsafe in
 * {@code integration-test}, after {@code package} built the jar.
 */
class DemoJarIT {
  private static final Path JAR = Path.of(System.getProperty("demo.jar", "target/sentry-trace-demo.jar"));

  @Test
  void helpPrintsTheUsageAndNothingOnStderr() throws Exception {
    Run run = java("-jar", JAR.toString(), "--help");

    assertThat(run.exitCode).as(run.toString()).isZero();
    assertThat(run.stdout).as(run.toString()).startsWith("usage: java -jar sentry-trace-demo.jar");
    assertThat(run.stderr).as(run.toString()).isEmpty();
  }

  @Test
  void oncePlaysTheCheckoutThroughEveryClientWithoutAnSlf4jWarning() throws Exception {
    // --once calls payments through Apache HttpClient, whose first logger initialises SLF4J.
    Run run = java("-jar", JAR.toString(), "--once", "--shop-port=0", "--api-port=0", "--collector-port=0", "--wait=20");

    assertThat(run.exitCode).as(run.toString()).isZero();
    assertThat(run.stdout).as(run.toString())
        .contains("payments 200 via Apache HttpClient")
        .contains("OK: one trace from the page's server span");
    assertThat(run.stderr).as(run.toString()).doesNotContain("SLF4J");
  }

  private static Run java(String... args) throws IOException, InterruptedException {
    assertThat(JAR).as("the shaded demo jar (mvn package builds it)").isRegularFile();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(args));
    Path out = Files.createTempFile("demo-out", ".txt");
    Path err = Files.createTempFile("demo-err", ".txt");
    try {
      Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      process.getOutputStream().close(); // no input
      // --once waits at most --wait=20 s for the trace; anything longer is a hang.
      boolean exited = process.waitFor(60, TimeUnit.SECONDS);
      if (!exited) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      return new Run(exited ? process.exitValue() : -1,
          Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private record Run(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + (exitCode == -1 ? "none: killed after 60 s" : exitCode) + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }
}
