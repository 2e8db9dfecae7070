package io.sentrytrace.opentelemetry;

import io.opentelemetry.api.impl.InstrumentationUtil;
import io.opentelemetry.context.Context;
import io.sentrytrace.EnvelopeTransport;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * Sends envelopes with OpenTelemetry instrumentation suppressed, as OpenTelemetry's own exporters
 * do. Under the Java agent the default transport's {@code HttpURLConnection} is instrumented: each
 * POST to Sentry would otherwise become a root span, so a transaction of its own, sent by one more
 * POST, and so on for as long as the service runs.
 */
final class UntracedTransport implements EnvelopeTransport {
  private final EnvelopeTransport delegate;

  private UntracedTransport(EnvelopeTransport delegate) {
    this.delegate = delegate;
  }

  /**
   * {@code delegate}, untraced; itself when the OpenTelemetry API on the class path predates {@code
   * InstrumentationUtil} in {@code api.impl} (1.66): the agent always brings a newer one, and
   * without the agent nothing instruments the default transport.
   */
  static EnvelopeTransport of(EnvelopeTransport delegate) {
    Objects.requireNonNull(delegate, "delegate");
    try {
      InstrumentationUtil.shouldSuppressInstrumentation(Context.root());
    } catch (LinkageError olderApi) {
      return delegate;
    }
    return new UntracedTransport(delegate);
  }

  @Override
  public Response send(URI uri, Map<String, String> headers, byte[] body) throws IOException {
    Response[] response = new Response[1];
    IOException[] failure = new IOException[1];
    InstrumentationUtil.suppressInstrumentation(() -> {
      try {
        response[0] = delegate.send(uri, headers, body);
      } catch (IOException e) {
        failure[0] = e;
      }
    });
    if (failure[0] != null) throw failure[0];
    return response[0];
  }

  @Override
  public void close() {
    delegate.close();
  }
}
