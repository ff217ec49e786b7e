import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProducerFencedError, TransactionStateError, type EmbeddedLog } from '../../src/index.js';
import type { LogServer } from '../../src/runtime/engine/threads/log-server.js';
import type { RemoteLog } from '../../src/runtime/engine/threads/remote-log.js';
import { readAll } from '../helpers/read-all.js';
import { servedLog } from '../helpers/served-log.js';

// A stream thread begins a transaction at every commit (ten a second under exactly_once): the
// serving thread must not keep them once they end.
describe('LogServer transaction handles', () => {
  let embedded: EmbeddedLog;
  let server: LogServer;
  let log: RemoteLog;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    ({ embedded, server, log, dispose } = await servedLog());
    await embedded.createTopic('t');
  });

  afterEach(() => dispose());

  it('forgets each transaction once it commits or aborts, and the ones of a released id', async () => {
    for (let i = 0; i < 30; i++) {
      const txn = await log.transaction('thread-1');
      await txn.produce([{ topic: 't', partition: 0, key: null, value: Buffer.from(`v${i}`) }]);
      if (i % 3 === 0) await txn.abort();
      else await txn.commit();
    }
    expect(server.heldTransactions).toBe(0);
    const open = await log.transaction('thread-2');
    expect(server.heldTransactions).toBe(1);
    await log.releaseTransactionalId!('thread-2');
    expect(server.heldTransactions).toBe(0);
    // Late calls fail as they would on the log itself.
    await expect(open.commit()).rejects.toBeInstanceOf(ProducerFencedError);
    const done = await log.transaction('thread-3');
    await done.commit();
    await expect(done.produce([{ topic: 't', partition: 0, key: null, value: Buffer.from('late') }])).rejects.toBeInstanceOf(TransactionStateError);
    expect((await readAll(embedded, 't')).map((r) => r.value?.toString())).toEqual(
      Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 3 !== 0).map((i) => `v${i}`),
    );
  });
});
