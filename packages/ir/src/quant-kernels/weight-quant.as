// AssemblyScript source of the weight-quantization loops in WebAssembly SIMD (compiled by
// build-wasm.ts into weight-quant-wasm.ts). Named .as to keep it out of the workspace's
// TypeScript program. Driven by wasm.ts, which copies a chunk of the tensor into this
// module's memory, calls these per run of one scale slot (or per strided run), and copies
// the integers out.
//
// Arithmetic, identical to ir's quantizeValue (and to ts.ts): q = clamp(nearest(x / s) + z,
// qmin, qmax), NaN → z. f32x4.div is the IEEE float32 division (= Math.fround(x / s));
// f32x4.nearest rounds half to even; nearest(..) + z is exact in float32 below 2^24 in
// magnitude and beyond that clamps to the same bound as the exact sum. Ranges use
// f32x4.min/max, which return NaN when an operand is NaN, so a NaN in the data shows in the
// result (the caller reports it); an infinity shows as an infinite range.
//
// fake_quant and dequantize compute (q - z) * s in float32: q - z is an exact small integer, so
// the float32 product is ir's dequantizeValue, Math.fround((q - zp) * scale).
//
// Pointers are byte offsets into this module's memory; counts are elements.

// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** First byte the driver may use (16-byte aligned, past this module's own data). */
export function buffer_base(): usize {
  return (__heap_base + 15) & ~15;
}

/** max(m, |x[0..n)|); NaN when one of them is NaN. */
export function absmax(x: usize, n: i32, m: f32): f32 {
  let a0 = f32x4.splat(m);
  let a1 = a0;
  let a2 = a0;
  let a3 = a0;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = at(x, i);
    a0 = f32x4.max(a0, f32x4.abs(v128.load(p)));
    a1 = f32x4.max(a1, f32x4.abs(v128.load(p, 16)));
    a2 = f32x4.max(a2, f32x4.abs(v128.load(p, 32)));
    a3 = f32x4.max(a3, f32x4.abs(v128.load(p, 48)));
  }
  const a = f32x4.max(f32x4.max(a0, a1), f32x4.max(a2, a3));
  let r = max<f32>(max<f32>(f32x4.extract_lane(a, 0), f32x4.extract_lane(a, 1)), max<f32>(f32x4.extract_lane(a, 2), f32x4.extract_lane(a, 3)));
  for (; i < n; i++) r = max<f32>(r, abs<f32>(load<f32>(at(x, i))));
  return r;
}

/** m[i] = max(m[i], |x[i]|) for i in [0, n). */
export function absmax_strided(x: usize, m: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(m, i), f32x4.max(v128.load(at(m, i)), f32x4.abs(v128.load(at(x, i)))));
  for (; i < n; i++) store<f32>(at(m, i), max<f32>(load<f32>(at(m, i)), abs<f32>(load<f32>(at(x, i)))));
}

/** out[0] = min(out[0], x[0..n)), out[1] = max(out[1], x[0..n)). */
export function minmax(x: usize, n: i32, out: usize): void {
  let lo = f32x4.splat(load<f32>(out));
  let hi = f32x4.splat(load<f32>(out, 4));
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(at(x, i));
    lo = f32x4.min(lo, v);
    hi = f32x4.max(hi, v);
  }
  let l = min<f32>(min<f32>(f32x4.extract_lane(lo, 0), f32x4.extract_lane(lo, 1)), min<f32>(f32x4.extract_lane(lo, 2), f32x4.extract_lane(lo, 3)));
  let h = max<f32>(max<f32>(f32x4.extract_lane(hi, 0), f32x4.extract_lane(hi, 1)), max<f32>(f32x4.extract_lane(hi, 2), f32x4.extract_lane(hi, 3)));
  for (; i < n; i++) {
    const v = load<f32>(at(x, i));
    l = min<f32>(l, v);
    h = max<f32>(h, v);
  }
  store<f32>(out, l);
  store<f32>(out, h, 4);
}

