import { TopologyError } from '../topology-error.js';

/**
 * Refuses a topic name that is not a non-empty string where it is given (a source, a sink, a
 * global table): an empty one used to pass until the app started. The log checks the rest of
 * Kafka's naming rules when it describes or creates the topic.
 */
export function checkTopicName(node: string, topic: unknown): void {
  if (typeof topic !== 'string' || topic.length === 0) throw new TopologyError(`Node "${node}" names topic ${JSON.stringify(topic) ?? String(topic)}: a topic needs a non-empty name`);
}
