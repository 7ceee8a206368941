import { readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import "./index.js";
import { randomData } from "./testing/data.js";
import { runCheckFile } from "./testing/filecheck.js";

const root = dirname(fileURLToPath(import.meta.url));

function qirFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? qirFiles(join(dir, d.name)) : d.name.endsWith(".qir") ? [join(dir, d.name)] : [],
  );
}

describe("pass goldens (testdata/*.qir)", () => {
  const executor = new CpuInterpreter();
  for (const file of qirFiles(root).sort())
    it(relative(root, file), async () => {
      await runCheckFile(file, (g) => ({ executor, data: randomData(g, 3, 1) }));
    });
});
