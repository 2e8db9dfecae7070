package io.sentrytrace.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.SpanExporter;
import io.sentrytrace.Tracer;
import io.sentrytrace.envelope.EnvelopeExporter;
import io.sentrytrace.servlet.TracingServletFilter;
import jakarta.servlet.DispatcherType;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Each condition of the auto-configuration, in a context without a server. */
class SentryTraceAutoConfigurationTest {
  private static final AutoConfigurations SENTRY = AutoConfigurations.of(SentryTraceAutoConfiguration.class,
      SentryTraceServletAutoConfiguration.class, SentryTraceRestClientAutoConfiguration.class);

  private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(SENTRY);
  private final WebApplicationContextRunner web = new WebApplicationContextRunner().withConfiguration(SENTRY);

  /** The start-up lines of each context (SentryTraceStartupReportTest asserts them), kept off the console. */
  private CapturedLogs startupLines;
  /** The WARN lines a test provokes on purpose. */
  private List<String> expectedWarnings = List.of();

  @BeforeEach
  void captureStartupLines() {
    startupLines = CapturedLogs.of(List.of("io.sentrytrace.spring.boot"), List.of());
  }

  @AfterEach
  void onlyExpectedWarnings() {
    startupLines.close();
    assertThat(startupLines.lines()).filteredOn(line -> !line.level().equals("INFO"))
        .extracting(CapturedLogs.Line::message).containsExactlyElementsOf(expectedWarnings);
  }

  @Test
  void sentryTraceDebugTurnsOnTheDecisionLog() {
    try (CapturedLogs decisions = CapturedLogs.of(List.of(), List.of("io.sentrytrace.decisions"))) {
      runner.withPropertyValues("sentry-trace.debug=true").run(context ->
          assertThat(context.getBean(Tracer.class).decisionLog().isEnabled()).isTrue());
      runner.run(context -> assertThat(context.getBean(Tracer.class).decisionLog().isEnabled()).isFalse());
      assertThat(decisions.lines()).extracting(CapturedLogs.Line::message)
          .singleElement().asString().startsWith("decision log on: tracePropagationTargets [all URLs]");
    }
  }

  @Test
  void backsOffWhenTheApplicationDefinesATracer() {
    runner.withUserConfiguration(OwnTracer.class).withPropertyValues("sentry-trace.traces-sample-rate=0.0")
        .run(context -> {
          assertThat(context).hasSingleBean(Tracer.class);
          assertThat(context.getBean(Tracer.class)).isSameAs(context.getBean(OwnTracer.class).tracer);
        });
  }

  @Test
  void withoutADsnThereIsNoExporterButPropagationStaysOn() {
    runner.run(context -> {
      assertThat(context).hasSingleBean(Tracer.class).doesNotHaveBean(SpanExporter.class);
      Tracer tracer = context.getBean(Tracer.class);
      assertThat(tracer.isTracingEnabled()).isFalse();
      assertThat(tracer.shouldPropagate("https://api.example.com/orders")).isTrue();
    });
  }

  @Test
  void aBlankDsnCountsAsUnset() {
    runner.withPropertyValues("sentry-trace.dsn=  ").run(context ->
        assertThat(context).hasNotFailed().doesNotHaveBean(SpanExporter.class));
  }

  @Test
  void aDsnBringsTheEnvelopeExporterClosedWithTheContext() {
    AtomicReference<EnvelopeExporter> exporter = new AtomicReference<>();
    runner.withPropertyValues("sentry-trace.dsn=http://public@127.0.0.1:9/1", "sentry-trace.traces-sample-rate=1")
        .run(context -> {
          assertThat(context).hasSingleBean(EnvelopeExporter.class);
          exporter.set(context.getBean(EnvelopeExporter.class));
          Span tx = context.getBean(Tracer.class).startTransaction("t", "test");
          assertThat(tx.toBaggage()).contains("sentry-public_key=public");
        });
    // closed: a transaction exported now is dropped, not queued
    long dropped = exporter.get().droppedCount();
    Tracer after = Tracer.builder().tracesSampleRate(1.0).exporter(exporter.get()).build();
    after.startTransaction("late", "test").finish();
    assertThat(exporter.get().droppedCount()).isEqualTo(dropped + 1);
  }

  @Test
  void anApplicationsExporterReplacesTheEnvelopeExporter() {
    expectedWarnings = List.of("sentry-trace.dsn is set but sentry-trace.traces-sample-rate is not: no transactions "
        + "will be recorded or sent to Sentry (trace headers are still continued and propagated). To record them, set "
        + "sentry-trace.traces-sample-rate to a number from 0.0 to 1.0 (0.2 records one trace in five; as an "
        + "environment variable SENTRY_TRACE_TRACES_SAMPLE_RATE).");
    runner.withUserConfiguration(OwnExporter.class).withPropertyValues("sentry-trace.dsn=http://public@127.0.0.1:9/1")
        .run(context -> assertThat(context).hasSingleBean(SpanExporter.class).doesNotHaveBean(EnvelopeExporter.class));
  }

