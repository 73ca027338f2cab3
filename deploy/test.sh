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

# Segment's own code drives the API in integration tests: its Node SDK (tests/segment-sdk) and its Webhooks (Actions)
# destination (tests/segment-actions). They need Node.js and the locked packages.
command -v npm >/dev/null || { echo "deploy/test.sh: Node.js and npm are needed for the tests of Segment's own code (apt-get install -y nodejs npm)" >&2; exit 1; }
(cd tests/segment-sdk && npm ci --no-audit --no-fund --loglevel=error)
(cd tests/segment-actions && npm ci --no-audit --no-fund --loglevel=error)

# The deploy specs (tests/SegmentNovuWorker.DeployTests) check compose, the Dockerfiles and the Kubernetes manifests
# offline: Debian's docker-compose (v1, `config` only: no daemon is started), kubectl's kustomize, and the schema
# checkers and Dockerfile linter locked in deploy/validate.
if ! command -v docker-compose >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose >/dev/null; }
  else
    echo "deploy/test.sh: docker-compose is needed for the deploy specs (sudo apt-get install -y docker-compose)" >&2
  fi
fi
command -v kubectl >/dev/null || echo "deploy/test.sh: kubectl is needed for the deploy specs (its kustomize renders deploy/k8s)" >&2
(cd deploy/validate && npm ci --no-audit --no-fund --loglevel=error)

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

# A trimmed cluster drill (a few minutes): 3 nodes on loopback, 1000 events, the node the services use killed -9 and
# restarted; none lost or doubled. The full drill is deploy/local/cluster-drill.sh. SNW_SKIP_CLUSTER_DRILL=1 skips it.
drill="skipped"
if [ "${SNW_SKIP_CLUSTER_DRILL:-}" != 1 ] && [ -z "${SNW_TEST_RABBITMQ:-}" ]; then
  if DRILL_NO_BUILD=1 DRILL_DIR="${TMPDIR:-/tmp}/snw-test-$SNW_TEST_RUN_ID-drill" deploy/local/cluster-drill.sh 1000 services; then
    drill="passed"
  else
    drill="FAILED"
    status=1
  fi
fi

# One closing line for the whole run, summed over the test projects, the drill counted as one test; alone on its line,
# as CI reads it.
echo "cluster drill: $drill"
awk -v drill="$drill" '/(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) } }
     END { if (drill == "passed") p++; if (drill == "FAILED") f++; printf "%d passed, %d failed\n", p, f }' FS='[ ,]+' "$log"
rm -f "$log"
exit "$status"
