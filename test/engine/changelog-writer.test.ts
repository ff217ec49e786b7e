import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmbeddedLog } from '../../src/index.js';
import { ChangelogWriter } from '../../src/runtime/engine/changelog-writer.js';
import type { ChangelogWrites } from '../../src/state/internals/task-stores.js';
import { openTempLog } from '../helpers/temp-log.js';
import { readAll } from '../helpers/read-all.js';

afterEach(() => {
  vi.restoreAllMocks();
});

async function openLog(): Promise<EmbeddedLog> {
  const log = await openTempLog('tributary-changelog-');
  for (const t of ['a-changelog', 'b-changelog']) await log.createTopic(t, { partitions: 3, cleanupPolicy: 'compact' });
  return log;
}

const shapes = new Map([
  ['a-changelog', { partitions: 3, compacted: true }],
  ['b-changelog', { partitions: 3, compacted: true }],
]);

function writes(n: number, from = 0): ChangelogWrites[] {
  const ops = (store: string) => Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`${store}${from + i}`), value: i % 3 === 0 ? null : Buffer.from(`v${from + i}`), timestamp: 100 + i }));
  return [
    { store: 'a', topic: 'a-changelog', partition: 2, ops: ops('a') },
    { store: 'b', topic: 'b-changelog', partition: 2, ops: ops('b') },
  ];
}

/** Every record of a changelog partition as "offset key=value@timestamp". */
async function contents(log: EmbeddedLog, topic: string): Promise<string[]> {
  return (await readAll(log, topic, 2, 'read_uncommitted')).map((r) => `${r.offset} ${r.key}=${r.value ?? 'null'}@${r.timestamp}`);
}

describe('ChangelogWriter', () => {
  it('writes one batch per store and returns the offset after each store\u2019s last record, as records would land', async () => {
    const batched = await openLog();
    const plain = await openLog();
    const encoded = vi.spyOn(batched, 'produceEncoded');
    const withShapes = new ChangelogWriter(shapes);
    const withoutShapes = new ChangelogWriter(new Map()); // records, the way it goes on Kafka
    for (const [n, from] of [[5, 0], [7, 5]] as const) {
      const a = await withShapes.write(batched, writes(n, from));
      const b = await withoutShapes.write(plain, writes(n, from));
      expect(a).toEqual(b);
      expect(a).toEqual(new Map([['a', from + n], ['b', from + n]]));
    }
    expect(encoded).toHaveBeenCalledTimes(2);
    for (const topic of ['a-changelog', 'b-changelog']) expect(await contents(batched, topic)).toEqual(await contents(plain, topic));
  });

  it('falls back to records when a changelog topic is not as described any more', async () => {
    const log = await openLog();
    await log.deleteTopic('b-changelog');
    await log.createTopic('b-changelog', { partitions: 4, cleanupPolicy: 'compact' });
    await log.produce([{ topic: 'b-changelog', partition: 2, key: Buffer.from('x'), value: null }]);
    const checkpoints = await new ChangelogWriter(shapes).write(log, writes(4));
    expect(checkpoints).toEqual(new Map([['a', 4], ['b', 5]]));
    expect(await contents(log, 'b-changelog')).toHaveLength(5);
  });

  it('returns no checkpoints for a commit with no changelog records', async () => {
    expect(await new ChangelogWriter(shapes).write(await openLog(), [])).toEqual(new Map());
  });
});