/** lo[i] = min(lo[i], x[i]), hi[i] = max(hi[i], x[i]) for i in [0, n). */
export function minmax_strided(x: usize, lo: usize, hi: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(at(x, i));
    v128.store(at(lo, i), f32x4.min(v128.load(at(lo, i)), v));
    v128.store(at(hi, i), f32x4.max(v128.load(at(hi, i)), v));
  }
  for (; i < n; i++) {
    const v = load<f32>(at(x, i));
    store<f32>(at(lo, i), min<f32>(load<f32>(at(lo, i)), v));
    store<f32>(at(hi, i), max<f32>(load<f32>(at(hi, i)), v));
  }
}

/** clamp(nearest(v / s) + z, lo, hi) as floats, NaN → z. */
// @ts-ignore: decorator
@inline
function r4(v: v128, s: v128, z: v128, lo: v128, hi: v128): v128 {
  let r = f32x4.add(f32x4.nearest(f32x4.div(v, s)), z);
  r = v128.bitselect(r, z, f32x4.eq(r, r));
  return f32x4.min(f32x4.max(r, lo), hi);
}

// @ts-ignore: decorator
@inline
function q4(v: v128, s: v128, z: v128, lo: v128, hi: v128): v128 {
  return i32x4.trunc_sat_f32x4_s(r4(v, s, z, lo, hi));
}

// @ts-ignore: decorator
@inline
function r1(v: f32, s: f32, z: f32, lo: f32, hi: f32): f32 {
  let r = nearest<f32>(v / s) + z;
  if (r != r) r = z;
  return min<f32>(max<f32>(r, lo), hi);
}

// @ts-ignore: decorator
@inline
function q1(v: f32, s: f32, z: f32, lo: f32, hi: f32): i32 {
  return <i32>r1(v, s, z, lo, hi);
}

// @ts-ignore: decorator
@inline
function narrow16(a: v128, b: v128, c: v128, d: v128, unsigned: bool): v128 {
  const ab = i16x8.narrow_i32x4_s(a, b);
  const cd = i16x8.narrow_i32x4_s(c, d);
  return unsigned ? i8x16.narrow_i16x8_u(ab, cd) : i8x16.narrow_i16x8_s(ab, cd);
}

/** out[i] (one byte) = q(x[i]) with one scale s and zero point z, i in [0, n); u8 when unsigned. */
export function quantize(x: usize, out: usize, n: i32, s: f32, z: f32, qmin: f32, qmax: f32, unsigned: bool): void {
  const sv = f32x4.splat(s);
  const zv = f32x4.splat(z);
  const lo = f32x4.splat(qmin);
  const hi = f32x4.splat(qmax);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = at(x, i);
    const a = q4(v128.load(p), sv, zv, lo, hi);
    const b = q4(v128.load(p, 16), sv, zv, lo, hi);
    const c = q4(v128.load(p, 32), sv, zv, lo, hi);
    const d = q4(v128.load(p, 48), sv, zv, lo, hi);
    v128.store(out + <usize>i, narrow16(a, b, c, d, unsigned));
  }
  for (; i < n; i++) store<u8>(out + <usize>i, <u8>q1(load<f32>(at(x, i)), s, z, qmin, qmax));
}

/** out[i] (one byte) = q(x[i]) with scale s[i] and zero point z[i] (f32), i in [0, n). */
export function quantize_strided(x: usize, s: usize, z: usize, out: usize, n: i32, qmin: f32, qmax: f32, unsigned: bool): void {
  const lo = f32x4.splat(qmin);
  const hi = f32x4.splat(qmax);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = at(x, i);
    const ps = at(s, i);
    const pz = at(z, i);
    const a = q4(v128.load(p), v128.load(ps), v128.load(pz), lo, hi);
    const b = q4(v128.load(p, 16), v128.load(ps, 16), v128.load(pz, 16), lo, hi);
    const c = q4(v128.load(p, 32), v128.load(ps, 32), v128.load(pz, 32), lo, hi);
    const d = q4(v128.load(p, 48), v128.load(ps, 48), v128.load(pz, 48), lo, hi);
    v128.store(out + <usize>i, narrow16(a, b, c, d, unsigned));
  }
  for (; i < n; i++) store<u8>(out + <usize>i, <u8>q1(load<f32>(at(x, i)), load<f32>(at(s, i)), load<f32>(at(z, i)), qmin, qmax));
}

