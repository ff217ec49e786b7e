import fs from 'node:fs';
import path from 'node:path';
import { LogLockedError } from './errors.js';

/** Folders held by an open log in this process (a second open here fails without touching disk). */
const heldHere = new Set<string>();

/**
 * An exclusive hold on a log folder: a LOCK file holding the owner's pid, created with O_EXCL.
 * Node has no flock, so a lock left by a killed process is recognised by its pid no longer
 * running, and taken over.
 */
export class DirectoryLock {
  private constructor(private readonly dir: string, private readonly file: string) {}

  static acquire(dir: string): DirectoryLock {
    const real = fs.realpathSync(dir);
    if (heldHere.has(real)) throw new LogLockedError(dir, 'another open EmbeddedLog in this process');
    const file = path.join(real, 'LOCK');
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
        heldHere.add(real);
        return new DirectoryLock(real, file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = Number(fs.readFileSync(file, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
        throw new LogLockedError(dir, `process ${holder}`);
      }
      fs.rmSync(file, { force: true }); // stale: its owner is gone
    }
    throw new LogLockedError(dir, 'a process that keeps re-creating its LOCK file');
  }

  release(): void {
    heldHere.delete(this.dir);
    fs.rmSync(this.file, { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
