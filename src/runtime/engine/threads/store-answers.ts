import v8 from 'node:v8';
import { StateStoreError, StoreNotReadyError } from '../../../state/state-store-error.js';
import { deserializeError, serializeError } from './thread-errors.js';

/** Room for one answer; a larger one fails with StateStoreError (range queries go the async way). */
const ANSWER_BYTES = 4 << 20;
const HEADER_BYTES = 8;

/**
 * Answers to store queries that must return at once (`get`, `fetch`, …): the main thread posts
 * the query and waits on this shared memory while the worker, between two of its rounds, writes
 * the answer. Layout: i32 sequence number of the answer, i32 its length, then the answer
 * (v8-serialized `{ value }` or `{ error }`).
 */
export class StoreAnswers {
  private readonly cells: Int32Array;
  private readonly bytes: Uint8Array;

  constructor(readonly shared: SharedArrayBuffer) {
    this.cells = new Int32Array(shared, 0, 2);
    this.bytes = new Uint8Array(shared, HEADER_BYTES);
  }

  static allocate(): StoreAnswers {
    return new StoreAnswers(new SharedArrayBuffer(HEADER_BYTES + ANSWER_BYTES));
  }

  /** Worker side: runs the query and publishes its answer under `seq`. */
  answer(seq: number, query: () => unknown): void {
    let payload: Buffer;
    try {
      payload = v8.serialize({ value: query() });
    } catch (e) {
      payload = v8.serialize({ error: serializeError(e) });
    }
    if (payload.length > this.bytes.length) {
      payload = v8.serialize({ error: serializeError(new StateStoreError(`a query answer of ${payload.length} bytes is over the ${this.bytes.length} bytes one answer can take`)) });
    }
    this.bytes.set(payload);
    Atomics.store(this.cells, 1, payload.length);
    Atomics.store(this.cells, 0, seq);
    Atomics.notify(this.cells, 0);
  }

  /** Main side: waits for the answer numbered `seq` (the query was just posted); throws the query's error. */
  await(seq: number, store: string, timeoutMs: number): unknown {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = Atomics.load(this.cells, 0);
      if (current === seq) break;
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.cells, 0, current, left) === 'timed-out') {
        throw new StoreNotReadyError(store, `a stream thread did not answer within ${timeoutMs} ms`);
      }
    }
    const length = Atomics.load(this.cells, 1);
    const answer = v8.deserialize(this.bytes.slice(0, length)) as { value?: unknown; error?: ReturnType<typeof serializeError> };
    if (answer.error !== undefined) throw deserializeError(answer.error);
    return answer.value;
  }
}
