import { describe, expect, it } from "vitest";
import { UserError } from "@quantpass/ir";
import { normal, uniform } from "../testing/random.js";
import { histogramQuantError } from "./mse.js";
import { klAt } from "./entropy.js";
import { createObserver, EntropyObserver, Histogram, MinMaxObserver, MovingAverageObserver, MseObserver, PercentileObserver, methodSpec } from "./index.js";

const f = (...v: number[]) => Float32Array.from(v);

describe("minmax", () => {
  it("keeps the exact extremes over batches and ignores NaN and Infinity", () => {
    const o = new MinMaxObserver();
    expect(o.range()).toEqual({ min: 0, max: 0 });
    o.update(f(1, 2, NaN, Infinity));
    o.update(f(-3, 0.5, -Infinity));
    o.update(f());
    expect(o.range()).toEqual({ min: -3, max: 2 });
  });
});

describe("moving-average", () => {
  it("starts at the first batch and moves by c = 0.01 towards each later batch", () => {
    const o = new MovingAverageObserver();
    o.update(f(-1, 1));
    o.update(f(-11, 101, NaN));
    expect(o.range().min).toBeCloseTo(-1 + 0.01 * -10, 12);
    expect(o.range().max).toBeCloseTo(1 + 0.01 * 100, 12);
    o.update(f(NaN));
    expect(o.range().max).toBeCloseTo(2, 12);
  });
});

describe("histogram", () => {
  it("grows its range by doubling without losing counts", () => {
    const h = new Histogram(8);
    h.update(f(0, 1, 2, 3, 4));
    h.update(f(-4, 10, 9.5));
    expect(h.lo).toBeLessThanOrEqual(-4);
    expect(h.hi).toBeGreaterThanOrEqual(10);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(8);
    expect(h.total).toBe(8);
    expect([h.min, h.max]).toEqual([-4, 10]);
  });

  it("gives quantiles of a uniform distribution", () => {
    const h = new Histogram();
    for (let s = 0; s < 4; s++) h.update(uniform(25_000, s, s + 1, s + 7));
    expect(h.quantile(0.5)).toBeCloseTo(2, 1);
    expect(h.quantile(0.25)).toBeCloseTo(1, 1);
    expect(h.quantile(1)).toBe(h.max);
  });

  it("handles a point mass", () => {
    const h = new Histogram();
    h.update(f(3, 3, 3));
    expect(h.quantile(0.5)).toBe(3);
  });
});

describe("percentile", () => {
  it("clips the tails of a normal distribution at the requested percentile", () => {
    const o = new PercentileObserver(99);
    o.update(normal(200_000, 1, 3));
    // quantile 0.99 of N(0,1) is 2.326 sigma, quantile 0.01 is -2.326
    expect(o.range().max).toBeCloseTo(2.326, 1);
    expect(o.range().min).toBeCloseTo(-2.326, 1);
    const all = new PercentileObserver(100);
    all.update(f(-1, 5));
    expect(all.range()).toEqual({ min: -1, max: 5 });
  });

  it("defaults to 99.99", () => {
    const o = new PercentileObserver();
    o.update(uniform(100_000, 0, 1, 5));
    expect(o.range().max).toBeGreaterThan(0.999);
    expect(o.range().max).toBeLessThanOrEqual(1);
  });
});

describe("mse", () => {
  it("keeps the full range of a uniform distribution", () => {
    const o = new MseObserver();
    o.update(uniform(50_000, -1, 1, 11));
    expect(o.range().max).toBeGreaterThan(0.95);
    expect(o.range().min).toBeLessThan(-0.95);
  });

  it("clips a lone outlier when the dense bulk gains more than the outlier loses", () => {
    const o = new MseObserver();
    const x = uniform(1_000_000, -1, 1, 13);
    x[0] = 50;
    o.update(x);
    expect(o.range().max).toBeLessThan(40);
    expect(o.range().max).toBeGreaterThan(0.9);
  });

  it("never does worse than the full range on its own error measure", () => {
    const h = new Histogram();
    const x = normal(50_000, 1, 14).map((v) => v * v * v);
    h.update(x);
    const o = new MseObserver();
    o.update(x);
    const r = o.range();
    expect(histogramQuantError(h, Math.min(r.min, 0), Math.max(r.max, 0))).toBeLessThanOrEqual(histogramQuantError(h, h.min, h.max));
  });
});

describe("histogram (entropy, TensorRT)", () => {
  it("puts the threshold of a normal distribution with outliers well inside the max", () => {
    const o = new EntropyObserver();
    const x = normal(100_000, 1, 17);
    x[0] = 100; x[1] = -80;
    o.update(x);
    const r = o.range();
    expect(r.max).toBeGreaterThan(2);
    expect(r.max).toBeLessThan(20);
    expect(r.min).toBe(-r.max);
  });

  it("uses a one-sided range for non-negative data", () => {
    const o = new EntropyObserver();
    o.update(normal(50_000, 1, 19).map(Math.abs));
    expect(o.range().min).toBe(0);
    expect(o.range().max).toBeGreaterThan(2);
  });

  it("ignores the spike of exact zeros of ReLU outputs (bin 0 := bin 1, as pytorch-quantization)", () => {
    // With the spike, every threshold past bin 512 smeared it over two or more bins and lost:
    // ReLU(normal) clipped at 37% of its maximum (PP-OCRv4 activations: 12-25%).
    const x = normal(200_000, 1, 3).map((v) => Math.max(0, v));
    const o = new EntropyObserver();
    o.update(x);
    const max = x.reduce((a, b) => Math.max(a, b), 0);
    expect(o.range().min).toBe(0);
    expect(o.range().max).toBeGreaterThan(0.7 * max);
  });

  it("merges the candidate bins into quantized levels of equal width (no remainder lumped into the last)", () => {
    const ramp = new Float64Array(2048);
    for (let k = 0; k < 511; k++) ramp[k] = 2048 - k;
    // 511 bins into 256 levels: two bins a level; a linear ramp is then reproduced almost exactly.
    expect(klAt(ramp, 511, 256)).toBeLessThan(1e-6);
  });

  it("gives the zero range when it saw nothing finite", () => {
    const o = new EntropyObserver();
    o.update(f(NaN));
    expect(o.range()).toEqual({ min: 0, max: 0 });
  });
});

describe("createObserver", () => {
  it("builds each method and parses percentile parameters", () => {
    for (const m of ["minmax", "moving-average", "mse", "histogram", "percentile", "percentile:99.9"]) expect(createObserver(m)).toBeDefined();
    expect(methodSpec("percentile", 99.9)).toBe("percentile:99.9");
    expect(methodSpec("percentile")).toBe("percentile");
  });

  it("rejects unknown methods and bad parameters with a UserError naming the observer", () => {
    expect(() => createObserver("nope", "x.q")).toThrow(UserError);
    expect(() => createObserver("nope", "x.q")).toThrow(/observer 'x.q': unknown observer method 'nope'/);
    expect(() => createObserver("percentile:20", "x.q")).toThrow(/percentile must be a number in \(50, 100\]/);
    expect(() => createObserver("minmax:3", "x.q")).toThrow(/takes no parameter/);
  });
});
