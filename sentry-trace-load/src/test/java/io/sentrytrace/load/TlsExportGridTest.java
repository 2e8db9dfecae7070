package io.sentrytrace.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The export grid over HTTPS at CI size: Sentry 25 ms away, a few seconds per cell. */
class TlsExportGridTest {
  /**
   * The default transport over TLS: 300 transactions/s for 3 s, then close(): at least 99% arrive,
   * over HTTP/1.1 (HttpsURLConnection offers no ALPN) and at most 64 connections, one per sender in
   * flight. (The 1,000/s cell is the grid-tls command's: beside a CPU burner, the TLS handshakes of
   * 64 connections ramping up overflowed the queue within 3 s.)
   */
  @Test
  @Timeout(60)
  void theDefaultOverTlsDeliversEverythingOnAtMost64Connections() throws Exception {
    SSLSocketFactory jdkDefault = HttpsURLConnection.getDefaultSSLSocketFactory();
    TlsExportGrid.Cell c = run(TlsExportGrid.URLCONNECTION, 300, 3).get(0);

    assertThat(c.producerErrors()).isZero();
    assertThat(c.finished()).isGreaterThan(0);
    assertThat(c.deliveredPercent()).as("delivered %,d of %,d finished; counters %s", c.delivered(), c.finished(),
        c.counters()).isGreaterThanOrEqualTo(99.0);
    assertThat(c.connections()).as("connections opened").isBetween(1L, 64L);
    assertThat(c.protocols()).containsOnlyKeys(TlsStandInSentry.HTTP_1_1);
    assertThat(HttpsURLConnection.getDefaultSSLSocketFactory()).as("the JVM's default restored").isSameAs(jdkDefault);
  }

  /**
   * The JDK client at its default version negotiates h2 by ALPN, and once connected one connection
   * carries every envelope: the senders' requests are streams on it, however many are in flight.
   */
  @Test
  @Timeout(60)
  void theJdkClientNegotiatesH2AndMultiplexesOnOneConnection() throws Exception {
    TlsExportGrid.Cell c = run(TlsExportGrid.JDK_H2, 300, 2).get(0);

    assertThat(c.producerErrors()).isZero();
    assertThat(c.deliveredPercent()).as("delivered %,d of %,d", c.delivered(), c.finished()).isGreaterThanOrEqualTo(99.0);
    // Every request, the one sent alone first included, over h2.
    assertThat(c.protocols()).isEqualTo(Map.of(TlsStandInSentry.H2, c.requests()));
    assertThat(c.requests()).isGreaterThan(c.finished());
    assertThat(c.connections()).as("connections opened").isBetween(1L, 2L);
    assertThat(c.connectionsUsed()).isEqualTo(1);
    assertThat(c.peakInFlight()).as("senders in flight at once, all on that connection").isGreaterThan(1);
  }

  private static List<TlsExportGrid.Cell> run(String transport, int rate, double seconds) throws Exception {
    TlsExportGrid.Options options = new TlsExportGrid.Options(List.of(25), List.of(rate), seconds, List.of(transport), 4, 0, false);
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    List<TlsExportGrid.Cell> cells;
    // A full queue is reported at WARNING: kept off the console, shown in the summary.
    try (LogCounter log = new LogCounter("io.sentrytrace");
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      cells = new TlsExportGrid(options, out).run();
      TlsExportGrid.print(cells, options, out);
      out.println("log io.sentrytrace: " + log + (log.firstWarning == null ? "" : "; first: " + log.firstWarning));
    }
    System.out.println(buffer.toString(StandardCharsets.UTF_8));
    return cells;
  }
}
