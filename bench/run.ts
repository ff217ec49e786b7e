// `npm run bench`: runs every benchmark, prints the numbers and writes them to bench/results/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLogBench } from './log.bench.js';

const resultsDir = path.join(import.meta.dirname, 'results');
fs.mkdirSync(resultsDir, { recursive: true });

const machine = { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memGiB: Math.round(os.totalmem() / 2 ** 30) };
const log = await runLogBench();
const report = { benchmark: 'log', date: new Date().toISOString(), machine, results: log };
console.table(log);
fs.writeFileSync(path.join(resultsDir, 'log.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`written to ${path.join(resultsDir, 'log.json')}`);
