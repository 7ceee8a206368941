/**
 * Atomic file output: write a temp file in the target's directory, fsync, rename over the
 * target. A failure leaves no partial output (the temp file is removed).
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/** Streams output through `write(fh)` into a temp file, then renames it over `path`. */
export async function writeAtomically(path: string, write: (fh: FileHandle) => Promise<void>): Promise<void> {
  const tmp = tempPathFor(path);
  const fh = await open(tmp, "wx");
  try {
    await write(fh);
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Writes `chunks` (one buffer or several, in order) to `path` atomically. */
export async function atomicWrite(path: string, chunks: Uint8Array | Iterable<Uint8Array>): Promise<void> {
  await writeAtomically(path, async (fh) => {
    for (const c of chunks instanceof Uint8Array ? [chunks] : chunks) await writeFully(fh, c);
  });
}

/** Synchronous {@link atomicWrite}. */
export function atomicWriteSync(path: string, chunks: Uint8Array | Iterable<Uint8Array>): void {
  const tmp = tempPathFor(path);
  const fd = fs.openSync(tmp, "wx");
  try {
    for (const c of chunks instanceof Uint8Array ? [chunks] : chunks) {
      for (let off = 0; off < c.byteLength; ) off += fs.writeSync(fd, c, off, Math.min(c.byteLength - off, CHUNK));
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, path);
  } catch (e) {
    try { fs.closeSync(fd); } catch { /* already closed */ }
    try { fs.unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
}

const CHUNK = 1 << 30;

/** Writes all of `bytes` at the handle's current position (loops over short writes). */
export async function writeFully(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.byteLength; ) {
    const { bytesWritten } = await fh.write(bytes, off, Math.min(bytes.byteLength - off, CHUNK));
    off += bytesWritten;
  }
}

/** Reads exactly `length` bytes at `position` into `into` (offset `at`); false on early EOF. */
export async function readFully(fh: FileHandle, into: Uint8Array, at: number, length: number, position: number): Promise<boolean> {
  for (let done = 0; done < length; ) {
    const { bytesRead } = await fh.read(into, at + done, Math.min(length - done, CHUNK), position + done);
    if (bytesRead === 0) return false;
    done += bytesRead;
  }
  return true;
}
