package io.sentrytrace.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.Tracer;
import io.sentrytrace.test.LogRecords;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link TracingContextListener}: the tracer from context-params or the environment, and the mistakes it names. */
class ContextListenerTest {
  /** Nothing listens there: these tests send nothing (no transaction is finished). */
  private static final String DSN = "http://abc123@127.0.0.1:9/42";

  private final Map<String, String> params = new LinkedHashMap<>();
  private final Map<String, String> environment = new HashMap<>();
  private final Map<String, Object> attributes = new HashMap<>();
  private final ServletContext context = context(params, attributes);
  private final LogRecords log = LogRecords.asConfigured(TracingContextListener.class.getName());

  @AfterEach
  void closeLog() {
    log.close();
  }

  @Test
  void makesTheTracerFromContextParamsSaysSoAndClosesItWithTheApplication() {
    Set<Thread> before = senderThreads();
    params.put("sentry-trace.dsn", DSN);
    params.put("sentry-trace.traces-sample-rate", "0.25");
    params.put("sentry-trace.trace-propagation-targets", "api.example.com, ^https://pay\\.example\\.com/.*");
    params.put("sentry-trace.release", "shop@1.4.0");
    params.put("sentry-trace.environment", "production");
    params.put("sentry-trace.propagate-traceparent", "TRUE");
    params.put("sentry-trace.strict-trace-continuation", "true");
    params.put("unrelated.param", "left alone");
    TracingContextListener listener = listener();

    listener.contextInitialized(new ServletContextEvent(context));

    Tracer tracer = (Tracer) attributes.get(TracingServletFilter.TRACER_ATTRIBUTE);
    assertThat(tracer.dsn().toString()).isEqualTo(DSN);
    assertThat(tracer.tracesSampleRate()).isEqualTo(0.25);
    assertThat(tracer.release()).isEqualTo("shop@1.4.0");
    assertThat(tracer.environment()).isEqualTo("production");
    assertThat(tracer.propagatesTraceparent()).isTrue();
    assertThat(tracer.strictTraceContinuation()).isTrue();
    assertThat(tracer.shouldPropagate("https://api.example.com/orders")).isTrue();
    assertThat(tracer.shouldPropagate("https://pay.example.com/charge")).isTrue();
    assertThat(tracer.shouldPropagate("https://cdn.example.net/x")).isFalse();
    Set<Thread> started = new HashSet<>(senderThreads());
    started.removeAll(before);
    assertThat(started).as("the exporter's sender").hasSize(1);
    assertThat(log.lines()).containsExactly("INFO sentry-trace: web application /shop: Tracer in the ServletContext attribute"
        + " io.sentrytrace.Tracer; traces-sample-rate 0.25, transactions sent to http://127.0.0.1:9/api/42/envelope/;"
        + " trace headers to [api.example.com, ^https://pay\\.example\\.com/.*]; release shop@1.4.0; environment production;"
        + " closed when the web application stops");

    listener.contextDestroyed(new ServletContextEvent(context));

    assertThat(attributes).doesNotContainKey(TracingServletFilter.TRACER_ATTRIBUTE);
    assertThat(senderThreads()).as("closed with the application: its thread ended").isSubsetOf(before);
  }

  @Test
  void withoutADsnNothingIsSentAndNoThreadStarts() {
    Set<Thread> before = senderThreads();
    params.put("sentry-trace.traces-sample-rate", "1");
    TracingContextListener listener = listener();

    listener.contextInitialized(new ServletContextEvent(context));

    assertThat(senderThreads()).isSubsetOf(before);
    assertThat(log.lines()).singleElement().asString()
        .contains("traces-sample-rate 1.0, transactions not sent (no dsn); trace headers to all URLs;");
    listener.contextDestroyed(new ServletContextEvent(context));
    assertThat(attributes).isEmpty();
  }

