#!/usr/bin/env bash
# Stops the broker started by scripts/kafka/start.sh (and waits for it to exit).
set -euo pipefail
run="$(cd "$(dirname "$0")/../.." && pwd)/.kafka/run"
[ -f "$run/kafka.pid" ] || { echo "no broker started by start.sh is running"; exit 0; }
pid="$(cat "$run/kafka.pid")"
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
fi
rm -f "$run/kafka.pid"
echo "stopped"
