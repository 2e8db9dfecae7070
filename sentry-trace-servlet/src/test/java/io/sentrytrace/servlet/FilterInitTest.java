package io.sentrytrace.servlet;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.Tracer;
import io.sentrytrace.http.HttpServerHandler;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A filter declared in web.xml finds its tracer, or says clearly what is missing. */
class FilterInitTest {
  private final Tracer tracer = Tracer.builder().build();

  @Test
  void withoutATracerInTheServletContextInitFailsSayingWhatToDo() {
    TracingServletFilter filter = new TracingServletFilter();
    assertThatThrownBy(() -> filter.init(config(Map.of(), Map.of())))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining("'" + TracingServletFilter.TRACER_ATTRIBUTE + "' holds nothing")
        .hasMessageContaining("ServletContextListener")
        .hasMessageContaining("TracingServletFilter.create(tracer)");
  }

  @Test
  void anAttributeHoldingSomethingElseIsNamedInTheMessage() {
    TracingServletFilter filter = new TracingServletFilter();
    FilterConfig config = config(Map.of(TracingServletFilter.TRACER_ATTRIBUTE_PARAM, "my.tracer"), Map.of("my.tracer", "not a tracer"));
    assertThatThrownBy(() -> filter.init(config)).hasMessageContaining("'my.tracer' holds a java.lang.String");
  }

  @Test
  void unknownOptionValuesFailInitWithTheAllowedValues() {
    Map<String, Object> context = Map.of(TracingServletFilter.TRACER_ATTRIBUTE, tracer);
    assertThatThrownBy(() -> new TracingServletFilter().init(config(Map.of(TracingServletFilter.SERVER_TIMING_PARAM, "pages"), context)))
        .hasMessageContaining("server-timing is 'pages'; use OFF, HTML or ALL");
    assertThatThrownBy(() -> new TracingServletFilter().init(config(Map.of(TracingServletFilter.CORS_ALLOW_HEADERS_PARAM, "yes"), context)))
        .hasMessageContaining("cors-allow-headers is 'yes'; use true or false");
  }

  @Test
  void anUnknownInitParamFailsInitNamingItTheClosestAndTheKnownOnes() {
    Map<String, Object> context = Map.of(TracingServletFilter.TRACER_ATTRIBUTE, tracer);
    assertThatThrownBy(() -> new TracingServletFilter().init(config(Map.of("cors-allow-header", "false"), context)))
        .isInstanceOf(ServletException.class)
        .hasMessage("TracingServletFilter 'sentry-trace': unknown init-param 'cors-allow-header' (did you mean"
            + " cors-allow-headers?). Its init-params are tracer-attribute, server-timing, cors-allow-headers.");
    assertThatThrownBy(() -> new TracingServletFilter().init(config(Map.of("sentry-trace.dsn", "https://k@o1.ingest.sentry.io/2"), context)))
        .hasMessageEndingWith("; the sentry-trace.* settings are context-params, read by TracingContextListener.");
    assertThatCode(() -> new TracingServletFilter().init(config(Map.of(TracingServletFilter.SERVER_TIMING_PARAM, "all",
        TracingServletFilter.CORS_ALLOW_HEADERS_PARAM, "false", TracingServletFilter.TRACER_ATTRIBUTE_PARAM,
        TracingServletFilter.TRACER_ATTRIBUTE), context))).doesNotThrowAnyException();
  }

  @Test
  void aFilterMadeInCodeIgnoresTheServletContext() {
    // No tracer in the context, a bad init-param: neither matters to a filter that has its options.
    FilterConfig config = config(Map.of(TracingServletFilter.SERVER_TIMING_PARAM, "pages"), Map.of());
    assertThatCode(() -> TracingServletFilter.create(tracer).init(config)).doesNotThrowAnyException();
  }

  @Test
  void aFilterMadeInCodeRejectsNullByName() {
    assertThatThrownBy(() -> TracingServletFilter.create((Tracer) null)).isInstanceOf(NullPointerException.class).hasMessage("tracer");
    assertThatThrownBy(() -> TracingServletFilter.create((HttpServerHandler) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("handler");
  }

  private static FilterConfig config(Map<String, String> params, Map<String, Object> attributes) {
    ServletContext context = (ServletContext) Proxy.newProxyInstance(
        FilterInitTest.class.getClassLoader(), new Class<?>[] {ServletContext.class}, (proxy, method, args) -> {
          if (method.getName().equals("getAttribute")) return attributes.get((String) args[0]);
          throw new UnsupportedOperationException(method.getName());
        });
    return new FilterConfig() {
      @Override
      public String getFilterName() {
        return "sentry-trace";
      }

      @Override
      public ServletContext getServletContext() {
        return context;
      }

      @Override
      public String getInitParameter(String name) {
        return params.get(name);
      }

      @Override
      public Enumeration<String> getInitParameterNames() {
        return Collections.enumeration(params.keySet());
      }
    };
  }
}
