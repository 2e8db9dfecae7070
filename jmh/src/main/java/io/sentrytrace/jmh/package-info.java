/**
 * JMH benchmarks of sentry-trace's hot paths, each side by side with sentry-java and
 * OpenTelemetry doing the same job on the same inputs ({@code jmh/run.sh}; results in
 * BENCHMARKS.md). Not published.
 */
package io.sentrytrace.jmh;
