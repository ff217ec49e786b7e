import { describe, expect, it } from 'vitest';
import { uniqueTopic } from '../contracts/partitioned-log.contract.js';
import { INPUT_TIME_BASE, outputRecords, setUp, startApp, type CrashBackend } from '../helpers/app-crash-harness.js';
import { tempDir } from '../helpers/temp-dir.js';
import { kafkaBootstrap } from '../helpers/kafka-bootstrap.js';

const INPUTS = 20_000;

describe('scaling out on Kafka: two processes share a windowed aggregation', () => {
  it('one is killed with SIGKILL mid-run; the other takes over its tasks, restores their state, and the final output equals the reference', async () => {
    const backend: CrashBackend = { kind: 'kafka', bootstrap: kafkaBootstrap(), prefix: uniqueTopic('scale-out') };
    const topic = await setUp(tempDir('tributary-scale-'), backend, INPUTS);
    // Two instances of one application (same applicationId), each with its own state folder.
    const a = startApp(tempDir('tributary-scale-a-'), 'exactly_once', backend, 'stateful');
    const b = startApp(tempDir('tributary-scale-b-'), 'exactly_once', backend, 'stateful');
    await Promise.all([a.ready, b.ready]);
    // Let both work (and B restore some of A's tasks or the reverse on the first rebalances), then kill A.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(a.child.exitCode, 'instance A must still be running when it is killed').toBeNull();
    a.child.kill('SIGKILL');
    expect(await b.finished).toBe(true);

    const outputs = await outputRecords('', backend, topic('out'));
    const last = new Map<string, { count: number; sum: number }>();
    for (const r of outputs) {
      const value = JSON.parse(r.value!.toString()) as { count: number; sum: number };
      const previous = last.get(r.key!.toString());
      if (previous !== undefined) expect(value.count).toBeGreaterThan(previous.count); // never counts a record twice
      last.set(r.key!.toString(), value);
    }
    for (let k = 0; k < 97; k++) {
      let count = 0;
      let sum = 0;
      for (let n = k; n < INPUTS; n += 97) {
        count++;
        sum += n;
      }
      if (last.get(`key-${k}`)?.count !== count) {
        // Say where the output stops, to tell a lost update from a read that ended early.
        const { KafkaLog } = await import('../../src/index.js');
        const { readAll } = await import('../helpers/read-all.js');
        const log = new KafkaLog({ brokers: kafkaBootstrap().split(',') });
        for (let p = 0; p < 4; p++) {
          const committed = await readAll(log, topic('out'), p);
          const all = await readAll(log, topic('out'), p, 'read_uncommitted');
          const end = (await log.describeTopic(topic('out'))).partitions[p]!.endOffset;
          console.log(`out-${p}: read_committed ${committed.length} (last offset ${committed.at(-1)?.offset}), read_uncommitted ${all.length} (last ${all.at(-1)?.offset}), end ${end}`);
        }
        // Is every input of the key in the repartition topic (committed)? Then the loss is in the aggregation.
        const repartition = (await log.listTopics()).find((x) => x.startsWith(`${backend.prefix}-app`) && x.endsWith('by-key-repartition'))!;
        const values = new Set<number>();
        for (let p = 0; p < 4; p++) for (const r of await readAll(log, repartition, p)) if (r.key!.toString() === `key-${k}`) values.add(Number(r.value!.toString()));
        const missing = [];
        for (let n = k; n < INPUTS; n += 97) if (!values.has(n)) missing.push(n);
        console.log(`key-${k}: ${values.size} distinct inputs in ${repartition} (committed), missing ${JSON.stringify(missing)}`);
        await log.close();
      }
      expect(last.get(`key-${k}`)).toEqual({ count, sum });
    }
    const windows = new Map<string, number>();
    for (const r of await outputRecords('', backend, topic('out-windowed'))) {
      const key = r.key!;
      windows.set(`${key.subarray(0, key.length - 16).toString()}@${Number(key.readBigInt64BE(key.length - 16)) - INPUT_TIME_BASE}`, Number(r.value!.readBigInt64BE(0)));
    }
    let total = 0;
    for (const v of windows.values()) total += v;
    expect(total).toBe(INPUTS);
    for (const [id, v] of windows) {
      const [key, start] = id.split('@') as [string, string];
      const k = Number(key.slice(4));
      let expected = 0;
      for (let n = Number(start); n < Number(start) + 1_000 && n < INPUTS; n++) if (n % 97 === k) expected++;
      expect(v, id).toBe(expected);
    }
  }, 180_000);
});
