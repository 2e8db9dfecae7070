package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The guard for the class of bug behind a second org reader: the bridge writes no DSC key, org
 * rule or {@code sentry-trace} flag of its own; the DSC, its reader, its bound and the org rule
 * are sentry-trace-core's ({@code Tracer.continueTrace}, {@code Tracer.headDynamicSamplingContext},
 * {@code SentryTrace}).
 */
class OneDscDefinitionTest {
  private static final List<String> CORE_ONLY = List.of(
      "\"trace_id\"", "\"public_key\"", "\"org_id\"", "\"sample_rand\"", "\"sample_rate\"", "\"sampled\"",
      "\"release\"", "\"environment\"", "\"-1\"", "\"-0\"", "sentry-org_id", "HeadDsc", "OrgCheck");

  @Test
  void theBridgesSourcesSpellNoDscKeyOrOrgRule() throws IOException {
    Path main = Path.of("src/main/java/io/sentrytrace/opentelemetry");
    assertThat(main).isDirectory();
    List<Path> sources;
    try (Stream<Path> files = Files.list(main)) {
      sources = files.filter(f -> f.toString().endsWith(".java")).toList();
    }
    assertThat(sources).isNotEmpty();
    for (Path source : sources) {
      // The one exemption: the sampler's client-report reason, which Sentry also calls sample_rate.
      String text = Files.readString(source).replace("DISCARD_REASON = \"sample_rate\"", "");
      for (String spelled : CORE_ONLY) {
        assertThat(text).as("%s spells %s: use sentry-trace-core's", source.getFileName(), spelled).doesNotContain(spelled);
      }
    }
  }
}
