/** Counters of a running StreamsApp. */
export type StreamsMetrics = {
  /** Records taken from input topics and run through the topology. */
  processedRecords: number;
  /** Records skipped or dead-lettered by the deserialization handler. */
  skippedRecords: number;
  /** Records an operator dropped: too late for their window (past grace), or a null key where one is needed. */
  droppedRecords: number;
  /** Changelog records applied to stores while restoring them. */
  restoredRecords: number;
  commits: number;
  rebalances: number;
  /** Times the tasks restarted from their last commit after a retriable log error (taskTimeoutMs). */
  recoveries: number;
};

export function newMetrics(): StreamsMetrics {
  return { processedRecords: 0, skippedRecords: 0, droppedRecords: 0, restoredRecords: 0, commits: 0, rebalances: 0, recoveries: 0 };
}
