import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CommitFailedError,
  EmbeddedLog,
  InvalidConfigError,
  KafkaLog,
  SerializationError,
  Serdes,
  StreamsApp,
  StreamsBuilder,
  StreamsStateError,
  TopologyError,
  type StreamsState,
} from '../../src/index.js';
import { readAll } from '../helpers/read-all.js';
import { caughtUp, runOnEmbeddedLog, until } from '../helpers/run-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const s = Serdes.string();
const i32 = Serdes.int32();
const logs: EmbeddedLog[] = [];
afterEach(async () => {
  for (const log of logs.splice(0)) await log.close();
});

function upperTopology() {
  const builder = new StreamsBuilder();
  builder.stream('in', { key: s, value: s }).mapValues((_k, v) => v.toUpperCase()).to('out');
  return builder.build();
}

async function openLog(topics: Record<string, number>): Promise<EmbeddedLog> {
  const log = await EmbeddedLog.open(tempDir(), { fsync: 'never', maintenanceIntervalMs: 0 });
  logs.push(log);
  for (const [t, n] of Object.entries(topics)) await log.createTopic(t, { partitions: n });
  return log;
}

describe('StreamsApp', () => {
  it('rejects invalid options with an InvalidConfigError naming the option', async () => {
    const log = await openLog({ in: 1, out: 1 });
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ applicationId: 'has space' }, /applicationId/],
      [{ commitIntervalMs: -1 }, /commitIntervalMs/],
      [{ maxPollRecords: 0 }, /maxPollRecords/],
      [{ taskTimeoutMs: -5 }, /taskTimeoutMs/],
      [{ processingGuarantee: 'exactly_twice' }, /processingGuarantee/],
      [{ commitIntervalMs: '100' }, /commitIntervalMs/],
      [{ pollIntervalMs: -1 }, /pollIntervalMs/],
      [{ stateDir: '' }, /stateDir/],
      [{ stateDir: 5 }, /stateDir/],
      [{ uncaughtExceptionHandler: 'replace_thread' }, /uncaughtExceptionHandler/],
      [{ clock: 5 }, /clock/],
      [{ defaultKeySerde: {} }, /defaultKeySerde/],
      [{ defaultValueSerde: 'json' }, /defaultValueSerde/],
      [{ log: {} }, /"log"/],
    ];
    for (const [options, names] of bad) {
      const create = () => new StreamsApp(upperTopology(), { applicationId: 'ok', log, ...options } as never);
      expect(create).toThrow(InvalidConfigError);
      expect(create).toThrow(names);
    }
    expect(() => new KafkaLog({ brokers: ['localhost:9092'], replicationFactor: 0 })).toThrow(/replicationFactor/);
    expect(() => new KafkaLog({ brokers: [] })).toThrow(InvalidConfigError);
  });

  it('goes CREATED → REBALANCING → RUNNING → PENDING_SHUTDOWN → NOT_RUNNING and refuses a second start', async () => {
    const log = await openLog({ in: 2, out: 2 });
    const app = new StreamsApp(upperTopology(), { applicationId: 'states', log });
    const seen: StreamsState[] = [];
    app.setStateListener((state) => void seen.push(state));
    await app.start();
    await expect(app.start()).rejects.toBeInstanceOf(StreamsStateError);
    await app.close();
    expect(seen).toEqual(['REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING']);
  });

  it('fails to start when a source topic is missing, naming it', async () => {
    const log = await openLog({ out: 1 });
    const app = new StreamsApp(upperTopology(), { applicationId: 'missing', log });
    await expect(app.start()).rejects.toThrow(TopologyError);
    await expect(new StreamsApp(upperTopology(), { applicationId: 'missing2', log }).start()).rejects.toThrow(/"in" does not exist/);
    expect(app.state).toBe('ERROR');
  });

  it('takes records from a task’s partitions in timestamp order', async () => {
    const builder = new StreamsBuilder();
    builder.stream(['left', 'right'], { key: s, value: s }).to('out');
    const inputs = [
      { topic: 'left', ts: 1 },
      { topic: 'left', ts: 4 },
      { topic: 'left', ts: 5 },
      { topic: 'right', ts: 2 },
      { topic: 'right', ts: 3 },
      { topic: 'right', ts: 6 },
    ].map(({ topic, ts }) => ({ topic, partition: 0, key: Buffer.from('k'), value: Buffer.from(`${topic}${ts}`), timestamp: ts }));
    const run = await runOnEmbeddedLog(builder.build(), { left: 1, right: 1, out: 1 }, inputs);
    logs.push(run.log);
    expect(run.outputs.get('out')!.map((r) => r.value!.toString())).toEqual(['left1', 'right2', 'right3', 'left4', 'left5', 'right6']);
  });

  it('shares partitions between two instances and moves them when one closes', async () => {
    const log = await openLog({ in: 4, out: 4 });
    const a = new StreamsApp(upperTopology(), { applicationId: 'shared', log, commitIntervalMs: 5 });
    const b = new StreamsApp(upperTopology(), { applicationId: 'shared', log, commitIntervalMs: 5 });
    await a.start();
    await b.start();
    const group = await log.describeGroup('shared');
    expect(group.members.map((m) => m.assignment.length)).toEqual([2, 2]);
    // The first instance only gave partitions up in that rebalance; it is back to RUNNING all the same.
    expect([a.state, b.state]).toEqual(['RUNNING', 'RUNNING']);
    await log.produce(Array.from({ length: 200 }, (_, i) => ({ topic: 'in', key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) })));
    await until(() => caughtUp(log, 'shared', ['in']), 'both instances to process');
    await b.close();
    expect((await log.describeGroup('shared')).members.map((m) => m.assignment.length)).toEqual([4]);
    await log.produce(Array.from({ length: 100 }, (_, i) => ({ topic: 'in', key: Buffer.from(`late${i}`), value: Buffer.from('w') })));
    await until(() => caughtUp(log, 'shared', ['in']), 'the survivor to take over');
    await a.close();
    const out = (await Promise.all([0, 1, 2, 3].map((p) => readAll(log, 'out', p)))).flat();
    expect(out).toHaveLength(300);
    expect(new Set(out.map((r) => r.key!.toString())).size).toBe(300);
    expect(a.metrics().processedRecords + b.metrics().processedRecords).toBe(300);
  });

  it("with handler 'fail' stops in ERROR with a SerializationError naming topic, partition and offset", async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', { key: s, value: i32 }).to('out');
    const log = await openLog({ in: 1, out: 1 });
    await log.produce([{ topic: 'in', key: Buffer.from('k'), value: Buffer.from('abc') }]);
    const app = new StreamsApp(builder.build(), { applicationId: 'fails', log });
    await app.start();
    await until(() => app.state === 'ERROR', 'the app to fail');
    expect(app.error).toBeInstanceOf(SerializationError);
    expect((app.error as Error).message).toContain('in-0 offset 0');
    expect(await log.committedOffsets('fails', 'in')).toEqual([]);
    await app.close();
  });

  it("with handler 'continue' skips and counts bad records; with a dead-letter topic it keeps their bytes", async () => {
    const build = () => {
      const builder = new StreamsBuilder();
      builder.stream('in', { key: s, value: i32 }).mapValues((_k, v) => v * 2).to('out', { value: i32 });
      return builder.build();
    };
    const inputs = [Buffer.from('bad'), i32.serialize('in', 21)].map((value) => ({ topic: 'in', partition: 0, key: Buffer.from('k'), value }));
    const skip = await runOnEmbeddedLog(build(), { in: 1, out: 1 }, inputs, { deserializationExceptionHandler: 'continue' });
    logs.push(skip.log);
    expect(skip.outputs.get('out')!.map((r) => i32.deserialize('out', r.value!))).toEqual([42]);
    expect(skip.app.metrics().skippedRecords).toBe(1);

    const dlt = await runOnEmbeddedLog(build(), { in: 1, out: 1, dlq: 1 }, inputs, { deserializationExceptionHandler: { deadLetterTopic: 'dlq' }, processingGuarantee: 'exactly_once' });
    logs.push(dlt.log);
    const [dead] = dlt.outputs.get('dlq')!;
    expect(dead!.value!.toString()).toBe('bad');
    expect(dead!.headers['tributary.error.offset']!.toString()).toBe('0');
    expect(dead!.headers['tributary.error.topic']!.toString()).toBe('in');
    expect(dead!.headers['tributary.error.message']!.toString()).toContain('int32');
    expect(dlt.outputs.get('out')!.map((r) => i32.deserialize('out', r.value!))).toEqual([42]);
  });

  it("with uncaught-exception handler 'replace_thread' restarts from the last commit and loses nothing", async () => {
    let failures = 0;
    const builder = new StreamsBuilder();
    builder
      .stream('in', { key: s, value: s })
      .peek((_k, v) => {
        if (v === 'boom' && failures++ === 0) throw new Error('transient failure');
      })
      .to('out');
    const inputs = ['a', 'boom', 'c'].map((v) => ({ topic: 'in', partition: 0, key: Buffer.from('k'), value: Buffer.from(v) }));
    const run = await runOnEmbeddedLog(builder.build(), { in: 1, out: 1 }, inputs, {
      processingGuarantee: 'exactly_once',
      uncaughtExceptionHandler: () => 'replace_thread',
    });
    logs.push(run.log);
    expect(failures).toBe(2);
    expect(run.outputs.get('out')!.map((r) => r.value!.toString())).toEqual(['a', 'boom', 'c']);
  });

  it("with 'replace_thread', a failure that repeats on every restart backs off instead of spinning, and close() ends the wait", async () => {
    let failures = 0;
    const builder = new StreamsBuilder();
    builder
      .stream('in', { key: s, value: s })
      .peek(() => {
        failures++;
        throw new Error('poison record');
      })
      .to('out');
    const log = await openLog({ in: 1, out: 1 });
    await log.produce([{ topic: 'in', key: Buffer.from('k'), value: Buffer.from('poison') }]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const app = new StreamsApp(builder.build(), { applicationId: 'poison', log, uncaughtExceptionHandler: () => 'replace_thread' });
      const started = performance.now();
      await app.start();
      await until(() => failures >= 5, 'five failures', 20_000);
      // Restarts wait 0, 0.5, 1 and 2 s: a fifth failure cannot come sooner (a spinning loop fails thousands of times).
      expect(performance.now() - started).toBeGreaterThanOrEqual(3_400);
      const closing = performance.now();
      await app.close(); // the next wait is 4 s; close does not sit it out
      expect(performance.now() - closing).toBeLessThan(3_000);
      expect(warn.mock.calls.some(([line]) => String(line).includes('replacing the stream thread after: poison record'))).toBe(true);
    } finally {
      warn.mockRestore();
    }
  });

  it('at exactly_once, output is invisible to read_committed readers until the commit', async () => {
    const log = await openLog({ in: 1, out: 1 });
    let now = 0;
    const app = new StreamsApp(upperTopology(), { applicationId: 'eos', log, processingGuarantee: 'exactly_once', commitIntervalMs: 1_000, clock: () => now });
    await app.start();
    await log.produce([{ topic: 'in', key: Buffer.from('k'), value: Buffer.from('hello') }]);
    await until(async () => (await log.fetch({ topic: 'out', partition: 0, offset: 0, isolation: 'read_uncommitted' })).length === 1, 'the output to be written');
    expect(await log.fetch({ topic: 'out', partition: 0, offset: 0 })).toEqual([]);
    now += 1_000;
    await until(async () => (await log.fetch({ topic: 'out', partition: 0, offset: 0 })).length === 1, 'the commit');
    await app.close();
  });

  it('at exactly_once with a transaction per thread, a commit refused for a member that lost its partitions drops the work; the tasks come back after the grace and each input is output once', async () => {
    const log = await openLog({ in: 2, out: 2 });
    let now = 0;
    // The first commit's offsets are sent for a member that no longer owns the partitions, as a
    // thread whose partitions moved away would send them: the log must refuse that commit.
    const open = log.transaction.bind(log);
    const sent: { memberId: string | undefined; partitions: number }[] = [];
    let refused = 0;
    log.transaction = async (id: string) => {
      const txn = await open(id);
      const sendOffsets = txn.sendOffsets.bind(txn);
      const commit = txn.commit.bind(txn);
      txn.sendOffsets = (groupId, offsets, memberId) => {
        sent.push({ memberId, partitions: offsets.length });
        return sendOffsets(groupId, offsets, refused === 0 ? 'stale-member' : memberId);
      };
      txn.commit = async () => {
        try {
          await commit();
        } catch (e) {
          if (e instanceof CommitFailedError) refused++;
          throw e;
        }
      };
      return txn;
    };
    const app = new StreamsApp(upperTopology(), { applicationId: 'moved', log, processingGuarantee: 'exactly_once', commitIntervalMs: 1_000, clock: () => now });
    await app.start();
    await log.produce(Array.from({ length: 40 }, (_, i) => ({ topic: 'in', key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) })));
    await until(() => app.metrics().processedRecords >= 40, 'the records to be processed');
    now += 1_000;
    await until(() => refused === 1, 'the refused commit');
    // Both tasks were in the refused transaction: both are dropped, quietly (no recovery), and
    // come back after the grace to process everything again from the last commit (none).
    await until(() => ((now += 100), app.metrics().processedRecords >= 80), 'the tasks to come back and process the records again');
    const committed = async () => [...(await readAll(log, 'out', 0)), ...(await readAll(log, 'out', 1))].map((r) => r.value!.toString());
    await until(async () => ((now += 100), (await committed()).length >= 40), 'the commit');
    const member = (await log.describeGroup('moved')).members[0]!.memberId;
    await app.close();
    expect((await committed()).sort()).toEqual(Array.from({ length: 40 }, (_, i) => JSON.stringify(`V${i}`)).sort());
    expect(app.metrics().processedRecords).toBe(80);
    expect(app.metrics().recoveries).toBe(0);
    // Each transaction carried both tasks' offsets, for this thread's member.
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.every((o) => o.memberId === member && o.partitions === 2)).toBe(true);
  });

  it('at exactly_once with a transaction per task (as on Kafka), a task fenced while it sends drops its work, comes back after the grace, and each input is output once', async () => {
    const log = await openLog({ in: 1, out: 1 });
    // As a log without membership checks (Kafka through kafkajs): one transactional id per task.
    Object.defineProperty(log, 'fencesByGroupMembership', { value: false });
    let now = 0;
    const app = new StreamsApp(upperTopology(), { applicationId: 'fenced', log, processingGuarantee: 'exactly_once', commitIntervalMs: 1_000, clock: () => now });
    await app.start();
    const batch = (from: number) => Array.from({ length: 50 }, (_, i) => ({ topic: 'in', key: Buffer.from('k'), value: Buffer.from(`v${from + i}`) }));
    await log.produce(batch(0));
    const written = async () => (await log.fetch({ topic: 'out', partition: 0, offset: 0, isolation: 'read_uncommitted', maxRecords: 1_000 })).length;
    await until(async () => (await written()) === 50, 'the first outputs to be sent into the transaction');
    // Another producer takes the task's transactional id: the app's open transaction is fenced.
    const zombie = await log.transaction('fenced-0_0');
    await log.produce(batch(50));
    await until(() => app.metrics().processedRecords >= 100, 'the second batch to be processed');
    // The fenced task is dropped (in the round that sees the fence) and stays away for the grace a
    // rebalance gets; then it starts again from the last commit (none), in a transaction of its
    // own that fences the other producer. Time moves on while the app runs, as it would.
    await until(() => ((now += 100), app.metrics().processedRecords >= 200), 'the task to come back and process both batches again');
    const committed = async () => (await log.fetch({ topic: 'out', partition: 0, offset: 0, maxRecords: 1_000 })).map((r) => r.value!.toString());
    await until(async () => ((now += 100), (await committed()).length >= 100), 'the commit');
    await app.close();
    expect(await committed()).toEqual([...batch(0), ...batch(50)].map((r) => JSON.stringify(r.value.toString().toUpperCase())));
    expect(app.metrics().processedRecords).toBe(200);
    await expect(zombie.commit()).rejects.toThrow();
  });
});