  @Test
  void environmentVariablesFillWhatTheContextParamsLeaveOutAndContextParamsWin() {
    environment.put("SENTRY_TRACE_TRACES_SAMPLE_RATE", "0.5");
    environment.put("SENTRY_TRACE_RELEASE", "from-env");
    environment.put("SENTRY_TRACE_ENVIRONMENT", "staging");
    environment.put("SENTRY_TRACE_CONTINUE_FROM_TRACEPARENT", "true");
    params.put("sentry-trace.release", "from-web.xml");
    params.put("sentry-trace.environment", " "); // blank: unset, so the environment's counts

    TracingContextListener listener = listener();
    listener.contextInitialized(new ServletContextEvent(context));

    Tracer tracer = (Tracer) attributes.get(TracingServletFilter.TRACER_ATTRIBUTE);
    assertThat(tracer.tracesSampleRate()).isEqualTo(0.5);
    assertThat(tracer.release()).isEqualTo("from-web.xml");
    assertThat(tracer.environment()).isEqualTo("staging");
    PropagationCheck.continuesFromTraceparent(tracer);
    listener.contextDestroyed(new ServletContextEvent(context));
  }

  @Test
  void targetsOnSeveralLinesKeepTheCommasOfARegex() {
    params.put("sentry-trace.trace-propagation-targets", "\n  ^https://api[0-9]{1,2}\\.example\\.com/.*\n  localhost\n");
    TracingContextListener listener = listener();
    listener.contextInitialized(new ServletContextEvent(context));

    Tracer tracer = (Tracer) attributes.get(TracingServletFilter.TRACER_ATTRIBUTE);
    assertThat(tracer.shouldPropagate("https://api12.example.com/x")).isTrue();
    assertThat(tracer.shouldPropagate("http://localhost:8080/")).isTrue();
    assertThat(tracer.shouldPropagate("https://example.org/")).isFalse();
    listener.contextDestroyed(new ServletContextEvent(context));
  }

  @Test
  void aMalformedValueFailsNamingTheContextParamOrTheEnvironmentVariableAndStartsNoThread() {
    Set<Thread> before = senderThreads();
    params.put("sentry-trace.dsn", DSN); // valid: the exporter would start, were the rest valid

    assertFails("sentry-trace.traces-sample-rate", "abc",
        "context-param sentry-trace.traces-sample-rate is 'abc', but a sample rate is the share of new traces recorded:"
            + " a number from 0.0 (none) to 1.0 (all)");
    assertFails("sentry-trace.traces-sample-rate", "1.5", "context-param sentry-trace.traces-sample-rate is '1.5'");
    assertFails("sentry-trace.traces-sample-rate", "NaN", "context-param sentry-trace.traces-sample-rate is 'NaN'");
    assertFails("sentry-trace.strict-trace-continuation", "yes",
        "context-param sentry-trace.strict-trace-continuation is 'yes'; use true or false.");
    assertFails("sentry-trace.trace-propagation-targets", "^https://(api\\.example\\.com/.*",
        "context-param sentry-trace.trace-propagation-targets has '^https://(api\\.example\\.com/.*', which reads like a"
            + " regex but is not one: Unclosed group.");
    // On one line, a regex with a comma is cut there: the message says so.
    assertFails("sentry-trace.trace-propagation-targets", "^https://api[0-9]{1,2}\\.example\\.com/.*",
        "has '^https://api[0-9]{1', which reads like a regex but is not one: Unclosed counted closure. Correct it, or write"
            + " each target on a line of its own when a regex has a comma (a one-line value is split at every comma).");
    params.remove("sentry-trace.dsn");
    environment.put("SENTRY_TRACE_DSN", "https://o1.ingest.sentry.io/2");
    assertFails("sentry-trace.release", "ok",
        "TracingContextListener: the environment variable SENTRY_TRACE_DSN is not a valid Sentry DSN:");

    assertThat(senderThreads()).isSubsetOf(before);
    assertThat(attributes).isEmpty();
  }

