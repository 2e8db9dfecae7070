package io.sentrytrace;

import java.lang.System.Logger.Level;

/**
 * The propagation decisions of one tracer, each with its reason, for finding out why a trace does
 * not connect. On when the tracer is built with {@link Tracer.Builder#debug(boolean) debug(true)}
 * ({@code sentry-trace.debug=true} in Spring Boot and for the OpenTelemetry module); off by
 * default, when each decision costs one boolean check and nothing is formatted.
 *
 * <p>Each decision is one line at INFO on the logger {@value #LOGGER_NAME}, so it shows with the
 * JDK's default logging configuration; the switch does not touch logger levels, so a configuration
 * that sets that logger above INFO hides the lines. They carry no request data beyond what the
 * decision needs: ids, rates, the transaction name, URLs without their query, and header values
 * cut to a short preview.
 *
 * <ul>
 *   <li>{@code incoming continued} / {@code incoming deferred} (continued, no sampling decision) /
 *       {@code incoming refused (invalid header | org mismatch | strict mode)} / {@code incoming
 *       not continued: no sentry-trace header};
 *   <li>{@code transaction sampled} / {@code transaction not sampled} (with rate and {@code
 *       sample_rand}, or the parent's decision) / {@code transaction not recorded} (tracing off);
 *   <li>{@code outgoing headers added} / {@code outgoing headers not added}, with the URL as
 *       matched (without query) and the {@code tracePropagationTargets} entry that matched, or the
 *       list that did not;
 *   <li>{@code CORS preflight} (what the browser asks to send, what the answer allows);
 *   <li>{@code envelope sent} / {@code envelope dropped}, reported by the exporter.
 * </ul>
 *
 * <p>An exporter reports what became of a transaction to the log of the tracer that recorded it:
 *
 * <pre>{@code
 * transaction.decisionLog().envelopeSent(transaction);
 * transaction.decisionLog().envelopeDropped(transaction, "queue full (1000)");
 * }</pre>
 *
 * <p>Users switch it on and read it. Its public methods are SPI: for exporters ({@link
 * #envelopeSent}, {@link #envelopeDropped}) and for integrations that read or write the headers
 * themselves ({@link #incomingIgnored}, {@link #outgoing}, {@link #corsPreflight}, {@link
 * #corsAnswer}).
 *
 * <p>Thread-safe; never throws.
 */
public final class DecisionLog {
  /** The name of the logger every decision goes to. */
  public static final String LOGGER_NAME = "io.sentrytrace.decisions";

  /** The longest URL shown; a longer one is cut (its query is never shown). */
  static final int MAX_URL_LENGTH = 200;
  /** The longest list of targets shown. */
  static final int MAX_TARGETS_LENGTH = 200;
  /** The longest exporter's reason shown. */
  static final int MAX_REASON_LENGTH = 200;

  private static final System.Logger LOG = System.getLogger(LOGGER_NAME);
  private static final DecisionLog DISABLED = new DecisionLog(false, PropagationTargets.all());

  private final boolean enabled;
  private final PropagationTargets targets;

  private DecisionLog(boolean enabled, PropagationTargets targets) {
    this.enabled = enabled;
    this.targets = targets;
  }

  /** The log of a tracer: on or off, naming its {@code targets} in outgoing decisions. */
  static DecisionLog of(boolean enabled, PropagationTargets targets) {
    return enabled ? new DecisionLog(true, targets) : DISABLED;
  }

  /** A log that logs nothing: that of transactions recorded outside a tracer. */
  public static DecisionLog disabled() {
    return DISABLED;
  }

  /** Whether decisions are logged; callers check it before they build what a decision needs. */
  public boolean isEnabled() {
    return enabled;
  }

  // ---- incoming ----

  /**
   * An incoming request whose {@code sentry-trace} is absent (null) or not valid, so its trace is
   * not continued from it. For integrations that read the header themselves (the OpenTelemetry
   * propagator); the tracer's own {@code continueTrace} and {@code extract} log it already.
   */
  public void incomingIgnored(CharSequence sentryTrace) {
    if (!enabled) return;
    if (sentryTrace == null) log("incoming not continued: no sentry-trace header");
    else log("incoming refused (invalid header): sentry-trace \"" + Strings.preview(sentryTrace) + '"');
  }

