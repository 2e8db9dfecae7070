package io.sentrytrace;

import java.util.Locale;

/**
 * Where a transaction's name came from, as Sentry's {@code transaction_info.source} names it.
 * Names whose source is {@link #URL} may hold ids, e-mail addresses or tokens from the raw path:
 * they are never put into the dynamic sampling context that goes downstream.
 *
 * <pre>{@code
 * tx.setName("GET /orders/{id}", TransactionNameSource.ROUTE);
 * }</pre>
 */
public enum TransactionNameSource {
  /** Set by the user ({@code startTransaction} without a source). */
  CUSTOM,
  /** The raw URL path: high cardinality, possibly personal data. */
  URL,
  /** A parametrised route template, such as {@code /orders/{id}}. */
  ROUTE,
  /** The name of the view or controller that handled the request. */
  VIEW,
  /** The name of a component, such as a background job's class. */
  COMPONENT,
  /** The name of a task or scheduled job. */
  TASK;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** The value of {@code transaction_info.source}: {@code custom}, {@code url}, {@code route}, … */
  public String wireName() {
    return wireName;
  }
}