  @Test
  void unknownContextParamsAreReportedWithTheClosestKnownName() {
    params.put("sentry-trace.trace-sample-rate", "1.0");
    params.put("sentry-trace.tracesSampleRate", "1.0");
    params.put("sentry-trace.server-timing", "ALL");
    params.put("sentry-trace.enabled", "false");
    TracingContextListener listener = listener();

    listener.contextInitialized(new ServletContextEvent(context));

    List<String> warnings = log.lines().stream().filter(l -> l.startsWith("WARNING")).toList();
    assertThat(warnings).containsExactly(
        "WARNING sentry-trace: unknown context-param sentry-trace.trace-sample-rate is ignored; did you mean"
            + " sentry-trace.traces-sample-rate? Known: sentry-trace.dsn, sentry-trace.traces-sample-rate,"
            + " sentry-trace.trace-propagation-targets, sentry-trace.release, sentry-trace.environment,"
            + " sentry-trace.propagate-traceparent, sentry-trace.continue-from-traceparent,"
            + " sentry-trace.strict-trace-continuation.",
        "WARNING sentry-trace: unknown context-param sentry-trace.tracesSampleRate is ignored; did you mean"
            + " sentry-trace.traces-sample-rate? Known: sentry-trace.dsn, sentry-trace.traces-sample-rate,"
            + " sentry-trace.trace-propagation-targets, sentry-trace.release, sentry-trace.environment,"
            + " sentry-trace.propagate-traceparent, sentry-trace.continue-from-traceparent,"
            + " sentry-trace.strict-trace-continuation.",
        "WARNING sentry-trace: context-param sentry-trace.server-timing is ignored: server-timing is an option of the"
            + " filter here, its init-param server-timing (<init-param> of TracingServletFilter).",
        "WARNING sentry-trace: context-param sentry-trace.enabled is ignored: in web.xml, leave out the listener and the"
            + " filter to switch sentry-trace off.");
    listener.contextDestroyed(new ServletContextEvent(context));
  }

  @Test
  void aDsnWithoutASampleRateIsAWarningBecauseNothingWouldBeSent() {
    params.put("sentry-trace.dsn", DSN);
    TracingContextListener listener = listener();

    listener.contextInitialized(new ServletContextEvent(context));

    assertThat(log.lines()).hasSize(2);
    assertThat(log.lines().get(0)).isEqualTo("WARNING sentry-trace: context-param sentry-trace.dsn is set but"
        + " sentry-trace.traces-sample-rate (or SENTRY_TRACE_TRACES_SAMPLE_RATE) is not: no transaction is recorded, so"
        + " nothing is sent. Set it to a number from 0.0 to 1.0 (0.2 records one trace in five).");
    assertThat(log.lines().get(1)).contains("no traces-sample-rate: no transaction recorded");
    listener.contextDestroyed(new ServletContextEvent(context));
  }

  @Test
  void anAttributeAlreadySetByAnotherListenerFailsInsteadOfBeingReplaced() {
    attributes.put(TracingServletFilter.TRACER_ATTRIBUTE, Tracer.builder().build());
    assertThatThrownBy(() -> listener().contextInitialized(new ServletContextEvent(context)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'io.sentrytrace.Tracer' already holds a io.sentrytrace.Tracer (another listener set it)");
  }

  @Test
  void environmentVariableNamesAreSpringBootsRelaxedBinding() {
    assertThat(TracingContextListener.environmentVariable(TracingContextListener.TRACES_SAMPLE_RATE))
        .isEqualTo("SENTRY_TRACE_TRACES_SAMPLE_RATE");
    assertThat(TracingContextListener.environmentVariable(TracingContextListener.CONTINUE_FROM_TRACEPARENT))
        .isEqualTo("SENTRY_TRACE_CONTINUE_FROM_TRACEPARENT");
  }

  private void assertFails(String name, String value, String message) {
    String previous = params.put(name, value);
    try {
      assertThatThrownBy(() -> listener().contextInitialized(new ServletContextEvent(context)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(message);
    } finally {
      if (previous == null) params.remove(name);
      else params.put(name, previous);
    }
  }

  private TracingContextListener listener() {
    return new TracingContextListener(environment::get);
  }

  private static Set<Thread> senderThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("sentry-trace-envelope-sender"))
        .collect(Collectors.toSet());
  }

  private static ServletContext context(Map<String, String> params, Map<String, Object> attributes) {
    return (ServletContext) Proxy.newProxyInstance(
        ContextListenerTest.class.getClassLoader(), new Class<?>[] {ServletContext.class}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "getInitParameter":
              return params.get((String) args[0]);
            case "getInitParameterNames":
              return Collections.enumeration(List.copyOf(params.keySet()));
            case "getAttribute":
              return attributes.get((String) args[0]);
            case "setAttribute":
              attributes.put((String) args[0], args[1]);
              return null;
            case "removeAttribute":
              attributes.remove((String) args[0]);
              return null;
            case "getContextPath":
              return "/shop";
            default:
              throw new UnsupportedOperationException(method.getName());
          }
        });
  }

  /** Whether a tracer continues from an incoming {@code traceparent} alone. */
  private static final class PropagationCheck {
    static void continuesFromTraceparent(Tracer tracer) {
      Map<String, String> headers = Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
      assertThat(tracer.extract(headers, Map::get).traceId().toString()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    }
  }
}
