package io.sentrytrace.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Tracer;
import io.sentrytrace.test.LogRecords;
import java.time.Duration;
import java.util.Set;
import java.util.logging.Level;
import java.util.stream.Collectors;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;

/**
 * {@link EnvelopeExporter#close()} keeps to its {@code closeTimeout} however the endpoint answers,
 * and leaves none of its threads behind (issue 18 item 7).
 */
class CloseDeadlineTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** What close() may take beyond its timeout: a bound on an overrun, generous for a loaded machine. */
  private static final Duration OVERRUN = Duration.ofMillis(500);
  /**
   * A close timeout that ends while the sender still waits for the body (500 ms), leaving the
   * sender its last 200 ms to stop in.
   */
  private static final Duration SHORT_TIMEOUT = Duration.ofMillis(400);

  /**
   * Sentry answers 200 with {@code Content-Length: 100000}, then sends a byte every 2 s. The
   * envelope is in (a 200 is a 200): neither the body nor close() waits for the rest.
   */
  @Test
  void closeKeepsToItsTimeoutWhileTheBodyTrickles() throws Exception {
    assertCloseKeepsToItsTimeout(Duration.ofMillis(1500));
  }

  /** The same with a timeout that ends while the sender still waits for the body. */
  @Test
  void closeKeepsToAShortTimeoutWhileTheBodyTrickles() throws Exception {
    assertCloseKeepsToItsTimeout(SHORT_TIMEOUT);
  }

  /** The same over TLS, where only what has been decrypted is available without blocking. */
  @Test
  void closeKeepsToItsTimeoutWhileTheBodyTricklesOverTls() throws Exception {
    SSLSocketFactory jdkDefault = HttpsURLConnection.getDefaultSSLSocketFactory();
    HttpsURLConnection.setDefaultSSLSocketFactory(FakeSentry.clientTls().getSocketFactory());
    try (SlowBodySentry trickling = SlowBodySentry.trickleTls(100_000, Duration.ofSeconds(2))) {
      assertCloseKeepsToItsTimeout(trickling, Duration.ofMillis(1500));
    } finally {
      HttpsURLConnection.setDefaultSSLSocketFactory(jdkDefault);
    }
  }

  /** The same over TLS with a timeout that ends while the sender still reads the body. */
  @Test
  void closeKeepsToAShortTimeoutWhileTheBodyTricklesOverTls() throws Exception {
    SSLSocketFactory jdkDefault = HttpsURLConnection.getDefaultSSLSocketFactory();
    HttpsURLConnection.setDefaultSSLSocketFactory(FakeSentry.clientTls().getSocketFactory());
    try (SlowBodySentry trickling = SlowBodySentry.trickleTls(100_000, Duration.ofSeconds(2))) {
      assertCloseKeepsToItsTimeout(trickling, SHORT_TIMEOUT);
    } finally {
      HttpsURLConnection.setDefaultSSLSocketFactory(jdkDefault);
    }
  }

  private static void assertCloseKeepsToItsTimeout(Duration closeTimeout) throws Exception {
    try (SlowBodySentry trickling = SlowBodySentry.trickle(100_000, Duration.ofSeconds(2))) {
      assertCloseKeepsToItsTimeout(trickling, closeTimeout);
    }
  }

  private static void assertCloseKeepsToItsTimeout(SlowBodySentry trickling, Duration closeTimeout) throws Exception {
    Set<Thread> before = ourThreads();
    try (LogRecords logs = LogRecords.of(EnvelopeExporter.class)) {
      EnvelopeExporter exporter =
          EnvelopeExporter.builder(trickling.dsn()).closeTimeout(closeTimeout).shutdownHook(false).build();
      Tracer tracer = Tracer.builder().dsn(trickling.dsn()).tracesSampleRate(1.0).exporter(exporter).build();
      tracer.startTransaction("job", "task").finish();
      assertThat(trickling.awaitAnswered(WAIT)).as("the endpoint answered").isTrue();

      long start = System.nanoTime();
      exporter.close();
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(took).isLessThan(closeTimeout.plus(OVERRUN));
      Set<Thread> left = ourThreads();
      left.removeAll(before);
      assertThat(left).as("sentry-trace threads still running after close()").isEmpty();
      assertThat(exporter.sentCount()).as("the 200 counts").isEqualTo(1);
      assertThat(exporter.failedCount() + exporter.droppedCount()).isZero();
      assertThat(trickling.requests()).isEqualTo(1);
      // Sent, if only at the last moment: close() may warn that it gave up waiting, nothing else.
      assertThat(logs.atLeast(Level.WARNING)).allSatisfy(m -> assertThat(m).startsWith("closed before everything was sent"));
    }
  }

  private static Set<Thread> ourThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("sentry-trace-") && t.isAlive())
        .collect(Collectors.toSet());
  }
}
