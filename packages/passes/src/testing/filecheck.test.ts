import { describe, expect, it } from "vitest";
import { fileCheck, parseCheckFile, type Check } from "./filecheck.js";

const checks = (...l: [Check["kind"], string][]): Check[] => l.map(([kind, text], k) => ({ kind, text, line: k + 1 }));
const out = ["graph @g {", "  a = A()", "  b = B()", "  c = C()", "}"].join("\n");

describe("fileCheck", () => {
  it("matches CHECK lines in order and CHECK-NEXT on the following line", () => {
    expect(fileCheck(out, checks(["CHECK", "A()"], ["CHECK-NEXT", "b = B"], ["CHECK", "}"]))).toBeUndefined();
    expect(fileCheck(out, checks(["CHECK", "B()"], ["CHECK", "A()"]))).toMatch(/CHECK: 'A\(\)' not found after output line 3/);
    expect(fileCheck(out, checks(["CHECK", "A()"], ["CHECK-NEXT", "C()"]))).toMatch(/CHECK-NEXT: 'C\(\)' not on the line after output line 2/);
  });

  it("fails a CHECK-NOT that occurs between its neighbours or after the last match", () => {
    expect(fileCheck(out, checks(["CHECK", "A()"], ["CHECK-NOT", "B"], ["CHECK", "C()"]))).toMatch(/CHECK-NOT: 'B' found on output line 3/);
    expect(fileCheck(out, checks(["CHECK", "B()"], ["CHECK-NOT", "A"], ["CHECK", "C()"]))).toBeUndefined();
    expect(fileCheck(out, checks(["CHECK", "A()"], ["CHECK-NOT", "C()"]))).toMatch(/found on output line 4/);
  });

  it("parses RUN, checks and the IR of a check file", () => {
    const f = parseCheckFile("// RUN: dce\n// a comment\ngraph @g stage=float {\n}\n// CHECK: graph\n// ALLOW-INVALID-INPUT\n");
    expect(f.pipeline).toBe("dce");
    expect(f.checks).toEqual([{ kind: "CHECK", text: "graph", line: 5 }]);
    expect(f.allowInvalidInput).toBe(true);
    expect(f.ir.trim()).toBe("graph @g stage=float {\n}");
    expect(() => parseCheckFile("// CHECK: x\n", "f.qir")).toThrow(/f.qir: no '\/\/ RUN:' line/);
    expect(() => parseCheckFile("// RUN: dce\n", "f.qir")).toThrow(/f.qir: no CHECK lines/);
  });
});
