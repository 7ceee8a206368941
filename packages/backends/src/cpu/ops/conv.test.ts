import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Tensor } from "@quantpass/ir";
import { firstBitDifference, randomF32 } from "../kernels/test-util.js";
import { runOp, smallInts } from "./op-test-util.js";

interface Case {
  r: number; n: number; group: number; cg: number; mg: number;
  inShape: number[]; kernel: number[]; strides: number[]; dilations: number[]; pads: number[]; bias: boolean; seed: number;
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Direct N-D cross-correlation in f64 (the ONNX definition), with explicit pads. */
function naiveConv(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | undefined, cs: Case, zx = 0, zw: (o: number) => number = () => 0): { shape: number[]; data: number[] } {
  const { r, n, group, cg, mg, inShape, kernel, strides, dilations, pads } = cs;
  const c = cg * group, m = mg * group;
  const out = inShape.map((d, i) => Math.floor((d + pads[i]! + pads[i + r]! - (kernel[i]! - 1) * dilations[i]! - 1) / strides[i]!) + 1);
  const data: number[] = [];
  const idx = (pos: number, shape: readonly number[]) => shape.map((_, i) => Math.floor(pos / prod(shape.slice(i + 1))) % shape[i]!);
  for (let img = 0; img < n; img++)
    for (let o = 0; o < m; o++) {
      const g = Math.floor(o / mg);
      for (let q = 0; q < prod(out); q++) {
        const op = idx(q, out);
        let s = b ? b[o]! : 0;
        for (let ci = 0; ci < cg; ci++)
          for (let kq = 0; kq < prod(kernel); kq++) {
            const kp = idx(kq, kernel);
            const ip = op.map((v, i) => v * strides[i]! - pads[i]! + kp[i]! * dilations[i]!);
            if (ip.some((v, i) => v < 0 || v >= inShape[i]!)) continue;
            const xi = (img * c + g * cg + ci) * prod(inShape) + ip.reduce((a, v, i) => a * inShape[i]! + v, 0);
            const wi = (o * cg + ci) * prod(kernel) + kq;
            s += (x[xi]! - zx) * (w[wi]! - zw(o));
          }
        data.push(s);
      }
    }
  return { shape: [n, m, ...out], data };
}

const caseArb = fc
  .record({
    r: fc.integer({ min: 1, max: 3 }), n: fc.integer({ min: 1, max: 2 }), group: fc.integer({ min: 1, max: 3 }),
    cg: fc.integer({ min: 1, max: 3 }), mg: fc.integer({ min: 1, max: 3 }), bias: fc.boolean(), seed: fc.nat(),
    dims: fc.array(fc.record({ d: fc.integer({ min: 1, max: 7 }), k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), dl: fc.integer({ min: 1, max: 2 }), pb: fc.integer({ min: 0, max: 2 }), pe: fc.integer({ min: 0, max: 2 }) }), { minLength: 3, maxLength: 3 }),
  })
  .map(({ dims, ...c }) => {
    const ds = dims.slice(0, c.r);
    // make every window fit: in + pads >= effective kernel
    const inShape = ds.map((x) => Math.max(x.d, (x.k - 1) * x.dl + 1));
    return { ...c, inShape, kernel: ds.map((x) => x.k), strides: ds.map((x) => x.s), dilations: ds.map((x) => x.dl), pads: [...ds.map((x) => x.pb), ...ds.map((x) => x.pe)] } as Case;
  });

