/**
 * Pooling kernels: MaxPool (with Indices), AveragePool, LpPool over windows of spatial rank
 * 1 to 3, and the Global forms. Float inputs are computed in f32 (sums in f64, rounded once
 * to f32 at the end); MaxPool also runs on i8/u8 directly. Taps in the padding are skipped;
 * AveragePool divides by the number of taps inside the input (count_include_pad=0) or inside
 * the padded input (count_include_pad=1; taps past the end padding under ceil_mode never count).
 */
import { Tensor, allocData } from "@quantpass/ir";
import { defineKernel, type KernelContext } from "../kernel-registry.js";
import { f32In, f32Out, isFloatType, numelOf } from "./float-util.js";
import { lift3 } from "./im2col.js";
import { resolveWindow, type Window } from "./window.js";

interface Planes {
  win: Window;
  L: ReturnType<typeof lift3>;
  planes: number;
  inSize: number;
  outSize: number;
  shape: number[];
}

function planes(x: Tensor, ctx: KernelContext): Planes {
  if (x.shape.length < 3) ctx.fail(`X must have rank >= 3, got [${x.shape}]`);
  const win = resolveWindow(ctx, x.shape.slice(2));
  if (win.r > 3) ctx.fail(`pooling over ${win.r} spatial dims (at most 3 supported)`);
  return { win, L: lift3(win), planes: x.shape[0]! * x.shape[1]!, inSize: numelOf(win.inShape), outSize: numelOf(win.outShape), shape: [x.shape[0]!, x.shape[1]!, ...win.outShape] };
}

/** Calls f(outIndex, taps) for every output position; taps are the flat in-plane input offsets. */
function forEachWindow(p: Planes, f: (o: number, taps: Int32Array, n: number) => void): void {
  const { inH, inW, kD, kH, kW, oD, oH, oW, tD, tH, tW } = p.L;
  const taps = new Int32Array(kD * kH * kW);
  let o = 0;
  for (let od = 0; od < oD; od++)
    for (let oh = 0; oh < oH; oh++)
      for (let ow = 0; ow < oW; ow++, o++) {
        let n = 0;
        for (let kd = 0; kd < kD; kd++) {
          const id = tD[kd * oD + od]!;
          if (id < 0) continue;
          for (let kh = 0; kh < kH; kh++) {
            const ih = tH[kh * oH + oh]!;
            if (ih < 0) continue;
            for (let kw = 0; kw < kW; kw++) {
              const iw = tW[kw * oW + ow]!;
              if (iw >= 0) taps[n++] = (id * inH + ih) * inW + iw;
            }
          }
        }
        f(o, taps, n);
      }
}

defineKernel("MaxPool", ([x], ctx) => {
  const p = planes(x!, ctx);
  const float = isFloatType(x!.dtype);
  if (!float && x!.dtype !== "i8" && x!.dtype !== "u8") ctx.fail(`unsupported dtype ${x!.dtype}`);
  const X = float ? f32In(x!) : (x!.data as Int8Array | Uint8Array);
  const Y = float ? new Float32Array(p.planes * p.outSize) : (allocData(x!.dtype, p.planes * p.outSize) as Int8Array | Uint8Array);
  const wantIdx = ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== "";
  const I = wantIdx ? new BigInt64Array(p.planes * p.outSize) : undefined;
  const colMajor = ctx.attr<number>("storage_order") === 1;
  const { inD, inH, inW } = p.L;
  // in-plane offset (row-major) -> Indices offset for storage_order=1 (column-major)
  const cm = (q: number) => { const iw = q % inW, ih = Math.floor(q / inW) % inH, id = Math.floor(q / (inW * inH)); return colMajor ? id + inD * (ih + inH * iw) : q; };
  const lowest = x!.dtype === "i8" ? -128 : x!.dtype === "u8" ? 0 : -Infinity;
  for (let c = 0; c < p.planes; c++) {
    const xb = c * p.inSize, yb = c * p.outSize;
    forEachWindow(p, (o, taps, n) => {
      let best = lowest, at = -1;
      for (let t = 0; t < n; t++) {
        const v = X[xb + taps[t]!]!;
        if (v > best || at < 0) best = v, at = taps[t]!;
      }
      Y[yb + o] = best;
      if (I) I[yb + o] = BigInt(c * p.inSize + (at < 0 ? 0 : cm(at)));
    });
  }
  const y = float ? f32Out(x!.dtype, p.shape, Y as Float32Array) : new Tensor(x!.dtype, p.shape, Y);
  return I ? [y, new Tensor("i64", p.shape, I)] : [y];
});

