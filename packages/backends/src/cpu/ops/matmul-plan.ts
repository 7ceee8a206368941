/**
 * numpy.matmul batching for the MatMul-family kernels: 1-D promotion, batch broadcast, and
 * for every output batch entry the element offsets of its A and B matrices.
 */
import { broadcastShape, broadcastTo } from "./broadcast.js";
import { numelOf } from "./float-util.js";

export interface MatmulPlan {
  m: number;
  n: number;
  k: number;
  /** Output shape (promoted dims removed). */
  shape: number[];
  /** Number of output batch entries. */
  batch: number;
  /** Per output batch entry: element offset of its A (M x K) and B (K x N) matrices. */
  aOffsets: Int32Array;
  bOffsets: Int32Array;
  /** B is the same matrix for every batch entry (then A's batches are consecutive rows). */
  bShared: boolean;
}

export function planMatmul(aShape: readonly number[], bShape: readonly number[], fail: (msg: string) => never): MatmulPlan {
  if (aShape.length === 0 || bShape.length === 0) fail("operands must have rank >= 1");
  const a2 = aShape.length === 1 ? [1, aShape[0]!] : aShape;
  const b2 = bShape.length === 1 ? [bShape[0]!, 1] : bShape;
  const m = a2[a2.length - 2]!, k = a2[a2.length - 1]!, n = b2[b2.length - 1]!;
  if (b2[b2.length - 2] !== k) fail(`inner dimensions differ: [${aShape}] x [${bShape}]`);
  const ba = a2.slice(0, -2), bb = b2.slice(0, -2);
  let batchShape: number[];
  try {
    batchShape = broadcastShape(ba, bb);
  } catch {
    return fail(`batch dims of [${aShape}] and [${bShape}] do not broadcast`);
  }
  const batch = numelOf(batchShape);
  const ia = broadcastTo(ba, batchShape), ib = broadcastTo(bb, batchShape);
  const aOffsets = new Int32Array(batch), bOffsets = new Int32Array(batch);
  for (let t = 0; t < batch; t++) {
    aOffsets[t] = ia[t]! * m * k;
    bOffsets[t] = ib[t]! * k * n;
  }
  const shape = [...batchShape, ...(aShape.length > 1 ? [m] : []), ...(bShape.length > 1 ? [n] : [])];
  return { m, n, k, shape, batch, aOffsets, bOffsets, bShared: numelOf(bb) === 1 && numelOf(ba) === batch };
}
