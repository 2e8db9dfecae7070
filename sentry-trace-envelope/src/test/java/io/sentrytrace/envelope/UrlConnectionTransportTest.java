package io.sentrytrace.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sentrytrace.Dsn;
import io.sentrytrace.EnvelopeTransport;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;

/**
 * The default transport keeps the transport contract, goes through TLS and proxies as the JDK is
 * configured, and ends a request that hangs.
 */
class UrlConnectionTransportTest extends EnvelopeTransportContract {
  @Override
  protected EnvelopeTransport newTransport() {
    return UrlConnectionTransport.create();
  }

  /**
   * Over HTTPS (as Sentry is): each sending thread keeps its own connection in the JDK's keep-alive
   * cache. Over plain HTTP the cache keeps at most {@code http.maxConnections} (5) idle connections
   * per host, which this transport cannot change, so that the contract's case runs over TLS here.
   */
  @Test
  @Override
  public void concurrentSendersReuseTheirConnections() throws Exception {
    SSLSocketFactory jdkDefault = HttpsURLConnection.getDefaultSSLSocketFactory();
    HttpsURLConnection.setDefaultSSLSocketFactory(FakeSentry.clientTls().getSocketFactory());
    try (FakeSentry tls = FakeSentry.startTls()) {
      assertConcurrentSendersReuseConnections(tls, Dsn.parse(tls.dsn()).envelopeUri(), this::newTransport);
    } finally {
      HttpsURLConnection.setDefaultSSLSocketFactory(jdkDefault);
    }
  }

  @Test
  void sendsOverHttpsWithTheJdksDefaultTls() throws Exception {
    SSLSocketFactory jdkDefault = HttpsURLConnection.getDefaultSSLSocketFactory();
    HttpsURLConnection.setDefaultSSLSocketFactory(FakeSentry.clientTls().getSocketFactory());
    try (FakeSentry tls = FakeSentry.startTls(); EnvelopeTransport transport = UrlConnectionTransport.create()) {
      URI uri = Dsn.parse(tls.dsn()).envelopeUri();
      assertThat(uri.getScheme()).isEqualTo("https");
      tls.enqueue(429, Map.of("Retry-After", "5"));

      assertThat(transport.send(uri, HEADERS, BODY)).isEqualTo(EnvelopeTransport.Response.of(429, "5", null));
      assertThat(transport.send(uri, HEADERS, BODY).statusCode()).isEqualTo(200);

      assertThat(tls.requests()).extracting(r -> r.body).containsExactly(BODY, BODY);
      assertThat(tls.requests()).extracting(r -> r.remotePort).containsOnly(tls.requests().get(0).remotePort);
    } finally {
      HttpsURLConnection.setDefaultSSLSocketFactory(jdkDefault);
    }
  }

  @Test
  void goesThroughTheProxyOfTheJdksSystemProperties() throws Exception {
    Map<String, String> saved = new HashMap<>();
    for (String p : List.of("http.proxyHost", "http.proxyPort")) saved.put(p, System.getProperty(p));
    System.setProperty("http.proxyHost", "127.0.0.1");
    System.setProperty("http.proxyPort", String.valueOf(sentry.port())); // the fake Sentry plays the proxy
    try (EnvelopeTransport transport = UrlConnectionTransport.create()) {
      URI unreachable = URI.create("http://sentry.invalid:9" + FakeSentry.ENVELOPE_PATH);

      assertThat(transport.send(unreachable, HEADERS, BODY).statusCode()).isEqualTo(200);

      FakeSentry.Request request = sentry.requests().get(0);
      assertThat(request.header("Host")).isEqualTo("sentry.invalid:9");
      assertThat(request.path).isEqualTo(FakeSentry.ENVELOPE_PATH);
      assertThat(request.body).isEqualTo(BODY);
    } finally {
      saved.forEach((k, v) -> {
        if (v == null) System.clearProperty(k);
        else System.setProperty(k, v);
      });
    }
  }

