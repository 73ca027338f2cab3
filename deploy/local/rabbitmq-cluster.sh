#!/usr/bin/env bash
# A 3-node RabbitMQ cluster on loopback from Debian's rabbitmq-server (each node its own name, ports and data dir,
# one shared Erlang cookie; see rabbitmq-node.sh), and the node failures the services must survive.
#
#   rabbitmq-cluster.sh start   [DIR]     # nodes snw-c1..3: AMQP 12171-12173, management 12181-12183
#   rabbitmq-cluster.sh stop    [DIR]     # stops every node and deletes DIR
#   rabbitmq-cluster.sh kill    N [DIR]   # kill -9 node N
#   rabbitmq-cluster.sh restart N [DIR]   # starts node N again on its data; it rejoins by itself
#   rabbitmq-cluster.sh wipe    N [DIR]   # node N lost its disk: kill -9, delete its data, forget it, rejoin empty, grow
#   rabbitmq-cluster.sh leaders   [DIR]   # how many partition queues each node leads
#   rabbitmq-cluster.sh rebalance [DIR]   # spreads the quorum queues' leaders over the nodes
#   rabbitmq-cluster.sh hosts             # the RabbitMq__Hosts__N environment the services need
#
# CLUSTER_BASE_PORT moves the ports (AMQP BASE+N, management BASE+10+N, Erlang distribution AMQP+20000). The default
# keeps all of them (12171-12193 with the drill's services, 32171-32173) below Linux's ephemeral range (32768-60999):
# a port in that range can be the local end of any outgoing connection, and a listener that finds it taken exits.
# deploy/local/cluster-drill.sh runs the services against this cluster while nodes fail, and measures.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
node_sh="$here/rabbitmq-node.sh"
BASE=${CLUSTER_BASE_PORT:-12170}
NODES=(1 2 3)

name() { echo "snw-c$1"; }
amqp_port() { echo $((BASE + $1)); }
mgmt_port() { echo $((BASE + 10 + $1)); }
dir_of() { echo "$DIR/$(name "$1")"; }
ctl() { local n=$1; shift; "$node_sh" ctl "$(name "$n")" "$(dir_of "$n")" "$@"; }

# A network partition on a 3-node cluster: the minority pauses instead of diverging (RabbitMQ's advice for 3+ nodes).
export RABBITMQ_NODE_EXTRA_CONF="cluster_partition_handling = pause_minority"

start_node() { "$node_sh" start "$(name "$1")" "$(amqp_port "$1")" "$(mgmt_port "$1")" "$(dir_of "$1")"; }

join() { # node N joins node 1's cluster (or, when 1 is the one joining, node 2's)
  local n=$1 seed=1
  [ "$n" = 1 ] && seed=2
  ctl "$n" rabbitmqctl stop_app
  ctl "$n" rabbitmqctl join_cluster "$(name "$seed")@localhost"
  ctl "$n" rabbitmqctl start_app
}

live_node() { # any node whose management API answers
  for n in "${NODES[@]}"; do
    if curl -sf --max-time 2 -u guest:guest "http://127.0.0.1:$(mgmt_port "$n")/api/overview" >/dev/null 2>&1; then echo "$n"; return 0; fi
  done
  return 1
}

cmd=${1:-}
case "$cmd" in
  start)
    DIR=${2:-/tmp/snw-cluster}
    for n in "${NODES[@]}"; do start_node "$n"; done
    for n in 2 3; do join "$n"; done
    ctl 1 rabbitmqctl cluster_status | grep -A4 -i "running nodes" || true
    ;;
  stop)
    DIR=${2:-/tmp/snw-cluster}
    for n in "${NODES[@]}"; do "$node_sh" stop "$(name "$n")" "$(dir_of "$n")" || true; done
    rm -rf "$DIR"
    ;;
  kill)
    DIR=${3:-/tmp/snw-cluster}
    "$node_sh" kill "$(name "$2")" "$(dir_of "$2")"
    ;;
  restart)
    DIR=${3:-/tmp/snw-cluster}
    start_node "$2"
    ;;
  wipe)
    n=$2; DIR=${3:-/tmp/snw-cluster}
    "$node_sh" kill "$(name "$n")" "$(dir_of "$n")"
    sleep 1
    rm -rf "$(dir_of "$n")/mnesia"
    other=$(live_node) || { echo "no node left to forget $(name "$n") on" >&2; exit 1; }
    # The cluster still counts the lost node as a member (of the cluster and of every quorum queue): forget it, so
    # the empty node can join again, then give every quorum queue its third replica back on it.
    ctl "$other" rabbitmqctl forget_cluster_node "$(name "$n")@localhost"
    start_node "$n"
    join "$n"
    ctl "$n" rabbitmq-queues grow "$(name "$n")@localhost" all >/dev/null
    ;;
  leaders)
    DIR=${2:-/tmp/snw-cluster}
    n=$(live_node) || { echo "no node answers" >&2; exit 1; }
    curl -sf -u guest:guest "http://127.0.0.1:$(mgmt_port "$n")/api/queues?columns=name,leader,type" |
      jq -r '[.[] | select(.name | test("^segment-events-[0-9]+$")) | .leader] | group_by(.) | map("\(.[0]) \(length)") | .[]'
    ;;
  rebalance)
    DIR=${2:-/tmp/snw-cluster}
    ctl "$(live_node)" rabbitmq-queues rebalance quorum
    ;;
  hosts)
    i=0
    for n in "${NODES[@]}"; do echo "RabbitMq__Hosts__$i=127.0.0.1:$(amqp_port "$n")"; i=$((i + 1)); done
    ;;
  *)
    sed -n '2,15p' "$0" >&2
    exit 2
    ;;
esac
