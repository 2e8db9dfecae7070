package io.sentrytrace.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The TLS stand-in, spoken to by the JDK client in each protocol. */
@Timeout(30)
class TlsStandInSentryTest {
  private static final String ID_1 = "0123456789abcdef0123456789abcdef";
  private static final String ID_2 = "fedcba9876543210fedcba9876543210";

  /**
   * Over h2, requests in flight at once share one connection and are answered together a round
   * trip later (not one round trip each); a retried envelope counts once, gzip is read.
   */
  @Test
  void h2MultiplexesOnOneConnectionAndARetryCountsOnce() throws Exception {
    try (TlsStandInSentry sentry = new TlsStandInSentry(Duration.ofMillis(200), 100)) {
      HttpClient client = HttpClient.newBuilder().sslContext(TlsStandInSentry.clientTls()).build();
      URI uri = envelopeUri(sentry);
      assertThat(client.send(post(uri, transaction(ID_1), false), HttpResponse.BodyHandlers.ofString()).version())
          .isEqualTo(HttpClient.Version.HTTP_2); // connected: the rest go on this connection

      long t0 = System.nanoTime();
      List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        inFlight.add(client.sendAsync(post(uri, transaction(ID_2), i % 2 == 0), HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> r : inFlight) {
        assertThat(r.get().statusCode()).isEqualTo(200);
        assertThat(r.get().body()).isEqualTo("{\"id\":\"" + ID_2 + "\"}");
      }
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      sentry.close();

      assertThat(took).as("ten at once, answered together").isBetween(Duration.ofMillis(200), Duration.ofMillis(1_500));
      assertThat(sentry.requests.get()).isEqualTo(11);
      assertThat(sentry.distinctAccepted.get()).isEqualTo(2);
      assertThat(sentry.duplicateAccepted.get()).isEqualTo(9);
      assertThat(sentry.connectionsOpened.get()).isEqualTo(1);
      assertThat(sentry.connectionsUsed()).isEqualTo(1);
      assertThat(sentry.protocols()).isEqualTo(Map.of(TlsStandInSentry.H2, 11L));
      assertThat(sentry.bad.get()).isZero();
      assertThat(sentry.cpuNanos.get()).as("its threads' CPU, read when closing").isPositive();
    }
  }

  /** A client that asks for HTTP/1.1 gets it, over TLS; what is not an envelope is answered 404. */
  @Test
  void http11OverTlsAndNotFound() throws Exception {
    try (TlsStandInSentry sentry = new TlsStandInSentry(Duration.ZERO, 100)) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .sslContext(TlsStandInSentry.clientTls()).build();
      HttpResponse<String> ok = client.send(post(envelopeUri(sentry), transaction(ID_1), false), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> notFound = client.send(post(URI.create("https://127.0.0.1:" + sentry.port() + "/other"),
          transaction(ID_2), false), HttpResponse.BodyHandlers.ofString());
      sentry.close();

      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      assertThat(notFound.statusCode()).isEqualTo(404);
      assertThat(sentry.distinctAccepted.get()).isEqualTo(1);
      assertThat(sentry.protocols()).isEqualTo(Map.of(TlsStandInSentry.HTTP_1_1, 1L));
      assertThat(sentry.connectionsOpened.get()).isEqualTo(1);
      assertThat(sentry.bad.get()).isEqualTo(1);
    }
  }

  private static URI envelopeUri(TlsStandInSentry sentry) {
    return URI.create("https://127.0.0.1:" + sentry.port() + "/api/1/envelope/");
  }

  private static HttpRequest post(URI uri, String envelope, boolean gzip) throws Exception {
    byte[] body = envelope.getBytes(StandardCharsets.UTF_8);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/x-sentry-envelope");
    if (gzip) {
      ByteArrayOutputStream zipped = new ByteArrayOutputStream();
      try (GZIPOutputStream out = new GZIPOutputStream(zipped)) {
        out.write(body);
      }
      body = zipped.toByteArray();
      b.header("Content-Encoding", "gzip");
    }
    return b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  private static String transaction(String id) {
    return "{\"event_id\":\"" + id + "\"}\n{\"type\":\"transaction\",\"length\":2}\n{}\n";
  }
}
