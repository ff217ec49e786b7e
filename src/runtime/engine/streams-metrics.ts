/** Counters of a running StreamsApp. */
export type StreamsMetrics = {
  /** Records taken from input topics and run through the topology. */
  processedRecords: number;
  /** Records skipped or dead-lettered by the deserialization handler. */
  skippedRecords: number;
  commits: number;
  rebalances: number;
};

export function newMetrics(): StreamsMetrics {
  return { processedRecords: 0, skippedRecords: 0, commits: 0, rebalances: 0 };
}
