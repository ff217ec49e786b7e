import { JoinWindows, Serdes, StreamsBuilder, TopologyTestDriver, type KStream } from '../../src/index.js';

export type StreamJoinKind = 'join' | 'leftJoin' | 'outerJoin';
const s = Serdes.string();

/**
 * A test driver running string streams 'left' and 'right' joined into 'out' as "left+right"
 * (a missing side shows as "null"). The caller closes `driver`.
 */
export function stringStreamJoin(kind: StreamJoinKind, windows: JoinWindows, applicationId = 'joins') {
  const builder = new StreamsBuilder();
  const left = builder.stream('left', { key: s, value: s });
  const right = builder.stream('right', { key: s, value: s });
  const joiner = (l: string | null, r: string | null) => `${l}+${r}`;
  const joined: KStream<string, string> =
    kind === 'join' ? left.join(right, joiner, windows) : kind === 'leftJoin' ? left.leftJoin(right, joiner, windows) : left.outerJoin(right, joiner, windows);
  joined.to('out', { key: s, value: s });
  const driver = new TopologyTestDriver(builder.build(), { applicationId });
  const out = driver.createOutputTopic('out', s, s);
  return {
    driver,
    left: driver.createInputTopic('left', s, s),
    right: driver.createInputTopic('right', s, s),
    read: (): [string, string, number][] => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]),
  };
}
