import type { OffsetCommit } from './coordinator-log.js';
import { CommitFailedError } from './errors.js';
import type {
  GroupDescription,
  GroupMember,
  JoinGroupOptions,
  TopicPartition,
} from './partitioned-log.js';

type MemberState = { options: JoinGroupOptions; assignment: TopicPartition[] };

type Group = {
  members: Map<string, MemberState>;
  generation: number;
  /** Members that left, while their partitions are being revoked: they own them until then. */
  leaving: Map<string, MemberState>;
  /** Rebalances run one at a time, in the order they were asked for. */
  queue: Promise<void>;
  nextMember: number;
};

const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

/**
 * In-process consumer-group membership for EmbeddedLog. One process owns a log folder (see
 * directory-lock.ts), so membership lives in memory; members that die with the process need no
 * heartbeat. Assignment keeps co-partitioned topics together: partition p of every subscribed
 * topic goes to the same member (the p-th, round robin over members sorted by id), which is what
 * a Kafka Streams task needs. A rebalance is eager: every member gives up moved partitions
 * (awaiting its onPartitionsRevoked) before any member is told of its new ones.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly partitionCount: (topic: string) => number) {}

  async join(groupId: string, options: JoinGroupOptions): Promise<GroupMember> {
    for (const topic of options.topics) this.partitionCount(topic); // throws for an unknown topic
    const group = this.group(groupId);
    const memberId = `${groupId}-member-${String(group.nextMember++).padStart(6, '0')}`;
    await this.rebalance(group, () => group.members.set(memberId, { options, assignment: [] }));
    const members = group.members;
    return {
      groupId,
      memberId,
      assignment: () => [...(members.get(memberId)?.assignment ?? [])],
      leave: async () => {
        if (!members.has(memberId)) return;
        await this.rebalance(group, () => members.delete(memberId), memberId);
      },
    };
  }

  describe(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    return {
      groupId,
      generation: group?.generation ?? 0,
      members: group === undefined ? [] : [...group.members].map(([memberId, m]) => ({ memberId, assignment: [...m.assignment] })),
    };
  }

  /**
   * The error a transaction's commit gets when a member named in `owners` (group id → member id,
   * from sendOffsets) does not own one of its group's partitions in `offsets` right now; undefined
   * when each owns all of them. A leaving member owns its partitions until their revocation is
   * over (it commits them then).
   */
  staleOwner(offsets: OffsetCommit[], owners: ReadonlyMap<string, string>): CommitFailedError | undefined {
    for (const { groupId, offsets: list } of offsets) {
      const memberId = owners.get(groupId);
      if (memberId === undefined) continue;
      const group = this.groups.get(groupId);
      const member = group?.members.get(memberId) ?? group?.leaving.get(memberId);
      const owned = new Set(member?.assignment.map(key));
      const missing = list.find((tp) => !owned.has(key(tp)));
      if (missing !== undefined) return new CommitFailedError(groupId, memberId, missing.topic, missing.partition);
    }
    return undefined;
  }

  /** Every member of every group leaves (the log is closing). */
  async closeAll(): Promise<void> {
    for (const group of this.groups.values()) {
      for (const memberId of [...group.members.keys()]) {
        await this.rebalance(group, () => group.members.delete(memberId), memberId);
      }
    }
  }

  private group(groupId: string): Group {
    let group = this.groups.get(groupId);
    if (group === undefined) {
      group = { members: new Map(), leaving: new Map(), generation: 0, queue: Promise.resolve(), nextMember: 0 };
      this.groups.set(groupId, group);
    }
    return group;
  }

  private rebalance(group: Group, change: () => void, leaving?: string): Promise<void> {
    const run = group.queue.then(async () => {
      const leaver = leaving === undefined ? undefined : group.members.get(leaving);
      if (leaver !== undefined) group.leaving.set(leaving!, leaver);
      change();
      const next = this.assign(group);
      const errors: unknown[] = [];
      const revocations: Promise<void>[] = [];
      if (leaver !== undefined && leaver.assignment.length > 0) {
        revocations.push(callListener(leaver.options.onPartitionsRevoked, leaver.assignment, errors));
      }
      for (const [id, member] of group.members) {
        const keep = new Set((next.get(id) ?? []).map(key));
        const revoked = member.assignment.filter((tp) => !keep.has(key(tp)));
        if (revoked.length > 0) revocations.push(callListener(member.options.onPartitionsRevoked, revoked, errors));
      }
      await Promise.all(revocations);
      if (leaving !== undefined) group.leaving.delete(leaving);
      group.generation++;
      const assignments: Promise<void>[] = [];
      for (const [id, member] of group.members) {
        const had = new Set(member.assignment.map(key));
        member.assignment = next.get(id) ?? [];
        const added = member.assignment.filter((tp) => !had.has(key(tp)));
        // It lost some when it kept fewer than it had. A member that only lost partitions is told
        // too (with none): the rebalance is over for it.
        const lost = had.size > member.assignment.length - added.length;
        if (added.length > 0 || lost) assignments.push(callListener(member.options.onPartitionsAssigned, added, errors));
      }
      await Promise.all(assignments);
      if (errors.length > 0) throw errors[0];
    });
    group.queue = run.catch(() => undefined);
    return run;
  }

  private assign(group: Group): Map<string, TopicPartition[]> {
    const result = new Map<string, TopicPartition[]>();
    const ids = [...group.members.keys()].sort();
    for (const id of ids) result.set(id, []);
    const topics = new Set<string>();
    for (const m of group.members.values()) for (const t of m.options.topics) topics.add(t);
    for (const topic of [...topics].sort()) {
      const subscribers = ids.filter((id) => group.members.get(id)!.options.topics.includes(topic));
      const partitions = this.partitionCount(topic);
      for (let p = 0; p < partitions; p++) result.get(subscribers[p % subscribers.length]!)!.push({ topic, partition: p });
    }
    return result;
  }
}

async function callListener(
  listener: ((partitions: TopicPartition[]) => Promise<void> | void) | undefined,
  partitions: TopicPartition[],
  errors: unknown[],
): Promise<void> {
  try {
    await listener?.(partitions);
  } catch (e) {
    errors.push(e);
  }
}
