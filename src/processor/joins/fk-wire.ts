import { createHash } from 'node:crypto';
import type { Serde } from '../../serdes/serde.js';
import { SerializationError } from '../../serdes/serialization-error.js';

/**
 * The records a foreign-key join sends through its internal topics, and the bucket of
 * subscriptions the foreign side keeps per foreign key. Kafka Streams: SubscriptionWrapper and
 * SubscriptionResponseWrapper (our byte layout is our own, version 1).
 */
export const SubscriptionInstruction = {
  /** The row left this foreign key (its key changed): forget it, answer nothing. */
  DeleteNoPropagate: 0,
  /** The row was deleted: forget it and answer, so the result row is deleted. */
  DeleteAndPropagate: 1,
  /** Answer even if the foreign row is missing (left joins, and rows whose foreign key changed). */
  PropagateNullIfMissing: 2,
  /** Answer only if the foreign row exists (inner joins). */
  PropagateOnlyIfPresent: 3,
} as const;
export type SubscriptionInstruction = (typeof SubscriptionInstruction)[keyof typeof SubscriptionInstruction];

export type Subscription = { instruction: SubscriptionInstruction; hash: Buffer | null; primaryKey: Buffer };
export type SubscriptionResponse = { hash: Buffer | null; value: Buffer | null };

const VERSION = 1;

/** A short digest of the left row's bytes: a response is used only if the row still has this digest. */
export function rowHash(bytes: Buffer): Buffer {
  return createHash('sha1').update(bytes).digest().subarray(0, 16);
}

export function sameHash(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

export function encodeSubscription(s: Subscription): Buffer {
  const hashLen = s.hash?.length ?? 0;
  const out = Buffer.allocUnsafe(3 + hashLen + s.primaryKey.length);
  out[0] = VERSION;
  out[1] = s.instruction;
  out[2] = hashLen;
  s.hash?.copy(out, 3);
  s.primaryKey.copy(out, 3 + hashLen);
  return out;
}

export function decodeSubscription(bytes: Buffer, topic: string): Subscription {
  check(bytes, 3, topic, 'subscription');
  const hashLen = bytes[2]!;
  check(bytes, 3 + hashLen, topic, 'subscription');
  return { instruction: bytes[1] as SubscriptionInstruction, hash: hashLen === 0 ? null : bytes.subarray(3, 3 + hashLen), primaryKey: bytes.subarray(3 + hashLen) };
}

export function encodeResponse(r: SubscriptionResponse): Buffer {
  const hashLen = r.hash?.length ?? 0;
  const out = Buffer.allocUnsafe(3 + hashLen + (r.value?.length ?? 0));
  out[0] = VERSION;
  out[1] = hashLen;
  r.hash?.copy(out, 2);
  out[2 + hashLen] = r.value === null ? 0 : 1;
  r.value?.copy(out, 3 + hashLen);
  return out;
}

export function decodeResponse(bytes: Buffer, topic: string): SubscriptionResponse {
  check(bytes, 2, topic, 'subscription response');
  const hashLen = bytes[1]!;
  check(bytes, 3 + hashLen, topic, 'subscription response');
  return { hash: hashLen === 0 ? null : bytes.subarray(2, 2 + hashLen), value: bytes[2 + hashLen] === 0 ? null : bytes.subarray(3 + hashLen) };
}

function check(bytes: Buffer, min: number, topic: string, what: string): void {
  if (bytes.length < min || bytes[0] !== VERSION) {
    throw new SerializationError(`Not a foreign-key join ${what} (version ${VERSION}) on topic "${topic}": ${bytes.length} bytes, version byte ${bytes[0]}`);
  }
}

/** Subscribers of one foreign key: primary key bytes (latin1) → hash of the subscribing row. */
export type SubscriberBucket = ReadonlyMap<string, Buffer | null>;

/** Serde of the foreign side's subscription store values. */
export const subscriberBucketSerde: Serde<SubscriberBucket> = {
  serialize: (_topic, bucket) => {
    let size = 4;
    for (const [pk, hash] of bucket) size += 5 + Buffer.byteLength(pk, 'latin1') + (hash?.length ?? 0);
    const out = Buffer.allocUnsafe(size);
    let at = out.writeUInt32BE(bucket.size, 0);
    for (const [pk, hash] of bucket) {
      at = out.writeUInt32BE(Buffer.byteLength(pk, 'latin1'), at);
      at += out.write(pk, at, 'latin1');
      out[at++] = hash?.length ?? 0;
      if (hash !== null) at += hash.copy(out, at);
    }
    return out;
  },
  deserialize: (_topic, bytes) => {
    const bucket = new Map<string, Buffer | null>();
    let at = 4;
    for (let n = bytes.readUInt32BE(0); n > 0; n--) {
      const len = bytes.readUInt32BE(at);
      const pk = bytes.toString('latin1', at + 4, at + 4 + len);
      at += 4 + len;
      const hashLen = bytes[at++]!;
      bucket.set(pk, hashLen === 0 ? null : Buffer.from(bytes.subarray(at, at + hashLen)));
      at += hashLen;
    }
    return bucket;
  },
};
