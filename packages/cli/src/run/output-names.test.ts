import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_STEM, outputFileNames, sanitizeStem } from "./output-names.js";

describe("output file names", () => {
  it("keeps safe names and replaces the rest", () => {
    expect(outputFileNames(["logits", "a/b:c d", "..", ".hidden", "", "é"])).toEqual([
      "logits.npy", "a_b_c_d.npy", "_..npy", "_hidden.npy", "_.npy", "__2.npy",
    ]);
  });

  it("disambiguates names that collide ignoring case", () => {
    expect(outputFileNames(["Out", "out", "out_2", "o/ut", "o:ut"])).toEqual(["Out.npy", "out_2.npy", "out_2_2.npy", "o_ut.npy", "o_ut_2.npy"]);
  });

  it("always gives unique, safe, bounded names", () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: "binary" }), { maxLength: 12 }), (names) => {
      const files = outputFileNames(names);
      expect(files).toHaveLength(names.length);
      expect(new Set(files.map((f) => f.toLowerCase())).size).toBe(files.length);
      for (const f of files) {
        expect(f).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*\.npy$/);
        expect(f.length).toBeLessThanOrEqual(MAX_STEM + 20);
      }
    }));
  });

  it("cuts long names to 200 characters", () => {
    expect(sanitizeStem("x".repeat(500))).toHaveLength(200);
  });
});
