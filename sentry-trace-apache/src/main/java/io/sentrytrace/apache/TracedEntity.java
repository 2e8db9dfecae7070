package io.sentrytrace.apache;

import io.sentrytrace.http.EndingInputStream;
import io.sentrytrace.http.internal.InstrumentationLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * A classic response's entity that ends its exchange when its content is read to the end, written
 * out, or closed, or when the response is closed (which closes the entity): the {@code http.client}
 * span then covers the body as it streams in. Bytes pass through untouched; nothing is buffered.
 */
final class TracedEntity extends HttpEntityWrapper {
  private final ApacheExchange exchange;

  private TracedEntity(HttpEntity wrapped, ApacheExchange exchange) {
    super(wrapped);
    this.exchange = exchange;
  }

  /**
   * Records {@code response}'s head on {@code exchange} and returns {@code response}, its body now
   * ending the exchange. Without a body still to come over the wire (no entity, or one already in
   * memory) the exchange ends at once.
   */
  static ClassicHttpResponse endWithBody(ClassicHttpResponse response, ApacheExchange exchange, InstrumentationLog log) {
    try {
      HttpEntity entity = response.getEntity();
      if (entity == null || !entity.isStreaming()) {
        exchange.finishAtHead(response, entity);
      } else {
        exchange.response(response, entity);
        response.setEntity(new TracedEntity(entity, exchange));
      }
    } catch (RuntimeException | LinkageError e) {
      log.failed(e);
      exchange.finish();
    }
    return response;
  }

  @Override
  public InputStream getContent() throws IOException {
    InputStream content;
    try {
      content = super.getContent();
    } catch (IOException | RuntimeException e) {
      exchange.failed(e);
      throw e;
    }
    if (content == null) {
      exchange.finish();
      return null;
    }
    return new EndingInputStream(content, exchange);
  }

  @Override
  public void writeTo(OutputStream out) throws IOException {
    try {
      super.writeTo(out);
    } catch (IOException | RuntimeException e) {
      exchange.failed(e);
      throw e;
    }
    exchange.finish();
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } catch (IOException | RuntimeException e) {
      exchange.failed(e);
      throw e;
    }
    exchange.finish();
  }
}