  void incomingNone(boolean withTraceparent) {
    if (!enabled) return;
    log(withTraceparent ? "incoming not continued: no sentry-trace or traceparent header" : "incoming not continued: no sentry-trace header");
  }

  /** Another org's trace, or (strict mode) one whose org is known on one side only. */
  void incomingRefused(TraceId traceId, String incomingOrg, String ourOrg, boolean strict) {
    if (!enabled) return;
    log("incoming refused (" + (strict ? "strict mode" : "org mismatch") + "): trace " + traceId + ", baggage org_id "
        + orgOf(incomingOrg) + ", ours " + orgOf(ourOrg)
        + (strict ? " (strictTraceContinuation needs both or neither)" : ""));
  }

  /** A continued trace; {@code via} names the header, {@code sampleRandSource} where sample_rand came from. */
  void incomingContinued(String via, PropagationContext context, String sampleRandSource) {
    if (!enabled) return;
    String ids = "trace " + context.traceId() + ", parent span " + context.parentSpanId();
    String rand = "sample_rand " + SampleRand.format(context.sampleRand()) + " (" + sampleRandSource + ')';
    String from = via.equals(SentryTrace.HEADER) ? "" : " from " + via;
    if (context.sampled() == null) {
      log("incoming deferred" + from + ": " + ids + ", no sampling decision in the header; this service decides, " + rand);
    } else {
      log("incoming continued" + from + ": " + ids + ", sampled=" + context.sampled() + ", " + rand);
    }
  }

  private static String orgOf(String org) {
    return org == null ? "(none)" : Strings.preview(org);
  }

  // ---- sampling ----

  /**
   * The sampling decision of a transaction: {@code rate} and {@code rateSource} when a rate was
   * compared with {@code sample_rand}, else the parent's decision ({@code rate} null).
   */
  void sampling(String name, TraceId traceId, boolean sampled, Double rate, String rateSource, double sampleRand) {
    if (!enabled) return;
    String what = "transaction " + (sampled ? "sampled" : "not sampled") + ": \"" + Strings.preview(name) + "\" trace " + traceId;
    if (rate == null) {
      log(what + ", the incoming trace's decision (sampled=" + sampled + "); no rate applied");
    } else {
      log(what + ", sample_rand " + SampleRand.format(sampleRand) + (sampled ? " < " : " >= ") + SampleRand.formatRate(rate)
          + " (" + rateSource + ')');
    }
  }

  /** A transaction started with tracing off: it records nothing, the incoming decision passes on. */
  void notRecorded(String name, TraceId traceId, Boolean incomingSampled) {
    if (!enabled) return;
    log("transaction not recorded: \"" + Strings.preview(name) + "\" trace " + traceId
        + ", tracing is off (no tracesSampleRate or tracesSampler); headers carry "
        + (incomingSampled == null ? "no decision (deferred)" : "sampled=" + incomingSampled));
  }

  // ---- outgoing ----

  /**
   * Whether an outgoing request got the trace headers: {@code url} as it was matched against {@code
   * tracePropagationTargets} (its query is not shown); null when there is none (an OpenTelemetry
   * span without a URL, for which targets are not checked).
   */
  public void outgoing(CharSequence url, boolean added) {
    if (!enabled) return;
    try {
      if (url == null) {
        log("outgoing headers " + (added ? "added" : "not added") + ": no URL known; tracePropagationTargets not checked");
        return;
      }
      String shown = withoutQuery(url);
      if (added && targets == PropagationTargets.all()) {
        log("outgoing headers added: " + shown + " (tracePropagationTargets: all URLs)");
      } else if (added) {
        String target = targets.matchingTarget(url);
        log("outgoing headers added: " + shown + " matches "
            + (target == null ? "tracePropagationTargets " + targetList() : target + " of tracePropagationTargets"));
      } else {
        log("outgoing headers not added: " + shown + " matches none of tracePropagationTargets " + targetList());
      }
    } catch (RuntimeException ignored) {
      // A broken target must not break the request; matching itself reported it.
    }
  }

  private String targetList() {
    return Strings.preview(targets.describe(), MAX_TARGETS_LENGTH);
  }

