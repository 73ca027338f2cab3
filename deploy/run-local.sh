#!/usr/bin/env bash
# Runs the whole service on this machine: a local RabbitMQ node, the Novu stand-in (unless Novu__ApiKey and
# Novu__BaseUrl point at a real Novu), the worker, the ingest API and the admin process (admin API + console).
# Ctrl-C stops everything.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

AMQP_PORT=${AMQP_PORT:-5672}
MANAGEMENT_PORT=${MANAGEMENT_PORT:-15672}
INGEST_PORT=${INGEST_PORT:-8080}
WORKER_PORT=${WORKER_PORT:-8081}
STANDIN_PORT=${STANDIN_PORT:-4000}
ADMIN_PORT=${ADMIN_PORT:-8090}
state="$root/.run"
node="snw-$AMQP_PORT" # one node per port, so two stacks on different ports can run side by side
# The node runs as the rabbitmq user, which must be able to reach its data: not under a checkout in /root or in a
# mktemp directory (mode 700), where it failed with "can't cd to .../.run/snw-5672". So its data live in the temp dir.
node_dir="${TMPDIR:-/tmp}/segment-novu-$node"
mkdir -p "$state"

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo; echo "Stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${started_node:-}" ]; then deploy/local/rabbitmq-node.sh stop "$node" "$node_dir"; fi
}
trap stop_all INT TERM EXIT

wait_http() { # url name
  for _ in $(seq 1 150); do
    if curl -sf --max-time 2 "$1" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "$2 did not become ready at $1; see $state/$2.log" >&2
  exit 1
}

if curl -sf --max-time 2 -u guest:guest "http://127.0.0.1:$MANAGEMENT_PORT/api/overview" >/dev/null 2>&1; then
  echo "Using the RabbitMQ already running on 127.0.0.1:$AMQP_PORT"
else
  echo "Starting RabbitMQ on 127.0.0.1:$AMQP_PORT..."
  deploy/local/rabbitmq-node.sh start "$node" "$AMQP_PORT" "$MANAGEMENT_PORT" "$node_dir"
  started_node=1
fi
export ConnectionStrings__RabbitMq="${ConnectionStrings__RabbitMq:-amqp://guest:guest@127.0.0.1:$AMQP_PORT/}"
# A local trial: without Segment__SharedSecret and Segment__WriteKeys__0 the ingest would refuse to start (closed by
# default), so this script opens it explicitly; it logs a loud warning saying so. Set both to try it closed.
if [ -z "${Segment__SharedSecret:-}" ] || [ -z "${Segment__WriteKeys__0:-}${Segment__ClientWriteKeys__0:-}" ]; then
  export Ingest__AllowUnauthenticated="${Ingest__AllowUnauthenticated:-true}"
fi
open_note=""
if [ "${Ingest__AllowUnauthenticated:-false}" = "true" ]; then
  open_note="OPEN (Ingest__AllowUnauthenticated=true): unsigned webhooks and any write key are accepted"
fi

echo "Building..."
dotnet build SegmentNovuWorker.sln --configuration Release --nologo -v quiet >"$state/build.log" 2>&1 || { cat "$state/build.log"; exit 1; }
bin() { echo "src/$1/bin/Release/net10.0/$1.dll"; }

if [ -z "${Novu__ApiKey:-}" ] || [ -z "${Novu__BaseUrl:-}" ]; then
  export Novu__BaseUrl="http://127.0.0.1:$STANDIN_PORT" Novu__ApiKey="sandbox-api-key"
  # The stand-in's Novu environment has the workflow the sample mapping names (User Registered → welcome), active, so
  # 'segment-novu doctor' passes; a trigger to any other is answered 422 workflow_not_found, as Novu does.
  (cd src/SegmentNovuWorker.NovuStandIn && StandIn__ApiKey="$Novu__ApiKey" StandIn__Workflows__0="${StandIn__Workflows__0:-welcome}" exec dotnet "$root/$(bin SegmentNovuWorker.NovuStandIn)" \
    --urls "http://127.0.0.1:$STANDIN_PORT") >"$state/novu-standin.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$STANDIN_PORT/health/live" novu-standin
  novu="Novu stand-in  http://127.0.0.1:$STANDIN_PORT  (what it received: curl http://127.0.0.1:$STANDIN_PORT/_standin/requests)"
