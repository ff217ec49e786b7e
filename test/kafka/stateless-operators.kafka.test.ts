import { describe, expect, it } from 'vitest';
import { KafkaLog } from '../../src/index.js';
import { uniqueTopic } from '../contracts/partitioned-log.contract.js';
import { cases, s, topology } from '../dsl/stateless-cases.js';
import { INPUT_TIME_BASE } from '../helpers/app-crash-harness.js';
import { runOnLog } from '../helpers/run-app.js';
import { kafkaBootstrap } from '../helpers/kafka-bootstrap.js';

function kafkaLog(): KafkaLog {
  return new KafkaLog({ brokers: kafkaBootstrap().split(','), clientId: 'tributary-operators' });
}


describe.each(['at_least_once', 'exactly_once'] as const)('stateless operators on KafkaLog (%s)', (guarantee) => {
  it.each(cases)('$name gives the same output as on the test driver', async (c) => {
    const prefix = uniqueTopic(c.name.replace(/[^a-zA-Z0-9]+/g, '-'));
    const t = (name: string) => `${prefix}-${name}`;
    const topics: Record<string, number> = { [t('in')]: 1, [t('in2')]: 1 };
    for (const name of Object.keys(c.expected)) topics[t(name)] = 1;
    // The cases' times shifted to today: Kafka's retention check (30 s after the broker starts,
    // then every 5 minutes) deletes records stamped in 1970, outputs included, mid-test.
    const inputs = c.inputs.map(([k, v, ts]) => ({ topic: t('in'), partition: 0, key: k === null ? null : Buffer.from(k), value: Buffer.from(v), timestamp: INPUT_TIME_BASE + ts }));
    const log = kafkaLog();
    try {
      const run = await runOnLog(log, topology(c, t), topics, inputs, { applicationId: `${prefix}-app`, processingGuarantee: guarantee, defaultKeySerde: s, defaultValueSerde: s });
      expect(run.app.state).toBe('NOT_RUNNING');
      for (const name of Object.keys(c.expected)) {
        expect(run.outputs.get(t(name))!.map((r) => [r.key?.toString() ?? null, r.value!.toString()]), name).toEqual(c.expected[name]);
      }
    } finally {
      await log.close();
    }
  });
});
