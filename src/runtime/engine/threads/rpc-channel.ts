import type { TransferListItem } from 'node:worker_threads';
import { ThreadGoneError } from './thread-gone-error.js';
import { deserializeError, serializeError, type SerializedError } from './thread-errors.js';

/** What both ends of a worker connection offer: a Worker on the main thread, parentPort inside it. */
export interface MessageEndpoint {
  postMessage(value: unknown, transferList?: readonly TransferListItem[]): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
}

type Message =
  | { rpc: 'call'; id: number; method: string; args: unknown[] }
  | { rpc: 'reply'; id: number; value: unknown }
  | { rpc: 'fail'; id: number; error: SerializedError }
  | { rpc: 'event'; name: string; payload: unknown };

/** A handler's result with buffers to move (not copy) to the caller's thread. */
export class Transfer<T> {
  constructor(
    readonly value: T,
    readonly list: TransferListItem[],
  ) {}
}

type Handler = (...args: never[]) => unknown;

/**
 * Request/response and one-way events between two threads over one message endpoint. Errors
 * thrown by a handler come back to the caller as the same error class (see thread-errors.ts).
 */
export class RpcChannel {
  private readonly handlers = new Map<string, Handler>();
  private readonly listeners = new Map<string, (payload: never) => void>();
  private readonly pending = new Map<number, { method: string; resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private nextId = 0;
  private closedReason: string | undefined;

  constructor(private readonly endpoint: MessageEndpoint) {
    endpoint.on('message', this.receive);
  }

  /** Serves `method`; the handler's result (or a Transfer of it) is the caller's. */
  handle<A extends unknown[], R>(method: string, handler: (...args: A) => R | Promise<R>): void {
    this.handlers.set(method, handler as Handler);
  }

  on<P>(event: string, listener: (payload: P) => void): void {
    this.listeners.set(event, listener as (payload: never) => void);
  }

  call<R>(method: string, args: unknown[], transfer?: readonly TransferListItem[]): Promise<R> {
    if (this.closedReason !== undefined) return Promise.reject(new ThreadGoneError(`${this.closedReason} (calling ${method})`));
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
      this.endpoint.postMessage({ rpc: 'call', id, method, args } satisfies Message, transfer);
    });
  }

  emit(event: string, payload: unknown): void {
    if (this.closedReason === undefined) this.endpoint.postMessage({ rpc: 'event', name: event, payload } satisfies Message);
  }

  /** Fails every waiting call and stops listening. */
  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.endpoint.off('message', this.receive);
    for (const p of this.pending.values()) p.reject(new ThreadGoneError(`${reason} (waiting on ${p.method})`));
    this.pending.clear();
  }

  private readonly receive = (raw: unknown): void => {
    const message = raw as Message;
    switch (message?.rpc) {
      case 'call':
        void this.serve(message.id, message.method, message.args);
        return;
      case 'reply':
      case 'fail': {
        const p = this.pending.get(message.id);
        if (p === undefined) return;
        this.pending.delete(message.id);
        if (message.rpc === 'reply') p.resolve(message.value);
        else p.reject(deserializeError(message.error));
        return;
      }
      case 'event':
        this.listeners.get(message.name)?.(message.payload as never);
        return;
    }
  };

  private async serve(id: number, method: string, args: unknown[]): Promise<void> {
    try {
      const handler = this.handlers.get(method);
      if (handler === undefined) throw new Error(`No handler for "${method}" on this thread`);
      const result = await (handler as (...a: unknown[]) => unknown)(...args);
      if (this.closedReason !== undefined) return;
      if (result instanceof Transfer) this.endpoint.postMessage({ rpc: 'reply', id, value: result.value } satisfies Message, result.list);
      else this.endpoint.postMessage({ rpc: 'reply', id, value: result } satisfies Message);
    } catch (e) {
      if (this.closedReason === undefined) this.endpoint.postMessage({ rpc: 'fail', id, error: serializeError(e) } satisfies Message);
    }
  }
}
