package io.sentrytrace.spring.boot;

import io.sentrytrace.http.ServerTimingPolicy;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code sentry-trace.*} properties. Only the DSN and the sample rate are usually set:
 *
 * <pre>{@code
 * sentry-trace.dsn=https://<public_key>@o<org>.ingest.sentry.io/<project_id>
 * sentry-trace.traces-sample-rate=0.2
 * sentry-trace.trace-propagation-targets=localhost,^https://api\\.example\\.com/.*
 * }</pre>
 *
 * <p>A DSN that does not parse or a rate outside [0, 1] stops start-up with a message naming the
 * property ({@code SentryTraceFailureAnalyzer}).
 */
@ConfigurationProperties(SentryTraceProperties.PREFIX)
public class SentryTraceProperties {
  /** The prefix of every property here. */
  public static final String PREFIX = "sentry-trace";

  /**
   * Whether sentry-trace is on at all: false leaves no tracer, filter, interceptor or header. Only
   * true or false (in any case) is taken; any other value stops start-up.
   */
  private boolean enabled = true;

  /**
   * The project's DSN (https://public_key@o123.ingest.sentry.io/project_id): its public key and
   * org id go into the trace's baggage, and finished transactions are sent there. Without it
   * nothing is sent; propagation still works.
   */
  private String dsn;

  /**
   * The share of new traces recorded, from 0.0 to 1.0. Unset: no transactions are recorded, but
   * trace headers are still continued and propagated.
   */
  private Double tracesSampleRate;

  /**
   * The URLs outgoing requests send trace headers to: each entry matches a URL that contains it
   * or, when it is a valid regex, that it matches as a whole (case-insensitive). Unset: every URL;
   * set to an empty value: none. A comma-separated value is split at every comma, including one
   * inside a regex ({2,8}, [,;]): give such a regex its own index (trace-propagation-targets[0]=...)
   * or use a YAML list. An entry with any of [ { ( \ ^ $ that is not a valid regex stops start-up.
   */
  private List<String> tracePropagationTargets;

  /** The release of this service, e.g. shop@1.4.0. */
  private String release;

  /** The environment, e.g. production. */
  private String environment;

  /** Whether outgoing requests also carry a W3C traceparent header. */
  private boolean propagateTraceparent;

  /** Whether an incoming W3C traceparent is continued when there is no sentry-trace header. */
  private boolean continueFromTraceparent;

  /** Whether incoming traces are refused when only one side has an org id. */
  private boolean strictTraceContinuation;

  /**
   * Whether every propagation decision is logged with its reason, at INFO on the logger
   * io.sentrytrace.decisions (see the README's Troubleshooting section).
   */
  private boolean debug;

  /**
   * Which responses carry the trace in a Server-Timing header, for @sentry/browser pages without
   * meta tags: OFF, HTML (HTML pages) or ALL.
   */
  private ServerTimingPolicy serverTiming = ServerTimingPolicy.HTML;

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getDsn() {
    return dsn;
  }

  public void setDsn(String dsn) {
    this.dsn = dsn;
  }

  public Double getTracesSampleRate() {
    return tracesSampleRate;
  }

  public void setTracesSampleRate(Double tracesSampleRate) {
    this.tracesSampleRate = tracesSampleRate;
  }

  public List<String> getTracePropagationTargets() {
    return tracePropagationTargets;
  }

  public void setTracePropagationTargets(List<String> tracePropagationTargets) {
    this.tracePropagationTargets = tracePropagationTargets;
  }

  public String getRelease() {
    return release;
  }

  public void setRelease(String release) {
    this.release = release;
  }

  public String getEnvironment() {
    return environment;
  }

  public void setEnvironment(String environment) {
    this.environment = environment;
  }

  public boolean isPropagateTraceparent() {
    return propagateTraceparent;
  }

  public void setPropagateTraceparent(boolean propagateTraceparent) {
    this.propagateTraceparent = propagateTraceparent;
  }

  public boolean isContinueFromTraceparent() {
    return continueFromTraceparent;
  }

  public void setContinueFromTraceparent(boolean continueFromTraceparent) {
    this.continueFromTraceparent = continueFromTraceparent;
  }

  public boolean isStrictTraceContinuation() {
    return strictTraceContinuation;
  }

  public void setStrictTraceContinuation(boolean strictTraceContinuation) {
    this.strictTraceContinuation = strictTraceContinuation;
  }

  public boolean isDebug() {
    return debug;
  }

  public void setDebug(boolean debug) {
    this.debug = debug;
  }

  public ServerTimingPolicy getServerTiming() {
    return serverTiming;
  }

  public void setServerTiming(ServerTimingPolicy serverTiming) {
    this.serverTiming = serverTiming;
  }
}
