#!/usr/bin/env bash
# Stops the Kafka nodes started by scripts/kafka/start.sh (and waits for them to exit).
#   stop.sh               the single node (.kafka/run)
#   stop.sh --brokers 3   the three-node cluster (.kafka/run-cluster)
set -euo pipefail
home="$(cd "$(dirname "$0")/../.." && pwd)/.kafka"
run="$home/run"
[ "${1:-}" = "--brokers" ] && [ "${2:-}" = "3" ] && run="$home/run-cluster"
stopped=0
for pidfile in "$run"/kafka-*.pid; do
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  stopped=$((stopped + 1))
done
if [ "$stopped" = 0 ]; then echo "no Kafka node started by start.sh is running in $run"; else echo "stopped $stopped node(s)"; fi
