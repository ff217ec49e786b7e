// `npm run bench`: runs every benchmark, prints the numbers and writes them to bench/results/.
// `npm run bench -- log`, `-- streams`, `-- stateful`, `-- joins` or `-- kafka` (starts a broker unless KAFKA_BOOTSTRAP_SERVERS is set) runs one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runJoinBench } from './joins.bench.js';
import { runKafkaBench } from './kafka.bench.js';
import { runLogBench } from './log.bench.js';
import { runStatefulBench } from './stateful.bench.js';
import { runStreamsBench } from './streams.bench.js';

const resultsDir = path.join(import.meta.dirname, 'results');
fs.mkdirSync(resultsDir, { recursive: true });
const machine = { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memGiB: Math.round(os.totalmem() / 2 ** 30) };
const benches: Record<string, () => Promise<Record<string, number | string>>> = { log: runLogBench, streams: runStreamsBench, stateful: runStatefulBench, joins: runJoinBench, kafka: runKafkaBench };
const only = process.argv[2];

for (const [name, run] of Object.entries(benches)) {
  if (only !== undefined && only !== name) continue;
  const results = await run();
  console.log(`\n${name}`);
  console.table(results);
  const file = path.join(resultsDir, `${name}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ benchmark: name, date: new Date().toISOString(), machine, results }, null, 2)}\n`);
  console.log(`written to ${path.relative(process.cwd(), file)}`);
}
