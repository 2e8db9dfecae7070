package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.impl.InstrumentationUtil;
import io.opentelemetry.context.Context;
import io.sentrytrace.EnvelopeTransport;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The exporter's own POSTs must not be traced: under the agent each would become a transaction. */
class UntracedTransportTest {
  private static final URI ENVELOPE = URI.create("http://127.0.0.1:9/api/1/envelope/");

  @Test
  void sendsWithInstrumentationSuppressedAndOnlyThen() throws IOException {
    List<Boolean> suppressed = new ArrayList<>();
    EnvelopeTransport transport = SentryEnvelopeSpanExporter.untraced((uri, headers, body) -> {
      suppressed.add(InstrumentationUtil.shouldSuppressInstrumentation(Context.current()));
      return EnvelopeTransport.Response.of(200, null, "60:transaction");
    });

    assertThat(transport.send(ENVELOPE, Map.of(), new byte[] {1}))
        .isEqualTo(EnvelopeTransport.Response.of(200, null, "60:transaction"));
    assertThat(suppressed).containsExactly(true);
    assertThat(InstrumentationUtil.shouldSuppressInstrumentation(Context.current())).isFalse();
  }

  @Test
  void passesFailuresAndCloseThrough() {
    boolean[] closed = new boolean[1];
    EnvelopeTransport failing = new EnvelopeTransport() {
      @Override
      public Response send(URI uri, Map<String, String> headers, byte[] body) throws IOException {
        throw new IOException("connection refused");
      }

      @Override
      public void close() {
        closed[0] = true;
      }
    };
    EnvelopeTransport transport = SentryEnvelopeSpanExporter.untraced(failing);

    assertThatThrownBy(() -> transport.send(ENVELOPE, Map.of(), new byte[0])).isInstanceOf(IOException.class).hasMessage("connection refused");
    transport.close();
    assertThat(closed[0]).isTrue();
  }
}
