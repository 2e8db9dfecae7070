package io.sentrytrace.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sentrytrace.EnvelopeTransport;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EnvelopeTransport} does, against a fake Sentry on 127.0.0.1. Each transport's
 * test extends this and adds what is particular to its client.
 *
 * <pre>{@code
 * class OkHttpTransportTest extends EnvelopeTransportContract {
 *   protected EnvelopeTransport newTransport() { return OkHttpTransport.create(); }
 * }
 * }</pre>
 */
public abstract class EnvelopeTransportContract {
  protected static final Map<String, String> HEADERS = Map.of(
      "X-Sentry-Auth", "Sentry sentry_version=7, sentry_key=k, sentry_client=sentry-trace/test",
      "Content-Type", "application/x-sentry-envelope");
  protected static final byte[] BODY =
      "{}\n{\"type\":\"transaction\",\"length\":2}\n{}\n".getBytes(StandardCharsets.UTF_8);

  /**
   * What the endless-body test lets the server write: the 64 KiB a transport may read, plus what the
   * kernel buffers on both ends meanwhile (the server's send buffer is 16 KiB; the client's receive
   * buffer grows with what it reads). Far below what reading on would take.
   */
  protected static final long MAX_WRITTEN_FOR_64_KIB = 4L << 20;

  protected FakeSentry sentry;

  /** A transport with a client of its own. */
  protected abstract EnvelopeTransport newTransport();

  @BeforeEach
  public void startSentry() throws IOException {
    sentry = FakeSentry.start();
  }

  @AfterEach
  public void stopSentry() {
    sentry.close();
  }

  protected URI uri() {
    return URI.create("http://127.0.0.1:" + sentry.port() + FakeSentry.ENVELOPE_PATH);
  }

  @Test
  public void postsTheBodyWithExactlyTheGivenHeaders() throws Exception {
    try (EnvelopeTransport transport = newTransport()) {
      assertThat(transport.send(uri(), HEADERS, BODY).statusCode()).isEqualTo(200);
    }
    FakeSentry.Request request = sentry.requests().get(0);
    assertThat(request.method).isEqualTo("POST");
    assertThat(request.path).isEqualTo(FakeSentry.ENVELOPE_PATH);
    assertThat(request.body).isEqualTo(BODY);
    assertThat(request.header("X-Sentry-Auth")).isEqualTo(HEADERS.get("X-Sentry-Auth"));
    assertThat(request.header("Content-Type")).isEqualTo("application/x-sentry-envelope");
    assertThat(request.headers).doesNotContainKeys("sentry-trace", "baggage", "traceparent");
  }

  @Test
  public void returnsStatusAndRateLimitHeaders() throws Exception {
    sentry.enqueue(429, Map.of("Retry-After", "17", "X-Sentry-Rate-Limits", "17:transaction:key"));
    try (EnvelopeTransport transport = newTransport()) {
      assertThat(transport.send(uri(), HEADERS, BODY)).isEqualTo(EnvelopeTransport.Response.of(429, "17", "17:transaction:key"));
    }
  }

  @Test
  public void returnsRateLimitsThatComeWithASuccess() throws Exception {
    sentry.enqueue(200, Map.of("X-Sentry-Rate-Limits", "60:transaction;error:organization"));
    try (EnvelopeTransport transport = newTransport()) {
      assertThat(transport.send(uri(), HEADERS, BODY)).isEqualTo(EnvelopeTransport.Response.of(200, null, "60:transaction;error:organization"));
    }
  }

  @Test
  public void reusesItsConnectionAfterSuccessesAndErrors() throws Exception {
    sentry.enqueue(200).enqueue(429, Map.of("Retry-After", "1")).enqueue(500).enqueue(400).enqueue(200);
    try (EnvelopeTransport transport = newTransport()) {
      for (int i = 0; i < 5; i++) transport.send(uri(), HEADERS, BODY);
    }
    List<FakeSentry.Request> requests = sentry.requests();
    assertThat(requests).extracting(r -> r.answeredStatus).containsExactly(200, 429, 500, 400, 200);
    assertThat(requests).extracting(r -> r.remotePort).as("one connection for all").containsOnly(requests.get(0).remotePort);
  }

  @Test
  public void absentRateLimitHeadersAreNull() throws Exception {
    try (EnvelopeTransport transport = newTransport()) {
      EnvelopeTransport.Response response = transport.send(uri(), HEADERS, BODY);
      assertThat(response.retryAfter()).isNull();
      assertThat(response.rateLimits()).isNull();
    }
  }