/** Taps counted per axis by AveragePool's divisor. */
function divisorTable(w: Window, includePad: boolean): Int32Array[] {
  return w.outShape.map((out, i) => {
    const t = new Int32Array(out);
    const lo = includePad ? -w.padBegin[i]! : 0, hi = w.inShape[i]! + (includePad ? w.padEnd[i]! : 0);
    for (let o = 0; o < out; o++)
      for (let k = 0; k < w.kernel[i]!; k++) {
        const x = o * w.strides[i]! - w.padBegin[i]! + k * w.dilations[i]!;
        if (x >= lo && x < hi) t[o]!++;
      }
    return t;
  });
}

defineKernel("AveragePool", ([x], ctx) => {
  const p = planes(x!, ctx);
  const X = f32In(x!);
  const Y = new Float32Array(p.planes * p.outSize);
  const includePad = ctx.attr<number>("count_include_pad") !== 0;
  const tables = divisorTable(p.win, includePad);
  const div = new Float64Array(p.outSize).fill(1);
  for (let o = 0; o < p.outSize; o++) {
    let rem = o;
    for (let i = p.win.r - 1; i >= 0; i--) {
      const out = p.win.outShape[i]!;
      div[o]! *= tables[i]![rem % out]!;
      rem = Math.floor(rem / out);
    }
  }
  for (let c = 0; c < p.planes; c++) {
    const xb = c * p.inSize, yb = c * p.outSize;
    forEachWindow(p, (o, taps, n) => {
      let s = 0;
      for (let t = 0; t < n; t++) s += X[xb + taps[t]!]!;
      Y[yb + o] = s / div[o]!;
    });
  }
  return [f32Out(x!.dtype, p.shape, Y)];
});

/** (sum |x|^p)^(1/p), with the squares special-cased for p = 2. */
function lpNorm(vals: (i: number) => number, n: number, pw: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(vals(i));
    s += pw === 2 ? v * v : pw === 1 ? v : v ** pw;
  }
  return pw === 2 ? Math.sqrt(s) : pw === 1 ? s : s ** (1 / pw);
}

defineKernel("LpPool", ([x], ctx) => {
  const p = planes(x!, ctx);
  const X = f32In(x!);
  const pw = ctx.attr<number>("p");
  const Y = new Float32Array(p.planes * p.outSize);
  for (let c = 0; c < p.planes; c++) {
    const xb = c * p.inSize, yb = c * p.outSize;
    forEachWindow(p, (o, taps, n) => (Y[yb + o] = lpNorm((t) => X[xb + taps[t]!]!, n, pw)));
  }
  return [f32Out(x!.dtype, p.shape, Y)];
});

function globalPool(reduce: (X: Float32Array, base: number, n: number, ctx: KernelContext) => number) {
  return ([x]: readonly (Tensor | undefined)[], ctx: KernelContext): Tensor[] => {
    if (x!.shape.length < 3) ctx.fail(`X must have rank >= 3, got [${x!.shape}]`);
    const planesN = x!.shape[0]! * x!.shape[1]!, size = numelOf(x!.shape.slice(2));
    const X = f32In(x!);
    const Y = new Float32Array(planesN);
    for (let c = 0; c < planesN; c++) Y[c] = reduce(X, c * size, size, ctx);
    return [f32Out(x!.dtype, [x!.shape[0]!, x!.shape[1]!, ...x!.shape.slice(2).map(() => 1)], Y)];
  };
}

defineKernel("GlobalAveragePool", globalPool((X, b, n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += X[b + i]!;
  return s / n;
}));
defineKernel("GlobalMaxPool", globalPool((X, b, n) => {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (X[b + i]! > m) m = X[b + i]!;
  return m;
}));
defineKernel("GlobalLpPool", globalPool((X, b, n, ctx) => lpNorm((i) => X[b + i]!, n, ctx.attr<number>("p"))));
