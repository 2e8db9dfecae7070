package io.sentrytrace.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.PropagationTargets;
import io.sentrytrace.Tracer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.env.PropertySourceLoader;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;

/**
 * What the starter logs at start: one INFO line saying what was set up, and a WARN for each
 * setting that used to do nothing without a word (a mistyped key, a DSN without a sample rate).
 * Relaxed forms Spring binds, environment variables among them, are not typos.
 */
class SentryTraceStartupReportTest {
  private static final AutoConfigurations SENTRY = AutoConfigurations.of(SentryTraceAutoConfiguration.class,
      SentryTraceServletAutoConfiguration.class, SentryTraceRestClientAutoConfiguration.class);
  private static final String LOGGER = "io.sentrytrace.spring.boot";
  private static final String DSN = "https://abcdef0123456789@o1.ingest.sentry.io/2";
  private static final String NO_RATE_WARNING = "sentry-trace.dsn is set but sentry-trace.traces-sample-rate is not: "
      + "no transactions will be recorded or sent to Sentry (trace headers are still continued and propagated). "
      + "To record them, set sentry-trace.traces-sample-rate to a number from 0.0 to 1.0 (0.2 records one trace in "
      + "five; as an environment variable SENTRY_TRACE_TRACES_SAMPLE_RATE).";

  private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(SENTRY);
  private final WebApplicationContextRunner web = new WebApplicationContextRunner().withConfiguration(SENTRY);

  // --- the INFO line ------------------------------------------------------------------------------

  @Test
  void aServletApplicationWithADsnAndARateSaysWhatWasSetUpAndWhereTransactionsGo() {
    List<CapturedLogs.Line> lines = logged(web.withPropertyValues("sentry-trace.dsn=" + DSN,
        "sentry-trace.traces-sample-rate=0.2",
        "sentry-trace.trace-propagation-targets=localhost,127.0.0.1,^https://api\\.example\\.com/.*"));
    assertThat(lines).extracting(Object::toString).containsExactly("INFO " + LOGGER + ": sentry-trace: tracing on "
        + "(sample rate 0.2); servlet filter with route names; RestClient and RestTemplate traced; @Async hand-off; "
        + "transactions to o1.ingest.sentry.io project 2; headers to 3 targets");
    assertThat(lines.get(0).message()).doesNotContain("abcdef0123456789");
  }

  @Test
  void withoutADsnOrARateItSaysThatNothingIsRecordedOrSent() {
    assertThat(logged(web)).extracting(Object::toString).containsExactly("INFO " + LOGGER + ": sentry-trace: "
        + "propagation only (no sentry-trace.traces-sample-rate: no transactions recorded); servlet filter with route "
        + "names; RestClient and RestTemplate traced; @Async hand-off; transactions not sent (no sentry-trace.dsn); "
        + "headers to every URL");
  }

  @Test
  void outsideAServletApplicationThereIsNoFilterAndOneTargetIsCountedAsOne() {
    assertThat(logged(runner.withPropertyValues("sentry-trace.traces-sample-rate=1",
            "sentry-trace.trace-propagation-targets=127.0.0.1")))
        .extracting(Object::toString).containsExactly("INFO " + LOGGER + ": sentry-trace: tracing on (sample rate 1); "
            + "no servlet filter; RestClient and RestTemplate traced; @Async hand-off; transactions not sent "
            + "(no sentry-trace.dsn); headers to 1 target");
  }

  @Test
  void anApplicationsOwnTracerIsNamedAsSuch() {
    assertThat(logged(runner.withBean(Tracer.class, () -> Tracer.builder().tracesSampleRate(0.5)
            .tracePropagationTargets(List.of()).build())))
        .extracting(Object::toString).containsExactly("INFO " + LOGGER + ": sentry-trace: tracing on (sample rate 0.5, "
            + "the application's Tracer); no servlet filter; RestClient and RestTemplate traced; @Async hand-off; "
            + "headers to no URL");
  }

  // --- a DSN without a sample rate ----------------------------------------------------------------

  @Test
  void aDsnWithoutASampleRateWarnsHowToSetIt() {
    List<CapturedLogs.Line> lines = logged(runner.withPropertyValues("sentry-trace.dsn=" + DSN));
    assertThat(lines).extracting(CapturedLogs.Line::level).containsExactly("INFO", "WARN");
    assertThat(lines.get(0).message()).startsWith("sentry-trace: propagation only (no sentry-trace.traces-sample-rate")
        .endsWith("; transactions to o1.ingest.sentry.io project 2; headers to every URL");
    assertThat(lines.get(1).message()).isEqualTo(NO_RATE_WARNING);
  }

