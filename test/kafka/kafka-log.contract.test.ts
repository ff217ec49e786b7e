import { KafkaLog } from '../../src/index.js';
import { partitionedLogContract } from '../contracts/partitioned-log.contract.js';
import { kafkaBootstrap } from '../helpers/kafka-bootstrap.js';

partitionedLogContract(
  'KafkaLog',
  async () => {
    const log = new KafkaLog({ brokers: kafkaBootstrap().split(','), clientId: 'tributary-contract' });
    return { log, dispose: () => log.close() };
  },
);
