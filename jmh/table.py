#!/usr/bin/env python3
"""Turns JMH's JSON (jmh/run.sh writes jmh/results/latest.json) into the Markdown for BENCHMARKS.md.

    python3 jmh/table.py jmh/results/latest.json > jmh/results/latest.md

Benchmarks are named <case>_<implementation> (matchMixed_ours, matchMixed_sentryJava); each row
gets the ratio of its time to the `ours` row of the same case, so reference rows read "N x slower
than ours". The performance targets of the project are checked at the end.
"""
import json
import os
import platform
import sys

IMPL_ORDER = ["ours", "oursInstrumented", "sentryJava", "otel", "otelBaggage", "floor", "floorAndCaseCheck", "floorIgnoringCase", "none"]
IMPL_NAMES = {
    "ours": "sentry-trace",
    "oursInstrumented": "sentry-trace, instrument()",
    "sentryJava": "sentry-java 8.62.0",
    "otel": "OpenTelemetry 1.68.0",
    "otelBaggage": "OpenTelemetry 1.68.0, tracecontext + baggage",
    "floor": "bare String.contains",
    "floorIgnoringCase": "String.toLowerCase + contains",
    "floorAndCaseCheck": "contains + upper-case check (lower bound)",
    "none": "no interceptor",
}

# One note per row: what exactly that row does. Keyed by Class.case_impl.
NOTES = {
    "MatchBenchmark.matchLiteral_ours": "PropagationTargets.of(2 hosts).matches(url); per URL, 16 URLs, half match",
    "MatchBenchmark.matchLiteral_sentryJava": "PropagationTargetsUtils.contain: contains + String.matches (regex compile) per target",
    "MatchBenchmark.matchLiteral_floor": "url.contains(host) for each host: the floor",
    "MatchBenchmark.matchLiteral_floorAndCaseCheck": "the floor, then one pass for upper case on each miss: a lower bound for ignoring case after contains, not a matcher",
    "MatchBenchmark.matchLiteral_floorIgnoringCase": "url.toLowerCase(Locale.ROOT).contains(host): the floor ignoring case (copies 3 URLs)",
    "MatchBenchmark.matchAll_ours": "default `.*`: answered without looking at the URL",
    "MatchBenchmark.matchAll_sentryJava": "default `.*`: contains, then String.matches(\".*\")",
    "MatchBenchmark.matchMixed_ours": "4 hosts + 4 regexes; regexes precompiled, prefiltered by their required literal",
    "MatchBenchmark.matchMixed_sentryJava": "4 hosts + 4 regexes; every miss compiles all 8 as regexes",
    "OtelPropagatorBenchmark.extract_ours": "SentryTracePropagator.extract: sentry-trace + 10-member baggage (8 sentry-), org check, remote SpanContext",
    "OtelPropagatorBenchmark.extract_otel": "W3CTraceContextPropagator.extract of traceparent",
    "OtelPropagatorBenchmark.extract_otelBaggage": "tracecontext + W3C baggage extract of traceparent and the same 10-member baggage",
    "OtelPropagatorBenchmark.inject_ours": "SentryTracePropagator.inject: sentry-trace + the frozen incoming DSC",
    "OtelPropagatorBenchmark.inject_otel": "W3CTraceContextPropagator.inject of traceparent",
    "OtelPropagatorBenchmark.inject_otelBaggage": "tracecontext + W3C baggage inject (10 members)",
    "SentryTraceParseBenchmark.parseSampled_ours": "SentryTrace.parse(`<32 hex>-<16 hex>-1`)",
    "SentryTraceParseBenchmark.parseSampled_sentryJava": "new SentryTraceHeader(String): precompiled regex + id objects",
    "SentryTraceParseBenchmark.parseSampled_otel": "W3CTraceContextPropagator.extract of the same ids as traceparent (includes a 1-entry map lookup)",
    "SentryTraceParseBenchmark.parseDeferred_ours": "no sampling flag",
    "SentryTraceParseBenchmark.parseDeferred_sentryJava": "no sampling flag",
    "SentryTraceParseBenchmark.parseInvalid_ours": "a traceparent sent as sentry-trace: empty Optional",
    "SentryTraceParseBenchmark.parseInvalid_sentryJava": "throws InvalidSentryTraceHeaderException (stack trace filled)",
    "SentryTraceParseBenchmark.parseInvalid_otel": "a sentry-trace sent as traceparent: invalid span context",
    "SentryTraceFormatBenchmark.format_ours": "span.toSentryTrace()",
    "SentryTraceFormatBenchmark.format_sentryJava": "new SentryTraceHeader(SentryId, SpanId, true).getValue()",
    "SentryTraceFormatBenchmark.format_otel": "W3CTraceContextPropagator.inject into a HashMap (value replaced)",
    "BaggageBenchmark.parse_ours": "Baggage.parse: 8 sentry- members kept (2 percent-decoded), 2 others dropped",
    "BaggageBenchmark.parse_sentryJava": "io.sentry.Baggage.fromHeader(String): keeps the others as a third-party string",
    "BaggageBenchmark.parse_otel": "W3CBaggagePropagator.extract: keeps all 10 members",
    "BaggageBenchmark.format_ours": "Baggage.merge(thirdParty, dsc): others kept, 8 sentry- members encoded",
    "BaggageBenchmark.format_sentryJava": "baggage.toHeaderString(thirdParty)",
    "BaggageBenchmark.format_otel": "W3CBaggagePropagator.inject of the 10 members into a HashMap",
    "IdBenchmark.traceId_ours": "TraceId.random().toString(): ThreadLocalRandom, 32 hex chars",
    "IdBenchmark.traceId_sentryJava": "new SentryId().toString()",
    "IdBenchmark.traceId_otel": "IdGenerator.random().generateTraceId()",
    "IdBenchmark.spanId_ours": "SpanId.random().toString()",
    "IdBenchmark.spanId_sentryJava": "new io.sentry.SpanId().toString()",
    "IdBenchmark.spanId_otel": "IdGenerator.random().generateSpanId()",
    "OkHttpInterceptorBenchmark.call_ours": "addInterceptor(TracingInterceptor.create(tracer)): child span, sentry-trace + baggage, span finished",
    "OkHttpInterceptorBenchmark.call_oursInstrumented": "TracingInterceptor.instrument(client, tracer): adds its event listener",
    "OkHttpInterceptorBenchmark.call_sentryJava": "SentryOkHttpInterceptor: child span, headers, breadcrumb, span finished",
    "OkHttpInterceptorBenchmark.call_none": "the same call without instrumentation (canned response, no network)",
    "ApacheInterceptorBenchmark.execute_ours": "TracingExecInterceptor.execute with a stub chain",
    "ApacheInterceptorBenchmark.execute_none": "the stub chain alone",
    "EnvelopeBenchmark.envelope_ours": "EnvelopeExporter.export + flush per 100: the sender encodes an http.server transaction (2 child spans, 7-member DSC) for a counting transport",
    "EnvelopeBenchmark.envelope_sentryJava": "JsonSerializer.serialize of the same transaction's envelope (trace header from its DSC), on the benchmark thread, no gzip",
}
for _impl in ("ours", "sentryJava", "otel"):
    for _id in ("traceId", "spanId"):
        NOTES[f"IdBenchmark.{_id}Threads2_{_impl}"] = "the same on 2 threads at once: time per op on each thread"


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def alloc(entry):
    for key, metric in entry.get("secondaryMetrics", {}).items():
        if key.lstrip("·") == "gc.alloc.rate.norm":
            return metric["score"]
    return None


