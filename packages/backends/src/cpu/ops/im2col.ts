/**
 * im2col for convolutions of spatial rank 1 to 3 (lower ranks are lifted to 3-D with unit
 * dims): for one image and a run of channels,
 *   col[(c * kprod + kidx) * outSize + o] = x[c, input position of tap kidx at output o] (`pad` in padding).
 */
import type { Window } from "./window.js";
import { tapTables } from "./window.js";

type Arr = Float32Array | Int32Array | Uint8Array | Int8Array;

/** Window dims lifted to exactly 3 spatial axes. */
export interface Lifted {
  inD: number; inH: number; inW: number;
  kD: number; kH: number; kW: number;
  oD: number; oH: number; oW: number;
  tD: Int32Array; tH: Int32Array; tW: Int32Array;
}

export function lift3(w: Window): Lifted {
  if (w.r > 3) throw new RangeError(`convolution of spatial rank ${w.r} (at most 3 is supported)`);
  const t = tapTables(w);
  const pad = 3 - w.r;
  const one = Int32Array.of(0);
  const g = <X>(arr: readonly X[], dflt: X, i: number): X => (i < pad ? dflt : arr[i - pad]!);
  const tab = (i: number) => (i < pad ? one : t[i - pad]!);
  return {
    inD: g(w.inShape, 1, 0), inH: g(w.inShape, 1, 1), inW: g(w.inShape, 1, 2),
    kD: g(w.kernel, 1, 0), kH: g(w.kernel, 1, 1), kW: g(w.kernel, 1, 2),
    oD: g(w.outShape, 1, 0), oH: g(w.outShape, 1, 1), oW: g(w.outShape, 1, 2),
    tD: tab(0), tH: tab(1), tW: tab(2),
  };
}

/** Fills col ([channels * kprod, outSize], from colOff) from `channels` channels of x starting at xOff; padding reads `pad`. */
export function im2col(x: Arr, xOff: number, channels: number, L: Lifted, col: Arr, colOff = 0, pad = 0): void {
  const { inH, inW, kD, kH, kW, oD, oH, oW, tD, tH, tW } = L;
  const inSize = L.inD * inH * inW;
  // Per kw: the output columns [lo, hi) whose tap lands inside the row, and the input column of lo.
  const lo = new Int32Array(kW), hi = new Int32Array(kW), first = new Int32Array(kW);
  const sW = oW > 1 ? tW[1]! - tW[0]! : 1;
  for (let kw = 0; kw < kW; kw++) {
    let a = 0;
    while (a < oW && tW[kw * oW + a]! < 0) a++;
    let b = a;
    while (b < oW && tW[kw * oW + b]! >= 0) b++;
    lo[kw] = a, hi[kw] = b, first[kw] = a < oW ? tW[kw * oW + a]! : 0;
  }
  const stride = inferStride(tW, kW, oW, sW);
  let p = colOff;
  for (let c = 0; c < channels; c++) {
    const xc = xOff + c * inSize;
    for (let kd = 0; kd < kD; kd++)
      for (let kh = 0; kh < kH; kh++)
        for (let kw = 0; kw < kW; kw++) {
          const a = lo[kw]!, b = hi[kw]!;
          for (let od = 0; od < oD; od++) {
            const id = tD[kd * oD + od]!;
            for (let oh = 0; oh < oH; oh++, p += oW) {
              const ih = tH[kh * oH + oh]!;
              if (id < 0 || ih < 0) {
                col.fill(pad, p, p + oW);
                continue;
              }
              for (let ow = 0; ow < a; ow++) col[p + ow] = pad;
              let iw = xc + (id * inH + ih) * inW + first[kw]!;
              for (let ow = a; ow < b; ow++, iw += stride) col[p + ow] = x[iw]!;
              for (let ow = b; ow < oW; ow++) col[p + ow] = pad;
            }
          }
        }
  }
}

/** The input step between consecutive output columns (the W stride), from the tap table. */
function inferStride(tW: Int32Array, kW: number, oW: number, dflt: number): number {
  for (let k = 0; k < kW; k++)
    for (let o = 0; o + 1 < oW; o++) {
      const a = tW[k * oW + o]!, b = tW[k * oW + o + 1]!;
      if (a >= 0 && b >= 0) return b - a;
    }
  return dflt;
}

/** True when im2col is the identity (1x1 kernel, unit strides, no padding): col = x. */
export function isPointwise(w: Window): boolean {
  return w.kernel.every((k, i) => k === 1 && w.strides[i] === 1 && w.padBegin[i] === 0 && w.padEnd[i] === 0);
}
