/**
 * Export to Sentry: {@code EnvelopeExporter} sends each finished, sampled transaction as an
 * envelope from a bounded queue on one background thread (retries, rate limits, flush on close and
 * at exit), over the JDK's {@code HttpURLConnection} (the default), its {@code HttpClient} or any
 * {@code io.sentrytrace.EnvelopeTransport}.
 */
package io.sentrytrace.envelope;
