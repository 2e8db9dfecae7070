package io.sentrytrace;

import java.util.ArrayList;
import java.util.List;

/** What the spans of one transaction share: the name, sampling, the DSC and finished children. */
final class TransactionState {
  /** Sentry drops spans past 1000 per transaction; so do we, to bound memory. */
  static final int MAX_SPANS = 1000;

  private volatile String name;
  private volatile TransactionNameSource nameSource = TransactionNameSource.CUSTOM;
  final boolean recording;
  final Boolean sampled;
  final Double sampleRate;
  final double sampleRand;
  private final Baggage incomingDsc;
  private final List<SpanData> finishedChildren = new ArrayList<>();
  private volatile Baggage frozenDsc;
  /** Set when the transaction finishes: its spans can no longer be exported with it. */
  volatile boolean ended;
  private int dropped;
  /** Places this transaction's spans in time; null when it records nothing. */
  final SpanClock.Anchor anchor;

  TransactionState(
      String name, boolean recording, Boolean sampled, Double sampleRate, double sampleRand, Baggage incomingDsc, SpanClock.Anchor anchor) {
    this.anchor = anchor;
    this.name = name;
    this.recording = recording;
    this.sampled = sampled;
    this.sampleRate = sampleRate;
    this.sampleRand = sampleRand;
    this.incomingDsc = incomingDsc;
  }

  String name() {
    return name;
  }

  TransactionNameSource nameSource() {
    return nameSource;
  }

  /** Renames the transaction; the DSC keeps the name it had when it was frozen. */
  synchronized void rename(String name, TransactionNameSource source) {
    this.name = name;
    this.nameSource = source;
  }

  /** The DSC, frozen the first time anything asks for it (a header, a meta tag, the export). */
  Baggage dsc(Tracer tracer, TraceId traceId) {
    Baggage dsc = frozenDsc;
    if (dsc == null) {
      synchronized (this) {
        dsc = frozenDsc;
        if (dsc == null) {
          // A name taken from the raw URL may carry personal data: it never goes downstream.
          String dscName = nameSource == TransactionNameSource.URL ? null : name;
          dsc = incomingDsc != null ? incomingDsc : tracer.headDsc(traceId, dscName, sampleRate, sampleRand, sampled);
          frozenDsc = dsc;
        }
      }
    }
    return dsc;
  }

  /**
   * The state of a span started under this transaction after it ended: the same trace, sampling
   * decision and DSC, recording nothing.
   */
  TransactionState detached(Tracer tracer, TraceId traceId) {
    return new TransactionState(name, false, sampled, sampleRate, sampleRand, dsc(tracer, traceId), null);
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
