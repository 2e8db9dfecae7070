package io.sentrytrace.spring.boot;

import io.sentrytrace.Tracer;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * Outgoing calls of the auto-configured {@code RestClient.Builder} and {@code RestTemplateBuilder}
 * carry the trace and record {@code http.client} spans (the rules of {@code HttpClientHandler}, as
 * in every sentry-trace client module), whatever request factory the application gives them:
 *
 * <pre>{@code
 * @Bean
 * RestClient stock(RestClient.Builder builder) {   // Boot's builder: already traced
 *   return builder.baseUrl("https://stock.internal").build();
 * }
 * }</pre>
 *
 * <ul>
 *   <li>The factories Spring Boot builds ({@code spring.http.clients.imperative.factory}, detected
 *       by default): for the JDK {@code HttpClient} and Apache HttpClient 5 the client itself is
 *       instrumented (sentry-trace-jdkhttp, sentry-trace-apache), so each redirect hop is decided
 *       on its own: a redirect to a URL that is not a target carries no headers.
 *   <li>Any other factory (one the application sets with {@code requestFactory(...)}, Jetty,
 *       Reactor Netty, {@code SimpleClientHttpRequestFactory}): a {@code ClientHttpRequestInterceptor}
 *       adds the headers and the span around the whole call. Redirects such a factory follows by
 *       itself are not decided per hop: the first URL decides, and the factory copies the headers.
 * </ul>
 *
 * <p>A {@code RestClient} or {@code RestTemplate} the application creates without Boot's builders
 * ({@code RestClient.create()}) is not traced. Spring Framework 7 has no OkHttp request factory;
 * OkHttp clients are traced with {@code TracingInterceptor.instrument(client, tracer)}.
 */
@AutoConfiguration(after = SentryTraceAutoConfiguration.class)
@ConditionalOnClass(ClientHttpRequestInterceptor.class)
@Conditional({SentryTraceEnabled.class, AgentExtensionAbsent.class})
@ConditionalOnBean(Tracer.class)
public class SentryTraceRestClientAutoConfiguration {
  /** Created by Spring Boot's auto-configuration. */
  public SentryTraceRestClientAutoConfiguration() {}

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({RestClient.class, RestClientCustomizer.class})
  static class RestClientTracing {
    @Bean
    @ConditionalOnMissingBean(name = "sentryTraceRestClientCustomizer")
    RestClientCustomizer sentryTraceRestClientCustomizer(Tracer tracer) {
      TracingClientHttpRequestInterceptor interceptor = new TracingClientHttpRequestInterceptor(tracer);
      return builder -> builder.requestInterceptors(interceptors -> {
        if (!hasTracing(interceptors, tracer)) interceptors.add(interceptor);
      });
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({RestTemplate.class, RestTemplateCustomizer.class})
  static class RestTemplateTracing {
    @Bean
    @ConditionalOnMissingBean(name = "sentryTraceRestTemplateCustomizer")
    RestTemplateCustomizer sentryTraceRestTemplateCustomizer(Tracer tracer) {
      TracingClientHttpRequestInterceptor interceptor = new TracingClientHttpRequestInterceptor(tracer);
      return restTemplate -> {
        if (hasTracing(restTemplate.getInterceptors(), tracer)) return;
        // setInterceptors (not getInterceptors().add) so RestTemplate rebuilds its intercepting factory.
        List<ClientHttpRequestInterceptor> interceptors = new ArrayList<>(restTemplate.getInterceptors());
        interceptors.add(interceptor);
        restTemplate.setInterceptors(interceptors);
      };
    }
  }

  /** Per-hop instrumentation of the clients under the factories Boot builds. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({ClientHttpRequestFactoryBuilder.class, ClientHttpRequestFactoryBuilderCustomizer.class})
  static class FactoryTracing {
    @Bean
    @ConditionalOnMissingBean(name = "sentryTraceClientHttpRequestFactoryBuilderCustomizer")
    ClientHttpRequestFactoryBuilderCustomizer<ClientHttpRequestFactoryBuilder<?>>
        sentryTraceClientHttpRequestFactoryBuilderCustomizer(Tracer tracer) {
      return builder -> PerHopFactoryBuilder.of(builder, tracer);
    }
  }

  /** A builder applied twice (two customizers, a builder reused) adds the interceptor once. */
  static boolean hasTracing(List<ClientHttpRequestInterceptor> interceptors, Tracer tracer) {
    for (ClientHttpRequestInterceptor i : interceptors) {
      if (i instanceof TracingClientHttpRequestInterceptor t && t.tracer() == tracer) return true;
    }
    return false;
  }
}
