package io.sentrytrace;

import java.util.ArrayList;
import java.util.List;

/** What the spans of one transaction share: the name, sampling, the DSC and finished children. */
final class TransactionState {
  /** Sentry drops spans past 1000 per transaction; so do we, to bound memory. */
  static final int MAX_SPANS = 1000;

  final String name;
  final boolean recording;
  final Boolean sampled;
  final Double sampleRate;
  final double sampleRand;
  private final Baggage incomingDsc;
  private final List<SpanData> finishedChildren = new ArrayList<>();
  private volatile Baggage frozenDsc;
  private int dropped;

  TransactionState(String name, boolean recording, Boolean sampled, Double sampleRate, double sampleRand, Baggage incomingDsc) {
    this.name = name;
    this.recording = recording;
    this.sampled = sampled;
    this.sampleRate = sampleRate;
    this.sampleRand = sampleRand;
    this.incomingDsc = incomingDsc;
  }

  /** The DSC, frozen the first time anything asks for it (a header, a meta tag, the export). */
  Baggage dsc(Tracer tracer, TraceId traceId) {
    Baggage dsc = frozenDsc;
    if (dsc == null) {
      synchronized (this) {
        dsc = frozenDsc;
        if (dsc == null) {
          dsc = incomingDsc != null ? incomingDsc : tracer.headDsc(traceId, name, sampleRate, sampleRand, sampled);
          frozenDsc = dsc;
        }
      }
    }
    return dsc;
  }

  synchronized void childFinished(SpanData child) {
    if (finishedChildren.size() < MAX_SPANS) finishedChildren.add(child);
    else dropped++;
  }

  synchronized List<SpanData> finishedChildren() {
    return List.copyOf(finishedChildren);
  }

  synchronized int droppedSpans() {
    return dropped;
  }
}
