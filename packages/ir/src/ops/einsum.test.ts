import { describe, expect, it } from "vitest";
import { parseEinsum } from "./einsum.js";
import { inferShapes as infer } from "./movement-infer-util.js";

describe("Einsum parsing and inference", () => {
  it("parses explicit, implicit and ellipsis equations", () => {
    expect(parseEinsum("ij,jk->ik", [2, 2])).toEqual({ inputs: [["i", "j"], ["j", "k"]], output: ["i", "k"] });
    expect(parseEinsum("ij,jk", [2, 2])).toEqual({ inputs: [["i", "j"], ["j", "k"]], output: ["i", "k"] });
    expect(parseEinsum("...ii ->...i", [4])).toEqual({ inputs: [["…0", "…1", "i", "i"]], output: ["…0", "…1", "i"] });
    expect(parseEinsum("ij->k", [2])).toMatch(/'k' is not in any input/);
    expect(parseEinsum("ij", [3])).toMatch(/does not match input 0/);
  });
  it("infers label sizes with symbols and broadcasting", () => {
    expect(infer("Einsum", [["f32", ["b", 3, 4]], ["f32", ["b", 4, 5]]], { equation: "bij,bjk->bik" })).toEqual([["b", 3, 5]]);
    expect(infer("Einsum", [["f32", [2, 1, 4]], ["f32", [3, 4]]], { equation: "...j,kj->...k" })).toEqual([[2, 1, 3]]);
    expect(infer("Einsum", [["f32", [5]], ["f32", [5]]], { equation: "i,i" })).toEqual([[]]);
    expect(() => infer("Einsum", [["f32", [2, 3]], ["f32", [4, 5]]], { equation: "ij,jk" })).toThrow(/label 'j' has sizes 3 and 4/);
  });
});