def split(benchmark):
    """io.sentrytrace.jmh.MatchBenchmark.matchMixed_ours -> (MatchBenchmark, matchMixed, ours)."""
    cls, method = benchmark.split(".")[-2:]
    case, _, impl = method.rpartition("_")
    return cls, case, impl


def rows(results):
    out = []
    for entry in results:
        cls, case, impl = split(entry["benchmark"])
        pm = entry["primaryMetric"]
        out.append({
            "cls": cls, "case": case, "impl": impl, "threads": entry.get("threads", 1),
            "score": pm["score"], "error": pm.get("scoreError"), "unit": pm["scoreUnit"],
            "alloc": alloc(entry), "mode": entry.get("mode"),
        })
    return out


def fmt_num(x):
    # JMH writes "NaN" (a string) for the error of fewer than 3 iterations.
    if not isinstance(x, (int, float)) or x != x:
        return "n/a"
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def machine(results):
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            kb = int(f.readline().split()[1])
            mem = f", {kb / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    first = results[0] if results else {}
    jvm = f"{first.get('vmName', '?')} {first.get('vmVersion', '?')} (JDK {first.get('jdkVersion', '?')})"
    lines = [
        f"- Machine: {cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}",
        f"- JVM: {jvm}; JMH {first.get('jmhVersion', '?')}",
    ]
    if first:
        lines.append(
            f"- Settings: {first.get('forks')} fork, {first.get('warmupIterations')} x {first.get('warmupTime')} warm-up, "
            f"{first.get('measurementIterations')} x {first.get('measurementTime')} measurement, mode {first.get('mode')}, "
            f"-prof gc (B/op = gc.alloc.rate.norm)")
    command = os.environ.get("JMH_COMMAND")
    if command:
        lines.append(f"- Command: `{command}`")
    return lines


