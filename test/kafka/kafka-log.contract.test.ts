import { KafkaLog } from '../../src/index.js';
import { partitionedLogContract } from '../contracts/partitioned-log.contract.js';

function bootstrap(): string[] {
  const servers = process.env.KAFKA_BOOTSTRAP_SERVERS;
  if (!servers) throw new Error('KAFKA_BOOTSTRAP_SERVERS is not set: test/kafka/global-setup.ts should have started the broker');
  return servers.split(',');
}

partitionedLogContract(
  'KafkaLog',
  async () => {
    const log = new KafkaLog({ brokers: bootstrap(), clientId: 'tributary-contract' });
    return { log, dispose: () => log.close() };
  },
);
