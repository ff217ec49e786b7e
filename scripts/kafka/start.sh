#!/usr/bin/env bash
# Starts Apache Kafka (KRaft, every node broker + controller) on 127.0.0.1 on free ports, for
# KafkaLog's tests and benchmarks. The broker comes from Maven Central (cached in .kafka/lib after
# the first run). Waits until every node answers; the last line printed is
#   KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:<port>[,127.0.0.1:<port>…]
# and the same line is written to <run folder>/bootstrap.env. Exits non-zero if a node does not start.
#
#   start.sh               one node in .kafka/run (replication factor 1)
#   start.sh --brokers 3   three nodes in .kafka/run-cluster, for replication tests: topics are
#                          replicated 3 times by default, min.insync.replicas=2
#   start.sh --brokers 3 --restart-node N
#                          starts node N of that cluster again (after a test killed it), with its
#                          data, and waits until it answers
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
home="$root/.kafka"
lib="$home/lib"
pom="$root/scripts/kafka/pom.xml"

nodes=1
restart=""
while [ $# -gt 0 ]; do
  case "$1" in
    --brokers) nodes="${2:-}"; shift 2 ;;
    --restart-node) restart="${2:-}"; shift 2 ;;
    *) echo "unknown option $1 (use --brokers 1 or --brokers 3, and --restart-node N)" >&2; exit 2 ;;
  esac
done
case "$nodes" in
  1) run="$home/run"; replication=1; min_isr=1; heap=1g ;;
  3) run="$home/run-cluster"; replication=3; min_isr=2; heap=512m ;;
  *) echo "--brokers must be 1 or 3, got '$nodes'" >&2; exit 2 ;;
esac
java_opts=(-Xms256m "-Xmx$heap" -Dlog4j2.configurationFile="$root/scripts/kafka/log4j2.properties")

# Starts node $1 from its folder in $run (server.properties written below) in the background.
launch() {
  local dir="$run/node-$1"
  nohup java -cp "$lib/*" "${java_opts[@]}" -Dkafka.logs.dir="$dir/logs" kafka.Kafka "$dir/server.properties" >>"$dir/logs/stdout.log" 2>&1 &
  echo $! >"$run/kafka-$1.pid"
}

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ -n "$restart" ]; then
  dir="$run/node-$restart"
  [ -f "$dir/server.properties" ] || { echo "no node $restart in $run to restart" >&2; exit 2; }
  if kill -0 "$(cat "$run/kafka-$restart.pid" 2>/dev/null)" 2>/dev/null; then echo "node $restart is running" >&2; exit 2; fi
  port="$(sed -n 's/^listeners=PLAINTEXT:\/\/127.0.0.1:\([0-9]*\),.*/\1/p' "$dir/server.properties")"
  launch "$restart"
  for _ in $(seq 1 120); do
    kill -0 "$(cat "$run/kafka-$restart.pid")" 2>/dev/null || { echo "node $restart exited while starting again" >&2; tail -n 50 "$dir/logs/stdout.log" >&2; exit 1; }
    # The old process is gone, so whoever listens on the port is the new one.
    if answers "$port"; then
      echo "node $restart answers on 127.0.0.1:$port"
      exit 0
    fi
    sleep 0.5
  done
  echo "node $restart did not start again within 60 s" >&2
  exit 1
fi

running=0
for pidfile in "$run"/kafka-*.pid; do
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && running=1
done
if [ "$running" = 1 ]; then
  echo "Kafka started by this script is already running in $run" >&2
  tail -n 1 "$run/bootstrap.env"
  exit 0
fi

stamp="$(sha1sum "$pom" | cut -c1-12)"
if [ ! -f "$lib/.complete-$stamp" ]; then
  echo "fetching the Kafka broker from Maven Central into $lib ..." >&2
  rm -rf "$lib"
  mvn -q -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$lib" >&2
  touch "$lib/.complete-$stamp"
fi

rm -rf "$run"
mkdir -p "$run"
# Two free ports per node: the broker listener and the controller listener.
read -r -a ports < <(node -e '
  const net = require("node:net");
  const free = () => new Promise((resolve) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); }); });
  Promise.all(Array.from({ length: 2 * Number(process.argv[1]) }, free)).then((p) => console.log(p.join(" ")));' "$nodes")

voters=""
bootstrap=""
for i in $(seq 1 "$nodes"); do
  voters="${voters:+$voters,}$i@127.0.0.1:${ports[$((2 * i - 1))]}"
  bootstrap="${bootstrap:+$bootstrap,}127.0.0.1:${ports[$((2 * i - 2))]}"
done

cluster_id="$(java -cp "$lib/*" "${java_opts[@]}" -Dkafka.logs.dir="$run" kafka.tools.StorageTool random-uuid)"

for i in $(seq 1 "$nodes"); do
  dir="$run/node-$i"
  mkdir -p "$dir/data" "$dir/logs"
  broker_port="${ports[$((2 * i - 2))]}"
  controller_port="${ports[$((2 * i - 1))]}"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:${broker_port},CONTROLLER://127.0.0.1:${controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:${broker_port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=1
default.replication.factor=$replication
offsets.topic.replication.factor=$replication
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=$replication
transaction.state.log.min.isr=$min_isr
transaction.state.log.num.partitions=8
min.insync.replicas=$min_isr
group.initial.rebalance.delay.ms=0
# Tests kill members with SIGKILL; short sessions let the group notice within seconds.
group.min.session.timeout.ms=1000
auto.create.topics.enable=false
PROPS
  java -cp "$lib/*" "${java_opts[@]}" -Dkafka.logs.dir="$dir/logs" kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" >"$dir/logs/format.log" 2>&1 \
    || { cat "$dir/logs/format.log" >&2; exit 1; }
  launch "$i"
done

for _ in $(seq 1 120); do
  ready=1
  for i in $(seq 1 "$nodes"); do
    dir="$run/node-$i"
    if ! kill -0 "$(cat "$run/kafka-$i.pid")" 2>/dev/null; then
      echo "Kafka node $i exited during start-up; its output:" >&2
      tail -n 50 "$dir/logs/stdout.log" "$dir/logs/server.log" >&2 || true
      bash "$root/scripts/kafka/stop.sh" $([ "$nodes" = 3 ] && echo --brokers 3) >&2 || true
      exit 1
    fi
    grep -q "Kafka Server started" "$dir/logs/stdout.log" "$dir/logs/server.log" 2>/dev/null || answers "${ports[$((2 * i - 2))]}" || ready=0
  done
  if [ "$ready" = 1 ]; then
    echo "KAFKA_BOOTSTRAP_SERVERS=$bootstrap" >"$run/bootstrap.env"
    echo "KAFKA_BOOTSTRAP_SERVERS=$bootstrap"
    exit 0
  fi
  sleep 0.5
done
echo "Kafka did not answer on $bootstrap within 60 s" >&2
bash "$root/scripts/kafka/stop.sh" $([ "$nodes" = 3 ] && echo --brokers 3) >&2 || true
exit 1
