package io.sentrytrace.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Runs one benchmark for 100 ms in this JVM: the generated harness works, without a real run. */
class BenchmarksRunTest {
  @Test
  void runsABenchmarkAndReportsItsTime() throws RunnerException {
    Options options =
        new OptionsBuilder()
            .include(MatchBenchmark.class.getName() + ".matchMixed_ours$")
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(100))
            .timeUnit(TimeUnit.NANOSECONDS)
            .verbosity(VerboseMode.SILENT)
            .build();

    Collection<RunResult> results = new Runner(options).run();

    assertThat(results).hasSize(1);
    RunResult result = results.iterator().next();
    assertThat(result.getParams().getBenchmark()).endsWith("MatchBenchmark.matchMixed_ours");
    assertThat(result.getPrimaryResult().getScoreUnit()).isEqualTo("ns/op");
    assertThat(result.getPrimaryResult().getScore()).isPositive();
  }
}
