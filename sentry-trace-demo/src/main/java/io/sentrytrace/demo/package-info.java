/**
 * The demo: a traced shop of several services, a played or real browser, and a collector that
 * assembles the services' envelopes into one trace ({@code java -jar sentry-trace-demo.jar --once}).
 */
package io.sentrytrace.demo;
