/**
 * Test support: runs the real `quantpass` binary as a subprocess and locates test models.
 * (Not a test file itself; imported by the *.test.ts files.)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(fileURLToPath(new URL("../../../..", import.meta.url)));
export const BIN = join(REPO, "packages/cli/bin/quantpass.js");

/** testdata/models/fmnist-cnn/model.onnx in the repo, else the shared copy. */
export function fmnistModel(): string {
  const inRepo = join(REPO, "testdata/models/fmnist-cnn/model.onnx");
  return existsSync(inRepo) ? inRepo : "/work/shared/models/fmnist-cnn/model.onnx";
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function quantpass(args: readonly string[], opts: { env?: Record<string, string>; cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, ...opts.env },
    encoding: "utf8",
    timeout: 300_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Asserts-friendly view of a user error: exit code and the stderr lines. */
export function errorLines(r: CliResult): string[] {
  return r.stderr.split("\n").filter((l) => l !== "");
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix = "quantpass-cli-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Names in a directory (for "no partial output" checks). */
export function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}
