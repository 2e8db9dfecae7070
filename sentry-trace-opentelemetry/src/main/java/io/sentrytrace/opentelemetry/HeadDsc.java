package io.sentrytrace.opentelemetry;

import io.sentrytrace.Baggage;
import io.sentrytrace.Dsn;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dynamic sampling context an OpenTelemetry service writes when it is the head of a trace:
 * the trace id, the configured public key, org, release, environment and sample rate, the span's
 * sampling decision and a {@code sample_rand} taken from the trace id. Thread-safe; the last DSC
 * made is kept, since a request's outgoing calls all share one trace.
 */
final class HeadDsc {
  private static final int SCALE = 1_000_000;

  private final String publicKey;
  private final String orgId;
  private final String release;
  private final String environment;
  private final String sampleRate;
  private volatile Entry last;

  HeadDsc(Dsn dsn, String release, String environment, Double sampleRate) {
    this.publicKey = dsn == null ? null : dsn.publicKey();
    this.orgId = dsn == null ? null : dsn.orgId();
    this.release = release;
    this.environment = environment;
    this.sampleRate = sampleRate == null ? null : BigDecimal.valueOf(sampleRate).stripTrailingZeros().toPlainString();
  }

  Baggage of(String traceIdHex, boolean sampled) {
    Entry e = last;
    if (e != null && e.sampled == sampled && e.traceId.equals(traceIdHex)) return e.dsc;
    Map<String, String> dsc = new LinkedHashMap<>();
    dsc.put("trace_id", traceIdHex);
    if (publicKey != null) dsc.put("public_key", publicKey);
    if (release != null) dsc.put("release", release);
    if (environment != null) dsc.put("environment", environment);
    if (sampleRate != null) dsc.put("sample_rate", sampleRate);
    dsc.put("sample_rand", sampleRand(traceIdHex));
    dsc.put("sampled", Boolean.toString(sampled));
    if (orgId != null) dsc.put("org_id", orgId);
    Baggage baggage = Baggage.of(dsc);
    last = new Entry(traceIdHex, sampled, baggage);
    return baggage;
  }

  /**
   * {@code sample_rand} from the trace id, so every span and service of the trace agrees on it
   * without state: the low 64 bits as OpenTelemetry's {@code TraceIdRatioBased} sampler reads them
   * ({@code |low| / 2^63}), truncated to six decimals. A trace that sampler keeps at rate r then
   * sends {@code sample_rand < r}, as Sentry expects.
   */
  static String sampleRand(String traceIdHex) {
    long low = Long.parseUnsignedLong(traceIdHex.substring(16, 32), 16);
    double rand = low == Long.MIN_VALUE ? 0.0 : Math.abs(low) / 0x1p63;
    long micros = Math.min((long) Math.floor(rand * SCALE), SCALE - 1);
    char[] chars = {'0', '.', '0', '0', '0', '0', '0', '0'};
    for (int i = 7; i >= 2; i--) {
      chars[i] = (char) ('0' + micros % 10);
      micros /= 10;
    }
    return new String(chars);
  }

  private static final class Entry {
    final String traceId;
    final boolean sampled;
    final Baggage dsc;

    Entry(String traceId, boolean sampled, Baggage dsc) {
      this.traceId = traceId;
      this.sampled = sampled;
      this.dsc = dsc;
    }
  }
}
