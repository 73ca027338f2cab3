#!/usr/bin/env bash
# Node failures under load, measured. Starts a 3-node RabbitMQ cluster on loopback (rabbitmq-cluster.sh), the Novu
# stand-in, the worker and the ingest API (real processes, built from this tree, connected through RabbitMq:Hosts), and
# for each scenario posts EVENTS track events of 1000 users and, while their backlog drains, breaks a node:
#
#   leader   kill -9 the node that leads the most partition queues (apart from the services' own node, which the
#            third scenario kills), restart it 15 s later
#   disk     the same node loses its disk: kill -9, data deleted, forgotten, rejoined empty, replicas grown back
#   services kill -9 the node the worker is connected to, restart it 15 s later
#
# Each scenario prints sent (accepted by the ingest), delivered (distinct Novu notifications), lost, doubled
# (notifications of one event more than once), repeats (trigger calls Novu deduplicated by transactionId: at-least-once
# redeliveries), and when the last event arrived, counted from the node's return (negative: before it came back).
#
#   deploy/local/cluster-drill.sh [EVENTS] [SCENARIOS...]      # default: 6000 leader disk services
#
# Exits 1 when a scenario lost or doubled an event, or did not drain within DRILL_DEADLINE_SECONDS (120) of the node's
# return. Needs rabbitmq-server (installed when missing, as root), jq, curl and the .NET SDK. Leaves nothing running.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cluster=deploy/local/rabbitmq-cluster.sh
EVENTS=${1:-6000}
shift || true
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(leader disk services)
DIR=${DRILL_DIR:-/tmp/snw-drill}
BASE=${CLUSTER_BASE_PORT:-12170} # below the ephemeral ports: rabbitmq-cluster.sh
export CLUSTER_BASE_PORT=$BASE
STANDIN_PORT=$((BASE + 20)) WORKER_PORT=$((BASE + 21)) INGEST_PORT=$((BASE + 22)) ADMIN_PORT=$((BASE + 23))
DOWN_SECONDS=${DRILL_DOWN_SECONDS:-15}
DEADLINE_SECONDS=${DRILL_DEADLINE_SECONDS:-120} # after the node's return
mkdir -p "$DIR"

pids=()
finish() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$cluster" stop "$DIR/cluster" >/dev/null 2>&1 || true
}
trap finish INT TERM EXIT

deploy/local/rabbitmq-node.sh install
if [ "${DRILL_NO_BUILD:-}" != 1 ]; then # deploy/test.sh has just built everything
  echo "Building..."
  dotnet build SegmentNovuWorker.sln -c Release --nologo -v quiet >"$DIR/build.log" 2>&1 || { tail -30 "$DIR/build.log"; exit 1; }
fi
echo "Starting a 3-node cluster..."
"$cluster" stop "$DIR/cluster" >/dev/null 2>&1 || true
"$cluster" start "$DIR/cluster" >"$DIR/cluster.log" 2>&1 || { cat "$DIR/cluster.log"; exit 1; }

export ConnectionStrings__RabbitMq="amqp://guest:guest@127.0.0.1:$((BASE + 1))/"
while read -r line; do export "${line?}"; done < <("$cluster" hosts)
export Novu__ApiKey=drill-key StandIn__ApiKey=drill-key Novu__BaseUrl="http://127.0.0.1:$STANDIN_PORT" Novu__Workflows__Drill=welcome
# Novu's rate limits off. While the events are posted and the node is down, each
# trigger takes SLOW (a backlog builds up and drains slowly, messages are in flight when the node dies); from the node's
# return, FAST: the time to drain is then the cluster's and the services' recovery, not the stand-in's pace.
SLOW=${DRILL_SLOW_TRIGGER:-00:00:02} FAST=${DRILL_FAST_TRIGGER:-00:00:00.010}
export StandIn__TriggerRatePerSecond=100000 StandIn__SubscriberRatePerSecond=100000
export Ingest__AllowUnauthenticated=true Ingest__RateLimit__PermitLimit=100000 Ingest__RateLimit__UnauthenticatedPermitLimit=100000
export Admin__Urls="http://127.0.0.1:$ADMIN_PORT" Logging__LogLevel__Default=Warning

