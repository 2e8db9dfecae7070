#!/usr/bin/env bash
# Runs every benchmark, ours side by side with sentry-java and OpenTelemetry, and writes
#   jmh/results/latest.json  (JMH's JSON, with -prof gc)
#   jmh/results/latest.md    (the Markdown table for BENCHMARKS.md)
#   jmh/results/latest.log   (JMH's console output)
# Builds jmh/target/benchmarks.jar first when it is missing or older than a source.
#
#   jmh/run.sh                      # everything, about 6 minutes on 2 cores
#   jmh/run.sh MatchBenchmark       # extra arguments go to JMH (a filter, -f/-wi/-i/-w/-r, ...)
#   MVN_ARGS=-o jmh/run.sh          # build offline
set -euo pipefail
cd "$(dirname "$0")/.."

jar=jmh/target/benchmarks.jar
if [[ ! -f "$jar" ]] || [[ -n "$(find pom.xml jmh/pom.xml jmh/src sentry-trace-core sentry-trace-http sentry-trace-envelope sentry-trace-okhttp sentry-trace-apache sentry-trace-opentelemetry \
    -path '*/target' -prune -o -type f -newer "$jar" -print -quit)" ]]; then
  echo "Building $jar ..." >&2
  mvn -B -ntp -q ${MVN_ARGS:-} -pl jmh -am package -DskipTests
fi

mkdir -p jmh/results
cmd=(java -jar "$jar" -prof gc -rf json -rff jmh/results/latest.json "$@")
echo "${cmd[*]}" >&2
"${cmd[@]}" 2>&1 | tee jmh/results/latest.log

JMH_COMMAND="jmh/run.sh${*:+ $*} (runs: ${cmd[*]})" \
  python3 jmh/table.py jmh/results/latest.json > jmh/results/latest.md
echo "Wrote jmh/results/latest.json and jmh/results/latest.md" >&2
