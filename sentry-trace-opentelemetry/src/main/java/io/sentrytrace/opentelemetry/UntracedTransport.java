package io.sentrytrace.opentelemetry;

import io.opentelemetry.api.impl.InstrumentationUtil;
import io.sentrytrace.EnvelopeTransport;
import java.io.IOException;
import java.net.URI;
import java.util.Map;

/**
 * Sends envelopes with OpenTelemetry's instrumentation suppressed, as the SDK's own exporters do:
 * under the Java agent, the {@code HttpURLConnection} (or other client) that POSTs an envelope is
 * instrumented too, and each send would become a transaction of its own, sent by the next export,
 * traced in turn, for as long as the service runs. Where the application's OpenTelemetry API
 * predates {@code InstrumentationUtil} (API 1.68's home for it), sends go out unchanged.
 */
final class UntracedTransport implements EnvelopeTransport {
  private final EnvelopeTransport delegate;

  private UntracedTransport(EnvelopeTransport delegate) {
    this.delegate = delegate;
  }

  static EnvelopeTransport wrap(EnvelopeTransport delegate) {
    try {
      InstrumentationUtil.shouldSuppressInstrumentation(io.opentelemetry.context.Context.root());
      return new UntracedTransport(delegate);
    } catch (LinkageError olderApi) {
      return delegate;
    }
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

  @Override
  public String toString() {
    return delegate.toString();
  }
}
