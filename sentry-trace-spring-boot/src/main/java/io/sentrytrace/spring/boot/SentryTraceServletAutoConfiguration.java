package io.sentrytrace.spring.boot;

import io.sentrytrace.Tracer;
import io.sentrytrace.http.HttpServerHandler;
import io.sentrytrace.servlet.TracingServletFilter;
import jakarta.servlet.DispatcherType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The server side in a servlet application: {@link TracingServletFilter} registered for every
 * request, and with Spring MVC, transactions named by the route template ({@code GET
 * /orders/{id}}, source {@code route}) and the request attribute {@value #META_TAGS_ATTRIBUTE}
 * for templates.
 *
 * <pre>{@code
 * <head th:utext="${sentryTraceMetaTags}"></head>   <!-- Thymeleaf; JSP: ${requestScope.sentryTraceMetaTags} -->
 * }</pre>
 *
 * <p>The filter sits at {@link #FILTER_ORDER}: after Spring's character encoding and observation
 * filters, before Spring Security's filter chain ({@code SecurityProperties.DEFAULT_FILTER_ORDER},
 * -100) and every CORS filter, so requests Security rejects (401, 403) are still traced and CORS
 * preflights answered behind it get {@code sentry-trace, baggage} in their allowed headers. It is
 * registered for {@code REQUEST} and {@code ASYNC} dispatches (an async dispatch runs with the
 * transaction current; the filter starts one transaction per request). An application's own
 * {@code TracingServletFilter} bean or registration replaces it.
 */
@AutoConfiguration(after = SentryTraceAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({TracingServletFilter.class, FilterRegistrationBean.class})
@Conditional({SentryTraceEnabled.class, AgentExtensionAbsent.class})
@ConditionalOnBean(Tracer.class)
public class SentryTraceServletAutoConfiguration {
  /** The filter's order: {@code Ordered.HIGHEST_PRECEDENCE + 10}, well before Spring Security's -100. */
  public static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

  /**
   * The request attribute holding the transaction's {@code <meta>} tags ({@code
   * MetaTags.render(span)}, a {@code String}) once Spring MVC has chosen the handler, for
   * Thymeleaf, JSP and FreeMarker views.
   */
  public static final String META_TAGS_ATTRIBUTE = "sentryTraceMetaTags";

  /** Created by Spring Boot's auto-configuration. */
  public SentryTraceServletAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingFilterBean(TracingServletFilter.class)
  FilterRegistrationBean<TracingServletFilter> sentryTraceFilter(Tracer tracer, SentryTraceProperties properties) {
    TracingServletFilter filter = TracingServletFilter.create(
        HttpServerHandler.builder(tracer).serverTiming(properties.getServerTiming()).build());
    FilterRegistrationBean<TracingServletFilter> registration = new FilterRegistrationBean<>(filter);
    registration.setName("sentryTraceFilter");
    registration.setOrder(FILTER_ORDER);
    registration.setAsyncSupported(true);
    registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
    return registration;
  }

  /** Route names and meta tags, once Spring MVC knows the handler. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(WebMvcConfigurer.class)
  static class WebMvc {
    @Bean
    @ConditionalOnMissingBean(name = "sentryTraceWebMvcConfigurer")
    WebMvcConfigurer sentryTraceWebMvcConfigurer() {
      return new WebMvcConfigurer() {
        @Override
        public void addInterceptors(InterceptorRegistry registry) {
          registry.addInterceptor(new RouteNameInterceptor()).order(Ordered.HIGHEST_PRECEDENCE);
        }
      };
    }
  }
}
