import { KafkaLog } from '../../src/index.js';
import { partitionedLogContract } from '../contracts/partitioned-log.contract.js';

function bootstrap(): string[] {
  const servers = process.env.KAFKA_BOOTSTRAP_SERVERS;
  if (!servers) throw new Error('KAFKA_BOOTSTRAP_SERVERS is not set: test/kafka/global-setup.ts should have started the broker');
  return servers.split(',');
}

// Consumer-group membership on KafkaLog is not built yet (issue 6), so that part of the contract
// is not registered for this backend; everything else runs against the real broker.
partitionedLogContract(
  'KafkaLog',
  async () => {
    const log = new KafkaLog({ brokers: bootstrap(), clientId: 'tributary-contract' });
    return { log, dispose: () => log.close() };
  },
  { consumerGroups: false },
);
