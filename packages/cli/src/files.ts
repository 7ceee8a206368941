/**
 * File-system checks with user-facing messages: a missing or unreadable file the user
 * named is a UserError (`cannot read 'x.onnx': no such file`), never a raw ENOENT.
 */
import * as fs from "node:fs";
import { dirname, resolve } from "node:path";
import { UserError } from "@quantpass/ir";

/** A short reason for a Node fs error code. */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT": return "no such file";
    case "EACCES": case "EPERM": return "permission denied";
    case "EISDIR": return "is a directory";
    case "ENOTDIR": return "a parent is not a directory";
    case "ENOSPC": return "no space left on device";
    case "EROFS": return "read-only file system";
    case "EEXIST": return "already exists";
    default: return e instanceof Error ? e.message : String(e);
  }
}

export function isFsError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === "string" && "syscall" in e;
}

/** Throws a UserError unless `path` is a readable regular file. */
export function checkReadableFile(path: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
    fs.accessSync(path, fs.constants.R_OK);
  } catch (e) {
    throw new UserError(`cannot read '${path}': ${fsReason(e)}`, path);
  }
  if (st.isDirectory()) throw new UserError(`cannot read '${path}': is a directory`, path);
}

/** Throws a UserError unless the directory that will hold `path` exists. */
export function checkWritableTarget(path: string): void {
  const dir = dirname(resolve(path));
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    throw new UserError(`cannot write '${path}': directory '${dirname(path)}': ${fsReason(e)}`, path);
  }
  if (!st.isDirectory()) throw new UserError(`cannot write '${path}': '${dirname(path)}' is not a directory`, path);
  try {
    const target = fs.statSync(path);
    if (target.isDirectory()) throw new UserError(`cannot write '${path}': is a directory`, path);
  } catch (e) {
    if (e instanceof UserError) throw e;
  }
}

/** Runs a write; an fs error becomes a UserError naming `path`. */
export async function writing<T>(path: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isFsError(e)) throw new UserError(`cannot write '${path}': ${fsReason(e)}`, path);
    throw e;
  }
}