  @Test
  void propertiesReachTheTracer() {
    runner.withPropertyValues("sentry-trace.trace-propagation-targets=127.0.0.1,^https://api\\.example\\.com/.*",
            "sentry-trace.propagate-traceparent=true", "sentry-trace.traces-sample-rate=1",
            "sentry-trace.release=shop@2", "sentry-trace.environment=staging")
        .run(context -> {
          Tracer tracer = context.getBean(Tracer.class);
          assertThat(tracer.shouldPropagate("http://127.0.0.1:8080/x")).isTrue();
          assertThat(tracer.shouldPropagate("https://api.example.com/v1")).isTrue();
          assertThat(tracer.shouldPropagate("https://evil.example.org/")).isFalse();
          assertThat(tracer.propagatesTraceparent()).isTrue();
          assertThat(tracer.startTransaction("t", "test").toBaggage())
              .contains("sentry-release=shop%402").contains("sentry-environment=staging");
        });
  }

  @Test
  void disabledLeavesNothing() {
    web.withPropertyValues("sentry-trace.enabled=false", "sentry-trace.dsn=http://public@127.0.0.1:9/1").run(context ->
        assertThat(context).hasNotFailed().doesNotHaveBean(Tracer.class).doesNotHaveBean(SpanExporter.class)
            .doesNotHaveBean(FilterRegistrationBean.class).doesNotHaveBean(TaskDecorator.class)
            .doesNotHaveBean(RestClientCustomizer.class).doesNotHaveBean(RestTemplateCustomizer.class));
  }

  @Test
  void aBadDsnStopsStartUpWithTheProperty() {
    List<CapturedLogs.Line> spring = springLog(() ->
        runner.withPropertyValues("sentry-trace.dsn=https://o1.ingest.sentry.io/2").run(context -> {
          FailureAnalysis analysis = analyze(context.getStartupFailure());
          assertThat(analysis.getDescription())
              .startsWith("The property 'sentry-trace.dsn' is not a valid Sentry DSN: DSN has no public key");
          assertThat(analysis.getAction()).startsWith("Set sentry-trace.dsn to the DSN of your Sentry project")
              .contains("https://<public_key>@o<org>.ingest.sentry.io/<project_id>");
        }));
    assertThat(spring).singleElement().asString().startsWith("WARN").contains("sentry-trace.dsn is not a valid Sentry DSN");
  }

  @Test
  void aSampleRateOutsideZeroToOneStopsStartUpWithTheProperty() {
    List<CapturedLogs.Line> spring = springLog(() -> {
      runner.withPropertyValues("sentry-trace.traces-sample-rate=1.5").run(context -> {
        FailureAnalysis analysis = analyze(context.getStartupFailure());
        assertThat(analysis.getDescription())
            .isEqualTo("The property 'sentry-trace.traces-sample-rate' is 1.5, but a sample rate is the share of new "
                + "traces recorded: a number from 0.0 (none) to 1.0 (all).");
        assertThat(analysis.getAction()).startsWith("Set sentry-trace.traces-sample-rate to a number from 0.0 to 1.0");
      });
      runner.withPropertyValues("sentry-trace.traces-sample-rate=-0.1").run(context ->
          assertThat(analyze(context.getStartupFailure()).getDescription()).contains("is -0.1,"));
    });
    assertThat(spring).hasSize(2).allSatisfy(line -> assertThat(line.toString()).startsWith("WARN"));
    assertThat(spring.get(0).message()).contains("sentry-trace.traces-sample-rate is 1.5");
    assertThat(spring.get(1).message()).contains("sentry-trace.traces-sample-rate is -0.1");
  }

  @Test
  void springBootReportsTheBadPropertyInsteadOfAStackTrace() {
    // SpringApplication sets up its logging first (which resets Logback), so the capture starts
    // after that, from a listener: what it logs is asserted here instead of printed.
    CapturedLogs[] logs = new CapturedLogs[1];
    SpringApplication app = new SpringApplicationBuilder(Empty.class).web(WebApplicationType.NONE)
        .properties("sentry-trace.traces-sample-rate=2", "spring.main.banner-mode=off", "spring.main.log-startup-info=false")
        .listeners(event -> {
          if (event instanceof ApplicationEnvironmentPreparedEvent && logs[0] == null) {
            logs[0] = CapturedLogs.of(List.of("org.springframework", "io.sentrytrace"), List.of());
          }
        })
        .build();
    String logged;
    try {
      assertThatThrownBy(app::run).hasRootCauseInstanceOf(InvalidSentryTracePropertyException.class);
    } finally {
      logged = logs[0] == null ? "" : logs[0].lines().toString();
      if (logs[0] != null) logs[0].close();
    }
    assertThat(logged)
        .contains("APPLICATION FAILED TO START")
        .contains("The property 'sentry-trace.traces-sample-rate' is 2.0, but a sample rate is the share")
        .contains("Set sentry-trace.traces-sample-rate to a number from 0.0 to 1.0");
  }

