import type { Serde } from '../serdes/serde.js';
import type { StateStore } from '../state/state-store.js';
import type { StreamRecord } from './stream-record.js';

/** Stream time advances with record timestamps; wall-clock time with the system clock. */
export type PunctuationType = 'stream-time' | 'wall-clock';

/** Called by a schedule with the current time of its kind, in ms. */
export type Punctuator = (timestamp: number) => void;

export interface Cancellable {
  cancel(): void;
}

/** Where the record being processed came from; null inside a punctuator. */
export type RecordMetadata = { topic: string; partition: number; offset: number };

/**
 * What a processor can do besides receiving records. Kafka Streams equivalent:
 * `org.apache.kafka.streams.processor.api.ProcessorContext`.
 */
export interface ProcessorContext<KOut, VOut> {
  readonly applicationId: string;
  /** `<subtopology>_<partition>`, as Kafka Streams names tasks. */
  readonly taskId: string;
  /** Sends a record to every child, or to the named child only. */
  forward(record: StreamRecord<KOut, VOut>, childName?: string): void;
  /** Runs `punctuator` every `intervalMs` of stream time or wall-clock time. */
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  recordMetadata(): RecordMetadata | null;
  /** The largest record timestamp this task has seen (-1 before the first). */
  currentStreamTimeMs(): number;
  currentSystemTimeMs(): number;
  getStateStore<S extends StateStore>(name: string): S;
  /** Asks for a commit as soon as the current record is done. */
  commit(): void;
  /** The application's default key serde. Kafka Streams: `ProcessorContext.keySerde()`. */
  keySerde(): Serde<unknown>;
  /** The application's default value serde. */
  valueSerde(): Serde<unknown>;
  /** Counts a record this processor chose to drop (late for its window, null key) in the app's metrics. */
  recordDropped(reason: string): void;
}

/**
 * A step of a topology. `process` is synchronous: the engine processes a whole fetched batch
 * without awaiting, which is what keeps per-record cost low. Kafka Streams equivalent:
 * `org.apache.kafka.streams.processor.api.Processor`.
 *
 * @example
 * const upper: ProcessorSupplier<string, string, string, string> = () => {
 *   let ctx: ProcessorContext<string, string>;
 *   return { init: (c) => (ctx = c), process: (r) => ctx.forward(r.withValue(r.value.toUpperCase())) };
 * };
 */
export interface Processor<KIn, VIn, KOut = KIn, VOut = VIn> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: StreamRecord<KIn, VIn>): void;
  close?(): void;
}

/** Makes a new processor instance per task. */
export type ProcessorSupplier<KIn, VIn, KOut = KIn, VOut = VIn> = () => Processor<KIn, VIn, KOut, VOut>;