  /** {@code url} without query or fragment, cut to {@link #MAX_URL_LENGTH}. */
  static String withoutQuery(CharSequence url) {
    // Reads at most one char past what is shown: a URL may be as long as its sender likes.
    int end = Math.min(url.length(), MAX_URL_LENGTH + 1);
    for (int i = 0; i < end; i++) {
      char c = url.charAt(i);
      if (c == '?' || c == '#') end = i;
    }
    return Strings.preview(url.subSequence(0, end), MAX_URL_LENGTH);
  }

  // ---- CORS ----

  /**
   * A CORS preflight: {@code requestedHeaders} is its {@code Access-Control-Request-Headers} (null
   * when absent). A browser SDK asks for {@code sentry-trace} only for the origins in its own
   * {@code tracePropagationTargets}.
   */
  public void corsPreflight(CharSequence requestedHeaders) {
    if (!enabled) return;
    String asked = requestedHeaders == null ? "(none)" : '"' + Strings.preview(requestedHeaders) + '"';
    boolean asksForTrace = requestedHeaders != null && containsIgnoringCase(requestedHeaders, SentryTrace.HEADER);
    log("CORS preflight: the browser asks to send " + asked
        + (asksForTrace ? "" : "; not sentry-trace: this server is not in the browser SDK's tracePropagationTargets"));
  }

  /**
   * The answer to a CORS preflight: {@code allowHeaders} the {@code Access-Control-Allow-Headers}
   * it carries (null when none), {@code how} what the server instrumentation did to it.
   */
  public void corsAnswer(CharSequence allowHeaders, String how) {
    if (!enabled) return;
    boolean allows =
        allowHeaders != null
            && containsIgnoringCase(allowHeaders, SentryTrace.HEADER)
            && containsIgnoringCase(allowHeaders, Baggage.HEADER);
    String value = allowHeaders == null ? "(none)" : '"' + Strings.preview(allowHeaders, MAX_TARGETS_LENGTH) + '"';
    log("CORS preflight answered: Access-Control-Allow-Headers " + value + " (" + how + ')'
        + (allows ? "" : "; the browser will not send sentry-trace and baggage, and blocks a request that carries them"));
  }

  /** Case-insensitive search in the first {@link Baggage#MAX_HEADER_LENGTH} chars. */
  private static boolean containsIgnoringCase(CharSequence s, String lowerNeedle) {
    int n = Math.min(s.length(), Baggage.MAX_HEADER_LENGTH);
    outer:
    for (int i = 0; i + lowerNeedle.length() <= n; i++) {
      for (int j = 0; j < lowerNeedle.length(); j++) {
        if (Strings.toLowerAscii(s.charAt(i + j)) != lowerNeedle.charAt(j)) continue outer;
      }
      return true;
    }
    return false;
  }

  // ---- export ----

  /** The exporter delivered {@code transaction} (may be null) to Sentry. */
  public void envelopeSent(TransactionData transaction) {
    if (!enabled) return;
    log("envelope sent: " + describe(transaction));
  }

  /**
   * The exporter gave up on {@code transaction} (may be null); {@code reason} says why in a few
   * words, such as {@code "queue full (1000)"} or {@code "HTTP 403 (check the DSN)"}.
   */
  public void envelopeDropped(TransactionData transaction, String reason) {
    if (!enabled) return;
    log("envelope dropped: " + describe(transaction) + ": " + Strings.preview(reason == null ? "no reason given" : reason, MAX_REASON_LENGTH));
  }

  private static String describe(TransactionData tx) {
    if (tx == null) return "a transaction";
    return "transaction \"" + Strings.preview(tx.name()) + "\" trace " + tx.root().traceId();
  }

  // ---- set-up ----

  /** One line when a tracer with the log on is built: the settings every decision depends on. */
  void started(Tracer tracer, boolean sampler, String orgId) {
    if (!enabled) return;
    log("decision log on: tracePropagationTargets " + targetList()
        + ", tracesSampleRate " + (tracer.tracesSampleRate() == null ? "(none)" : SampleRand.formatRate(tracer.tracesSampleRate()))
        + ", tracesSampler " + (sampler ? "set" : "(none)")
        + ", org_id " + orgOf(orgId)
        + ", strictTraceContinuation " + tracer.strictTraceContinuation());
  }

  private static void log(String line) {
    try {
      LOG.log(Level.INFO, line);
    } catch (RuntimeException ignored) {
      // A broken logging backend must not reach the request.
    }
  }

  @Override
  public String toString() {
    return enabled ? "DecisionLog{on}" : "DecisionLog{off}";
  }
}
