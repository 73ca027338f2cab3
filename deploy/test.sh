#!/usr/bin/env bash
# Runs every test of the solution against a real RabbitMQ. Where no Docker engine answers, the tests start their
# own rabbitmq-server node on loopback (deploy/local/rabbitmq-node.sh); this script makes sure the package is there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ -z "${SNW_TEST_RABBITMQ:-}" ] && ! { [ -S /var/run/docker.sock ] && curl -sf --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1; }; then
  deploy/local/rabbitmq-node.sh install
fi

# The console's browser tests drive Debian's Chromium; Playwright's own browser download is not reachable, and never tried.
if ! [ -x /usr/bin/chromium ] && [ -z "${SNW_CHROMIUM:-}" ]; then
  apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# Segment's own Node SDK drives the API in one integration test; it needs Node.js and the locked package.
command -v npm >/dev/null || { echo "deploy/test.sh: Node.js and npm are needed for the Segment SDK test (apt-get install -y nodejs npm)" >&2; exit 1; }
(cd tests/segment-sdk && npm ci --no-audit --no-fund --loglevel=error)

export SNW_TEST_RUN_ID="run$$"
cleanup() {
  # A test process that died cannot stop its broker node; stop any of this run that are left.
  for dir in "${TMPDIR:-/tmp}"/snw-test-"$SNW_TEST_RUN_ID"-*; do
    [ -d "$dir" ] || continue
    name=$(basename "$dir")
    deploy/local/rabbitmq-node.sh stop "$name" "$dir" --purge || true
  done
}
trap cleanup EXIT

log=$(mktemp)
set +e
dotnet test SegmentNovuWorker.sln --configuration Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for the whole run, summed over the test projects.
awk '/(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) } }
     END { printf "%d passed, %d failed\n", p, f }' FS='[ ,]+' "$log"
rm -f "$log"
exit "$status"
