package io.sentrytrace.spring.boot;

import io.sentrytrace.Tracer;
import io.sentrytrace.apache.TracingExecInterceptor;
import io.sentrytrace.jdkhttp.TracingHttpClient;
import java.net.http.HttpClient;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hc.client5.http.impl.ChainElement;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.JdkClientHttpRequestFactoryBuilder;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.util.ClassUtils;

/**
 * Boot's request factory builder with the HTTP client instrumented underneath, for the JDK client
 * and Apache HttpClient 5; other builders are returned as they are (the interceptor traces their
 * calls).
 */
final class PerHopFactoryBuilder implements ClientHttpRequestFactoryBuilder<ClientHttpRequestFactory> {
  /** HttpClient 5 and our adapter for it: the Apache branch loads their classes only when both are there. */
  private static final boolean APACHE = present("org.apache.hc.client5.http.impl.classic.HttpClientBuilder")
      && present("io.sentrytrace.apache.TracingExecInterceptor")
      && present("org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder");

  private final ClientHttpRequestFactoryBuilder<?> delegate;
  private final Tracer tracer;

  private PerHopFactoryBuilder(ClientHttpRequestFactoryBuilder<?> delegate, Tracer tracer) {
    this.delegate = delegate;
    this.tracer = tracer;
  }

  static ClientHttpRequestFactoryBuilder<?> of(ClientHttpRequestFactoryBuilder<?> builder, Tracer tracer) {
    if (builder instanceof PerHopFactoryBuilder) return builder;
    if (builder instanceof JdkClientHttpRequestFactoryBuilder) return new PerHopFactoryBuilder(builder, tracer);
    if (APACHE && Apache.isApache(builder)) return new PerHopFactoryBuilder(builder, tracer);
    return builder;
  }

  @Override
  public ClientHttpRequestFactory build(HttpClientSettings settings) {
    HttpClientSettings effective = settings != null ? settings : HttpClientSettings.defaults();
    if (delegate instanceof JdkClientHttpRequestFactoryBuilder jdk) return new PerHopRequestFactory(jdk(jdk, effective));
    return new PerHopRequestFactory(Apache.build(delegate, effective, tracer));
  }

  /**
   * Boot's JDK factory exposes neither its client nor a hook to replace it, so the client is built
   * again from the {@code HttpClient.Builder} Boot configured (settings, SSL, redirects, executor,
   * the application's customizers: captured as the last customizer) and wrapped. Customizers of
   * the JDK factory itself ({@code withCustomizer}) are not applied to this one.
   */
  private JdkClientHttpRequestFactory jdk(JdkClientHttpRequestFactoryBuilder builder, HttpClientSettings settings) {
    AtomicReference<HttpClient.Builder> configured = new AtomicReference<>();
    builder.withHttpClientCustomizer(configured::set).build(settings.withReadTimeout(null));
    HttpClient client = TracingHttpClient.instrument(configured.get().build(), tracer);
    JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(client);
    if (settings.readTimeout() != null) factory.setReadTimeout(settings.readTimeout());
    return factory;
  }

  @Override
  public String toString() {
    return "PerHopFactoryBuilder[" + delegate + "]";
  }

  private static boolean present(String className) {
    return ClassUtils.isPresent(className, PerHopFactoryBuilder.class.getClassLoader());
  }

  /** Kept apart so HttpClient 5's classes load only when it is on the class path. */
  private static final class Apache {
    static boolean isApache(ClientHttpRequestFactoryBuilder<?> builder) {
      return builder instanceof HttpComponentsClientHttpRequestFactoryBuilder;
    }

    /** The exec interceptor before the protocol stage: it sees every redirect hop and retry. */
    static ClientHttpRequestFactory build(ClientHttpRequestFactoryBuilder<?> builder, HttpClientSettings settings, Tracer tracer) {
      return ((HttpComponentsClientHttpRequestFactoryBuilder) builder)
          .withHttpClientCustomizer(client -> client.addExecInterceptorBefore(
              ChainElement.PROTOCOL.name(), "sentry-trace", TracingExecInterceptor.create(tracer)))
          .build(settings);
    }
  }
}
