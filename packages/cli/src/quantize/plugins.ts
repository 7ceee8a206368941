/**
 * `--plugin <file>`: imports a JS/TS module (path relative to the working directory) whose
 * top-level `definePass(...)` calls register passes, before the pipeline is parsed. The CLI
 * runs under tsx, so `.ts` plugins load as they are. A plugin must import `definePass` from
 * `@quantpass/passes` (the same module the CLI uses; pnpm links resolve to one file).
 * Any failure (missing file, syntax error, a throw at import, a pass defined twice) is a
 * one-line UserError naming the file.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { UserError } from "@quantpass/ir";
import { allPasses } from "@quantpass/passes";
import { checkReadableFile } from "../files.js";
import { oneLine } from "../errors.js";

/** Imports each plugin in order; returns the names of the passes they registered. */
export async function loadPlugins(files: readonly string[], cwd = process.cwd()): Promise<string[]> {
  const added: string[] = [];
  for (const file of files) {
    const path = resolve(cwd, file);
    try {
      checkReadableFile(path);
    } catch {
      throw new UserError(`--plugin ${file}: no such file (paths are relative to the working directory, ${cwd})`, file);
    }
    const before = new Set(allPasses().map((p) => p.name));
    try {
      await import(pathToFileURL(path).href);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new UserError(`--plugin ${file}: loading it failed: ${oneLine(msg).slice(0, 500)}`, file);
    }
    added.push(...allPasses().map((p) => p.name).filter((n) => !before.has(n)));
  }
  return added;
}
