import { describe, expect, it } from "vitest";
import { localDrop, rankByDrop } from "./local.js";

describe("local sensitivity", () => {
  it("drop = SQNR_in − SQNR_out; an exact input (+∞) gives −SQNR_out; identical outputs −∞", () => {
    expect(localDrop(45, 41)).toBe(4);
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
