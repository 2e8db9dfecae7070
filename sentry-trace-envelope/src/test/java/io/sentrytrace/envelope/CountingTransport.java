package io.sentrytrace.envelope;

import io.sentrytrace.EnvelopeTransport;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a real transport to record what happened to each call; optionally the first calls throw
 * a RuntimeException, as a buggy transport would.
 */
final class CountingTransport implements EnvelopeTransport {
  private final EnvelopeTransport delegate;
  private final AtomicInteger bugsLeft;
  final List<Object> outcomes = new CopyOnWriteArrayList<>(); // Response or Exception per call
  final AtomicInteger closed = new AtomicInteger();

  CountingTransport(EnvelopeTransport delegate, int firstCallsThatThrow) {
    this.delegate = delegate;
    this.bugsLeft = new AtomicInteger(firstCallsThatThrow);
  }

  @Override
  public Response send(URI uri, Map<String, String> headers, byte[] body) throws IOException {
    if (bugsLeft.getAndDecrement() > 0) {
      IllegalStateException bug = new IllegalStateException("transport bug");
      outcomes.add(bug);
      throw bug;
    }
    try {
      Response response = delegate.send(uri, headers, body);
      outcomes.add(response);
      return response;
    } catch (IOException e) {
      outcomes.add(e);
      throw e;
    }
  }

  @Override
  public void close() {
    closed.incrementAndGet();
    delegate.close();
  }
}