run() { # name project port
  (cd "src/$2" && exec dotnet "$root/src/$2/bin/Release/net10.0/$2.dll" --urls "http://127.0.0.1:$3") >"$DIR/$1.log" 2>&1 &
  pids+=($!)
}
wait_http() { # url; on failure the services' last lines, since deploy/test.sh deletes $DIR afterwards
  for _ in $(seq 1 300); do curl -sf --max-time 2 "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "$1 never answered" >&2
  for log in "$DIR"/standin.log "$DIR"/worker.log "$DIR"/ingest.log; do [ -f "$log" ] && { echo "== $log" >&2; tail -15 "$log" >&2; }; done
  exit 1
}
run standin SegmentNovuWorker.NovuStandIn "$STANDIN_PORT"
wait_http "http://127.0.0.1:$STANDIN_PORT/health/live"
run worker SegmentNovuWorker.Worker "$WORKER_PORT"
wait_http "http://127.0.0.1:$WORKER_PORT/health/ready"
run ingest SegmentNovuWorker.Ingest "$INGEST_PORT"
wait_http "http://127.0.0.1:$INGEST_PORT/health/ready"

mgmt() { # path: from whichever node answers
  for n in 1 2 3; do
    if out=$(curl -sf --max-time 5 -u guest:guest "http://127.0.0.1:$((BASE + 10 + n))/api/$1" 2>/dev/null); then echo "$out"; return 0; fi
  done
  return 1
}
node_number() { sed -E 's/^snw-c([0-9]+)@.*/\1/'; }
services_node() { # the node the worker's bus is connected to. The management API lists a connection only once the node
  # it is on has reported it, and a node that answers slowly is left out of the list: ask again until the worker's shows.
  local n
  for _ in $(seq 1 60); do
    n=$(mgmt "connections?columns=user_provided_name,node" | jq -r '[.[] | select((.user_provided_name // "") | startswith("segment-novu-worker@"))][0].node // empty' | node_number)
    if [[ "$n" =~ ^[0-9]+$ ]]; then echo "$n"; return 0; fi
    sleep 0.5
  done
  echo "the management API lists no connection of the worker's bus (segment-novu-worker@…) after 30 s" >&2
  return 1
}
leader_node() { # the node leading the most partition queues, other than the services' node
  local skip
  skip=$(services_node)
  mgmt "queues?columns=name,leader" | jq -r '[.[] | select(.name | test("^segment-events-[0-9]+$")) | .leader] | group_by(.) | sort_by(-length) | .[][0]' |
    node_number | grep -vx "$skip" | head -1 || true
}
delivered() { curl -sf "http://127.0.0.1:$STANDIN_PORT/_standin/notifications" | jq --arg p "$1-" '[.[] | select(.transactionId | startswith($p)) | .transactionId] | [length, (unique | length)] | @tsv' -r; }
repeats() {
  curl -sf "http://127.0.0.1:$STANDIN_PORT/_standin/requests" |
    jq --arg p "$1-" -r '[.[] | select(.path == "/v1/events/trigger") | (.body | fromjson? | .transactionId // "") | select(startswith($p))] | length - (unique | length)'
}

trigger_delay() { curl -sf -X POST "http://127.0.0.1:$STANDIN_PORT/_standin/delays" -H 'content-type: application/json' -d "{\"triggers\":\"$1\"}" >/dev/null; }

post_batch() { # prefix start: one webhook of up to 100 tracks; prints how many the ingest accepted
  jq -nc --arg p "$1" --argjson s "$2" --argjson n "$EVENTS" \
    '[range($s; [$s + 100, $n] | min) | {type: "track", messageId: "\($p)-\(.)", userId: "drill-user-\(. % 1000)", event: "Drill", timestamp: "2026-12-01T00:00:00.000Z"}]' |
    curl -s --max-time 60 -X POST "http://127.0.0.1:$INGEST_PORT/webhooks/segment" -H 'content-type: application/json' --data-binary @- |
    jq -r '.accepted // 0' 2>/dev/null || echo 0
}
export -f post_batch
export EVENTS INGEST_PORT

