package io.sentrytrace.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.baggage.Baggage;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BaggageBenchmarkTest {
  private final BaggageBenchmark benchmark = new BaggageBenchmark();

  @BeforeEach
  void setUp() {
    benchmark.setUp();
  }

  @Test
  void allThreeReadTheSameSentryValues() {
    assertThat(benchmark.parse_ours().sentryValues()).isEqualTo(Inputs.BAGGAGE_SENTRY_VALUES);
    io.sentry.Baggage sentryJava = benchmark.parse_sentryJava();
    assertThat(sentryJava.getTraceId()).isEqualTo(Inputs.BAGGAGE_SENTRY_VALUES.get("trace_id"));
    assertThat(sentryJava.getPublicKey()).isEqualTo(Inputs.BAGGAGE_SENTRY_VALUES.get("public_key"));
    assertThat(sentryJava.getRelease()).isEqualTo(Inputs.BAGGAGE_SENTRY_VALUES.get("release"));
    assertThat(sentryJava.getEnvironment()).isEqualTo(Inputs.BAGGAGE_SENTRY_VALUES.get("environment"));
    assertThat(sentryJava.getTransaction()).isEqualTo(Inputs.BAGGAGE_SENTRY_VALUES.get("transaction"));
    assertThat(sentryJava.getSampleRate()).isEqualTo(0.25);
    assertThat(sentryJava.getSampleRand()).isEqualTo(0.1234567);
    assertThat(sentryJava.getSampled()).isEqualTo("true");
    Baggage otel = Baggage.fromContext(benchmark.parse_otel());
    assertThat(otel.size()).isEqualTo(10);
    Inputs.BAGGAGE_SENTRY_VALUES.forEach(
        (key, value) -> assertThat(otel.getEntryValue("sentry-" + key)).as(key).isEqualTo(value));
  }

  @Test
  void oursAndSentryJavaWriteTheSameMembers() {
    String ours = benchmark.format_ours();
    String sentryJava = benchmark.format_sentryJava();

    assertThat(ours).startsWith(Inputs.THIRD_PARTY_BAGGAGE + ",");
    assertThat(sentryJava).startsWith(Inputs.THIRD_PARTY_BAGGAGE + ",");
    assertThat(sentryMembers(ours)).hasSize(8).isEqualTo(sentryMembers(sentryJava));
  }

  @Test
  void otelWritesAllTenMembersBack() {
    String otel = benchmark.format_otel().get("baggage");
    assertThat(otel.split(",")).hasSize(10);
    assertThat(io.sentrytrace.Baggage.parse(otel).sentryValues()).isEqualTo(Inputs.BAGGAGE_SENTRY_VALUES);
  }

  private static Set<String> sentryMembers(String header) {
    Set<String> members = new HashSet<>();
    for (String member : Arrays.asList(header.split(","))) {
      if (member.startsWith("sentry-")) members.add(member);
    }
    return members;
  }
}
