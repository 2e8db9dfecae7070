package io.sentrytrace.okhttp;

import io.sentrytrace.Instrumentation;
import io.sentrytrace.PropagationContext;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import okhttp3.Call;
import okhttp3.EventListener;

/**
 * What was current on the thread that started a call, kept as a call tag. OkHttp runs the
 * interceptors of an enqueued call on a dispatcher thread, but it calls {@link
 * EventListener#callStart} on the caller's thread, for {@code execute} and {@code enqueue} alike.
 */
final class CallOrigin {
  private static final CallOrigin SUPPRESSED = new CallOrigin(null, null, true);

  final Span span;
  final PropagationContext context;
  final boolean suppressed;

  private CallOrigin(Span span, PropagationContext context, boolean suppressed) {
    this.span = span;
    this.context = context;
    this.suppressed = suppressed;
  }

  static CallOrigin capture(Tracer tracer) {
    if (Instrumentation.isSuppressed()) return SUPPRESSED;
    Span span = tracer.currentSpan();
    return new CallOrigin(span, span == null ? tracer.currentPropagationContext() : null, false);
  }

  /** The origin recorded by {@link Capture}; null when it is not installed. */
  static CallOrigin of(Call call) {
    return call.tag(CallOrigin.class);
  }

  /**
   * Records the origin of each call, then hands every event to the client's own listener.
   * Installed by {@link SentryTraceInterceptor#instrument}.
   */
  static final class Capture extends EventListener implements EventListener.Factory {
    private final EventListener.Factory delegate;
    private final Tracer tracer;
    private final OnceLogger log;

    Capture(EventListener.Factory delegate, Tracer tracer, OnceLogger log) {
      this.delegate = delegate;
      this.tracer = tracer;
      this.log = log;
    }

    Tracer tracer() {
      return tracer;
    }

    @Override
    public EventListener create(Call call) {
      // plus() returns this listener alone when the client has none: no allocation per call.
      return delegate.create(call).plus(this);
    }

    @Override
    public void callStart(Call call) {
      try {
        call.tag(CallOrigin.class, () -> capture(tracer));
      } catch (RuntimeException | LinkageError e) {
        log.failure(e);
      }
    }
  }
}
