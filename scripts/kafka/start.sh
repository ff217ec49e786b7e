#!/usr/bin/env bash
# Starts a single-node Apache Kafka broker (KRaft, combined broker+controller) on 127.0.0.1 on
# free ports, for KafkaLog's tests and benchmarks. The broker comes from Maven Central (cached in
# .kafka/lib after the first run). Waits until it answers; the last line printed is
#   KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:<port>
# and the same line is written to .kafka/run/bootstrap.env. Exits non-zero if the broker does not start.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
home="$root/.kafka"
lib="$home/lib"
run="$home/run"
pom="$root/scripts/kafka/pom.xml"

if [ -f "$run/kafka.pid" ] && kill -0 "$(cat "$run/kafka.pid")" 2>/dev/null; then
  echo "a broker started by this script is already running (pid $(cat "$run/kafka.pid"))" >&2
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
mkdir -p "$run/data" "$run/logs"
read -r broker_port controller_port < <(node -e '
  const net = require("node:net");
  const free = () => new Promise((resolve) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); }); });
  Promise.all([free(), free()]).then(([a, b]) => console.log(a, b));')

cat > "$run/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controller_port}
listeners=PLAINTEXT://127.0.0.1:${broker_port},CONTROLLER://127.0.0.1:${controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:${broker_port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$run/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=8
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
# Tests kill members with SIGKILL; short sessions let the group notice within seconds.
group.min.session.timeout.ms=1000
auto.create.topics.enable=false
PROPS

java_opts=(-Xms256m -Xmx1g -Dlog4j2.configurationFile="$root/scripts/kafka/log4j2.properties" -Dkafka.logs.dir="$run/logs")
cluster_id="$(java -cp "$lib/*" "${java_opts[@]}" kafka.tools.StorageTool random-uuid)"
java -cp "$lib/*" "${java_opts[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$run/server.properties" >"$run/logs/format.log" 2>&1 \
  || { cat "$run/logs/format.log" >&2; exit 1; }

nohup java -cp "$lib/*" "${java_opts[@]}" kafka.Kafka "$run/server.properties" >"$run/logs/stdout.log" 2>&1 &
echo $! >"$run/kafka.pid"

for _ in $(seq 1 120); do
  if ! kill -0 "$(cat "$run/kafka.pid")" 2>/dev/null; then
    echo "the Kafka broker exited during start-up; its output:" >&2
    tail -n 50 "$run/logs/stdout.log" "$run/logs/server.log" >&2 || true
    exit 1
  fi
  if grep -q "Kafka Server started" "$run/logs/stdout.log" "$run/logs/server.log" 2>/dev/null \
     || (exec 3<>"/dev/tcp/127.0.0.1/$broker_port") 2>/dev/null; then
    echo "KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:${broker_port}" >"$run/bootstrap.env"
    echo "KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:${broker_port}"
    exit 0
  fi
  sleep 0.5
done
echo "the Kafka broker did not answer on 127.0.0.1:${broker_port} within 60 s" >&2
kill "$(cat "$run/kafka.pid")" 2>/dev/null || true
exit 1
