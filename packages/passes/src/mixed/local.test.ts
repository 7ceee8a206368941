import { describe, expect, it } from "vitest";
import { localDrop, rankByDrop } from "./local.js";

describe("local sensitivity", () => {
  it("drop = 10·log10(NSR_out − NSR_in); an exact input (+∞) gives −SQNR_out; nothing added −∞", () => {
    expect(localDrop(40, 30)).toBeCloseTo(10 * Math.log10(1e-3 - 1e-4), 12);
    expect(localDrop(30, 40)).toBe(-Infinity); // less relative noise out than in
    expect(localDrop(20, 20)).toBe(-Infinity);
    expect(localDrop(Infinity, 49.5)).toBe(-49.5);
    expect(localDrop(30, Infinity)).toBe(-Infinity);
    expect(localDrop(Infinity, Infinity)).toBe(-Infinity);
    expect(localDrop(-Infinity, -Infinity)).toBe(-Infinity); // zero signals with noise: NaN → least sensitive
    expect(localDrop(20, -Infinity)).toBe(Infinity); // an output with noise and no signal: most sensitive
  });

  it("ranks by decreasing drop, ties in the given (node) order", () => {
    const s = (layer: string, drop: number) => ({ layer, sqnrIn: 0, sqnrOut: 0, drop });
    expect(rankByDrop([s("a", 1), s("b", -Infinity), s("c", 4), s("d", 1), s("e", Infinity)])).toEqual(["e", "c", "a", "d", "b"]);
  });
});