  @Test
  void aRateOfZeroIsASetRateAndNotWarnedAbout() {
    assertThat(logged(runner.withPropertyValues("sentry-trace.dsn=" + DSN, "sentry-trace.traces-sample-rate=0")))
        .singleElement().satisfies(line -> assertThat(line.message()).startsWith("sentry-trace: tracing on (sample rate 0);"));
  }

  // --- unknown keys -------------------------------------------------------------------------------

  @Test
  void aMistypedKeyIsNamedWithTheClosestProperty() {
    List<CapturedLogs.Line> lines = logged(runner.withPropertyValues("sentry-trace.trace-sample-rate=1.0"));
    assertThat(lines).extracting(Object::toString).first().isEqualTo("WARN " + LOGGER + ": sentry-trace: unknown "
        + "property sentry-trace.trace-sample-rate (property source 'test') is ignored; the closest known property is "
        + "sentry-trace.traces-sample-rate");
    assertThat(lines).extracting(CapturedLogs.Line::level).containsExactly("WARN", "INFO");
  }

  @Test
  void eachMistypedKeyFindsTheNearestProperty() {
    Map<String, String> typos = new LinkedHashMap<>();
    typos.put("sentry-trace.dns", "sentry-trace.dsn");
    typos.put("sentry-trace.enable", "sentry-trace.enabled");
    typos.put("sentry-trace.tracesSampleRat", "sentry-trace.traces-sample-rate");
    typos.put("sentry-trace.trace-propagation-target[0]", "sentry-trace.trace-propagation-targets");
    typos.put("sentry-trace.tracePropagationTarget", "sentry-trace.trace-propagation-targets");
    typos.put("sentry-trace.relase", "sentry-trace.release");
    typos.put("sentry-trace.server-timings", "sentry-trace.server-timing");
    typos.put("sentry-trace.dsn.host", "sentry-trace.dsn");
    typos.forEach((typo, closest) -> assertThat(logged(runner.withPropertyValues(typo + "=x")))
        .as(typo).filteredOn(line -> line.level().equals("WARN")).extracting(CapturedLogs.Line::message)
        .containsExactly("sentry-trace: unknown property " + typo + " (property source 'test') is ignored; the "
            + "closest known property is " + closest));
  }

  @Test
  void aMistypedKeyInAFileIsNamedWithItsLine() {
    List<CapturedLogs.Line> lines = logged(runner.withInitializer(source(new PropertiesPropertySourceLoader(),
        "application.properties", "sentry-trace.dsn=" + DSN + "\nsentry-trace.trace-sample-rate=1.0\n")));
    assertThat(lines).filteredOn(line -> line.level().equals("WARN")).extracting(CapturedLogs.Line::message)
        .containsExactly("sentry-trace: unknown property sentry-trace.trace-sample-rate "
                + "(Byte array resource [resource loaded from byte array] - 2:32) is ignored; "
                + "the closest known property is sentry-trace.traces-sample-rate",
            NO_RATE_WARNING);
  }

  @Test
  void relaxedFormsSpringBindsAreNotTypos() {
    ApplicationContextRunner relaxed = runner.withPropertyValues("sentry-trace.tracesSampleRate=0.5",
        "sentry-trace.trace_propagation_targets[0]=localhost", "sentry-trace.TRACE-PROPAGATION-TARGETS[1]=127.0.0.1",
        "sentryTrace.release=shop@2", "sentry-trace.server_timing=all", "sentry-trace.propagateTraceparent=true");
    expectNoWarning(relaxed, tracer -> {
      assertThat(tracer.tracesSampleRate()).isEqualTo(0.5);
      assertThat(tracer.shouldPropagate("http://localhost:8080/")).isTrue();
      assertThat(tracer.shouldPropagate("http://127.0.0.1:8080/")).isTrue();
      assertThat(tracer.shouldPropagate("http://example.com/")).isFalse();
      assertThat(tracer.release()).isEqualTo("shop@2");
      assertThat(tracer.propagatesTraceparent()).isTrue();
    });
  }