post_events() { # prefix: posts EVENTS tracks in batches of 100, four at a time; prints how many the ingest accepted
  seq 0 100 $((EVENTS - 1)) | xargs -P 4 -I{} bash -c 'post_batch "$0" {}' "$1" | awk '{ s += $1 } END { print s + 0 }'
}

elapsed() { awk -v a="$(date +%s.%N)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }

results=()
failed=0
for scenario in "${SCENARIOS[@]}"; do
  prefix="drill-$scenario-$(date +%s)"
  # The services declared the partition queues through one node, which leads them all, and a failure moves leaders
  # again: spread them before each scenario.
  "$cluster" rebalance "$DIR/cluster" >>"$DIR/cluster.log" 2>&1 || true
  case "$scenario" in
    leader | disk)
      victim=$(leader_node)
      [ -n "$victim" ] || victim=$(( $(services_node) % 3 + 1 )) # every leader on the services' node: take the next one
      ;;
    services) victim=$(services_node) ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
  echo "== $scenario: node snw-c$victim (leaders: $(mgmt 'queues?columns=name,leader' | jq -rc '[.[] | select(.name | test("^segment-events-[0-9]+$")) | .leader | sub("@localhost"; "")] | group_by(.) | map("\(.[0])=\(length)") | join(" ")'))"
  trigger_delay "$SLOW"
  t0=$(date +%s.%N)
  sent=$(post_events "$prefix")
  read -r total unique < <(delivered "$prefix")
  echo "   posted $sent in $(elapsed "$t0") s; $unique delivered so far; breaking snw-c$victim"
  case "$scenario" in
    leader | services)
      "$cluster" kill "$victim" "$DIR/cluster"
      sleep "$DOWN_SECONDS"
      "$cluster" restart "$victim" "$DIR/cluster" >>"$DIR/cluster.log" 2>&1
      ;;
    disk)
      "$cluster" wipe "$victim" "$DIR/cluster" >>"$DIR/cluster.log" 2>&1
      ;;
  esac
  back=$(date +%s.%N)
  trigger_delay "$FAST"
  last=""
  while :; do
    read -r total unique < <(delivered "$prefix")
    now=$(date +%s.%N)
    if [ "$unique" -ge "$sent" ]; then last=$now; break; fi
    if awk -v a="$now" -v b="$back" -v d="$DEADLINE_SECONDS" 'BEGIN { exit !(a - b > d) }'; then break; fi
    sleep 1
  done
  # When the last event arrived before the return, find its time from the notifications themselves.
  last_at=$(curl -sf "http://127.0.0.1:$STANDIN_PORT/_standin/notifications" | jq -r --arg p "$prefix-" '[.[] | select(.transactionId | startswith($p)) | .at] | (max // "1970-01-01T00:00:00+00:00") | sub("\\.[0-9]+"; "") | sub("\\+00:00$"; "Z") | fromdateiso8601')
  drain=$(awk -v a="$last_at" -v b="$back" 'BEGIN { printf "%.0f", a - b }')
  [ -n "$last" ] || drain="not drained after ${DEADLINE_SECONDS} s"
  lost=$((sent - unique))
  doubled=$((total - unique))
  line="$scenario (snw-c$victim): sent $sent, delivered $unique, lost $lost, doubled $doubled, repeats $(repeats "$prefix"), last event ${drain} s after the node's return"
  [ -n "$last" ] || line="$scenario (snw-c$victim): sent $sent, delivered $unique, lost $lost, doubled $doubled, repeats $(repeats "$prefix"), NOT DRAINED ${DEADLINE_SECONDS} s after the node's return"
  echo "   $line"
  if [ -z "$last" ]; then
    mgmt "queues?columns=name,messages,consumers,leader" | jq -r '.[] | select(.messages > 0) | "     \(.name): \(.messages) messages, \(.consumers) consumers, leader \(.leader)"'
  fi
  results+=("$line")
  if [ -z "$last" ] || [ "$lost" != 0 ] || [ "$doubled" != 0 ]; then failed=1; fi
done

echo
echo "Cluster drill, $(date -u +%Y-%m-%d), $EVENTS events per scenario, node down ${DOWN_SECONDS} s:"
printf '  %s\n' "${results[@]}"
exit "$failed"