describe("Conv kernel", () => {
  it("computes a hand-checked 2-D convolution with padding and stride", () => {
    // 3x3 ones input, 2x2 kernel [[1,2],[3,4]], pads 1, stride 2 -> 2x2 output
    const x = Tensor.f32([1, 1, 3, 3], new Array(9).fill(1));
    const w = Tensor.f32([1, 1, 2, 2], [1, 2, 3, 4]);
    const [y] = runOp("Conv", [x, w, Tensor.f32([1], [10])], { pads: [1, 1, 1, 1], strides: [2, 2] });
    expect(y!.shape).toEqual([1, 1, 2, 2]);
    // (0,0): only w[1][1]=4 sees input; (0,1): w[1][0]+w[1][1]=7; (1,0): 2+4=6; (1,1): 1+2+3+4=10
    expect([...y!.data]).toEqual([14, 17, 16, 20]);
  });

  it("equals a naive direct convolution on random shapes, pads, strides, groups and dilations", () => {
    fc.assert(
      fc.property(caseArb, (cs) => {
        const c = cs.cg * cs.group, m = cs.mg * cs.group;
        const xs = [cs.n, c, ...cs.inShape], ws = [m, cs.cg, ...cs.kernel];
        const x = smallInts(prod(xs), cs.seed), w = smallInts(prod(ws), cs.seed + 1), b = smallInts(m, cs.seed + 2);
        const want = naiveConv(x, w, cs.bias ? b : undefined, cs);
        const [y] = runOp("Conv", [Tensor.f32(xs, x), Tensor.f32(ws, w), cs.bias ? Tensor.f32([m], b) : undefined], { group: cs.group, strides: cs.strides, dilations: cs.dilations, pads: cs.pads });
        expect(y!.shape).toEqual(want.shape);
        expect([...y!.data]).toEqual(want.data);
      }),
      { numRuns: 150 },
    );
  });

  it("pads SAME_UPPER at the end and SAME_LOWER at the beginning", () => {
    const x = Tensor.f32([1, 1, 4], [1, 2, 3, 4]);
    const w = Tensor.f32([1, 1, 2], [1, 10]);
    expect([...runOp("Conv", [x, w], { auto_pad: "SAME_UPPER" })[0]!.data]).toEqual([21, 32, 43, 4]);
    expect([...runOp("Conv", [x, w], { auto_pad: "SAME_LOWER" })[0]!.data]).toEqual([10, 21, 32, 43]);
    expect([...runOp("Conv", [x, w], { auto_pad: "VALID", strides: [2] })[0]!.data]).toEqual([21, 43]);
  });

  it("ConvInteger equals the naive convolution of centred operands, padding with the zero point", () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 255 }), fc.integer({ min: -128, max: 127 }), fc.boolean(), (cs, zx, zw, perChannel) => {
        const c = cs.cg * cs.group, m = cs.mg * cs.group;
        const xs = [cs.n, c, ...cs.inShape], ws = [m, cs.cg, ...cs.kernel];
        const x = smallInts(prod(xs), cs.seed, 0, 255), w = smallInts(prod(ws), cs.seed + 1, -128, 127);
        const zws = perChannel ? smallInts(m, cs.seed + 2, -128, 127) : Float32Array.of(zw);
        const want = naiveConv(x, w, undefined, cs, zx, (o) => zws[perChannel ? o : 0]!);
        const wzp = perChannel ? Tensor.fromNumbers("i8", [m], zws) : Tensor.scalar("i8", zw);
        const [y] = runOp("ConvInteger", [Tensor.fromNumbers("u8", xs, x), Tensor.fromNumbers("i8", ws, w), Tensor.scalar("u8", zx), wzp], { group: cs.group, strides: cs.strides, dilations: cs.dilations, pads: cs.pads });
        expect(y!.toNumbers()).toEqual(want.data);
      }),
      { numRuns: 60 },
    );
  });

  it("QLinearConv adds the bias and requantizes per output channel", () => {
    // 1x1 conv over 2 pixels, 2 output channels with w_scale [1, 0.5]
    const x = Tensor.fromNumbers("u8", [1, 1, 1, 2], [12, 20]);
    const w = Tensor.fromNumbers("i8", [2, 1, 1, 1], [1, 3]);
    const f = (v: number[] | number) => (Array.isArray(v) ? Tensor.f32([v.length], v) : Tensor.scalar("f32", v));
    const [y] = runOp("QLinearConv", [x, f(0.5), Tensor.scalar("u8", 10), w, f([1, 0.5]), Tensor.fromNumbers("i8", [2], [0, 1]), f(1), Tensor.scalar("u8", 100), Tensor.fromNumbers("i32", [2], [1, -3])]);
    // ch0: (2*1 + 1) * 0.5 = 1.5 -> 2, (10 + 1) * 0.5 = 5.5 -> 6; ch1: (2*2 - 3) * 0.25 = 0.25 -> 0, (10*2 - 3) * 0.25 = 4.25 -> 4
    expect(y!.toNumbers()).toEqual([102, 106, 100, 104]);
  });
});