// @ts-ignore: decorator
@inline
function setNibble(out: usize, i: i32, v: i32): void {
  const p = out + <usize>(i >> 1);
  const b = <i32>load<u8>(p);
  store<u8>(p, <u8>(i & 1 ? (b & 0x0f) | ((v & 15) << 4) : (b & 0xf0) | (v & 15)));
}

// @ts-ignore: decorator
@inline
function packPairs(v: v128): v128 {
  // bytes (e0, e1) of each 16-bit lane → e0 & 15 | (e1 & 15) << 4, in [0, 255]
  const t = v128.and(v, i8x16.splat(0x0f));
  return v128.or(v128.and(t, i16x8.splat(0x000f)), i16x8.shr_u(t, 4));
}

/**
 * Elements [i0, i1) of the chunk at x, quantized with one scale, written as 4-bit values
 * two a byte: element i in the low (i even) or high (i odd) nibble of out[i >> 1].
 */
export function quantize_packed(x: usize, out: usize, i0: i32, i1: i32, s: f32, z: f32, qmin: f32, qmax: f32): void {
  let i = i0;
  if (i & 1 && i < i1) {
    setNibble(out, i, q1(load<f32>(at(x, i)), s, z, qmin, qmax));
    i++;
  }
  const sv = f32x4.splat(s);
  const zv = f32x4.splat(z);
  const lo = f32x4.splat(qmin);
  const hi = f32x4.splat(qmax);
  for (; i + 32 <= i1; i += 32) {
    const p = at(x, i);
    const v0 = narrow16(q4(v128.load(p), sv, zv, lo, hi), q4(v128.load(p, 16), sv, zv, lo, hi), q4(v128.load(p, 32), sv, zv, lo, hi), q4(v128.load(p, 48), sv, zv, lo, hi), false);
    const v1 = narrow16(q4(v128.load(p, 64), sv, zv, lo, hi), q4(v128.load(p, 80), sv, zv, lo, hi), q4(v128.load(p, 96), sv, zv, lo, hi), q4(v128.load(p, 112), sv, zv, lo, hi), false);
    v128.store(out + <usize>(i >> 1), i8x16.narrow_i16x8_u(packPairs(v0), packPairs(v1)));
  }
  for (; i + 2 <= i1; i += 2) {
    const a = q1(load<f32>(at(x, i)), s, z, qmin, qmax);
    const b = q1(load<f32>(at(x, i + 1)), s, z, qmin, qmax);
    store<u8>(out + <usize>(i >> 1), <u8>((a & 15) | ((b & 15) << 4)));
  }
  if (i < i1) setNibble(out, i, q1(load<f32>(at(x, i)), s, z, qmin, qmax));
}

/** Packs bytes q[i0..i1) (4-bit values, one a byte) into out as quantize_packed writes them. */
export function pack_nibbles(q: usize, out: usize, i0: i32, i1: i32): void {
  let i = i0;
  if (i & 1 && i < i1) {
    setNibble(out, i, <i32>load<u8>(q + <usize>i));
    i++;
  }
  for (; i + 32 <= i1; i += 32) {
    const p = q + <usize>i;
    v128.store(out + <usize>(i >> 1), i8x16.narrow_i16x8_u(packPairs(v128.load(p)), packPairs(v128.load(p, 16))));
  }
  for (; i + 2 <= i1; i += 2) store<u8>(out + <usize>(i >> 1), <u8>((<i32>load<u8>(q + <usize>i) & 15) | ((<i32>load<u8>(q + <usize>i + 1) & 15) << 4)));
  if (i < i1) setNibble(out, i, <i32>load<u8>(q + <usize>i));
}

