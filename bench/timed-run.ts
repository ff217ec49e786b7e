import type { StreamsApp } from '../src/index.js';

/**
 * Starts `app` and returns its records per second once it has processed `records`. One thread is
 * timed from start(). Stream threads (`threads` > 1) are timed from start() resolving, counting
 * only the records processed after it: workers loading TypeScript sources take most of a second
 * to start here, while thread 0 (on this thread) starts at once and works alone meanwhile.
 * `closeTimed`: the app is closed inside the timing (its final commit is part of the work);
 * otherwise the caller closes it.
 */
export async function timedRun(app: StreamsApp, records: number, threads: number, closeTimed: boolean): Promise<number> {
  let started = performance.now();
  await app.start();
  let counted = 0;
  if (threads > 1) {
    started = performance.now();
    counted = app.metrics().processedRecords;
    if (counted >= records) throw new Error(`all ${records} records were processed before the stream threads started: time more records`);
  }
  while (app.metrics().processedRecords < records) {
    if (app.state === 'ERROR') throw app.error;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  if (closeTimed) await app.close();
  return Math.round((records - counted) / ((performance.now() - started) / 1000));
}
