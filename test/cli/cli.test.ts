import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedLog, Serdes, StreamsApp, StreamsBuilder, type LogDamage, type SegmentDump } from '../../src/index.js';
import { tempDir } from '../helpers/temp-dir.js';
import { cli } from './cli-harness.js';

const MAIN = path.resolve(import.meta.dirname, '../../src/cli/main.ts');

/** A log folder with topic `clicks` (3 partitions) holding `lines` produced as key<TAB>value. */
async function logWith(lines: string[]): Promise<string> {
  const data = path.join(tempDir(), 'log');
  expect((await cli(['topics', 'create', 'clicks', '--partitions', '3', '--data', data])).code).toBe(0);
  const produced = await cli(['produce', 'clicks', '--key-separator', '\t', '--data', data], lines);
  expect(produced).toMatchObject({ code: 0, out: [`produced ${lines.length} record${lines.length === 1 ? '' : 's'} to clicks`] });
  return data;
}

describe('tributary CLI on EmbeddedLog', () => {
  it('creates, lists and describes topics; produce and consume round-trip keys and values by partition', async () => {
    const lines = Array.from({ length: 2500 }, (_, i) => `user-${i % 7}\tclick ${i}`);
    const data = await logWith(lines);
    expect((await cli(['topics', '--data', data])).out).toEqual(['clicks']);
    const described = await cli(['topics', 'describe', 'clicks', '--data', data]);
    expect(described.out[0]).toMatch(/^clicks {2}partitions=3 cleanupPolicy=delete/);
    const ends = described.out.slice(1).map((l) => Number(/end (\d+)/.exec(l)![1]));
    expect(ends.reduce((a, b) => a + b, 0)).toBe(2500);

    const consumed = await cli(['consume', 'clicks', '--print-key', '--data', data]);
    expect(consumed.code).toBe(0);
    expect(consumed.out.sort()).toEqual([...lines].sort());
    // The key decides the partition (as Kafka's partitioner): a user's clicks keep their order.
    const json = (await cli(['consume', 'clicks', '--json', '--data', data])).out.map((l) => JSON.parse(l) as { key: string; value: string; partition: number; offset: number });
    for (const user of ['user-0', 'user-3']) {
      const mine = json.filter((r) => r.key === user);
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      expect(mine.map((r) => r.value)).toEqual(lines.filter((l) => l.startsWith(`${user}\t`)).map((l) => l.split('\t')[1]));
    }
  });

  it('consume reads one partition from an offset, up to --max-records', async () => {
    const data = await logWith(Array.from({ length: 60 }, (_, i) => `k${i}\tv${i}`));
    const all = (await cli(['consume', 'clicks', '--partition', '1', '--print-metadata', '--data', data])).out;
    const from = (await cli(['consume', 'clicks', '--partition', '1', '--offset', '3', '--max-records', '4', '--print-metadata', '--data', data])).out;
    expect(from).toEqual(all.slice(3, 7));
    expect(from[0]).toMatch(/^1:3 \d{4}-\d\d-\d\dT/);
  });

  it('consume --follow keeps the folder locked while it waits, and stops when interrupted', async () => {
    const data = await logWith(['a\t1']);
    let stop!: () => void;
    const interrupted = new Promise<void>((resolve) => (stop = resolve));
    // Records produced while it follows: see the KafkaLog test (an EmbeddedLog folder has one opener).
    const following = cli(['consume', 'clicks', '--follow', '--data', data], [], interrupted);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const locked = await cli(['produce', 'clicks', '--data', data], ['late']);
    expect(locked.code).toBe(1);
    expect(locked.err.join('\n')).toMatch(/in use by .*LOG_LOCKED/s);
    stop();
    const run = await following;
    expect(run).toMatchObject({ code: 0, out: ['1'] });
  });

  it('produce stops at a line without the key separator, keeping the lines before it', async () => {
    const data = path.join(tempDir(), 'log');
    await cli(['topics', 'create', 't', '--data', data]);
    const lines = [...Array.from({ length: 1500 }, (_, i) => `k${i}=v${i}`), 'no separator here', 'k=after'];
    const run = await cli(['produce', 't', '--key-separator', '=', '--data', data], lines);
    expect(run.code).toBe(2);
    expect(run.err[0]).toBe('tributary: line 1501 has no key separator "="; the 1500 records before it were produced');
    expect((await cli(['consume', 't', '--data', data])).out).toEqual(Array.from({ length: 1500 }, (_, i) => `v${i}`));
  });

  it('groups shows a Streams app committed offsets and lag; reset is a dry run until --execute', async () => {
    const data = await logWith(Array.from({ length: 90 }, (_, i) => `k${i % 9}\tv${i}`));
    const log = await EmbeddedLog.open(data, { maintenanceIntervalMs: 0 });
    await log.createTopic('out', { partitions: 3 });
    const builder = new StreamsBuilder();
    builder.stream('clicks', { key: Serdes.string(), value: Serdes.string() }).to('out', { key: Serdes.string(), value: Serdes.string() });
    const app = new StreamsApp(builder.build(), { applicationId: 'copier', log, stateDir: path.join(data, '..', 'state') });
    await app.start();
    while (app.metrics().processedRecords < 90) await new Promise((resolve) => setTimeout(resolve, 10));
    await app.close();
    await log.close();

    const groups = await cli(['groups', 'copier', '--data', data]);
    expect(groups.code).toBe(0);
    expect(groups.out[0]).toMatch(/^group copier {2}generation \d+ {2}0 members$/);
    const rows = groups.out.slice(2).map((l) => l.split('\t'));
    expect(rows.map((r) => r[0])).toEqual(['clicks', 'clicks', 'clicks']);
    for (const [, , committed, end, lag] of rows) expect([committed, lag]).toEqual([end, '0']);

    const dry = await cli(['reset', 'copier', '--topic', 'clicks', '--to-earliest', '--data', data]);
    expect(dry.code).toBe(0);
    expect(dry.err).toEqual(['dry run: nothing changed (add --execute to commit these offsets)']);
    expect((await cli(['groups', 'copier', '--data', data])).out.slice(2).every((l) => l.endsWith('\t0'))).toBe(true);

    const done = await cli(['reset', 'copier', '--topic', 'clicks', '--partition', '2', '--to-offset', '1', '--execute', '--data', data]);
    expect(done.code).toBe(0);
    const after = (await cli(['groups', 'copier', '--topic', 'clicks', '--data', data])).out.slice(2).map((l) => l.split('\t'));
    const p2 = after.find((r) => r[1] === '2')!;
    expect(p2[2]).toBe('1');
    expect(Number(p2[4])).toBe(Number(p2[3]) - 1);
    expect(after.filter((r) => r[1] !== '2').every((r) => r[4] === '0')).toBe(true);
  });

  it('refuses bad command lines with exit code 2 and a reason, and log errors with exit code 1 and their code', async () => {
    const data = await logWith(['a\tb']);
    const cases: [string[], number, RegExp][] = [
      [['consume', 'clicks'], 2, /name the log: --data/],
      [['consume', 'clicks', '--data', path.join(data, 'missing')], 2, /no log folder at/],
      [['frobnicate', '--data', data], 2, /unknown command "frobnicate"/],
      [['consume', 'clicks', '--colour', '--data', data], 2, /Unknown option '--colour'/],
      [['consume', 'clicks', '--offset', '2', '--data', data], 2, /--offset needs --partition/],
      [['consume', 'clicks', '--partition', 'x', '--data', data], 2, /--partition takes a whole number/],
      [['consume', 'clicks', '--partition', '7', '--data', data], 2, /has no partition 7/],
      [['topics', 'create', 'x', '--cleanup-policy', 'shred', '--data', data], 2, /--cleanup-policy is delete or compact/],
      [['topics', 'create', 'clicks', '--data', data], 1, /already exists \(TOPIC_ALREADY_EXISTS\)/],
      [['topics', 'rename', 'clicks', '--data', data], 2, /unknown topics action "rename"/],
      [['consume', 'nope', '--data', data], 1, /Topic "nope" does not exist \(UNKNOWN_TOPIC\)/],
      [['reset', 'g', '--topic', 'clicks', '--data', data], 2, /exactly one of --to-earliest/],
      [['reset', 'g', '--topic', 'clicks', '--to-offset', '99', '--data', data], 2, /outside partition/],
      [['topology', path.join(data, 'none.mjs')], 1, /Cannot find module|ERR_MODULE_NOT_FOUND/],
    ];
    for (const [argv, code, message] of cases) {
      const run = await cli(argv);
      expect(run.code, argv.join(' ')).toBe(code);
      expect(run.err.join('\n'), argv.join(' ')).toMatch(message);
    }
    expect(fs.existsSync(path.join(data, 'missing'))).toBe(false); // a mistyped folder is not created
  });

  it('dump lists each batch of a partition beside a running log, and the damage the next open cuts, changing nothing', async () => {
    const data = path.join(tempDir(), 'log');
    const log = await EmbeddedLog.open(data, { maintenanceIntervalMs: 0 });
    await log.createTopic('t', { partitions: 2 });
    await log.produce(Array.from({ length: 30 }, (_, i) => ({ topic: 't', partition: 0, key: null, value: Buffer.from(`p${i}`) })));
    const txn = await log.transaction('tx');
    await txn.produce(Array.from({ length: 5 }, (_, i) => ({ topic: 't', partition: 0, key: null, value: Buffer.from(`t${i}`) })));
    await txn.commit();
    // The log is open (and locked) here: dump only reads.
    const dumped = (await cli(['dump', 't', '--partition', '0', '--json', '--data', data])).out.map((l) => JSON.parse(l) as SegmentDump);
    const batches = dumped.flatMap((d) => d.batches);
    expect(batches.map((b) => [b.firstOffset, b.lastOffset, b.records, b.transactional])).toEqual([
      [0, 29, 30, false],
      [30, 34, 5, true],
    ]);
    expect(dumped.every((d) => d.damage === undefined)).toBe(true);
    const text = await cli(['dump', 't', '--data', data]);
    expect(text.out.filter((l) => l.startsWith('partition '))).toHaveLength(2); // both partitions' segment files
    expect(text.out.join('\n')).toMatch(/offsets 30\.\.34 {2}5 records {2}\d+ bytes {2}transactional \(seq \d+\)/);
    await log.close();

    const file = dumped[dumped.length - 1]!.file;
    fs.appendFileSync(file, Buffer.alloc(40, 7)); // a torn tail: not even a whole batch header
    const size = fs.statSync(file).size;
    const damaged = await cli(['dump', 't', '--partition', '0', '--data', data]);
    expect(damaged.out.at(-1)).toBe(`  DAMAGE at ${size - 40}: torn batch header at the tail; the next open cuts 40 bytes`);
    expect(fs.statSync(file).size).toBe(size);
    const found: LogDamage[] = [];
    await (await EmbeddedLog.open(data, { maintenanceIntervalMs: 0, onDamage: (d) => found.push(d) })).close();
    expect(found.map((d) => [d.position, d.droppedBytes, d.reason])).toEqual([[size - 40, 40, 'torn batch header at the tail']]);

    expect((await cli(['dump', 'nope', '--data', data])).err[0]).toMatch(/UNKNOWN_TOPIC/);
    expect((await cli(['dump', 't', '--partition', '2', '--data', data])).err[0]).toMatch(/has no partition 2 .*UNKNOWN_PARTITION/);
    expect((await cli(['dump', 't', '--bootstrap', 'localhost:9092'])).code).toBe(2);
  });

  it('topology prints a module export as text and as Mermaid', async () => {
    const module = path.resolve(import.meta.dirname, '../../bench/topologies/stateless.ts');
    const text = await cli(['topology', module, '--export', 'stringTopology']);
    expect(text.code).toBe(0);
    expect(text.out[0]).toMatch(/Sub-topology: 0/);
    expect(text.out[0]).toMatch(/Source: .*\(topics: \[in\]\)/);
    expect(text.out[0]).toMatch(/Sink: .*\(topic: out\)/);
    const mermaid = await cli(['topology', module, '--export', 'stringTopology', '--mermaid']);
    expect(mermaid.out[0]).toMatch(/^flowchart/);
    const wrong = await cli(['topology', module, '--export', 'stringWork']);
    expect(wrong).toMatchObject({ code: 2 });
    expect(wrong.err[0]).toMatch(/has no export "stringWork" that builds a topology|did not return a Topology/);
  });

  it('the binary runs as a process: exit codes, standard input and output', () => {
    const data = path.join(tempDir(), 'log');
    const run = (args: string[], input?: string) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { input, encoding: 'utf8' });
    expect(run(['topics', 'create', 'p', '--data', data]).status).toBe(0);
    const produced = run(['produce', 'p', '--data', data], 'one\ntwo\n');
    expect(produced.stdout).toBe('produced 2 records to p\n');
    expect(run(['consume', 'p', '--data', data]).stdout).toBe('one\ntwo\n');
    const bad = run(['consume', 'p']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/name the log/);
    expect(run(['help']).stdout).toMatch(/^usage: tributary <command>/);
  });
});
