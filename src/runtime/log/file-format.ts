import fs from 'node:fs';

/**
 * Every file EmbeddedLog writes starts with a 16-byte header: a 4-byte magic naming its kind, a
 * u16 format version, two reserved bytes, and an f64 whose meaning depends on the kind (a
 * segment's base offset, for instance). A file of a newer version is refused, not misread.
 */
export const FILE_HEADER_BYTES = 16;
export const FORMAT_VERSION = 1;

export const Magic = {
  segment: 0x53425254, // "TRBS"
  index: 0x49425254, // "TRBI"
  aborted: 0x41425254, // "TRBA"
  coordinator: 0x43425254, // "TRBC"
} as const;

export function fileHeader(magic: number, value: number): Buffer {
  const buf = Buffer.alloc(FILE_HEADER_BYTES);
  buf.writeUInt32LE(magic, 0);
  buf.writeUInt16LE(FORMAT_VERSION, 4);
  buf.writeDoubleLE(value, 8);
  return buf;
}

/** The header's value when `buf` starts with a valid header of this kind, else null. */
export function readFileHeader(buf: Buffer, magic: number): number | null {
  if (buf.length < FILE_HEADER_BYTES) return null;
  if (buf.readUInt32LE(0) !== magic || buf.readUInt16LE(4) !== FORMAT_VERSION) return null;
  return buf.readDoubleLE(8);
}

/** Writes all of `buf` at `position`, looping over short writes. */
export function writeFully(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
}

/** Reads exactly `length` bytes at `position` (fewer only at end of file). */
export function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) return buf.subarray(0, done);
    done += n;
  }
  return buf;
}

export function fsyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
}

/** fsync a directory so file creations, renames and deletions in it survive power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const fd = fs.openSync(dir, 'r');
  try {
    await fsyncAsync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Replace `file` with `contents` atomically: write a temporary file, fsync it, rename over. */
export async function replaceFileAtomically(file: string, contents: Buffer, dir: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    writeFully(fd, contents, 0);
    await fsyncAsync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  await fsyncDir(dir);
}

/** replaceFileAtomically for start-up paths, where blocking is fine. */
export function replaceFileAtomicallySync(file: string, contents: Buffer): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    writeFully(fd, contents, 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
