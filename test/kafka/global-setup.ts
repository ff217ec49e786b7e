// Starts the real Kafka broker for test/kafka (scripts/kafka/start.sh) unless one is given in
// KAFKA_BOOTSTRAP_SERVERS, and stops it afterwards. If the broker cannot start, the run fails.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
let started = false;

export function setup(): void {
  if (process.env.KAFKA_BOOTSTRAP_SERVERS) return;
  const out = execFileSync('bash', [path.join(root, 'scripts/kafka/start.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000 });
  const line = out.trim().split('\n').pop() ?? '';
  const match = /^KAFKA_BOOTSTRAP_SERVERS=(.+)$/.exec(line);
  if (!match) throw new Error(`scripts/kafka/start.sh did not print the bootstrap servers; it printed: ${out}`);
  process.env.KAFKA_BOOTSTRAP_SERVERS = match[1];
  started = true;
}

export function teardown(): void {
  if (started) execFileSync('bash', [path.join(root, 'scripts/kafka/stop.sh')], { stdio: 'inherit' });
}
