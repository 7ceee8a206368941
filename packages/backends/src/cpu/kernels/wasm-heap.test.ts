import { describe, expect, it } from "vitest";
import { DATA_BASE, Layout, PackedCache } from "./wasm-heap.js";

describe("Layout", () => {
  it("hands out 64-byte aligned, non-overlapping regions from its start", () => {
    const l = new Layout(DATA_BASE + 10);
    const a = l.alloc(1);
    const b = l.alloc(100);
    const c = l.alloc(0);
    expect([a % 64, b % 64, c % 64]).toEqual([0, 0, 0]);
    expect(a).toBeGreaterThanOrEqual(DATA_BASE + 10);
    expect(b).toBeGreaterThanOrEqual(a + 1);
    expect(c).toBeGreaterThanOrEqual(b + 100);
    expect(l.end).toBe(c);
  });
});

describe("PackedCache", () => {
  it("keys entries by object and layout string and empties itself when full", () => {
    const cache = new PackedCache(1024);
    const w1 = {};
    const w2 = {};
    const a1 = cache.alloc(600)!;
    cache.set(w1, "x", a1);
    expect(cache.lookup(w1, "x")).toBe(a1);
    expect(cache.lookup(w1, "y")).toBeUndefined();
    expect(cache.lookup(w2, "x")).toBeUndefined();
    expect(cache.end).toBe(a1 + 640);
    const a2 = cache.alloc(600)!; // would pass 1024: everything is dropped first
    expect(a2).toBe(DATA_BASE);
    expect(cache.lookup(w1, "x")).toBeUndefined();
    expect(cache.alloc(2000)).toBeUndefined(); // can never fit
    cache.clear();
    expect(cache.end).toBe(DATA_BASE);
  });
});
