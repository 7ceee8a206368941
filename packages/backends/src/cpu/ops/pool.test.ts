import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Tensor } from "@quantpass/ir";
import { runOp, smallInts } from "./op-test-util.js";

const x44 = Tensor.f32([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i + 1));

describe("MaxPool kernel", () => {
  it("pools 2x2 windows and reports row- and column-major Indices", () => {
    const [y, idx] = runOp("MaxPool", [x44], { kernel_shape: [2, 2], strides: [2, 2] }, 2);
    expect([...y!.data]).toEqual([6, 8, 14, 16]);
    expect(idx!.toNumbers()).toEqual([5, 7, 13, 15]);
    const [, cm] = runOp("MaxPool", [x44], { kernel_shape: [2, 2], strides: [2, 2], storage_order: 1 }, 2);
    // (h, w) = (1,1) -> 1 + 1*4 = 5, (1,3) -> 13, (3,1) -> 7, (3,3) -> 15
    expect(cm!.toNumbers()).toEqual([5, 13, 7, 15]);
  });

  it("uses ceil_mode, padding (ignored) and dilations", () => {
    const [c] = runOp("MaxPool", [x44], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 });
    expect([...c!.data]).toEqual([11, 12, 15, 16]);
    const [p] = runOp("MaxPool", [Tensor.f32([1, 1, 3], [-5, -2, -7])], { kernel_shape: [2], pads: [1, 1] });
    expect([...p!.data]).toEqual([-5, -2, -2, -7]);
    const [d] = runOp("MaxPool", [x44], { kernel_shape: [2, 2], dilations: [2, 2] });
    expect([...d!.data]).toEqual([11, 12, 15, 16]);
    const [u] = runOp("MaxPool", [Tensor.fromNumbers("u8", [1, 1, 1, 3], [3, 250, 7])], { kernel_shape: [1, 2] });
    expect(u!.toNumbers()).toEqual([250, 250]);
  });

  it("matches the inferred shape and a naive max on random windows", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ d: fc.integer({ min: 1, max: 6 }), k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), dl: fc.integer({ min: 1, max: 2 }), pb: fc.integer({ min: 0, max: 1 }), pe: fc.integer({ min: 0, max: 1 }) }), { minLength: 1, maxLength: 3 }),
        fc.boolean(), fc.constantFrom("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"), fc.nat(),
        (dims, ceil, autoPad, seed) => {
          const ds = dims.map((x) => ({ ...x, d: Math.max(x.d, (x.k - 1) * x.dl + 1), pb: Math.min(x.pb, x.k - 1), pe: Math.min(x.pe, x.k - 1) }));
          const shape = [2, 2, ...ds.map((x) => x.d)];
          const data = smallInts(shape.reduce((a, b) => a * b, 1), seed, -50, 50);
          const attrs = { kernel_shape: ds.map((x) => x.k), strides: ds.map((x) => x.s), dilations: ds.map((x) => x.dl), auto_pad: autoPad, ceil_mode: ceil ? 1 : 0, ...(autoPad === "NOTSET" ? { pads: [...ds.map((x) => x.pb), ...ds.map((x) => x.pe)] } : {}) };
          const [y, idx] = runOp("MaxPool", [Tensor.f32(shape, data)], attrs, 2);
          // naive: begin pads from auto_pad, then the max over the in-bounds taps of each window
          const r = ds.length, out = y!.shape.slice(2), inS = shape.slice(2);
          const pb = ds.map((x, i) => {
            if (autoPad === "NOTSET") return x.pb;
            if (autoPad === "VALID") return 0;
            const total = Math.max(0, (out[i]! - 1) * x.s + (x.k - 1) * x.dl + 1 - x.d);
            return autoPad === "SAME_UPPER" ? Math.floor(total / 2) : total - Math.floor(total / 2);
          });
          const plane = inS.reduce((a, b) => a * b, 1), outN = out.reduce((a, b) => a * b, 1);
          for (let i = 0; i < y!.size; i++) {
            const c = Math.floor(i / outN);
            let best = -Infinity;
            for (let t = 0; t < ds.reduce((a, x) => a * x.k, 1); t++) {
              let o = i % outN, tt = t, off = 0, ok = true;
              const coords: number[] = [];
              for (let k = r - 1; k >= 0; k--) {
                const oc = o % out[k]!, kc = tt % ds[k]!.k;
                o = Math.floor(o / out[k]!); tt = Math.floor(tt / ds[k]!.k);
                coords[k] = oc * ds[k]!.s - pb[k]! + kc * ds[k]!.dl;
                if (coords[k]! < 0 || coords[k]! >= inS[k]!) ok = false;
              }
              if (!ok) continue;
              for (let k = 0; k < r; k++) off = off * inS[k]! + coords[k]!;
              best = Math.max(best, data[c * plane + off]!);
            }
            expect(y!.get(i)).toBe(best);
            expect(data[idx!.get(i)]).toBe(best);
          }
          const [a] = runOp("AveragePool", [Tensor.f32(shape, data)], attrs);
          expect(a!.shape).toEqual(y!.shape);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("AveragePool and global pools", () => {
  it("divides by valid taps, or by padded taps with count_include_pad", () => {
    const x = Tensor.f32([1, 1, 3], [3, 6, 9]);
    expect([...runOp("AveragePool", [x], { kernel_shape: [2], pads: [1, 1] })[0]!.data]).toEqual([3, 4.5, 7.5, 9]);
    expect([...runOp("AveragePool", [x], { kernel_shape: [2], pads: [1, 1], count_include_pad: 1 })[0]!.data]).toEqual([1.5, 4.5, 7.5, 4.5]);
    // ceil_mode: the last window [9, past-the-end] counts 1 tap even with count_include_pad
    expect([...runOp("AveragePool", [x], { kernel_shape: [2], strides: [2], ceil_mode: 1, count_include_pad: 1 })[0]!.data]).toEqual([4.5, 9]);
  });

  it("GlobalAveragePool, GlobalMaxPool, LpPool and GlobalLpPool", () => {
    expect([...runOp("GlobalAveragePool", [x44])[0]!.data]).toEqual([8.5]);
    expect([...runOp("GlobalMaxPool", [x44])[0]!.data]).toEqual([16]);
    const x = Tensor.f32([1, 1, 2, 2], [3, -4, 0, 12]);
    expect([...runOp("GlobalLpPool", [x])[0]!.data]).toEqual([13]);
    expect([...runOp("LpPool", [x], { kernel_shape: [1, 2], p: 1 })[0]!.data]).toEqual([7, 12]);
    expect([...runOp("LpPool", [x], { kernel_shape: [2, 1] })[0]!.data]).toEqual([3, Math.fround(Math.sqrt(160))]);
  });
});