  @Test
  void aRequestPastItsTimeoutIsEndedByTheWatchdog() {
    sentry.stall();
    try (EnvelopeTransport transport = new UrlConnectionTransport(Duration.ofSeconds(10), Duration.ofMillis(300))) {
      // Not the read timeout (5 s later): the watchdog, at the request's deadline.
      assertTimeoutPreemptively(Duration.ofSeconds(20),
          () -> assertThatThrownBy(() -> transport.send(uri(), HEADERS, BODY))
              .isInstanceOf(SocketTimeoutException.class)
              .hasMessageContaining("no response within 300 ms"));
    }
  }

  @Test
  void aRequestAfterTheWatchdogWentToSleepIsWatchedToo() throws Exception {
    try (EnvelopeTransport transport = new UrlConnectionTransport(Duration.ofSeconds(10), Duration.ofMillis(300))) {
      Set<Thread> others = watchdogThreads();
      assertThat(transport.send(uri(), HEADERS, BODY).statusCode()).isEqualTo(200);
      Thread watchdog = newWatchdogThread(others);
      long sleepsBy = System.nanoTime() + SendWatchdog.LINGER_NANOS + 2_000_000_000L; // bounded wait
      while (watchdog.getState() != Thread.State.WAITING && System.nanoTime() < sleepsBy) Thread.sleep(20);
      assertThat(watchdog.getState()).as("parked without a deadline after a pause").isEqualTo(Thread.State.WAITING);

      sentry.stall();
      assertTimeoutPreemptively(Duration.ofSeconds(20),
          () -> assertThatThrownBy(() -> transport.send(uri(), HEADERS, BODY))
              .isInstanceOf(SocketTimeoutException.class)
              .hasMessageContaining("no response within 300 ms"));
    }
  }

  @Test
  void closingTheTransportEndsItsWatchdogThread() throws Exception {
    EnvelopeTransport transport = UrlConnectionTransport.create();
    Set<Thread> others = watchdogThreads();
    transport.send(uri(), HEADERS, BODY);
    Thread watchdog = newWatchdogThread(others);

    transport.close();

    watchdog.join(10_000);
    assertThat(watchdog.isAlive()).isFalse();
  }

  /** The live watchdog threads (other tests' exporters may have theirs). */
  private static Set<Thread> watchdogThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("sentry-trace-envelope-watchdog") && t.isAlive())
        .collect(Collectors.toSet());
  }

  /** The one watchdog thread started since {@code others} were taken. */
  private static Thread newWatchdogThread(Set<Thread> others) {
    Set<Thread> started = watchdogThreads();
    started.removeAll(others);
    assertThat(started).hasSize(1);
    return started.iterator().next();
  }

  @Test
  void interruptingTheSenderEndsItsRequest() throws Exception {
    sentry.stall();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
    try (EnvelopeTransport transport = UrlConnectionTransport.create()) {
      Thread sender = new Thread(() -> {
        try {
          transport.send(uri(), HEADERS, BODY);
        } catch (Throwable e) {
          thrown.set(e);
        }
        stillInterrupted.set(Thread.currentThread().isInterrupted());
      });
      sender.start();
      Thread.sleep(200); // the request is at the stalled endpoint
      sender.interrupt();
      sender.join(20_000); // bounded: without the watchdog it would wait the 30 s timeout
      assertThat(sender.isAlive()).as("sender still blocked").isFalse();
    }
    assertThat(thrown.get()).isInstanceOf(InterruptedIOException.class).isNotInstanceOf(SocketTimeoutException.class);
    assertThat(stillInterrupted.get()).as("the interrupt is kept for the caller").isTrue();
    sentry.release();
    assertThat(sentry.await(2, Duration.ofMillis(500))).as("the request was not sent again").hasSizeLessThanOrEqualTo(1);
  }

  @Test
  void anInterruptedSenderSendsNothing() {
    try (EnvelopeTransport transport = UrlConnectionTransport.create()) {
      Thread.currentThread().interrupt();
      try {
        assertThatThrownBy(() -> transport.send(uri(), HEADERS, BODY)).isInstanceOf(InterruptedIOException.class);
      } finally {
        Thread.interrupted();
      }
    }
    assertThat(sentry.requests()).isEmpty();
  }
}
