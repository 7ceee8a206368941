/** Broadcast index maps: for each output element, the flat index into each input. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`cannot broadcast [${a}] with [${b}]`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Flat source indices of `src` (broadcast to `shape`) for every element of `shape`. */
export function broadcastTo(src: readonly number[], shape: readonly number[]): Int32Array {
  const r = shape.length;
  const n = shape.reduce((p, d) => p * d, 1);
  const strides = new Array<number>(r).fill(0);
  let s = 1;
  for (let i = src.length - 1; i >= 0; i--) {
    const k = r - src.length + i;
    strides[k] = src[i] === 1 ? 0 : s;
    s *= src[i]!;
  }
  const out = new Int32Array(n);
  const idx = new Array<number>(r).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    for (let k = r - 1; k >= 0; k--) {
      idx[k]++;
      off += strides[k]!;
      if (idx[k]! < shape[k]!) break;
      off -= strides[k]! * shape[k]!;
      idx[k] = 0;
    }
  }
  return out;
}

export function broadcastIndex(a: readonly number[], b: readonly number[]) {
  const shape = broadcastShape(a, b);
  return { shape, ia: broadcastTo(a, shape), ib: broadcastTo(b, shape) };
}
