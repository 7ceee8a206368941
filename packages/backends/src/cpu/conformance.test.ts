/**
 * The cpu interpreter on the ONNX backend node cases (Debian libonnx-testdata). Every case the
 * frontend lowers and the interpreter has kernels for must pass; the rest are listed as
 * unsupported in .tmp/conformance-report.txt with the missing ops.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
// Test-only: the frontend lowers the case models (backends itself does not depend on it).
import { lowerOnnx } from "@quantpass/frontends";
import { formatReport, listCases, NODE_CASES_DIR, prepareCase, runCase, type CaseResult } from "./conformance-cases.js";

const REPORT_DIR = fileURLToPath(new URL("../../../../.tmp/", import.meta.url));
const MIN_PASSED = 250;

if (!existsSync(NODE_CASES_DIR)) {
  it("needs the ONNX node test cases", () => {
    throw new Error(`${NODE_CASES_DIR} is missing: run the set-up (pnpm run setup, or apt-get install libonnx-testdata as root)`);
  });
} else {
  const prepared = listCases().map((name) => prepareCase(name, lowerOnnx));
  const results = new Map<string, CaseResult>();
  for (const c of prepared) if (c.status !== "ready") results.set(c.name, runCase(c));
  const ready = prepared.filter((c) => c.status === "ready");

  describe("onnx node conformance (cpu interpreter)", () => {
    // Cases the frontend could not load for another reason than an unsupported op are failures.
    const broken = prepared.filter((c) => c.status === "failed");
    it.each(broken.map((c) => ({ name: c.name, reason: c.reason })))("$name loads", ({ reason }) => {
      throw new Error(reason);
    });

    it.each(ready)("$name", (c) => {
      const r = runCase(c);
      results.set(c.name, r);
      if (r.status !== "passed") throw new Error(r.reason);
    });

    it(`passes every supported case, at least ${MIN_PASSED}`, () => {
      const all = [...results.values()];
      const passed = all.filter((r) => r.status === "passed").length;
      const failed = all.filter((r) => r.status === "failed").map((r) => r.name);
      expect(failed).toEqual([]);
      expect(passed).toBeGreaterThanOrEqual(MIN_PASSED);
    });

    afterAll(() => {
      const { text, summary } = formatReport([...results.values()].sort((a, b) => (a.name < b.name ? -1 : 1)));
      mkdirSync(REPORT_DIR, { recursive: true });
      writeFileSync(`${REPORT_DIR}conformance-report.txt`, text);
      console.log(`${summary}\n  report: .tmp/conformance-report.txt`);
    });
  });
}
