package io.sentrytrace.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Tracer;
import io.sentrytrace.test.LogRecords;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a program that returns from main without closing anything still sends (issue 9 item 8). */
class ShutdownHookTest {
  private static final int TRANSACTIONS = 100;

  @TempDir Path dir;
  private FakeSentry sentry;

  @BeforeEach
  void startSentry() throws IOException {
    sentry = FakeSentry.start();
  }

  @AfterEach
  void stopSentry() {
    sentry.close();
  }

  @Test
  void aMainThatReturnsWithoutCloseStillSendsEveryFinishedTransaction() throws Exception {
    // A generous close timeout: the hook must send everything, however slow this machine is.
    Process child = runChild(sentry.dsn(), String.valueOf(TRANSACTIONS), "60000");
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child JVM exited").isTrue();
    assertThat(child.exitValue()).as(output()).isZero();

    List<FakeSentry.Request> received = sentry.await(TRANSACTIONS, Duration.ofSeconds(5));
    Set<String> names = new HashSet<>();
    for (FakeSentry.Request r : received) names.add(String.valueOf(r.envelope().payload.get("transaction")));
    assertThat(names).as(output()).hasSize(TRANSACTIONS).contains("job 0", "job " + (TRANSACTIONS - 1));
  }

  @Test
  void aStalledSentryDelaysExitOnlyUntilTheCloseTimeout() throws Exception {
    sentry.stall(); // every request hangs until released
    try {
      Process child = runChild(sentry.dsn(), "3", "200");
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the hook gave up and the child JVM exited").isTrue();
      assertThat(child.exitValue()).as(output()).isZero();
    } finally {
      sentry.release();
    }
  }

  @Test
  void theHookIsRegisteredUntilCloseRemovesIt() {
    EnvelopeExporter exporter = EnvelopeExporter.builder(sentry.dsn()).build();
    Thread hook = exporter.shutdownHook;
    assertThat(hook).isNotNull();
    assertThatThrownBy(() -> Runtime.getRuntime().addShutdownHook(hook))
        .as("already registered")
        .isInstanceOf(IllegalArgumentException.class);
    exporter.close();
    assertThat(Runtime.getRuntime().removeShutdownHook(hook)).as("close() removed it").isFalse();
  }

  @Test
  void theHookCanBeTurnedOff() {
    EnvelopeExporter exporter = EnvelopeExporter.builder(sentry.dsn()).shutdownHook(false).build();
    try {
      assertThat(exporter.shutdownHook).isNull();
    } finally {
      exporter.close();
    }
  }

  @Test
  void theHookSendsWhatIsQueuedAndNeverThrows() throws Exception {
    JdkHttpTransport http = JdkHttpTransport.create();
    AtomicInteger closes = new AtomicInteger();
    EnvelopeTransport transport =
        new EnvelopeTransport() {
          @Override
          public Response send(URI uri, Map<String, String> headers, byte[] body) throws IOException {
            return http.send(uri, headers, body);
          }

          @Override
          public void close() {
            closes.incrementAndGet();
            http.close();
            throw new LinkageError("transport broke while closing");
          }
        };
    EnvelopeExporter exporter = EnvelopeExporter.builder(sentry.dsn()).transport(transport).build();
    Tracer tracer = Tracer.builder().dsn(sentry.dsn()).tracesSampleRate(1).exporter(exporter).build();
    tracer.startTransaction("last words", "task").finish();
    Runtime.getRuntime().removeShutdownHook(exporter.shutdownHook); // run it here instead of at exit
    try (LogRecords log = LogRecords.of(EnvelopeExporter.class)) {
      assertThatCode(exporter.shutdownHook::run).doesNotThrowAnyException();
      // The hook cannot throw at exit, so it says what went wrong.
      assertThat(log.atLeast(Level.WARNING)).singleElement().asString().contains("closing the envelope exporter at JVM exit failed");
    }
    assertThat(exporter.sentCount()).isEqualTo(1);
    assertThat(closes).hasValue(1);
    exporter.export(null);
    tracer.startTransaction("after", "task").finish();
    assertThat(exporter.droppedCount()).as("closed by the hook").isEqualTo(1);
  }

  private Process runChild(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ExitsWithoutClose.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("child.log").toFile())
        .start();
  }

  private String output() {
    try {
      File log = dir.resolve("child.log").toFile();
      return "child output:\n" + Files.readString(log.toPath(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "child output unreadable: " + e;
    }
  }
}