else
  novu="Novu           $Novu__BaseUrl"
fi

(cd src/SegmentNovuWorker.Worker && exec dotnet "$root/$(bin SegmentNovuWorker.Worker)" --urls "http://127.0.0.1:$WORKER_PORT") >"$state/worker.log" 2>&1 &
pids+=($!)
# An open ingest takes anyone's events: it listens on loopback only. With credentials set it listens on every interface
# (INGEST_HOST overrides either).
if [ "${Ingest__AllowUnauthenticated:-false}" = "true" ]; then ingest_host=${INGEST_HOST:-127.0.0.1}; else ingest_host=${INGEST_HOST:-0.0.0.0}; fi
(cd src/SegmentNovuWorker.Ingest && exec dotnet "$root/$(bin SegmentNovuWorker.Ingest)" --urls "http://$ingest_host:$INGEST_PORT") >"$state/ingest.log" 2>&1 &
pids+=($!)
# The admin key of this trial: made once, kept in a file only this user can read (never printed, never on a command line).
if [ -z "${Admin__ApiKey:-}" ]; then
  [ -s "$state/admin-key" ] || (umask 077 && openssl rand -hex 32 >"$state/admin-key")
  Admin__ApiKey=$(cat "$state/admin-key")
  export Admin__ApiKey
  key_note="key: in $state/admin-key"
else
  key_note="key: \$Admin__ApiKey"
fi
(cd src/SegmentNovuWorker.Admin && Admin__JobsPath="$state/admin-jobs" Admin__WorkerUrls__0="http://127.0.0.1:$WORKER_PORT" \
  RabbitMq__ManagementUrl="http://127.0.0.1:$MANAGEMENT_PORT/" \
  exec dotnet "$root/$(bin SegmentNovuWorker.Admin)" --urls "http://127.0.0.1:$ADMIN_PORT") >"$state/admin.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$WORKER_PORT/health/ready" worker
wait_http "http://127.0.0.1:$INGEST_PORT/health/ready" ingest
wait_http "http://127.0.0.1:$ADMIN_PORT/health/ready" admin

cat <<INFO

SegmentNovuWorker is running.
  Ingest API     http://localhost:$INGEST_PORT/webhooks/segment   (health: /health/ready)
                 $open_note
                 http://localhost:$INGEST_PORT/v1/{identify,track,page,screen,group,alias,batch}   (Segment SDKs' host)
  Worker         http://127.0.0.1:$WORKER_PORT/health/ready
  Admin          http://127.0.0.1:$ADMIN_PORT/console   (dead-letter console; API under /admin; $key_note)
  $novu
  RabbitMQ       amqp://127.0.0.1:$AMQP_PORT   management UI http://127.0.0.1:$MANAGEMENT_PORT (guest/guest)
  Logs           $state/*.log

Send Segment's sample events:
  curl -X POST localhost:$INGEST_PORT/webhooks/segment -H 'content-type: application/json' -d @deploy/samples/identify.json
  curl -X POST localhost:$INGEST_PORT/webhooks/segment -H 'content-type: application/json' -d @deploy/samples/track.json
  curl -X POST localhost:$INGEST_PORT/v1/batch -u 'any-write-key:' -H 'content-type: application/json' -d @deploy/samples/batch.json

Ctrl-C stops everything.
INFO

tail -n 0 -F "$state/worker.log" "$state/ingest.log" "$state/admin.log" &
pids+=($!)
wait "${pids[0]}"
