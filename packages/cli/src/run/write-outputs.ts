/**
 * Writes a set of files into a directory all-or-nothing: everything is written to a fresh
 * temp directory next to the target (same file system), then moved in by rename. A failure
 * while writing leaves the target untouched and removes the temp directory.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UserError } from "@quantpass/ir";
import { fsReason, isFsError } from "../files.js";

export interface PendingFile {
  /** File name inside the target directory (already sanitized). */
  readonly name: string;
  /** Writes the file at `path` (which is inside the temp directory). */
  readonly write: (path: string) => Promise<void> | void;
}

/** Checks that `dir` can be used as an output directory (exists as a directory, or its parent does). */
export function checkOutDir(dir: string): void {
  const parent = dirname(resolve(dir));
  try {
    const st = fs.statSync(dir);
    if (!st.isDirectory()) throw new UserError(`--out '${dir}' exists and is not a directory`, "--out");
    return;
  } catch (e) {
    if (e instanceof UserError) throw e;
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new UserError(`--out '${dir}': ${fsReason(e)}`, "--out");
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(parent);
  } catch (e) {
    throw new UserError(`--out '${dir}': parent directory '${dirname(dir)}': ${fsReason(e)}`, "--out");
  }
  if (!st.isDirectory()) throw new UserError(`--out '${dir}': parent '${dirname(dir)}' is not a directory`, "--out");
}

/** Writes `files` into `dir` (created if missing) with no partial result on failure. */
export async function writeAllOrNothing(dir: string, files: readonly PendingFile[]): Promise<void> {
  checkOutDir(dir);
  const target = resolve(dir);
  const tmp = join(dirname(target), `.${basename(target)}.quantpass-${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  try {
    fs.mkdirSync(tmp);
  } catch (e) {
    throw new UserError(`cannot write to '${dir}': ${fsReason(e)}`, "--out");
  }
  try {
    for (const f of files) await f.write(join(tmp, f.name));
    if (!fs.existsSync(target)) {
      fs.renameSync(tmp, target);
      return;
    }
    for (const f of files) fs.renameSync(join(tmp, f.name), join(target, f.name));
  } catch (e) {
    if (isFsError(e)) throw new UserError(`cannot write to '${dir}': ${fsReason(e)}`, "--out");
    throw e;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
