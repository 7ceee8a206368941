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
import { axisRanges, resolveWindow, type AxisRange, type Window } from "./window.js";

interface Planes {
  win: Window;
  planes: number;
  inSize: number;
  outSize: number;
  shape: number[];
  /** Per axis, lifted to 3 (D, H, W). */
  axes: AxisRange[];
}

function planes(x: Tensor, ctx: KernelContext): Planes {
  if (x.shape.length < 3) ctx.fail(`X must have rank >= 3, got [${x.shape}]`);
  const win = resolveWindow(ctx, x.shape.slice(2));
  if (win.r > 3) ctx.fail(`pooling over ${win.r} spatial dims (at most 3 supported)`);
  const axes = axisRanges(win);
  return { win, planes: x.shape[0]! * x.shape[1]!, inSize: numelOf(win.inShape), outSize: numelOf(win.outShape), shape: [x.shape[0]!, x.shape[1]!, ...win.outShape], axes };
}

type Axis = AxisRange;

/**
 * Max of every window of one plane (X from xb into Y from yb); arg receives the in-plane
 * offset of the first maximum (row-major), -1 for an empty window.
 */
function maxPlane(p: Planes, X: ArrayLike<number>, xb: number, Y: { [i: number]: number }, yb: number, lowest: number, arg: Int32Array): void {
  const [A, B, C] = p.axes as [Axis, Axis, Axis];
  const inH = B.n, inW = C.n, dD = A.d, dH = B.d, dW = C.d;
  const cW = C.c0, loW = C.lo, hiW = C.hi, oW = C.out;
  let o = 0;
  for (let od = 0; od < A.out; od++) {
    const d0 = A.c0[od]!, dLo = A.lo[od]!, dHi = A.hi[od]!;
    for (let oh = 0; oh < B.out; oh++) {
      const h0 = B.c0[oh]!, hLo = B.lo[oh]!, hHi = B.hi[oh]!;
      for (let ow = 0; ow < oW; ow++, o++) {
        const w0 = cW[ow]!, wLo = loW[ow]!, wHi = hiW[ow]!;
        let best = lowest, at = -1;
        for (let kd = dLo; kd < dHi; kd++) {
          const plane = (d0 + kd * dD) * inH;
          for (let kh = hLo; kh < hHi; kh++) {
            const row = (plane + h0 + kh * dH) * inW + w0;
            for (let kw = wLo; kw < wHi; kw++) {
              const q = row + kw * dW;
              const v = X[xb + q]!;
              if (v > best) {
                best = v;
                at = q;
              }
            }
          }
        }
        // all taps at the lowest value (or NaN): report the first tap, as a strict first-max scan would
        if (at < 0 && dLo < dHi && hLo < hHi && wLo < wHi) at = ((d0 + dLo * dD) * inH + h0 + hLo * dH) * inW + w0 + wLo * dW;
        Y[yb + o] = at < 0 ? best : X[xb + at]!;
        arg[o] = at;
      }
    }
  }
}

/** Sum of every window of one plane (f(x) = x, or |x|^p for LpPool) into Y from 0. */
function sumPlane(p: Planes, X: ArrayLike<number>, xb: number, Y: Float64Array, pw: number): void {
  const [A, B, C] = p.axes as [Axis, Axis, Axis];
  const inH = B.n, inW = C.n;
  let o = 0;
  for (let od = 0; od < A.out; od++)
    for (let oh = 0; oh < B.out; oh++)
      for (let ow = 0; ow < C.out; ow++, o++) {
        let acc = 0;
        for (let kd = A.lo[od]!; kd < A.hi[od]!; kd++) {
          const plane = (A.c0[od]! + kd * A.d) * inH;
          for (let kh = B.lo[oh]!; kh < B.hi[oh]!; kh++) {
            const row = xb + (plane + B.c0[oh]! + kh * B.d) * inW + C.c0[ow]!;
            if (pw === 0) for (let kw = C.lo[ow]!; kw < C.hi[ow]!; kw++) acc += X[row + kw * C.d]!;
            else for (let kw = C.lo[ow]!; kw < C.hi[ow]!; kw++) acc += Math.abs(X[row + kw * C.d]!) ** pw;
          }
        }
        Y[o] = acc;
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
  const arg = new Int32Array(p.outSize);
  const colMajor = ctx.attr<number>("storage_order") === 1;
  const [inD, inH, inW] = p.axes.map((a) => a.n) as [number, number, number];
  // in-plane offset (row-major) -> Indices offset for storage_order=1 (column-major)
  const cm = (q: number) => { const iw = q % inW, ih = Math.floor(q / inW) % inH, id = Math.floor(q / (inW * inH)); return colMajor ? id + inD * (ih + inH * iw) : q; };
  const lowest = x!.dtype === "i8" ? -128 : x!.dtype === "u8" ? 0 : -Infinity;
  for (let c = 0; c < p.planes; c++) {
    maxPlane(p, X, c * p.inSize, Y, c * p.outSize, lowest, arg);
    if (I) for (let o = 0; o < p.outSize; o++) I[c * p.outSize + o] = BigInt(c * p.inSize + (arg[o]! < 0 ? 0 : cm(arg[o]!)));
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
  const sums = new Float64Array(p.outSize);
  for (let c = 0; c < p.planes; c++) {
    sumPlane(p, X, c * p.inSize, sums, 0);
    for (let o = 0; o < p.outSize; o++) Y[c * p.outSize + o] = sums[o]! / div[o]!;
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
  const sums = new Float64Array(p.outSize);
  for (let c = 0; c < p.planes; c++) {
    sumPlane(p, X, c * p.inSize, sums, pw);
    for (let o = 0; o < p.outSize; o++) Y[c * p.outSize + o] = pw === 1 ? sums[o]! : sums[o]! ** (1 / pw);
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
