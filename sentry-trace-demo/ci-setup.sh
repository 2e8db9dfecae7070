#!/usr/bin/env bash
# Prepares the browser test (BrowserTraceTest): headless Chromium and the real @sentry/browser bundle.
# Idempotent: installs Chromium only when it is missing; `npm ci` reinstalls from the lock file.
# CI then runs `SENTRY_TRACE_REQUIRE_BROWSER=true mvn -B -ntp verify`, so a missing browser fails the build.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM:-}" ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
fi

command -v npm >/dev/null || { echo "ci-setup.sh: npm is required (Node.js 18+) to build the @sentry/browser bundle" >&2; exit 1; }
cd js
npm ci --no-audit --no-fund
npm run build
test -s dist/sentry.js
echo "ci-setup.sh: chromium at ${CHROMIUM:-/usr/bin/chromium}, bundle at $(pwd)/dist/sentry.js ($(wc -c < dist/sentry.js) bytes)"
