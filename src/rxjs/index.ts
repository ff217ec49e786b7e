/**
 * RxJS interop, as `tributary/rxjs` (rxjs is an optional peer dependency): a topic's records as an
 * Observable, and an operator that writes an Observable's records to a topic. A stream app reads
 * and writes topics, so this is how Observables feed an app and watch what it writes.
 */
export { fromTopic } from './from-topic.js';
export type { FromTopicOptions } from './from-topic.js';
export { toTopic } from './to-topic.js';
export type { ToTopicOptions } from './to-topic.js';
export type { RecordToSend, TopicRecord } from './topic-record.js';
