import { execFileSync } from 'node:child_process';

/**
 * Writes every dirty page out (`sync`) before a timed run. On ext4 an fsync can wait for other
 * files' dirty data too, so exactly_once commits (which fsync) would otherwise pay for writing the
 * previous run's output and this run's freshly filled input.
 */
export function settleDisk(): void {
  try {
    execFileSync('sync');
  } catch {
    // No sync(1) here: the run is measured as it is.
  }
}
