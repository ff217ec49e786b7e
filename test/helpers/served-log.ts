import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { EmbeddedLog } from '../../src/index.js';
import { capabilitiesOf, LogServer } from '../../src/runtime/engine/threads/log-server.js';
import { RemoteLog } from '../../src/runtime/engine/threads/remote-log.js';
import { RpcChannel, type MessageEndpoint } from '../../src/runtime/engine/threads/rpc-channel.js';

/**
 * What a stream thread sees: an EmbeddedLog in a temporary folder served over a message channel,
 * in one thread here (the transport is the same).
 */
export async function servedLog(): Promise<{ embedded: EmbeddedLog; server: LogServer; log: RemoteLog; dispose: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-served-log-'));
  const embedded = await EmbeddedLog.open(dir, { fsync: 'never', maintenanceIntervalMs: 0 });
  const { port1, port2 } = new MessageChannel();
  const server = new LogServer(new RpcChannel(port1 as unknown as MessageEndpoint), embedded);
  const log = new RemoteLog(new RpcChannel(port2 as unknown as MessageEndpoint), capabilitiesOf(embedded));
  const dispose = async () => {
    await server.dispose();
    port1.close();
    await embedded.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { embedded, server, log, dispose };
}
