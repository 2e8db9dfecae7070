package io.sentrytrace;

import java.util.List;
import java.util.Objects;

/**
 * A finished, sampled transaction with its finished child spans: what a {@link SpanExporter}
 * receives. Immutable. Made by the tracer, or by {@link #create} for transactions recorded
 * elsewhere (an OpenTelemetry bridge).
 *
 * <pre>{@code
 * TransactionData tx = exporter.transactions().get(0);
 * String traceId = tx.root().traceId().toString();
 * exporter.export(TransactionData.create("GET /orders", TransactionNameSource.ROUTE, root, children, dsc, "shop@1.4.0", null));
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
  private final DecisionLog decisionLog;

  TransactionData(
      String name,
      TransactionNameSource nameSource,
      SpanData root,
      List<SpanData> spans,
      Baggage dsc,
      String release,
      String environment,
      DecisionLog decisionLog) {
    this.name = name;
    this.nameSource = nameSource;
    this.root = root;
    this.spans = spans;
    this.dynamicSamplingContext = dsc;
    this.release = release;
    this.environment = environment;
    this.decisionLog = decisionLog;
  }

  /**
   * A finished transaction recorded outside this library: {@code root} is its own span, {@code
   * spans} its children (copied), {@code dsc} the trace's dynamic sampling context sent in the
   * envelope header. {@code name}, {@code release} and {@code environment} may be null.
   *
   * @throws NullPointerException when {@code nameSource}, {@code root}, {@code spans} (or one of
   *     them) or {@code dsc} is null
   * @throws IllegalArgumentException when a child span is in another trace than the root
   */
  public static TransactionData create(
      String name,
      TransactionNameSource nameSource,
      SpanData root,
      List<SpanData> spans,
      Baggage dsc,
      String release,
      String environment) {
    Objects.requireNonNull(nameSource, "nameSource");
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(dsc, "dsc");
    List<SpanData> children = List.copyOf(spans);
    for (SpanData child : children) {
      if (!child.traceId().equals(root.traceId())) {
        throw new IllegalArgumentException("span " + child.spanId() + " is in trace " + child.traceId() + ", not " + root.traceId());
      }
    }
    return new TransactionData(name, nameSource, root, children, dsc, release, environment, DecisionLog.disabled());
  }

  /**
   * This transaction reporting to {@code log} (a bridge that records transactions for a tracer
   * passes {@link Tracer#decisionLog()}).
   *
   * @throws NullPointerException when {@code log} is null
   */
  public TransactionData withDecisionLog(DecisionLog log) {
    Objects.requireNonNull(log, "log");
    return new TransactionData(name, nameSource, root, spans, dynamicSamplingContext, release, environment, log);
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

  /**
   * The decision log of the tracer that recorded this transaction, to which an exporter reports
   * whether it sent the envelope ({@link DecisionLog#envelopeSent}, {@link
   * DecisionLog#envelopeDropped}); {@link DecisionLog#disabled()} for transactions made by {@link
   * #create}. Never null.
   */
  public DecisionLog decisionLog() {
    return decisionLog;
  }

  @Override
  public String toString() {
    return "TransactionData{'" + name + "' " + root + " spans=" + spans.size() + '}';
  }
}
