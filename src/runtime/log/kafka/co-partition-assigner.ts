import kafkajs, { type PartitionAssigner } from 'kafkajs';

const { AssignerProtocol } = kafkajs;

/**
 * A kafkajs partition assigner that keeps co-partitioned topics together: partition p of every
 * subscribed topic goes to the (p mod n)-th member in member-id order, which is what a task
 * (one sub-topology on one partition number) needs. Same rule as EmbeddedLog's group coordinator.
 */
export const coPartitionAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'TributaryCoPartition',
  version: 1,
  async assign({ members, topics }) {
    // The leader may not have metadata yet for a topic created just before the join (an
    // application's repartition topics): without it those partitions would go to no one.
    await cluster.addMultipleTargetTopics(topics);
    await cluster.refreshMetadata();
    const ids = members.map((m) => m.memberId).sort();
    const assignment = new Map<string, Record<string, number[]>>(ids.map((id) => [id, {}]));
    for (const topic of [...topics].sort()) {
      const partitions = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId).sort((a, b) => a - b);
      for (const p of partitions) {
        const owner = assignment.get(ids[p % ids.length]!)!;
        (owner[topic] ??= []).push(p);
      }
    }
    return ids.map((memberId) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: assignment.get(memberId)!, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: 'TributaryCoPartition', metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
  },
});
