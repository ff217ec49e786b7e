import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../src/processor/internals/min-heap.js';

describe('MinHeap', () => {
  it('pops what a sorted reference holds, with pushes and pops interleaved (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }), { maxLength: 200 }), (ops) => {
        const heap = new MinHeap<number>((a, b) => a < b);
        const reference: number[] = [];
        for (const op of ops) {
          if (op === undefined) {
            reference.sort((a, b) => a - b);
            expect(heap.pop()).toBe(reference.shift());
          } else {
            heap.push(op);
            reference.push(op);
          }
          expect(heap.size).toBe(reference.length);
          expect(heap.peek()).toBe(reference.length === 0 ? undefined : Math.min(...reference));
        }
      }),
      { numRuns: 200 },
    );
  });
});
