package io.sentrytrace.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.load.StandInSentry.Behaviour;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stand-in Sentry, spoken to over raw sockets so that every connection is the test's own. */
@Timeout(30)
class StandInSentryTest {
  private static final String ID_1 = "0123456789abcdef0123456789abcdef";
  private static final String ID_2 = "fedcba9876543210fedcba9876543210";

  @Test
  void aRetriedEnvelopeCountsOnceAndConnectionsAreCountedNotRequests() throws Exception {
    try (StandInSentry sentry = new StandInSentry(Duration.ZERO, 8, 100)) {
      try (Socket s = connect(sentry)) {
        assertThat(post(s, transaction(ID_1), false, false)).startsWith("HTTP/1.1 200 ");
        assertThat(post(s, transaction(ID_1), false, false)).startsWith("HTTP/1.1 200 "); // the client's retry
        assertThat(post(s, transaction(ID_2), false, false)).startsWith("HTTP/1.1 200 ");
      }
      try (Socket s = connect(sentry)) {
        assertThat(post(s, transaction(ID_2), false, true)).startsWith("HTTP/1.1 200 ");
        assertThat(s.getInputStream().read()).as("closed after Connection: close").isEqualTo(-1);
      }
      sentry.close();

      assertThat(sentry.requests.get()).isEqualTo(4);
      assertThat(sentry.distinctAccepted.get()).isEqualTo(2);
      assertThat(sentry.duplicateAccepted.get()).isEqualTo(2);
      assertThat(sentry.transactionItems.get()).isEqualTo(2);
      assertThat(sentry.connectionsOpened.get()).isEqualTo(2);
      assertThat(sentry.bad.get()).isZero();
    }
  }

  @Test
  void readsGzipBodiesAndSumsClientReports() throws Exception {
    String report = "{}\n{\"type\":\"client_report\"}\n{\"timestamp\":1.0,\"discarded_events\":["
        + "{\"reason\":\"queue_overflow\",\"category\":\"transaction\",\"quantity\":3},"
        + "{\"reason\":\"queue_overflow\",\"category\":\"span\",\"quantity\":12}]}\n";
    String attached = "{\"discarded_events\":[{\"reason\":\"queue_overflow\",\"category\":\"transaction\",\"quantity\":2}]}";
    String withTransaction = "{\"event_id\":\"" + ID_1 + "\"}\n{\"type\":\"transaction\",\"length\":2}\n{}\n"
        + "{\"type\":\"client_report\",\"length\":" + attached.length() + "}\n" + attached + "\n";
    try (StandInSentry sentry = new StandInSentry(Duration.ZERO, 8, 100); Socket s = connect(sentry)) {
      assertThat(post(s, gzip(report), true, false)).startsWith("HTTP/1.1 200 ");
      assertThat(post(s, gzip(withTransaction), true, false)).startsWith("HTTP/1.1 200 ");
      s.close();
      sentry.close();

      assertThat(sentry.acceptedWithoutEventId.get()).isEqualTo(1);
      assertThat(sentry.distinctAccepted.get()).isEqualTo(1);
      assertThat(sentry.transactionItems.get()).isEqualTo(1);
      assertThat(sentry.clientReports()).containsEntry("queue_overflow/transaction", 5L)
          .containsEntry("queue_overflow/span", 12L);
      assertThat(sentry.clientReported("transaction")).isEqualTo(5);
    }
  }

  @Test
  void answersAfterTheRoundTrip() throws Exception {
    try (StandInSentry sentry = new StandInSentry(Duration.ofMillis(150), 8, 100); Socket s = connect(sentry)) {
      long t0 = System.nanoTime();
      assertThat(post(s, transaction(ID_1), false, false)).startsWith("HTTP/1.1 200 ");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    }
  }

