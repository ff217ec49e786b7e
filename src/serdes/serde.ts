/**
 * Turns values of type T into bytes and back. Kafka Streams equivalent: `Serde<T>`.
 * `topic` is the topic the bytes are for, as Kafka's serializers receive it. Null keys and
 * values never reach a serde: they pass through as null (a tombstone stays a tombstone).
 *
 * @example
 * const upper: Serde<string> = {
 *   serialize: (_topic, s) => Buffer.from(s.toUpperCase()),
 *   deserialize: (_topic, bytes) => bytes.toString(),
 * };
 */
export interface Serde<T> {
  serialize(topic: string, data: T): Buffer;
  deserialize(topic: string, data: Buffer): T;
  /**
   * Optional fast path: the value of bytes `start` to `end` of `buffer`, read in place. Must
   * equal `deserialize(topic, buffer.subarray(start, end))`; stream tasks call it for records
   * they read, sparing a Buffer per key and value.
   */
  deserializeRange?(topic: string, buffer: Buffer, start: number, end: number): T;
  /**
   * Optional fast path: writes the bytes `serialize` would return into `target` at `offset` and
   * returns how many, or returns -1 when they may not fit in the room left (the caller makes
   * room and asks again; what was written past `offset` is ignored). Stream tasks writing to
   * EmbeddedLog call it to serialize straight into the record batch, sparing a Buffer each.
   */
  serializeInto?(topic: string, data: T, target: Buffer, offset: number): number;
}