describe("depthwise Conv", () => {
  it("gives the same bits as the dense convolution with block-diagonal weights (GEMM path)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.nat(), (c, mg, h, w, k, s, p, seed) => {
        const m = c * mg;
        const wd = w + (k - 1) * s; // room for the dilated kernel along W
        const x = Tensor.f32([2, c, h + k, wd], randomF32(2 * c * (h + k) * wd, seed));
        const dw = randomF32(m * k * k, seed + 1), bias = Tensor.f32([m], randomF32(m, seed + 2));
        const dense = new Float32Array(m * c * k * k);
        for (let o = 0; o < m; o++) dense.set(dw.subarray(o * k * k, (o + 1) * k * k), (o * c + Math.floor(o / mg)) * k * k);
        const attrs = { strides: [s, 1], pads: [p, Math.min(p, k - 1), 0, p], dilations: [1, s] };
        const [y1] = runOp("Conv", [x, Tensor.f32([m, 1, k, k], dw), bias], { ...attrs, group: c });
        const [y2] = runOp("Conv", [x, Tensor.f32([m, c, k, k], dense), bias], attrs);
        expect(firstBitDifference(y1!.data as Float32Array, y2!.data as Float32Array)).toBe(-1);
      }),
      { numRuns: 100 },
    );
  });
});

describe("ConvTranspose kernel", () => {
  /** Naive scatter definition: y[o*s - pb + k*d] += x[i] * w[k]. */
  function naiveConvT(x: ArrayLike<number>, w: ArrayLike<number>, cs: Case, outPad: number[]): { shape: number[]; data: number[] } {
    const { r, n, group, cg, mg, inShape, kernel, strides, dilations, pads } = cs;
    const c = cg * group, m = mg * group;
    const out = inShape.map((d, i) => strides[i]! * (d - 1) + outPad[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - pads[i]! - pads[i + r]!);
    const y = new Array<number>(n * m * prod(out)).fill(0);
    const idx = (pos: number, shape: readonly number[]) => shape.map((_, i) => Math.floor(pos / prod(shape.slice(i + 1))) % shape[i]!);
    for (let img = 0; img < n; img++)
      for (let ci = 0; ci < c; ci++) {
        const g = Math.floor(ci / cg);
        for (let q = 0; q < prod(inShape); q++) {
          const ip = idx(q, inShape);
          for (let mo = 0; mo < mg; mo++)
            for (let kq = 0; kq < prod(kernel); kq++) {
              const kp = idx(kq, kernel);
              const op = ip.map((v, i) => v * strides[i]! - pads[i]! + kp[i]! * dilations[i]!);
              if (op.some((v, i) => v < 0 || v >= out[i]!)) continue;
              const yi = (img * m + g * mg + mo) * prod(out) + op.reduce((a, v, i) => a * out[i]! + v, 0);
              y[yi]! += x[(img * c + ci) * prod(inShape) + q]! * w[(ci * mg + mo) * prod(kernel) + kq]!;
            }
        }
      }
    return { shape: [n, m, ...out], data: y };
  }

  it("equals the naive scatter definition on random shapes", () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 1 }), (cs0, op) => {
        // pads must leave a positive output; output_padding < stride
        const cs = { ...cs0, pads: cs0.pads.map(() => 0) };
        const outPad = cs.strides.map((s) => Math.min(op, s - 1));
        const c = cs.cg * cs.group;
        const xs = [cs.n, c, ...cs.inShape], ws = [c, cs.mg, ...cs.kernel];
        const x = smallInts(prod(xs), cs.seed), w = smallInts(prod(ws), cs.seed + 1);
        const want = naiveConvT(x, w, cs, outPad);
        const [y] = runOp("ConvTranspose", [Tensor.f32(xs, x), Tensor.f32(ws, w)], { group: cs.group, strides: cs.strides, dilations: cs.dilations, output_padding: outPad });
        expect(y!.shape).toEqual(want.shape);
        expect([...y!.data]).toEqual(want.data);
      }),
      { numRuns: 100 },
    );
  });
});
