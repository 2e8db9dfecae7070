/**
 * Export to Sentry: {@code EnvelopeExporter} sends each finished, sampled transaction as an
 * envelope from a bounded queue on one background thread (retries, rate limits, flush on close and
 * at exit), over the JDK client or any {@code io.sentrytrace.EnvelopeTransport}.
 */
package io.sentrytrace.envelope;
