import { describe, expect, it } from 'vitest';
import { uniqueTopic } from '../contracts/partitioned-log.contract.js';
import { countOutputs, crashUntilDone } from '../helpers/app-crash-harness.js';
import { kafkaBootstrap } from '../helpers/kafka-bootstrap.js';

// Each restart on Kafka waits for the killed member's session (3 s) to expire, so fewer kills
// than on EmbeddedLog, each later in the run.
const plan = { inputs: 20_000, maxKills: 5, minDelayMs: 200, maxDelayMs: 1_500 };

describe('StreamsApp on KafkaLog killed with SIGKILL and restarted until done', () => {
  it('exactly_once: every input appears exactly once in the read_committed output', async () => {
    const { values, runs } = await crashUntilDone('exactly_once', { kind: 'kafka', bootstrap: kafkaBootstrap(), prefix: uniqueTopic('crash-eos') }, plan);
    console.log(`kafka exactly_once: finished after ${runs} runs`);
    expect(runs).toBeGreaterThanOrEqual(2);
    const counts = countOutputs(values);
    expect(counts.size).toBe(plan.inputs);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
  }, 300_000);
});