def table(rs):
    out = []
    classes = []
    for r in rs:
        if r["cls"] not in classes:
            classes.append(r["cls"])
    for cls in classes:
        out.append(f"### {cls}")
        out.append("")
        out.append("| Case | Implementation | Threads | ns/op ± error | B/op | ratio (this / ours) | Note |")
        out.append("| --- | --- | ---: | ---: | ---: | ---: | --- |")
        cases = []
        for r in rs:
            if r["cls"] == cls and (r["case"], r["threads"]) not in cases:
                cases.append((r["case"], r["threads"]))
        for case, threads in cases:
            group = [r for r in rs if r["cls"] == cls and r["case"] == case and r["threads"] == threads]
            group.sort(key=lambda r: IMPL_ORDER.index(r["impl"]) if r["impl"] in IMPL_ORDER else 99)
            ours = next((r for r in group if r["impl"] == "ours"), None)
            for r in group:
                ratio = "1" if r is ours else (f"{r['score'] / ours['score']:.2f}x" if ours and ours["score"] else "n/a")
                score = f"{fmt_num(r['score'])} ± {fmt_num(r['error'])}"
                if r["unit"] != "ns/op":
                    score += f" {r['unit']}"
                note = NOTES.get(f"{cls}.{case}_{r['impl']}", "")
                out.append(
                    f"| {case} | {IMPL_NAMES.get(r['impl'], r['impl'])} | {r['threads']} | {score} | "
                    f"{fmt_num(r['alloc'])} | {ratio} | {note} |")
        out.append("")
    return out