  @Test
  void yamlListsAndNestedKeysAreNotTypos() {
    String yaml = "sentry-trace:\n  traces-sample-rate: 0.25\n  trace-propagation-targets:\n    - localhost\n"
        + "    - '^https://[a-z]{2,8}\\.example\\.com/.*'\n  environment: staging\n";
    expectNoWarning(runner.withInitializer(source(new YamlPropertySourceLoader(), "application.yaml", yaml)), tracer -> {
      assertThat(tracer.tracesSampleRate()).isEqualTo(0.25);
      assertThat(tracer.shouldPropagate("https://shop.example.com/x")).isTrue();
      assertThat(tracer.environment()).isEqualTo("staging");
    });
  }

  @Test
  void environmentVariablesSpringBindsAreNotTypos() {
    Map<String, Object> variables = Map.of("SENTRY_TRACE_TRACES_SAMPLE_RATE", "0.5",
        "SENTRY_TRACE_TRACE_PROPAGATION_TARGETS_0", "localhost", "SENTRY_TRACE_TRACE_PROPAGATION_TARGETS_1", "127.0.0.1",
        "SENTRYTRACE_RELEASE", "shop@3", "SENTRY_TRACE_ENVIRONMENT", "staging", "SENTRY_TRACE_ENABLED", "true",
        "SENTRY_TRACES_SAMPLE_RATE", "0.9", "SENTRY_DSN", "https://other@o9.ingest.sentry.io/9");
    expectNoWarning(runner.withInitializer(environmentVariables(variables)), tracer -> {
      assertThat(tracer.tracesSampleRate()).isEqualTo(0.5);
      assertThat(tracer.shouldPropagate("http://localhost:8080/")).isTrue();
      assertThat(tracer.shouldPropagate("http://127.0.0.1:8080/")).isTrue();
      assertThat(tracer.shouldPropagate("http://example.com/")).isFalse();
      assertThat(tracer.release()).isEqualTo("shop@3");
      assertThat(tracer.environment()).isEqualTo("staging");
      assertThat(tracer.dsn()).as("SENTRY_DSN is the Sentry SDK's, not ours").isNull();
    });
  }

  @Test
  void aMistypedEnvironmentVariableIsNamedWithTheVariableToSet() {
    List<CapturedLogs.Line> lines = logged(runner.withInitializer(environmentVariables(
        Map.of("SENTRY_TRACE_TRACE_SAMPLE_RATE", "1.0"))));
    assertThat(lines).filteredOn(line -> line.level().equals("WARN")).extracting(CapturedLogs.Line::message)
        .containsExactly("sentry-trace: unknown environment variable SENTRY_TRACE_TRACE_SAMPLE_RATE (property source "
            + "'test-systemEnvironment') is ignored; the closest known property is SENTRY_TRACE_TRACES_SAMPLE_RATE "
            + "(sentry-trace.traces-sample-rate)");
  }

  @Test
  void environmentVariablesInAFormSpringDoesNotBindAreReported() {
    // Spring reads SENTRY_TRACE_TRACES_SAMPLE_RATE or SENTRYTRACE_TRACESSAMPLERATE, not a mix of both.
    for (String variable : List.of("SENTRY_TRACE_TRACESSAMPLERATE", "SENTRYTRACE_TRACES_SAMPLE_RATE")) {
      try (CapturedLogs logs = capture()) {
        runner.withInitializer(environmentVariables(Map.of(variable, "0.5"))).run(context ->
            assertThat(context.getBean(Tracer.class).tracesSampleRate()).as(variable).isNull());
        assertThat(ours(logs)).filteredOn(line -> line.level().equals("WARN")).extracting(CapturedLogs.Line::message)
            .containsExactly("sentry-trace: unknown environment variable " + variable + " (property source "
                + "'test-systemEnvironment') is ignored; the closest known property is SENTRY_TRACE_TRACES_SAMPLE_RATE "
                + "(sentry-trace.traces-sample-rate)");
      }
    }
  }

