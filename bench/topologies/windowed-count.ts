// The stateful bench topology (a tumbling-window count) as a module, so stream threads (worker
// threads) can build it too.
import { Serdes, StreamsBuilder, TimeWindows } from '../../src/index.js';

export default function windowedCount() {
  const s = Serdes.string();
  const builder = new StreamsBuilder();
  builder
    .stream('in', { key: s, value: s })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 0))
    .count({ name: 'counts' })
    .toStream()
    .to('out', { key: Serdes.windowed(s), value: Serdes.int64() });
  return builder.build();
}
