// Word count: lines of text → words → a running count per word, kept in a LevelDB store backed
// by a changelog topic, written to `word-counts` and queried while the app runs.
import { Serdes, StreamsApp, StreamsBuilder, type ReadOnlyKeyValueStore } from '../src/index.js';
import { untilCaughtUp } from './caught-up.js';
import { exampleLog } from './example-log.js';

const { log, stateDir, applicationId, createTopics } = await exampleLog('word-count', 'word-count');
await createTopics({ lines: 4, 'word-counts': 4 });

const text = ['the quick brown fox', 'jumps over the lazy dog', 'the dog sleeps', 'a fox runs over the hill'];
await log.produce(Array.from({ length: 2_000 }, (_, i) => ({ topic: 'lines', key: null, value: Buffer.from(text[i % text.length]!) })));

const builder = new StreamsBuilder();
builder
  .stream('lines', { key: Serdes.string(), value: Serdes.string() })
  .flatMapValues((_k, line) => line.toLowerCase().split(/\s+/))
  .groupBy((_k, word) => word, { key: Serdes.string(), value: Serdes.string() })
  .count({ name: 'counts' })
  .toStream()
  .to('word-counts', { key: Serdes.string(), value: Serdes.int64() });
const topology = builder.build();

const app = new StreamsApp(topology, { applicationId, log, stateDir, processingGuarantee: 'exactly_once' });
await app.start();
await untilCaughtUp(log, app, applicationId, topology, ['lines']);

const counts = app.store<ReadOnlyKeyValueStore<string, number>>('counts');
console.log(`"the" counted ${counts.get('the')} times, "fox" ${counts.get('fox')} times`);
for (const { key, value } of await counts.all()) console.log(`${key.padEnd(6)} ${value}`);
await app.close();
await log.close();