  @Test
  void rateLimitsUnavailableAndHang() throws Exception {
    try (StandInSentry sentry = new StandInSentry(Duration.ZERO, 8, 100)) {
      sentry.retryAfterSeconds(7);
      try (Socket s = connect(sentry)) {
        sentry.behave(Behaviour.RATE_LIMITED_429);
        assertThat(post(s, transaction(ID_1), false, false)).startsWith("HTTP/1.1 429 ").contains("Retry-After: 7\r\n");
        sentry.behave(Behaviour.UNAVAILABLE_503);
        assertThat(post(s, transaction(ID_1), false, false)).startsWith("HTTP/1.1 503 ");
        sentry.behave(Behaviour.HANG);
        s.setSoTimeout(300);
        write(s, transaction(ID_1), false, false);
        assertThat(readQuietly(s)).as("no answer while hanging").isEqualTo("timeout");
        s.setSoTimeout(5_000);
        sentry.behave(Behaviour.OK);
        assertThat(readQuietly(s)).as("the connection is closed, unanswered, when the hang ends").isEqualTo("closed");
      }
      try (Socket s = connect(sentry)) {
        assertThat(post(s, transaction(ID_1), false, false)).startsWith("HTTP/1.1 200 ");
      }
      sentry.close();

      assertThat(sentry.answered429.get()).isEqualTo(1);
      assertThat(sentry.answered503.get()).isEqualTo(1);
      assertThat(sentry.hung.get()).isEqualTo(1);
      assertThat(sentry.distinctAccepted.get()).isEqualTo(1);
      assertThat(sentry.duplicateAccepted.get()).isZero();
    }
  }

  @Test
  void closeLetsHeldRequestsGo() throws Exception {
    StandInSentry sentry = new StandInSentry(Duration.ZERO, 8, 100);
    try (Socket s = connect(sentry)) {
      sentry.behave(Behaviour.HANG);
      write(s, transaction(ID_1), false, false);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (sentry.hung.get() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
      sentry.close();
      s.setSoTimeout(5_000);
      assertThat(readQuietly(s)).isEqualTo("closed");
    }
    // The pool counts as terminated a moment before its last thread has exited: bounded wait.
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (standInThreads() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
    assertThat(standInThreads()).isZero();
  }

  private static long standInThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(StandInSentry.THREAD_PREFIX)).count();
  }

  @Test
  void idSetRemembersWhatFitsAndCountsTheRest() {
    StandInSentry.IdSet ids = new StandInSentry.IdSet(16);
    assertThat(ids.add(ID_1)).isTrue();
    assertThat(ids.add(ID_1)).isFalse();
    int added = 0;
    for (int i = 0; i < 100; i++) if (ids.add(String.format("%032x", i + 1000))) added++;
    assertThat(added).isEqualTo(100);
    assertThat(ids.overflowed()).isTrue();
    assertThat(ids.add(ID_1)).as("remembered before the overflow").isFalse();
  }

  private static byte[] transaction(String eventId) {
    String payload = "{\"type\":\"transaction\",\"spans\":[]}";
    return ("{\"event_id\":\"" + eventId + "\",\"sent_at\":\"2026-01-01T00:00:00Z\"}\n{\"type\":\"transaction\",\"length\":"
        + payload.length() + "}\n" + payload + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] gzip(String s) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(s.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  private static Socket connect(StandInSentry sentry) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), sentry.port());
    s.setSoTimeout(10_000);
    return s;
  }

  private static void write(Socket s, byte[] body, boolean gzip, boolean close) throws IOException {
    String head = "POST /api/1/envelope/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-sentry-envelope\r\n"
        + (gzip ? "Content-Encoding: gzip\r\n" : "") + (close ? "Connection: close\r\n" : "")
        + "Content-Length: " + body.length + "\r\n\r\n";
    OutputStream out = s.getOutputStream();
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }

  /** POSTs and reads the answer: status line, headers and the Content-Length body. */
  private static String post(Socket s, byte[] body, boolean gzip, boolean close) throws IOException {
    write(s, body, gzip, close);
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) throw new IOException("closed after " + head);
      head.append((char) c);
      if (head.length() > 8192) throw new IOException("endless head");
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("Content-Length: (\\d+)").matcher(head);
    int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
    return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  private static String readQuietly(Socket s) {
    try {
      return s.getInputStream().read() < 0 ? "closed" : "answered";
    } catch (java.net.SocketTimeoutException e) {
      return "timeout";
    } catch (IOException e) {
      return "closed"; // reset
    }
  }
}
