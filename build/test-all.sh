#!/usr/bin/env bash
# Every test, as CI runs it (.ci/run calls exactly this script):
#   1. sentry-trace-demo/ci-setup.sh: Chromium and the @sentry/browser bundle for the browser test;
#   2. the whole build and test suite on JDK 17, the floor (the README's former test command);
#   3. the same again, from clean, on JDK 25: compiled, documented and tested by the newest JDK.
# SENTRY_TRACE_REQUIRE_BROWSER=true turns the browser test's skip into a failure in both runs.
# JDK17_HOME / JDK25_HOME override where the JDKs are looked for.
set -euo pipefail
cd "$(dirname "$0")/.."

# Prints the home of a JDK whose `release` file says JAVA_VERSION="<feature>..." among the
# candidates, in order; prints nothing if none is.
find_jdk() {
  local feature=$1 home
  shift
  for home in "$@"; do
    if [ -n "$home" ] && [ -x "$home/bin/javac" ] \
        && grep -Eq "^JAVA_VERSION=\"$feature([.\"])" "$home/release" 2>/dev/null; then
      echo "$home"
      return
    fi
  done
}

# The default `java` is 17 on the project's machines; JAVA_HOME, when set, may point elsewhere.
jdk17=$(find_jdk 17 "${JDK17_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/*17*)
jdk25=$(find_jdk 25 "${JDK25_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*)
[ -n "$jdk17" ] || { echo "test-all.sh: no JDK 17 found (set JDK17_HOME, or install one under /usr/lib/jvm)" >&2; exit 1; }
[ -n "$jdk25" ] || { echo "test-all.sh: no JDK 25 found (set JDK25_HOME, or install one under /usr/lib/jvm)" >&2; exit 1; }

bash sentry-trace-demo/ci-setup.sh

start=$SECONDS
echo "test-all.sh: JDK 17 at $jdk17"
JAVA_HOME=$jdk17 SENTRY_TRACE_REQUIRE_BROWSER=true mvn -B -ntp verify
took17=$((SECONDS - start))

start=$SECONDS
echo "test-all.sh: JDK 25 at $jdk25"
# Maven 3.8's own Guava calls sun.misc.Unsafe, which JDK 24+ warns about on every start.
JAVA_HOME=$jdk25 MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
  SENTRY_TRACE_REQUIRE_BROWSER=true mvn -B -ntp clean verify
took25=$((SECONDS - start))

echo "test-all.sh: all tests passed on JDK 17 (${took17} s) and JDK 25 (${took25} s)"