def targets(rs):
    """The project's performance targets, checked on this run's numbers."""
    by = {(r["cls"], r["case"], r["impl"]): r for r in rs}

    def get(cls, case, impl, field="score"):
        r = by.get((cls, case, impl))
        return None if r is None else r[field]

    checks = []

    def ratio(name, num, den, at_least=None, at_most=None):
        if num is None or den is None or den == 0:
            return
        value = num / den
        ok = (at_least is None or value >= at_least) and (at_most is None or value <= at_most)
        bound = f">= {at_least}" if at_least is not None else f"<= {at_most}"
        checks.append((ok, name, f"{value:.2f} (target {bound})"))

    def at_most(name, value, limit, unit):
        if value is None:
            return
        checks.append((round(value, 1) <= limit, name, f"{fmt_num(value)} {unit} (target <= {limit} {unit})"))

    m = "MatchBenchmark"
    ratio("matching, mixed targets: sentry-java / ours", get(m, "matchMixed", "sentryJava"), get(m, "matchMixed", "ours"), at_least=20)
    ratio("matching, literal targets: ours / bare String.contains", get(m, "matchLiteral", "ours"), get(m, "matchLiteral", "floor"), at_most=2)
    # The bare floor is case-sensitive and ours is not: ours against the same rule written the JDK way.
    ratio("matching, literal targets: ours / toLowerCase + contains", get(m, "matchLiteral", "ours"), get(m, "matchLiteral", "floorIgnoringCase"), at_most=2)
    for case in ("matchLiteral", "matchAll", "matchMixed"):
        at_most(f"matching allocation, {case}", get(m, case, "ours", "alloc"), 0.5, "B/op")
    p = "SentryTraceParseBenchmark"
    for case in ("parseSampled", "parseDeferred", "parseInvalid"):
        ratio(f"sentry-trace {case}: sentry-java / ours", get(p, case, "sentryJava"), get(p, case, "ours"), at_least=5)
    for case in ("parseSampled", "parseInvalid"):
        ratio(f"sentry-trace {case}: OpenTelemetry / ours", get(p, case, "otel"), get(p, case, "ours"), at_least=1)
    f = "SentryTraceFormatBenchmark"
    ratio("sentry-trace format: sentry-java / ours", get(f, "format", "sentryJava"), get(f, "format", "ours"), at_least=3)
    # A 51-char Latin-1 String: 24 B String + 16 B array header + 51 B, 8-aligned = 96 B.
    at_most("sentry-trace format allocation (only the result String)", get(f, "format", "ours", "alloc"), 96, "B/op")
    b = "BaggageBenchmark"
    ratio("baggage parse: sentry-java / ours", get(b, "parse", "sentryJava"), get(b, "parse", "ours"), at_least=5)
    ratio("baggage format: sentry-java / ours", get(b, "format", "sentryJava"), get(b, "format", "ours"), at_least=5)
    i = "IdBenchmark"
    for case in ("traceId", "spanId"):
        ratio(f"{case}: sentry-java / ours", get(i, case, "sentryJava"), get(i, case, "ours"), at_least=3)
        ratio(f"{case}: OpenTelemetry / ours", get(i, case, "otel"), get(i, case, "ours"), at_least=1)
        ratio(f"{case}: ours on 2 threads / ours on 1 thread", get(i, case + "Threads2", "ours"), get(i, case, "ours"), at_most=1.25)
    o = "OkHttpInterceptorBenchmark"
    ratio("OkHttp interceptor: sentry-java / ours", get(o, "call", "sentryJava"), get(o, "call", "ours"), at_least=1)
    if get(o, "call", "ours") is not None and get(o, "call", "none") is not None:
        at_most("OkHttp interceptor: ours - none", get(o, "call", "ours") - get(o, "call", "none"), 1000, "ns")
    a = "ApacheInterceptorBenchmark"
    if get(a, "execute", "ours") is not None and get(a, "execute", "none") is not None:
        at_most("Apache interceptor: ours - none", get(a, "execute", "ours") - get(a, "execute", "none"), 1000, "ns")

    out = ["### Targets", "", "| | Target | This run |", "| --- | --- | --- |"]
    for ok, name, detail in checks:
        out.append(f"| {'met' if ok else '**missed**'} | {name} | {detail} |")
    out.append("")
    return out


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    results = load(argv[1])
    rs = rows(results)
    lines = ["## Results", ""]
    lines += machine(results)
    lines.append("")
    lines += table(rs)
    lines += targets(rs)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
