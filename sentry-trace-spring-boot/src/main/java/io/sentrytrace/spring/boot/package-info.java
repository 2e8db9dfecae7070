/**
 * Spring Boot 4 auto-configuration for sentry-trace: add the dependency, set {@code
 * sentry-trace.dsn} and {@code sentry-trace.traces-sample-rate}, and the service continues the
 * browser's trace, names its transactions by route, traces its {@code RestClient} and {@code
 * RestTemplate} calls, keeps the parent across {@code @Async} and sends its transactions to Sentry.
 * Everything here is configured through {@link io.sentrytrace.spring.boot.SentryTraceProperties};
 * each bean backs off when the application defines its own.
 */
package io.sentrytrace.spring.boot;
