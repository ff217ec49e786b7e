// Checks the built package as users load it: `import` (dist/index.js) and `require`
// (dist/index.cjs). Each build runs a small app on an EmbeddedLog on two stream threads, so the
// worker entry of that build starts too, and the output is compared with what the topology must
// write. Then the `tributary` binary (package.json's bin) round-trips records through a log folder,
// and `tributary/rxjs` writes and reads a topic in both builds.
// Run after `npm run build` (.ci/run does); exits non-zero on any difference.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const RECORDS = 2_000;

/** A topology module for the build: upper-cases values of keys that are not "skip". */
function topologyModule(dir, format) {
  const load = format === 'cjs' ? `const t = require(${JSON.stringify(path.join(root, 'dist/index.cjs'))});` : `import * as t from ${JSON.stringify(pathToFileURL(path.join(root, 'dist/index.js')).href)};`;
  const exportAs = format === 'cjs' ? 'exports.upper =' : 'export const upper =';
  const file = path.join(dir, `topology.${format === 'cjs' ? 'cjs' : 'mjs'}`);
  fs.writeFileSync(
    file,
    `${load}
${exportAs} () => {
  const s = t.Serdes.string();
  const builder = new t.StreamsBuilder();
  builder.stream('in', { key: s, value: s }).filter((k) => k !== 'skip').mapValues((_k, v) => v.toUpperCase()).to('out', { key: s, value: s });
  return builder.build();
};
`,
  );
  return pathToFileURL(file);
}

async function check(format, lib) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tributary-package-${format}-`));
  try {
    const log = await lib.EmbeddedLog.open(path.join(dir, 'log'));
    await log.createTopic('in', { partitions: 4 });
    await log.createTopic('out', { partitions: 4 });
    await log.produce(Array.from({ length: RECORDS }, (_, i) => ({ topic: 'in', key: Buffer.from(i % 10 === 0 ? 'skip' : `k${i}`), value: Buffer.from(`v${i}`) })));
    const app = await lib.StreamsApp.fromModule(topologyModule(dir, format), { applicationId: `package-${format}`, log, stateDir: path.join(dir, 'state'), numStreamThreads: 2 }, 'upper');
    await app.start();
    const expected = RECORDS - RECORDS / 10;
    const deadline = Date.now() + 60_000;
    while (app.metrics().processedRecords < RECORDS) {
      if (app.state === 'ERROR') throw app.error;
      if (Date.now() > deadline) throw new Error(`${format}: processed ${app.metrics().processedRecords} of ${RECORDS} in 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await app.close();
    const values = [];
    for (let p = 0; p < 4; p++) {
      for (const r of await log.fetch({ topic: 'out', partition: p, offset: 0, maxRecords: RECORDS })) values.push(r.value.toString());
    }
    await log.close();
    assert.equal(values.length, expected, `${format}: output count`);
    assert.deepEqual(new Set(values), new Set(Array.from({ length: RECORDS }, (_, i) => i).filter((i) => i % 10 !== 0).map((i) => `V${i}`)), `${format}: output values`);
    console.log(`${format}: ${RECORDS} records through two stream threads, ${values.length} out as expected`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const esm = await import(pathToFileURL(path.join(root, 'dist/index.js')).href);
const cjs = createRequire(import.meta.url)(path.join(root, 'dist/index.cjs'));
for (const lib of [esm, cjs]) {
  for (const name of ['StreamsApp', 'EmbeddedLog', 'KafkaLog', 'StreamsBuilder', 'Serdes', 'TopologyTestDriver', 'Stores']) assert.ok(lib[name], `export ${name} is missing`);
}
await check('esm', esm);
await check('cjs', cjs);

/** The bin as npm links it: package.json's path, run as an executable file. */
function checkBinary() {
  const bin = path.join(root, JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).bin.tributary);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-package-cli-'));
  try {
    const run = (args, input) => execFileSync(bin, [...args, '--data', path.join(dir, 'log')], { input, encoding: 'utf8' });
    run(['topics', 'create', 'lines', '--partitions', '2']);
    assert.equal(run(['produce', 'lines', '--key-separator', '='], 'a=1\nb=2\na=3\n'), 'produced 3 records to lines\n');
    assert.deepEqual(run(['consume', 'lines', '--print-key']).trim().split('\n').sort(), ['a\t1', 'a\t3', 'b\t2']);
    console.log('bin: tributary produced and consumed 3 records');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
checkBinary();

/**
 * `tributary/rxjs` in both builds: it must use the library beside it, not a bundled copy, so its
 * errors are the library's classes (a user's instanceof SerializationError holds).
 */
async function checkRxjs(format, lib, interop) {
  const rxjs = await import('rxjs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tributary-package-rxjs-${format}-`));
  try {
    const log = await lib.EmbeddedLog.open(path.join(dir, 'log'));
    await log.createTopic('t');
    const s = lib.Serdes.string();
    await rxjs.lastValueFrom(rxjs.from(['a', 'b']).pipe(rxjs.map((value) => ({ key: null, value })), interop.toTopic(log, 't', { key: s, value: s })));
    const read = await rxjs.lastValueFrom(interop.fromTopic(log, 't', { key: s, value: s, follow: false }).pipe(rxjs.toArray()));
    assert.deepEqual(read.map((r) => r.value), ['a', 'b'], `${format}: rxjs round trip`);
    const error = await rxjs.lastValueFrom(interop.fromTopic(log, 't', { key: s, value: lib.Serdes.int32(), follow: false })).catch((e) => e);
    assert.ok(error instanceof lib.SerializationError, `${format}: tributary/rxjs raised ${error} instead of the library's SerializationError`);
    await log.close();
    console.log(`${format}: tributary/rxjs wrote and read 2 records; its errors are the library's`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
await checkRxjs('esm', esm, await import(pathToFileURL(path.join(root, 'dist/rxjs.js')).href));
await checkRxjs('cjs', cjs, createRequire(import.meta.url)(path.join(root, 'dist/rxjs.cjs')));
