import { TributaryError } from '../../../errors/tributary-error.js';

/** A stream thread (worker thread) or its connection to the main thread went away mid-call. */
export class ThreadGoneError extends TributaryError {
  constructor(reason: string) {
    super('STREAM_THREAD_GONE', `The stream thread connection is closed: ${reason}`);
  }
}
