package io.sentrytrace.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.load.StandInSentry.Behaviour;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The export soak at CI size: 15 s at 500 transactions/s with Sentry 50 ms away answering 200,
 * 429, 200, 503, 200, then hanging. Every invariant holds, client reports included.
 */
class ExportSoakTest {
  @Test
  @Timeout(90)
  void booksBalanceThroughEveryKindOfTrouble() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    ExportSoak.Result result;
    try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      result = new ExportSoak(ExportSoak.Options.ci(15), out).run();
      ExportSoak.print(result, out);
    }
    System.out.println(buffer.toString(StandardCharsets.UTF_8));

    assertThat(result.phases()).containsKeys(Behaviour.RATE_LIMITED_429, Behaviour.UNAVAILABLE_503, Behaviour.HANG);
    assertThat(result.checks()).hasSizeGreaterThanOrEqualTo(6)
        .anySatisfy(c -> assertThat(c.name()).startsWith("exporter's books"))
        .allSatisfy(c -> assertThat(c.failed()).as(c.name() + ": " + c.detail()).isFalse());
  }
}
