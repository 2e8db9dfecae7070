package io.sentrytrace.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.sentrytrace.PropagationTargets;
import io.sentrytrace.Tracer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.boot.env.PropertySourceLoader;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;

/**
 * Property values that used to start the application quietly doing something else than meant: a
 * regex cut in pieces at its commas, and {@code sentry-trace.enabled} set to neither true nor false.
 * Each now stops start-up with the property named ({@link SentryTraceFailureAnalyzer}).
 */
class SentryTracePropertyTrapsTest {
  private static final AutoConfigurations SENTRY = AutoConfigurations.of(SentryTraceAutoConfiguration.class,
      SentryTraceServletAutoConfiguration.class, SentryTraceRestClientAutoConfiguration.class);
  private static final String TARGETS = "sentry-trace.trace-propagation-targets";
  /** The regex of the issue: a counted quantifier, whose comma Spring Boot splits at. */
  private static final String HOSTS_REGEX = "^https://[a-z]{2,8}\\.example\\.com/.*";

  private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(SENTRY);
  private final WebApplicationContextRunner web = new WebApplicationContextRunner().withConfiguration(SENTRY);

  // --- sentry-trace.trace-propagation-targets -------------------------------------------------

  @Test
  void aRegexSplitAtTheCommaOfItsQuantifierStopsStartUpShowingTheIndexedForm() {
    expectFailure(runner.withPropertyValues(TARGETS + "=" + HOSTS_REGEX), analysis -> {
      assertThat(analysis.getDescription())
          .startsWith("The property 'sentry-trace.trace-propagation-targets' was split at commas: "
              + "\"^https://[a-z]{2\" is not a valid regex (Unclosed counted closure")
          .contains("but \"^https://[a-z]{2,8}\\.example\\.com/.*\" is");
      assertThat(analysis.getAction())
          .contains("sentry-trace.trace-propagation-targets[0]=^https://[a-z]{2,8}\\\\.example\\\\.com/.*")
          .contains("- '^https://[a-z]{2,8}\\.example\\.com/.*'");
    });
  }

  @Test
  void theSameFromAPropertiesFile() {
    expectFailure(runner.withInitializer(properties("comma-in-regex.properties")), analysis -> {
      assertThat(analysis.getDescription())
          .startsWith("The property 'sentry-trace.trace-propagation-targets' was split at commas");
      assertThat(analysis.getAction())
          .contains("sentry-trace.trace-propagation-targets[0]=^https://[a-z]{2,8}\\\\.example\\\\.com/.*");
    });
  }

  @Test
  void theSuggestionKeepsTheOtherTargetsInTheirPlaces() {
    expectFailure(runner.withPropertyValues(TARGETS + "=localhost," + HOSTS_REGEX + ",^http://(a,b)\\.test/.*"),
        analysis -> assertThat(analysis.getAction()).contains(
            "sentry-trace.trace-propagation-targets[0]=localhost\n"
                + "  sentry-trace.trace-propagation-targets[1]=^https://[a-z]{2,8}\\\\.example\\\\.com/.*\n"
                + "  sentry-trace.trace-propagation-targets[2]=^http://(a,b)\\\\.test/.*\n",
            "    trace-propagation-targets:\n"
                + "      - 'localhost'\n"
                + "      - '^https://[a-z]{2,8}\\.example\\.com/.*'\n"
                + "      - '^http://(a,b)\\.test/.*'"));
  }

  @Test
  void bothSuggestedFormsStartAndMatchAsMeant() {
    AtomicReference<String> action = new AtomicReference<>();
    expectFailure(runner.withPropertyValues(TARGETS + "=localhost," + HOSTS_REGEX + ",^http://(a,b)\\.test/.*"),
        analysis -> action.set(analysis.getAction()));
    String text = action.get();
    String properties = text.substring(text.indexOf("# application.properties"), text.indexOf("# application.yaml"));
    String yaml = text.substring(text.indexOf("# application.yaml"));
    for (ApplicationContextRunner suggested : List.of(
        runner.withInitializer(source(new PropertiesPropertySourceLoader(), "suggested.properties", properties)),
        runner.withInitializer(source(new YamlPropertySourceLoader(), "suggested.yaml", yaml)))) {
      expectStartsQuietly(suggested, tracer -> {
        assertThat(tracer.shouldPropagate("http://localhost:8080/x")).isTrue();
        assertThat(tracer.shouldPropagate("https://shop.example.com/orders")).isTrue();
        assertThat(tracer.shouldPropagate("http://a,b.test/x")).isTrue();
        assertThat(tracer.shouldPropagate("https://s.example.com/orders")).isFalse();
        assertThat(tracer.shouldPropagate("http://a.test/x")).isFalse();
      });
    }
  }

  @Test
  void aTargetThatReadsLikeARegexButIsNoneStopsStartUp() {
    expectFailure(runner.withPropertyValues(TARGETS + "[0]=localhost", TARGETS + "[1]=^https://[a-z.example.com/"),
        analysis -> {
          assertThat(analysis.getDescription()).isEqualTo(
              "The property 'sentry-trace.trace-propagation-targets' has \"^https://[a-z.example.com/\" at [1], "
                  + "which reads like a regex but is not one: Unclosed character class near index 25.");
          assertThat(analysis.getAction()).contains("sentry-trace.trace-propagation-targets[0]=");
        });
  }

