package io.sentrytrace;

import java.util.List;

/**
 * A finished, sampled transaction with its finished child spans: what a {@link SpanExporter}
 * receives. Immutable.
 *
 * <pre>{@code
 * TransactionData tx = exporter.transactions().get(0);
 * String traceId = tx.root().traceId().toString();
 * }</pre>
 */
public final class TransactionData {
  private final String name;
  private final TransactionNameSource nameSource;
  private final SpanData root;
  private final List<SpanData> spans;
  private final Baggage dynamicSamplingContext;
  private final String release;
  private final String environment;

  TransactionData(
      String name,
      TransactionNameSource nameSource,
      SpanData root,
      List<SpanData> spans,
      Baggage dsc,
      String release,
      String environment) {
    this.name = name;
    this.nameSource = nameSource;
    this.root = root;
    this.spans = spans;
    this.dynamicSamplingContext = dsc;
    this.release = release;
    this.environment = environment;
  }

  /** The transaction name, e.g. {@code GET /api/orders}. */
  public String name() {
    return name;
  }

  /** Where the name came from: Sentry's {@code transaction_info.source}. */
  public TransactionNameSource nameSource() {
    return nameSource;
  }

  /** The transaction's own span: ids, op, status, data, timestamps. */
  public SpanData root() {
    return root;
  }

  /** The finished child spans (any depth), in the order they finished. Unmodifiable. */
  public List<SpanData> spans() {
    return spans;
  }

  /** The frozen DSC of the trace, as sent in outgoing {@code baggage}. */
  public Baggage dynamicSamplingContext() {
    return dynamicSamplingContext;
  }

  /** Null when not configured. */
  public String release() {
    return release;
  }

  /** Null when not configured. */
  public String environment() {
    return environment;
  }

  @Override
  public String toString() {
    return "TransactionData{'" + name + "' " + root + " spans=" + spans.size() + '}';
  }
}
