import type { Topology } from '../../processor/topology.js';
import type { Subtopology } from '../../processor/topology-nodes.js';
import { TopologyError } from '../../processor/topology-error.js';
import { checkCopartitioning, copartitionedCount } from '../../processor/copartitioning.js';
import { TopicAlreadyExistsError, UnknownTopicError } from '../log/errors.js';
import type { PartitionedLog } from '../log/partitioned-log.js';
import { changelogTopicName } from './internal-topics.js';

/** How long a topic created by another instance may stay invisible to this one. */
const TOPIC_VISIBLE_TIMEOUT_MS = 10_000;

/** What preparing an app's topics needs to know of the app. */
export type AppTopics = {
  log: PartitionedLog;
  applicationId: string;
  topology: Topology;
  subtopologies: Subtopology[];
  /** An internal topic's real name (`<applicationId>-<name>`); other names as they are. */
  resolveTopic: (name: string) => string;
  clock: () => number;
};

/**
 * Checks that every source topic exists and creates the internal (repartition) topics with as
 * many partitions as the topics of the sub-topology that writes them. Returns partition counts.
 */
export async function prepareTopics(app: AppTopics): Promise<Map<string, number>> {
  const log = app.log;
  const existing = new Set(await log.listTopics());
  const counts = new Map<string, number>();
  const describe = async (topic: string) => {
    if (!counts.has(topic) && existing.has(topic)) counts.set(topic, (await log.describeTopic(topic)).partitions.length);
  };
  // Only the topics this topology touches are described (a shared Kafka cluster has many others).
  for (const sub of app.subtopologies) {
    for (const topic of [...sub.sourceTopics, ...sub.sinkTopics].map(app.resolveTopic)) await describe(topic);
    for (const topic of existing) if (sub.sourcePatterns.some((p) => p.test(topic))) await describe(topic);
  }
  const internal = app.topology.internalTopics;
  const known = (topic: string) => counts.get(app.resolveTopic(topic));
  for (let pass = 0; pass <= internal.size; pass++) {
    for (const [name, spec] of internal) {
      const real = app.resolveTopic(name);
      if (counts.has(real)) continue;
      const writers = app.subtopologies.filter((s) => s.sinkTopics.includes(name));
      const upstream = writers.flatMap((s) => s.sourceTopics.map(app.resolveTopic));
      // A join's repartition topic takes its partner's count; others their writers' inputs' count.
      const joined = spec.partitions ?? copartitionedCount(app.topology, name, known);
      if (joined === undefined && upstream.some((t) => !counts.has(t))) continue; // next pass
      const partitions = joined ?? Math.max(1, ...upstream.map((t) => counts.get(t)!));
      try {
        await log.createTopic(real, { partitions });
        counts.set(real, partitions);
      } catch (e) {
        // Another instance of the application, starting at the same time, created it first.
        if (!(e instanceof TopicAlreadyExistsError)) throw e;
        counts.set(real, await partitionsOfTopicCreatedElsewhere(app, real));
      }
    }
  }
  for (const sub of app.subtopologies) {
    for (const topic of sub.sourceTopics.map(app.resolveTopic)) {
      if (!counts.has(topic)) throw new TopologyError(`Source topic "${topic}" does not exist; create it before starting the application`);
    }
  }
  checkCopartitioning(app.topology, known);
  await prepareChangelogs(app, counts);
  return counts;
}

/**
 * Creates each logged store's changelog (compacted; windowed stores also expire by retention)
 * with as many partitions as the inputs of the sub-topology that owns the store.
 */
async function prepareChangelogs(app: AppTopics, counts: Map<string, number>): Promise<void> {
  const log = app.log;
  for (const sub of app.subtopologies) {
    const inputs = [...sub.sourceTopics.map(app.resolveTopic), ...[...counts.keys()].filter((t) => sub.sourcePatterns.some((p) => p.test(t)))];
    const partitions = Math.max(1, ...inputs.map((t) => counts.get(t) ?? 1));
    for (const name of sub.stores) {
      const builder = app.topology.storeBuilder(name);
      if (!builder.logging) continue;
      const topic = changelogTopicName(app.applicationId, name);
      if (counts.has(topic)) continue;
      try {
        await log.createTopic(topic, { partitions, cleanupPolicy: 'compact', ...(builder.changelogRetentionMs !== undefined && { retentionMs: builder.changelogRetentionMs }) });
        counts.set(topic, partitions);
      } catch (e) {
        if (!(e instanceof TopicAlreadyExistsError)) throw e;
        const existing = await partitionsOfTopicCreatedElsewhere(app, topic);
        if (existing < partitions) throw new TopologyError(`Changelog topic "${topic}" has ${existing} partitions but the store needs ${partitions}; delete it (the state is rebuilt from the inputs) or reset the application`);
        counts.set(topic, existing);
      }
    }
  }
}

/**
 * Partition count of a topic another instance has just created: its metadata may not have
 * reached every broker yet, so "unknown topic" is asked again for a while.
 */
async function partitionsOfTopicCreatedElsewhere(app: AppTopics, topic: string): Promise<number> {
  const deadline = app.clock() + TOPIC_VISIBLE_TIMEOUT_MS;
  for (;;) {
    try {
      return (await app.log.describeTopic(topic)).partitions.length;
    } catch (e) {
      if (!(e instanceof UnknownTopicError) || app.clock() > deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
