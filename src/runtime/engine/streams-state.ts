import { TributaryError } from '../../errors/tributary-error.js';

/** Lifecycle of a StreamsApp, as Kafka Streams' `KafkaStreams.State`. */
export type StreamsState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'PENDING_ERROR' | 'ERROR';

const LEGAL: Record<StreamsState, StreamsState[]> = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  REBALANCING: ['RUNNING', 'REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  PENDING_ERROR: ['ERROR'],
  ERROR: ['PENDING_SHUTDOWN'],
};

/** A StreamsApp call not legal in its current state (e.g. start() twice). */
export class StreamsStateError extends TributaryError {
  constructor(operation: string, state: StreamsState) {
    super('INVALID_STREAMS_STATE', `Cannot ${operation}: the application is ${state}`);
  }
}

export function canTransition(from: StreamsState, to: StreamsState): boolean {
  return LEGAL[from].includes(to);
}
