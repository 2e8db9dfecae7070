package io.sentrytrace;

import java.util.Locale;

/**
 * The status of a finished span, as Sentry names it.
 *
 * <pre>{@code
 * span.setStatus(SpanStatus.fromHttpStatus(response.code()));
 * }</pre>
 */
public enum SpanStatus {
  OK,
  CANCELLED,
  UNKNOWN,
  INVALID_ARGUMENT,
  DEADLINE_EXCEEDED,
  NOT_FOUND,
  ALREADY_EXISTS,
  PERMISSION_DENIED,
  RESOURCE_EXHAUSTED,
  FAILED_PRECONDITION,
  ABORTED,
  OUT_OF_RANGE,
  UNIMPLEMENTED,
  INTERNAL_ERROR,
  UNAVAILABLE,
  DATA_LOSS,
  UNAUTHENTICATED;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** The name Sentry's protocol uses, e.g. {@code internal_error}. */
  public String wireName() {
    return wireName;
  }

  /** The status for an HTTP response code, by Sentry's mapping. */
  public static SpanStatus fromHttpStatus(int code) {
    if (code < 400) return OK;
    switch (code) {
      case 400: return INVALID_ARGUMENT;
      case 401: return UNAUTHENTICATED;
      case 403: return PERMISSION_DENIED;
      case 404: return NOT_FOUND;
      case 409: return ALREADY_EXISTS;
      case 413: return FAILED_PRECONDITION;
      case 429: return RESOURCE_EXHAUSTED;
      case 499: return CANCELLED;
      case 500: return INTERNAL_ERROR;
      case 501: return UNIMPLEMENTED;
      case 503: return UNAVAILABLE;
      case 504: return DEADLINE_EXCEEDED;
      default: return code < 500 ? INVALID_ARGUMENT : INTERNAL_ERROR;
    }
  }

  @Override
  public String toString() {
    return wireName;
  }
}
