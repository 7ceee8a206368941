/** Paths named inside files (ONNX external data, safetensors shard names). */
import { isAbsolute, relative, resolve } from "node:path";
import { fail } from "./errors.js";

/**
 * Resolves a relative `location` read from a file under `baseDir`; FormatError if it is
 * empty, absolute, or escapes `baseDir` through `..`.
 */
export function resolveInside(baseDir: string, location: string, what: string, file?: string): string {
  if (location === "" || isAbsolute(location) || location.includes("\0")) fail(`${what}: location '${location}' is not a relative path`, file);
  const full = resolve(baseDir, location);
  const rel = relative(resolve(baseDir), full);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) fail(`${what}: location '${location}' escapes ${baseDir}`, file);
  return full;
}
