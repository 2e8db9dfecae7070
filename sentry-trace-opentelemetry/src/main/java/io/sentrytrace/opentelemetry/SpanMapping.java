package io.sentrytrace.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.TransactionNameSource;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What Sentry shows for an OpenTelemetry span: op, description (a transaction's name), where the
 * name came from, status and data, from the span kind and the semantic-convention attributes (the
 * current names first, then those before semantic conventions 1.21).
 */
final class SpanMapping {
  /** Where the propagator's span processor keeps the incoming DSC on a local root span. */
  static final AttributeKey<String> SENTRY_BAGGAGE = AttributeKey.stringKey("sentry.baggage");

  private static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.method");
  private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  private static final AttributeKey<String> HTTP_TARGET = AttributeKey.stringKey("http.target");
  private static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE = AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<Long> HTTP_STATUS_CODE = AttributeKey.longKey("http.status_code");
  private static final AttributeKey<String> DB_SYSTEM_NAME = AttributeKey.stringKey("db.system.name");
  private static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system");
  private static final AttributeKey<String> DB_QUERY_TEXT = AttributeKey.stringKey("db.query.text");
  private static final AttributeKey<String> DB_STATEMENT = AttributeKey.stringKey("db.statement");
  private static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  private static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
  private static final AttributeKey<String> MESSAGING_OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
  private static final AttributeKey<String> MESSAGING_OPERATION = AttributeKey.stringKey("messaging.operation");

  final String op;
  final String description;
  final TransactionNameSource source;
  final SpanStatus status;
  final Map<String, Object> data;

  private SpanMapping(String op, String description, TransactionNameSource source, SpanStatus status, Map<String, Object> data) {
    this.op = op;
    this.description = description;
    this.source = source;
    this.status = status;
    this.data = data;
  }

  static SpanMapping of(SpanData span) {
    Attributes a = span.getAttributes();
    SpanKind kind = span.getKind();
    String op;
    String description = span.getName();
    TransactionNameSource source = TransactionNameSource.CUSTOM;
    String method = first(a, HTTP_REQUEST_METHOD, HTTP_METHOD);
    if (method != null) {
      op = kind == SpanKind.CLIENT ? "http.client" : kind == SpanKind.SERVER ? "http.server" : "http";
      if (kind == SpanKind.CLIENT) {
        String url = first(a, ClientSpanUrl.URL_FULL, ClientSpanUrl.HTTP_URL);
        if (url != null) {
          description = method + ' ' + withoutQuery(url);
          source = TransactionNameSource.URL;
        }
      } else {
        String route = a.get(HTTP_ROUTE);
        String path = first(a, URL_PATH, HTTP_TARGET);
        if (route != null) {
          description = method + ' ' + route;
          source = TransactionNameSource.ROUTE;
        } else if (path != null) {
          description = method + ' ' + withoutQuery(path);
          source = TransactionNameSource.URL;
        }
      }
    } else if (first(a, DB_SYSTEM_NAME, DB_SYSTEM) != null) {
      op = "db";
      String query = first(a, DB_QUERY_TEXT, DB_STATEMENT);
      if (query != null) description = query;
      source = TransactionNameSource.TASK;
    } else if (a.get(RPC_SYSTEM) != null) {
      op = kind == SpanKind.SERVER ? "rpc.server" : kind == SpanKind.CLIENT ? "rpc.client" : "rpc";
    } else if (a.get(MESSAGING_SYSTEM) != null) {
      op = queueOp(first(a, MESSAGING_OPERATION_TYPE, MESSAGING_OPERATION), kind);
    } else {
      op = kind == SpanKind.INTERNAL ? "default" : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
    return new SpanMapping(op, description, source, status(span, a), data(a));
  }

  /**
   * Sentry's queue ops are OpenTelemetry's messaging operation types ({@code messaging.operation}
   * in the older conventions). The kind alone would make a receive (a CONSUMER span in the older
   * conventions, a CLIENT one now) a process; it decides only when no operation has a Sentry op.
   */
  private static String queueOp(String operation, SpanKind kind) {
    String op = operation == null ? null : switch (operation) {
      case "create" -> "queue.create";
      case "send", "publish" -> "queue.publish"; // publish: the older name of send
      case "receive" -> "queue.receive";
      case "process", "deliver" -> "queue.process"; // deliver: the older name of process
      case "settle" -> "queue.settle";
      default -> null;
    };
    if (op != null) return op;
    return kind == SpanKind.CONSUMER ? "queue.process" : kind == SpanKind.PRODUCER ? "queue.publish" : "queue";
  }

  /**
   * OpenTelemetry leaves a client's 4xx UNSET and marks only what the instrumentation calls an
   * error: the HTTP code says more in Sentry's terms, either way.
   */
  private static SpanStatus status(SpanData span, Attributes a) {
    Long code = first(a, HTTP_RESPONSE_STATUS_CODE, HTTP_STATUS_CODE);
    boolean error = span.getStatus().getStatusCode() == StatusCode.ERROR;
    if (code != null && code >= 100 && code <= 999) {
      SpanStatus fromCode = SpanStatus.fromHttpStatus(code.intValue());
      return error && fromCode == SpanStatus.OK ? SpanStatus.INTERNAL_ERROR : fromCode;
    }
    return error ? SpanStatus.INTERNAL_ERROR : SpanStatus.OK;
  }

  /** Every attribute but our own, arrays as their string form. */
  private static Map<String, Object> data(Attributes a) {
    Map<String, Object> data = new LinkedHashMap<>();
    a.forEach(
        (key, value) -> {
          if (key.getKey().equals(SENTRY_BAGGAGE.getKey())) return;
          data.put(key.getKey(), value instanceof java.util.List ? value.toString() : value);
        });
    return data;
  }

  private static <T> T first(Attributes a, AttributeKey<T> current, AttributeKey<T> old) {
    T value = a.get(current);
    return value != null ? value : a.get(old);
  }

  /** Query and fragment may carry personal data; they stay in the data only. */
  private static String withoutQuery(String url) {
    int end = url.length();
    int q = url.indexOf('?');
    if (q >= 0) end = q;
    int f = url.indexOf('#');
    if (f >= 0 && f < end) end = f;
    return url.substring(0, end);
  }
}
