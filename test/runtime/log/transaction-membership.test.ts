import { afterEach, describe, expect, it } from 'vitest';
import { CommitFailedError, EmbeddedLog, type GroupMember } from '../../../src/index.js';
import { readAll } from '../../helpers/read-all.js';
import { tempDir } from '../../helpers/temp-dir.js';

const logs: EmbeddedLog[] = [];
afterEach(async () => {
  for (const log of logs.splice(0)) await log.close();
});

async function openLog(): Promise<EmbeddedLog> {
  const log = await EmbeddedLog.open(tempDir(), { fsync: 'never', maintenanceIntervalMs: 0 });
  logs.push(log);
  await log.createTopic('in', { partitions: 2 });
  await log.createTopic('out', { partitions: 2 });
  return log;
}

const record = (partition: number, value: string) => ({ topic: 'out', partition, key: Buffer.from('k'), value: Buffer.from(value) });
const offsets = (...partitions: number[]) => partitions.map((partition) => ({ topic: 'in', partition, offset: 5 }));

/** Commits one output record per partition and the input offsets of those partitions, for `memberId`. */
async function commitFor(log: EmbeddedLog, memberId: string, partitions: number[], value: string): Promise<void> {
  const txn = await log.transaction(`txn-${memberId}-${value}`);
  await txn.produce(partitions.map((p) => record(p, value)));
  await txn.sendOffsets('g', offsets(...partitions), memberId);
  await txn.commit();
}

const committed = async (log: EmbeddedLog) => (await log.committedOffsets('g', 'in')).map((o) => `${o.partition}:${o.offset}`);
const outputs = async (log: EmbeddedLog, partition: number) => (await readAll(log, 'out', partition)).map((r) => r.value!.toString());

describe('EmbeddedLog transactions with a group member (KIP-447 fencing)', () => {
  it('commit while the member owns the partitions, and are refused (aborted, offsets unchanged) once it has left', async () => {
    const log = await openLog();
    const first = await log.joinGroup('g', { topics: ['in'] });
    await commitFor(log, first.memberId, [0, 1], 'owned');
    expect(await committed(log)).toEqual(['0:5', '1:5']);
    await first.leave();
    const second = await log.joinGroup('g', { topics: ['in'] });
    const txn = await log.transaction('zombie');
    await txn.produce([record(0, 'zombie')]);
    await txn.sendOffsets('g', [{ topic: 'in', partition: 0, offset: 9 }], first.memberId);
    const refused = txn.commit();
    await expect(refused).rejects.toBeInstanceOf(CommitFailedError);
    await expect(refused).rejects.toThrow(/no longer owns in-0/);
    expect(await committed(log)).toEqual(['0:5', '1:5']);
    expect(await outputs(log, 0)).toEqual(['owned']);
    // The refused transaction is over: read_committed readers are not held up behind it.
    await commitFor(log, second.memberId, [0], 'after');
    expect(await outputs(log, 0)).toEqual(['owned', 'after']);
    await expect(txn.commit()).rejects.toThrow(/aborted/);
  });

  it('refuse a partition that a rebalance moved to another member and accept the member its remaining one', async () => {
    const log = await openLog();
    const first = await log.joinGroup('g', { topics: ['in'] });
    expect(first.assignment()).toHaveLength(2);
    const second = await log.joinGroup('g', { topics: ['in'] });
    const kept = first.assignment().map((tp) => tp.partition);
    const moved = second.assignment().map((tp) => tp.partition);
    expect(kept).toHaveLength(1);
    expect(moved).toHaveLength(1);
    await expect(commitFor(log, first.memberId, [...kept, ...moved], 'both')).rejects.toBeInstanceOf(CommitFailedError);
    expect(await committed(log)).toEqual([]);
    await commitFor(log, first.memberId, kept, 'kept');
    await commitFor(log, second.memberId, moved, 'moved');
    expect(await committed(log)).toEqual(['0:5', '1:5']);
    expect(await outputs(log, kept[0]!)).toEqual(['kept']);
    expect(await outputs(log, moved[0]!)).toEqual(['moved']);
  });

  it('let a leaving member commit its partitions while they are being revoked', async () => {
    const log = await openLog();
    let member: GroupMember | undefined;
    const results: string[] = [];
    member = await log.joinGroup('g', {
      topics: ['in'],
      onPartitionsRevoked: async (partitions) => {
        // The member is out of the group's member list by now, but owns these until this returns.
        await commitFor(log, member!.memberId, partitions.map((tp) => tp.partition), 'last');
        results.push('committed');
      },
    });
    await member.leave();
    expect(results).toEqual(['committed']);
    expect(await committed(log)).toEqual(['0:5', '1:5']);
    // Once the revocation is over, the member owns nothing.
    await expect(commitFor(log, member.memberId, [0], 'late')).rejects.toBeInstanceOf(CommitFailedError);
  });

  it('check nothing when no member is named (a plain transactional offset commit)', async () => {
    const log = await openLog();
    const txn = await log.transaction('plain');
    await txn.produce([record(1, 'plain')]);
    await txn.sendOffsets('g', offsets(1));
    await txn.commit();
    expect(await committed(log)).toEqual(['1:5']);
  });
});
