import { describe, expect, it } from 'vitest';
import { murmur2 } from '../../../src/index.js';

describe('murmur2', () => {
  // Kafka's own expectations (clients UtilsTest.testMurmur2) and values computed by Kafka's
  // Utils.murmur2 for short numeric strings.
  const vectors: [string, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
    ['1', -1993445489],
    ['12', 126087238],
    ['123', -267702483],
    ['1234', -1614185708],
    ['12345', -1188365604],
  ];
  it.each(vectors)('hashes %j as Kafka does', (input, expected) => {
    expect(murmur2(Buffer.from(input))).toBe(expected);
  });
});