  @Test
  public void connectionRefusedIsAConnectException() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + closedPort + FakeSentry.ENVELOPE_PATH);
    try (EnvelopeTransport transport = newTransport()) {
      assertThatThrownBy(() -> transport.send(nowhere, HEADERS, BODY)).isInstanceOf(ConnectException.class);
    }
  }

  /**
   * Sends from many threads are carried at once (the exporter keeps several envelopes in flight):
   * 50 sends from 25 threads at a Sentry answering after 100 ms all arrive, each once, and the
   * stand-in saw many of them at the same time (a transport that sends one at a time never
   * shows it more than one).
   */
  @Test
  public void carriesConcurrentSendsAtOnce() throws Exception {
    sentry.answerAfter(Duration.ofMillis(100));
    List<byte[]> bodies = new ArrayList<>();
    for (int i = 0; i < 50; i++) bodies.add(("{}\n{\"type\":\"transaction\"}\n{\"n\":" + i + "}\n").getBytes(StandardCharsets.UTF_8));
    ExecutorService threads = Executors.newFixedThreadPool(25);
    try (EnvelopeTransport transport = newTransport()) {
      List<Future<EnvelopeTransport.Response>> answers = new ArrayList<>();
      for (byte[] body : bodies) answers.add(threads.submit(() -> transport.send(uri(), HEADERS, body)));
      for (Future<EnvelopeTransport.Response> answer : answers) {
        assertThat(answer.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      }
    } finally {
      threads.shutdownNow();
    }
    List<FakeSentry.Request> requests = sentry.requests();
    assertThat(requests).extracting(r -> new String(r.body, StandardCharsets.UTF_8))
        .containsExactlyInAnyOrderElementsOf(bodies.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList());
    assertThat(sentry.maxConcurrent()).as("requests handled at once").isGreaterThanOrEqualTo(10);
  }

  /**
   * Concurrent senders keep their connections alive: 25 threads sending 4 envelopes each, one
   * after another, open at most 25 connections, not one per envelope.
   */
  @Test
  public void concurrentSendersReuseTheirConnections() throws Exception {
    assertConcurrentSendersReuseConnections(sentry, uri(), this::newTransport);
  }

  /** What {@link #concurrentSendersReuseTheirConnections()} checks, against {@code server} at {@code uri}. */
  protected static void assertConcurrentSendersReuseConnections(
      FakeSentry server, URI uri, java.util.function.Supplier<EnvelopeTransport> transports) throws Exception {
    server.answerAfter(Duration.ofMillis(20));
    ExecutorService threads = Executors.newFixedThreadPool(25);
    try (EnvelopeTransport transport = transports.get()) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 25; t++) {
        done.add(threads.submit(() -> {
          for (int i = 0; i < 4; i++) assertThat(transport.send(uri, HEADERS, BODY).statusCode()).isEqualTo(200);
          return null;
        }));
      }
      for (Future<?> f : done) f.get(30, TimeUnit.SECONDS);
    } finally {
      threads.shutdownNow();
    }
    assertThat(server.requests()).hasSize(100);
    assertThat(server.connections()).as("connections for 100 envelopes from 25 threads").isLessThanOrEqualTo(25);
  }

  /**
   * Sentry's answers are small JSON; a 2 GB body is read for at most 64 KiB, then the connection is
   * dropped. The envelope was accepted all the same.
   */
  @Test
  public void readsAtMost64KiBOfAHugeBodyAndHangsUp() throws Exception {
    try (SlowBodySentry huge = SlowBodySentry.flood(2L << 30); EnvelopeTransport transport = newTransport()) {
      EnvelopeTransport.Response response =
          assertTimeoutPreemptively(Duration.ofSeconds(20), () -> transport.send(huge.uri(), HEADERS, BODY));

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(huge.awaitHangUp(Duration.ofSeconds(10))).as("hung up on the body").isTrue();
      assertThat(huge.written()).isLessThan(MAX_WRITTEN_FOR_64_KIB);
    }
  }

  /**
   * A body that trickles (a byte every 2 s of 100,000) holds neither the answer nor the sender: it
   * is read for a moment at most. The bound only tells that from a hang of days.
   */
  @Test
  public void aTricklingBodyDoesNotHoldTheAnswer() throws Exception {
    try (SlowBodySentry trickling = SlowBodySentry.trickle(100_000, Duration.ofSeconds(2));
        EnvelopeTransport transport = newTransport()) {
      EnvelopeTransport.Response response =
          assertTimeoutPreemptively(Duration.ofSeconds(15), () -> transport.send(trickling.uri(), HEADERS, BODY));

      assertThat(response.statusCode()).isEqualTo(200);
    }
  }
}
