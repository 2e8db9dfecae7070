package io.sentrytrace.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transport measurement at a small size: every send counted and answered, a row per transport.
 * Not with {@code jdk}: on JDK 17 an {@code HttpClient} cannot be closed, its selector thread ends
 * when the client is collected, which SoakTest's thread census (in the same JVM) would see.
 */
class TransportCostTest {
  @Test
  @Timeout(60)
  void measuresEveryTransportOverTheSameSends() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    Map<String, TransportCost.Totals> result;
    boolean allAnswered;
    try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      result = new TransportCost(new TransportCost.Options(List.of("urlconnection", "okhttp"), 200, 50, 2), out).run();
      allAnswered = TransportCost.print(result, out);
    }

    assertThat(allAnswered).isTrue();
    assertThat(result).containsOnlyKeys("urlconnection", "okhttp");
    assertThat(result.values()).allSatisfy(t -> {
      assertThat(t.sends).isEqualTo(400);
      assertThat(t.not200).isZero();
      assertThat(t.cpuMicros).hasSize(2);
    });
    assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("| urlconnection |", "| okhttp |");
  }

  @Test
  void theEnvelopeSentIsAWholeTransaction() {
    String envelope = new String(TransportCost.typicalEnvelope("http://k@127.0.0.1:9/1"), StandardCharsets.UTF_8);

    assertThat(envelope.split("\n")).hasSize(3);
    assertThat(envelope).contains("\"op\":\"http.server\"", "\"op\":\"http.client\"", "\"op\":\"db\"");
  }
}
