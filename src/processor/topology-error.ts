import { TributaryError } from '../errors/tributary-error.js';

/**
 * A topology that cannot run: unknown parent or store, duplicate name, missing serde, … The
 * message says what to change. Kafka Streams equivalent: `TopologyException`.
 */
export class TopologyError extends TributaryError {
  constructor(message: string) {
    super('INVALID_TOPOLOGY', message);
  }
}