  @Test
  void otherToolsVariablesWithThePrefixAreNotTakenForTypos() {
    // This project's own build sets SENTRY_TRACE_REQUIRE_BROWSER; far from every property, it is not ours.
    try (CapturedLogs logs = capture()) {
      runner.withInitializer(environmentVariables(Map.of("SENTRY_TRACE_REQUIRE_BROWSER", "true",
          "SENTRY_TRACE_RELASE", "shop@1"))).run(context -> assertThat(context).hasSingleBean(Tracer.class));
      assertThat(ours(logs)).filteredOn(line -> line.level().equals("WARN")).extracting(CapturedLogs.Line::message)
          .containsExactly("sentry-trace: unknown environment variable SENTRY_TRACE_RELASE (property source "
              + "'test-systemEnvironment') is ignored; the closest known property is SENTRY_TRACE_RELEASE "
              + "(sentry-trace.release)");
    }
  }

  // --- a whole application ------------------------------------------------------------------------

  @Test
  void anApplicationWithATypoAndADsnSaysBothAndWhatItSetUp() {
    String previous = System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
    try (CapturedLogs logs = capture()) {
      SpringApplication app = new SpringApplicationBuilder(Empty.class).web(WebApplicationType.NONE)
          .properties("spring.config.location=classpath:misconfigured.properties", "spring.main.banner-mode=off",
              "spring.main.log-startup-info=false")
          .build();
      try (ConfigurableApplicationContext context = app.run()) {
        assertThat(context.getBean(Tracer.class).isTracingEnabled()).isFalse();
      }
      assertThat(logs.lines()).filteredOn(line -> !line.level().equals("DEBUG")).extracting(Object::toString)
          .containsExactly(
              "WARN " + LOGGER + ": sentry-trace: unknown property sentry-trace.trace-sample-rate (class path resource "
                  + "[misconfigured.properties] - 3:32) is ignored; the closest known property is "
                  + "sentry-trace.traces-sample-rate",
              "INFO " + LOGGER + ": sentry-trace: propagation only (no sentry-trace.traces-sample-rate: no transactions "
                  + "recorded); no servlet filter; RestClient and RestTemplate traced; @Async hand-off; transactions to "
                  + "o1.ingest.sentry.io project 2; headers to every URL",
              "WARN " + LOGGER + ": " + NO_RATE_WARNING);
    } finally {
      if (previous == null) System.clearProperty(LoggingSystem.SYSTEM_PROPERTY);
      else System.setProperty(LoggingSystem.SYSTEM_PROPERTY, previous);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class Empty {}

  // --- helpers ------------------------------------------------------------------------------------

  /** What starting and stopping the context logged on our logger; Spring's own loggers are captured too. */
  private static List<CapturedLogs.Line> logged(ApplicationContextRunner runner) {
    try (CapturedLogs logs = capture()) {
      runner.run(context -> assertThat(context).hasNotFailed());
      return ours(logs);
    }
  }

  private static List<CapturedLogs.Line> logged(WebApplicationContextRunner runner) {
    try (CapturedLogs logs = capture()) {
      runner.run(context -> assertThat(context).hasNotFailed());
      return ours(logs);
    }
  }

  private static List<CapturedLogs.Line> ours(CapturedLogs logs) {
    assertThat(logs.lines()).as("nothing but our lines").allSatisfy(line -> assertThat(line.logger()).isEqualTo(LOGGER));
    return logs.lines();
  }

  private static void expectNoWarning(ApplicationContextRunner runner, Consumer<Tracer> check) {
    try (CapturedLogs logs = capture()) {
      runner.run(context -> {
        assertThat(context).hasNotFailed();
        check.accept(context.getBean(Tracer.class));
      });
      assertThat(ours(logs)).extracting(CapturedLogs.Line::level).containsExactly("INFO");
    }
  }

  private static CapturedLogs capture() {
    return CapturedLogs.of(List.of(LOGGER, "org.springframework.context", "org.springframework.boot"),
        List.of(PropagationTargets.class.getName()));
  }

  /** Variables as Spring Boot reads them from the process environment. */
  private static ApplicationContextInitializer<ConfigurableApplicationContext> environmentVariables(
      Map<String, Object> variables) {
    return context -> context.getEnvironment().getPropertySources()
        .addFirst(new SystemEnvironmentPropertySource("test-systemEnvironment", variables));
  }

  /** {@code text} read the way Spring Boot reads an application.properties or .yaml file. */
  private static ApplicationContextInitializer<ConfigurableApplicationContext> source(
      PropertySourceLoader loader, String name, String text) {
    return context -> {
      try {
        for (PropertySource<?> source : loader.load(name, new ByteArrayResource(text.getBytes(StandardCharsets.UTF_8)))) {
          context.getEnvironment().getPropertySources().addFirst(source);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }
}
