// Prints the suite's closing line, "N passed, M failed", from vitest's JSON report.
// A test file that failed to load counts as one failure; so does a failed type-check.
import { readFileSync } from "node:fs";
const [file, tscRc] = process.argv.slice(2);
let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(readFileSync(file, "utf8"));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  for (const s of r.testResults ?? []) if (s.status === "failed" && s.assertionResults.length === 0) failed++;
} catch {
  failed = 1;
}
if (Number(tscRc) !== 0) failed++;
console.log(`${passed} passed, ${failed} failed`);
