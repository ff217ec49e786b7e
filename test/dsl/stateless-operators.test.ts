import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder, TopologyError, TopologyTestDriver } from '../../src/index.js';
import { runOnEmbeddedLog, type AppRun } from '../helpers/run-app.js';
import { cases, s, topology } from './stateless-cases.js';

describe('stateless operators', () => {
  let run: AppRun | undefined;
  afterEach(async () => {
    await run?.log.close();
    run = undefined;
  });

  it('refuses a repartition to fewer than one, or a fractional number of, partitions when it is asked for', () => {
    const stream = new StreamsBuilder().stream('in', { key: s, value: s });
    for (const partitions of [0, -1, 1.5, Number.NaN]) {
      expect(() => stream.repartition({ partitions })).toThrow(TopologyError);
      expect(() => stream.repartition({ partitions })).toThrow(/repartition partitions/);
    }
    expect(() => stream.repartition({ partitions: 3 })).not.toThrow();
  });

  describe.each(cases)('$name', (c) => {
    it('gives the expected output through TopologyTestDriver', async () => {
      const driver = new TopologyTestDriver(topology(c), { defaultKeySerde: s, defaultValueSerde: s });
      const input = driver.createInputTopic('in', s, s);
      driver.createInputTopic('in2', s, s);
      const outputs = Object.keys(c.expected).map((t) => [t, driver.createOutputTopic(t, s, s)] as const);
      for (const [k, v, ts] of c.inputs) await input.pipeInput(k, v, ts);
      for (const [topic, out] of outputs) expect(out.readKeyValuesToList().map((r) => [r.key, r.value]), topic).toEqual(c.expected[topic]);
      await driver.close();
    });

    it('gives the same output as a StreamsApp on EmbeddedLog', async () => {
      const topics: Record<string, number> = { in: 1, in2: 1 };
      for (const t of Object.keys(c.expected)) topics[t] = 1;
      const inputs = c.inputs.map(([k, v, ts]) => ({ topic: 'in', partition: 0, key: k === null ? null : Buffer.from(k), value: Buffer.from(v), timestamp: ts }));
      run = await runOnEmbeddedLog(topology(c), topics, inputs, { defaultKeySerde: s, defaultValueSerde: s });
      expect(run.app.state).toBe('NOT_RUNNING');
      for (const topic of Object.keys(c.expected)) {
        expect(run.outputs.get(topic)!.map((r) => [r.key?.toString() ?? null, r.value!.toString()]), topic).toEqual(c.expected[topic]);
      }
    });
  });
});