  @Test
  void theIndexedFormBindsARegexWithACommaWholeAndItMatches() {
    for (ApplicationContextRunner indexed : List.of(
        runner.withPropertyValues(TARGETS + "[0]=localhost", TARGETS + "[1]=" + HOSTS_REGEX),
        runner.withInitializer(properties("indexed-regex.properties")))) {
      expectStartsQuietly(indexed, tracer -> {
        assertThat(tracer.shouldPropagate("http://localhost:8080/x")).isTrue();
        assertThat(tracer.shouldPropagate("https://shop.example.com/orders")).isTrue();
        assertThat(tracer.shouldPropagate("https://s.example.com/orders")).as("one letter: below {2,8}").isFalse();
        assertThat(tracer.shouldPropagate("https://evil.test/?https://shop.example.com/")).isFalse();
      });
    }
  }

  @Test
  void aPlainCommaSeparatedListOfHostsStillWorks() {
    expectStartsQuietly(runner.withPropertyValues(TARGETS + "=localhost,api.example.com"), tracer -> {
      assertThat(tracer.shouldPropagate("http://localhost:8080/x")).isTrue();
      assertThat(tracer.shouldPropagate("https://api.example.com/v1")).isTrue();
      assertThat(tracer.shouldPropagate("https://other.example.org/")).isFalse();
    });
  }

  @Test
  void aTargetWithoutRegexCharactersThatDoesNotCompileIsStillASubstring() {
    // "*.example.com", a glob: no [ { ( \ ^ $, so it reads as a URL part; the core says so at INFO.
    try (CapturedLogs logs = capture()) {
      runner.withPropertyValues(TARGETS + "=*.example.com").run(context -> {
        assertThat(context).hasNotFailed();
        Tracer tracer = context.getBean(Tracer.class);
        assertThat(tracer.shouldPropagate("https://shop.example.com/")).isFalse();
        assertThat(tracer.shouldPropagate("https://x/*.example.com/")).isTrue();
      });
      assertThat(logs.lines()).filteredOn(line -> !isStartupLine(line))
          .singleElement().hasToString("INFO " + PropagationTargets.class.getName()
          + ": tracePropagationTargets: \"*.example.com\" is not a valid regex (Dangling meta character '*');"
          + " it matches as a substring only");
    }
  }

  // --- sentry-trace.enabled -------------------------------------------------------------------

  @Test
  void anEnabledValueOtherThanTrueOrFalseStopsStartUp() {
    for (String bad : List.of("nope", "ture", "yes", "on", "1", "")) {
      expectFailure(web.withPropertyValues("sentry-trace.enabled=" + bad), analysis -> {
        assertThat(analysis.getDescription()).as(bad)
            .isEqualTo("The property 'sentry-trace.enabled' is \"" + bad + "\", but it takes only true or false.");
        assertThat(analysis.getAction()).as(bad).startsWith("Set sentry-trace.enabled to true");
      });
    }
  }

  @Test
  void enabledIgnoresCaseAndFalseStillTurnsEverythingOff() {
    try (CapturedLogs logs = capture()) {
      enabledIgnoresCase();
      assertThat(logs.lines()).as("4 contexts with sentry-trace on").hasSize(4).allMatch(line -> isStartupLine(line));
    }
  }

  private void enabledIgnoresCase() {
    for (String on : List.of("true", "TRUE", "True")) {
      web.withPropertyValues("sentry-trace.enabled=" + on).run(context -> assertThat(context).as(on)
          .hasNotFailed().hasSingleBean(Tracer.class).hasSingleBean(FilterRegistrationBean.class)
          .hasSingleBean(RestClientCustomizer.class));
    }
    for (String off : List.of("false", "FALSE", "False")) {
      web.withPropertyValues("sentry-trace.enabled=" + off).run(context -> assertThat(context).as(off)
          .hasNotFailed().doesNotHaveBean(Tracer.class).doesNotHaveBean(FilterRegistrationBean.class)
          .doesNotHaveBean(RestClientCustomizer.class));
    }
    web.run(context -> assertThat(context).as("unset: on").hasNotFailed().hasSingleBean(Tracer.class));
  }

  // --- a whole application: the value read from application.properties, the report Boot prints ---

  @Test
  void anApplicationReportsBothTrapsInsteadOfStartingQuietly() {
    FailureAnalysis split = startApplication("spring.config.location=classpath:comma-in-regex.properties");
    assertThat(split.getDescription())
        .startsWith("The property 'sentry-trace.trace-propagation-targets' was split at commas");
    assertThat(split.getAction())
        .contains("sentry-trace.trace-propagation-targets[0]=^https://[a-z]{2,8}\\\\.example\\\\.com/.*");

    FailureAnalysis enabled = startApplication("sentry-trace.enabled=nope");
    assertThat(enabled.getDescription())
        .isEqualTo("The property 'sentry-trace.enabled' is \"nope\", but it takes only true or false.");
  }