describe('StreamsApp sources', () => {
  it('reads every topic matching a RegExp, and uses a timestamp extractor for event time', async () => {
    type Event = { at: number; name: string };
    const builder = new StreamsBuilder();
    builder
      .stream(/^events-/, { key: s, value: Serdes.json<Event>(), timestampExtractor: (r) => r.value.at })
      .mapValues((_k, e) => e.name)
      .to('out', { key: s, value: s });
    const json = Serdes.json<Event>();
    const inputs = [
      { topic: 'events-a', partition: 0, key: Buffer.from('k'), value: json.serialize('events-a', { at: 30, name: 'a30' }), timestamp: 1 },
      { topic: 'events-b', partition: 0, key: Buffer.from('k'), value: json.serialize('events-b', { at: 10, name: 'b10' }), timestamp: 2 },
      { topic: 'events-b', partition: 0, key: Buffer.from('k'), value: json.serialize('events-b', { at: 20, name: 'b20' }), timestamp: 3 },
      { topic: 'other', partition: 0, key: Buffer.from('k'), value: json.serialize('other', { at: 5, name: 'ignored' }), timestamp: 4 },
    ];
    const run = await runOnEmbeddedLog(builder.build(), { 'events-a': 1, 'events-b': 1, other: 1, out: 1 }, inputs.slice(0, 3));
    logs.push(run.log);
    const out = run.outputs.get('out')!;
    // Ordered by extracted event time across both matched topics; timestamps carried to the output.
    expect(out.map((r) => [r.value!.toString(), r.timestamp])).toEqual([['b10', 10], ['b20', 20], ['a30', 30]]);
  });
});
