import { TributaryError } from '../errors/tributary-error.js';

/** A state store's files could not be opened, read or written. */
export class StateStoreError extends TributaryError {
  constructor(message: string, cause?: unknown) {
    super('STATE_STORE', message, cause === undefined ? undefined : { cause });
  }
}

/**
 * A store cannot answer a query right now (its task is restoring, moving to another instance, or
 * the app is not running). Retriable: ask again later. Kafka Streams: `InvalidStateStoreException`.
 */
export class StoreNotReadyError extends TributaryError {
  constructor(storeName: string, reason: string) {
    super('STORE_NOT_READY', `State store "${storeName}" is not queryable: ${reason}; retry later`, { retriable: true });
  }
}