  /**
   * Runs an application that must fail; returns our analysis of the failure after checking Boot
   * printed it. Boot's logging system stays off, so that it does not replace the captured loggers.
   */
  private static FailureAnalysis startApplication(String property) {
    String previous = System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
    try (CapturedLogs logs = capture()) {
      SpringApplication app = new SpringApplicationBuilder(Empty.class).web(WebApplicationType.NONE)
          .properties(property, "spring.main.banner-mode=off", "spring.main.log-startup-info=false").build();
      Throwable failure = catchThrowable(app::run);
      FailureAnalysis analysis = analyze(failure);
      assertThat(logs.lines()).as("Boot's report").anySatisfy(line -> {
        assertThat(line.level()).isEqualTo("ERROR");
        assertThat(line.message()).contains("APPLICATION FAILED TO START", analysis.getDescription(),
            analysis.getAction());
      });
      assertThat(logs.lines()).filteredOn(line -> !line.level().equals("INFO") && !line.level().equals("DEBUG"))
          .allSatisfy(line -> assertThat(line.message()).containsAnyOf("APPLICATION FAILED TO START",
              "Exception encountered during context initialization"));
      return analysis;
    } finally {
      if (previous == null) System.clearProperty(LoggingSystem.SYSTEM_PROPERTY);
      else System.setProperty(LoggingSystem.SYSTEM_PROPERTY, previous);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class Empty {}

  // --- helpers --------------------------------------------------------------------------------

  /** Start-up fails with our analysis; the one WARN Spring logs for it is captured, not printed. */
  private static void expectFailure(ApplicationContextRunner runner, Consumer<FailureAnalysis> check) {
    try (CapturedLogs logs = capture()) {
      runner.run(context -> check.accept(analyze(context)));
      assertFailureLogged(logs);
    }
  }

  private static void expectFailure(WebApplicationContextRunner runner, Consumer<FailureAnalysis> check) {
    try (CapturedLogs logs = capture()) {
      runner.run(context -> check.accept(analyze(context)));
      assertFailureLogged(logs);
    }
  }

  private static void expectStartsQuietly(ApplicationContextRunner runner, Consumer<Tracer> check) {
    try (CapturedLogs logs = capture()) {
      runner.run(context -> {
        assertThat(context).hasNotFailed();
        check.accept(context.getBean(Tracer.class));
      });
      assertThat(logs.lines()).singleElement().matches(line -> isStartupLine(line), "the start-up line only");
    }
  }

  private static FailureAnalysis analyze(AssertableApplicationContext context) {
    return analyze(context.getStartupFailure());
  }

  private static FailureAnalysis analyze(AssertableWebApplicationContext context) {
    return analyze(context.getStartupFailure());
  }

  private static FailureAnalysis analyze(Throwable failure) {
    assertThat(failure).as("start-up failure").isNotNull();
    FailureAnalysis analysis = new SentryTraceFailureAnalyzer().analyze(failure);
    assertThat(analysis).as("analysis of %s", failure).isNotNull();
    return analysis;
  }

  /**
   * At most Spring's WARN of a failed refresh: none when the runner's own registration of the
   * auto-configurations evaluates the condition that throws, before the refresh.
   */
  private static void assertFailureLogged(CapturedLogs logs) {
    assertThat(logs.lines()).allSatisfy(line -> {
      assertThat(line.level()).isEqualTo("WARN");
      assertThat(line.message()).startsWith("Exception encountered during context initialization");
    });
  }

  /**
   * Spring's context classes (the WARN of a failed refresh), the start-up lines of the starter
   * (SentryTraceStartupReportTest asserts them) and the core's target parsing.
   */
  private static CapturedLogs capture() {
    return CapturedLogs.of(List.of("org.springframework.context", "org.springframework.boot", "io.sentrytrace.spring.boot"),
        List.of(PropagationTargets.class.getName()));
  }

  /** The INFO line saying what was set up, which every context that starts with sentry-trace on logs. */
  private static boolean isStartupLine(CapturedLogs.Line line) {
    return line.level().equals("INFO") && line.logger().equals("io.sentrytrace.spring.boot")
        && line.message().startsWith("sentry-trace: ");
  }

  /** A classpath properties file read the way Spring Boot reads application.properties. */
  private static ApplicationContextInitializer<ConfigurableApplicationContext> properties(String name) {
    return load(new PropertiesPropertySourceLoader(), name, new ClassPathResource(name));
  }

  /** {@code text} read the way Spring Boot reads an application.properties or .yaml file. */
  private static ApplicationContextInitializer<ConfigurableApplicationContext> source(
      PropertySourceLoader loader, String name, String text) {
    return load(loader, name, new ByteArrayResource(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static ApplicationContextInitializer<ConfigurableApplicationContext> load(
      PropertySourceLoader loader, String name, Resource resource) {
    return context -> {
      try {
        for (PropertySource<?> source : loader.load(name, resource)) {
          context.getEnvironment().getPropertySources().addFirst(source);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }
}