/** out[i] (f32) = (r(x[i]) - z) * s with one scale s and zero point z, i in [0, n): dequantize(quantize(x)). */
export function fake_quant(x: usize, out: usize, n: i32, s: f32, z: f32, qmin: f32, qmax: f32): void {
  const sv = f32x4.splat(s);
  const zv = f32x4.splat(z);
  const lo = f32x4.splat(qmin);
  const hi = f32x4.splat(qmax);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const p = at(x, i);
    const o = at(out, i);
    v128.store(o, f32x4.mul(f32x4.sub(r4(v128.load(p), sv, zv, lo, hi), zv), sv));
    v128.store(o, f32x4.mul(f32x4.sub(r4(v128.load(p, 16), sv, zv, lo, hi), zv), sv), 16);
  }
  for (; i < n; i++) store<f32>(at(out, i), (r1(load<f32>(at(x, i)), s, z, qmin, qmax) - z) * s);
}

/** out[i] (f32) = (r(x[i]) - z[i]) * s[i] with scale s[i] and zero point z[i] (f32), i in [0, n). */
export function fake_quant_strided(x: usize, s: usize, z: usize, out: usize, n: i32, qmin: f32, qmax: f32): void {
  const lo = f32x4.splat(qmin);
  const hi = f32x4.splat(qmax);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const sv = v128.load(at(s, i));
    const zv = v128.load(at(z, i));
    v128.store(at(out, i), f32x4.mul(f32x4.sub(r4(v128.load(at(x, i)), sv, zv, lo, hi), zv), sv));
  }
  for (; i < n; i++) {
    const si = load<f32>(at(s, i));
    const zi = load<f32>(at(z, i));
    store<f32>(at(out, i), (r1(load<f32>(at(x, i)), si, zi, qmin, qmax) - zi) * si);
  }
}

// @ts-ignore: decorator
@inline
function widen(b: v128, unsigned: bool): v128 {
  return unsigned ? i16x8.extend_low_i8x16_u(b) : i16x8.extend_low_i8x16_s(b);
}

// @ts-ignore: decorator
@inline
function dq4(w: v128, s: v128, z: v128): v128 {
  return f32x4.mul(f32x4.sub(f32x4.convert_i32x4_s(w), z), s);
}

// @ts-ignore: decorator
@inline
function byte(q: usize, i: i32, unsigned: bool): f32 {
  return unsigned ? <f32>load<u8>(q + <usize>i) : <f32>load<i8>(q + <usize>i);
}

/** out[i] (f32) = (q[i] - z) * s for bytes q[i] (u8 when unsigned, else i8), i in [0, n). */
export function dequantize(q: usize, out: usize, n: i32, s: f32, z: f32, unsigned: bool): void {
  const sv = f32x4.splat(s);
  const zv = f32x4.splat(z);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const b = v128.load(q + <usize>i);
    const l = widen(b, unsigned);
    const h = widen(i8x16.shuffle(b, b, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15), unsigned);
    const o = at(out, i);
    v128.store(o, dq4(i32x4.extend_low_i16x8_s(l), sv, zv));
    v128.store(o, dq4(i32x4.extend_high_i16x8_s(l), sv, zv), 16);
    v128.store(o, dq4(i32x4.extend_low_i16x8_s(h), sv, zv), 32);
    v128.store(o, dq4(i32x4.extend_high_i16x8_s(h), sv, zv), 48);
  }
  for (; i < n; i++) store<f32>(at(out, i), (byte(q, i, unsigned) - z) * s);
}

/** out[i] (f32) = (q[i] - z[i]) * s[i] with scale s[i] and zero point z[i] (f32), i in [0, n). */
export function dequantize_strided(q: usize, s: usize, z: usize, out: usize, n: i32, unsigned: bool): void {
  for (let i = 0; i < n; i++) store<f32>(at(out, i), (byte(q, i, unsigned) - load<f32>(at(z, i))) * load<f32>(at(s, i)));
}