  /** Spring's log while {@code run} runs, kept off the console: a context that fails to start warns. */
  private static List<CapturedLogs.Line> springLog(Runnable run) {
    try (CapturedLogs logs = CapturedLogs.of(List.of("org.springframework"), List.of())) {
      run.run();
      return logs.lines();
    }
  }

  @Test
  void theFilterIsRegisteredBeforeSpringSecurityForRequestAndAsyncDispatches() {
    web.run(context -> {
      FilterRegistrationBean<?> registration = context.getBean(FilterRegistrationBean.class);
      assertThat(registration.getFilter()).isInstanceOf(TracingServletFilter.class);
      assertThat(registration.getOrder()).isLessThan(-100); // SecurityProperties.DEFAULT_FILTER_ORDER
      assertThat(registration.isAsyncSupported()).isTrue();
      assertThat(registration.determineDispatcherTypes()).containsExactlyInAnyOrder(DispatcherType.REQUEST, DispatcherType.ASYNC);
      assertThat(context).hasBean("sentryTraceWebMvcConfigurer").getBean("sentryTraceWebMvcConfigurer").isInstanceOf(WebMvcConfigurer.class);
    });
  }

  @Test
  void anApplicationsOwnFilterRegistrationReplacesOurs() {
    web.withUserConfiguration(OwnFilter.class).run(context -> {
      assertThat(context).hasSingleBean(FilterRegistrationBean.class);
      assertThat(context.getBean(FilterRegistrationBean.class)).isSameAs(context.getBean("ownFilter"));
    });
  }

  @Test
  void noFilterOutsideAServletApplication() {
    runner.run(context -> assertThat(context).hasSingleBean(Tracer.class).doesNotHaveBean(FilterRegistrationBean.class));
  }

  @Test
  void bootsTaskExecutorRunsTasksUnderTheSubmittersSpan() {
    runner.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class))
        .withPropertyValues("sentry-trace.traces-sample-rate=1")
        .run(context -> {
          Tracer tracer = context.getBean(Tracer.class);
          ThreadPoolTaskExecutor executor = context.getBean(ThreadPoolTaskExecutor.class);
          Span tx = tracer.startTransaction("submit", "test");
          AtomicReference<Span> seen = new AtomicReference<>();
          try (Scope scope = tx.makeCurrent()) {
            executor.submit(() -> seen.set(tracer.currentSpan())).get();
          }
          assertThat(seen.get()).isSameAs(tx);
          assertThat(executor.submit(tracer::currentSpan).get()).as("nothing current: nothing leaks").isNull();
        });
  }

  @Test
  void anApplicationsTaskDecoratorIsComposedWithOurs() {
    runner.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class))
        .withUserConfiguration(OwnDecorator.class)
        .run(context -> {
          assertThat(context.getBeansOfType(TaskDecorator.class)).containsKeys("sentryTraceTaskDecorator", "ownDecorator");
          ThreadPoolTaskExecutor executor = context.getBean(ThreadPoolTaskExecutor.class);
          executor.submit(() -> {}).get();
          assertThat(OwnDecorator.decorated).isPositive();
        });
  }

  @Test
  void restClientAndRestTemplateGetTheInterceptorOnce() {
    runner.run(context -> {
      RestClient.Builder builder = RestClient.builder();
      RestClientCustomizer customizer = context.getBean(RestClientCustomizer.class);
      customizer.customize(builder);
      customizer.customize(builder);
      AtomicReference<List<?>> interceptors = new AtomicReference<>();
      builder.requestInterceptors(list -> interceptors.set(List.copyOf(list)));
      assertThat(interceptors.get()).hasSize(1).first().isInstanceOf(TracingClientHttpRequestInterceptor.class);

      RestTemplate template = new RestTemplate();
      RestTemplateCustomizer templates = context.getBean(RestTemplateCustomizer.class);
      templates.customize(template);
      templates.customize(template);
      assertThat(template.getInterceptors()).hasSize(1).first().isInstanceOf(TracingClientHttpRequestInterceptor.class);
    });
  }

  private static FailureAnalysis analyze(Throwable failure) {
    assertThat(failure).isNotNull();
    FailureAnalysis analysis = new SentryTraceFailureAnalyzer().analyze(failure);
    assertThat(analysis).as("analysis of %s", failure).isNotNull();
    return analysis;
  }

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class Empty {}

  @Configuration(proxyBeanMethods = false)
  static class OwnTracer {
    final Tracer tracer = Tracer.builder().build();

    @Bean
    Tracer myTracer() {
      return tracer;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnExporter {
    @Bean
    SpanExporter myExporter() {
      return new io.sentrytrace.testing.InMemorySpanExporter();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnFilter {
    @Bean
    FilterRegistrationBean<TracingServletFilter> ownFilter() {
      return new FilterRegistrationBean<>(TracingServletFilter.create(Tracer.builder().build()));
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnDecorator {
    static volatile int decorated;

    @Bean
    TaskDecorator ownDecorator() {
      return task -> {
        decorated++;
        return task;
      };
    }
  }
}
