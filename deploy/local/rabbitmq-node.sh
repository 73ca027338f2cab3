#!/usr/bin/env bash
# Starts or stops a private RabbitMQ node on loopback, from Debian's rabbitmq-server package, for the local
# run and for tests on machines without a Docker engine. Installs the package when it is missing.
#
#   rabbitmq-node.sh start NAME AMQP_PORT MANAGEMENT_PORT DATA_DIR   # returns once the node accepts connections
#   rabbitmq-node.sh stop  NAME DATA_DIR [--purge]                  # --purge also deletes DATA_DIR
#   rabbitmq-node.sh ctl   NAME DATA_DIR COMMAND...                  # rabbitmqctl against the node (stop_app, start_app)
#   rabbitmq-node.sh install                                         # just make sure the package is there
#   rabbitmq-node.sh kill  NAME DATA_DIR                            # kill -9 the node (a crash, not a stop)
#   rabbitmq-node.sh ctl   NAME DATA_DIR TOOL ARGS...               # e.g. ctl n1 DIR rabbitmqctl cluster_status
#
# RABBITMQ_NODE_EXTRA_CONF: more rabbitmq.conf lines for start (the cluster script sets cluster_partition_handling).
# Every node started here runs as the rabbitmq user with its HOME, so all of them share one Erlang cookie and can be
# clustered (deploy/local/rabbitmq-cluster.sh).
#
# The node runs as the `rabbitmq` user (Debian's scripts expect that), so DATA_DIR is handed to that user.
set -euo pipefail

RABBIT_BIN=/usr/lib/rabbitmq/bin

install_server() {
  if [ -x "$RABBIT_BIN/rabbitmq-server" ]; then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    echo "rabbitmq-server is not installed and this user cannot install it: run 'sudo apt-get install -y rabbitmq-server'." >&2
    exit 1
  fi
  echo "Installing rabbitmq-server (Debian package)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  local log
  log=$(mktemp)
  if ! { apt-get update -qq && apt-get install -y -qq rabbitmq-server; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "Installing rabbitmq-server failed (output above)." >&2
    exit 1
  fi
  rm -f "$log"
  # The package may start a system node on 5672; this project runs its own nodes.
  if command -v service >/dev/null 2>&1; then service rabbitmq-server stop >/dev/null 2>&1 || true; fi
}

# Runs a RabbitMQ command as the rabbitmq user with the node's environment.
as_rabbitmq() {
  local env="HOME=/var/lib/rabbitmq RABBITMQ_NODENAME=$NODE RABBITMQ_MNESIA_BASE=$DIR/mnesia RABBITMQ_LOG_BASE=$DIR/log \
RABBITMQ_ENABLED_PLUGINS_FILE=$DIR/enabled_plugins RABBITMQ_CONFIG_FILE=$DIR/rabbitmq RABBITMQ_PID_FILE=$DIR/node.pid ${EXTRA_ENV:-}"
  if [ "$(id -u)" = 0 ]; then
    su rabbitmq -s /bin/sh -c "cd '$DIR' && env $env $*"
  else
    (cd "$DIR" && env $env "$@")
  fi
}

cmd=${1:-}
case "$cmd" in
  install)
    install_server
    ;;
  start)
    [ $# -eq 5 ] || { echo "usage: $0 start NAME AMQP_PORT MANAGEMENT_PORT DATA_DIR" >&2; exit 2; }
    NODE="$2@localhost"; AMQP_PORT=$3; MGMT_PORT=$4; DIR=$5
    install_server
    mkdir -p "$DIR/mnesia" "$DIR/log"
    echo "[rabbitmq_management]." > "$DIR/enabled_plugins"
    cat > "$DIR/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
loopback_users.guest = true
vm_memory_high_watermark.relative = 0.2
disk_free_limit.absolute = 50MB
${RABBITMQ_NODE_EXTRA_CONF:-}
CONF
    if [ "$(id -u)" = 0 ]; then chown -R rabbitmq:rabbitmq "$DIR"; fi
    # Erlang distribution port: keep it away from the defaults so several nodes can run side by side.
    EXTRA_ENV="RABBITMQ_NODE_PORT=$AMQP_PORT RABBITMQ_DIST_PORT=$((AMQP_PORT + 20000))"
    as_rabbitmq "$RABBIT_BIN/rabbitmq-server" -detached
    # Ready once the management API answers (it starts after the AMQP listener); a minute at most. A node that
    # could not take its ports halts: give up as soon as its process is gone.
    for i in $(seq 1 300); do
      if curl -sf --max-time 2 -u guest:guest "http://127.0.0.1:$MGMT_PORT/api/overview" >/dev/null 2>&1; then
        # At-least-once dead-lettering (the partition and wait queues) needs the stream_queue feature flag; a node whose
        # data dates from before 3.9 has it off. Enabling every flag is a no-op on a fresh node.
        as_rabbitmq "$RABBIT_BIN/rabbitmqctl" -q -n "$NODE" enable_feature_flag all >/dev/null 2>&1 || true
        exit 0
      fi
      if [ "$i" -gt 25 ] && [ -f "$DIR/node.pid" ] && ! kill -0 "$(cat "$DIR/node.pid")" 2>/dev/null; then break; fi
      if grep -qs eaddrinuse "$DIR"/log/*.log; then break; fi # a port was taken meanwhile; the caller may try others
      sleep 0.2
    done
    echo "RabbitMQ node $NODE did not start; its log:" >&2
    tail -n 40 "$DIR"/log/*.log >&2 || true
    exit 1
    ;;
  stop)
    [ $# -ge 3 ] || { echo "usage: $0 stop NAME DATA_DIR [--purge]" >&2; exit 2; }
    NODE="$2@localhost"; DIR=$3
    as_rabbitmq "$RABBIT_BIN/rabbitmqctl" -q -n "$NODE" stop >/dev/null 2>&1 || true
    # A node that never came up may still have its process: make sure nothing of it is left.
    if [ -f "$DIR/node.pid" ]; then kill "$(cat "$DIR/node.pid")" 2>/dev/null || true; fi
    if [ "${4:-}" = "--purge" ]; then rm -rf "$DIR"; fi
    ;;
  kill)
    [ $# -eq 3 ] || { echo "usage: $0 kill NAME DATA_DIR" >&2; exit 2; }
    NODE="$2@localhost"; DIR=$3
    if [ -f "$DIR/node.pid" ]; then kill -9 "$(cat "$DIR/node.pid")" 2>/dev/null || true; fi
    ;;
  ctl)
    [ $# -ge 4 ] || { echo "usage: $0 ctl NAME DATA_DIR TOOL ARGS..." >&2; exit 2; }
    NODE="$2@localhost"; DIR=$3; tool=$4; shift 4
    as_rabbitmq "$RABBIT_BIN/$tool" -q -n "$NODE" "$@"
    ;;
  *)
    echo "usage: $0 install | start NAME AMQP_PORT MANAGEMENT_PORT DATA_DIR | stop NAME DATA_DIR [--purge] | kill NAME DATA_DIR | ctl NAME DATA_DIR TOOL ARGS..." >&2
    exit 2
    ;;
esac
