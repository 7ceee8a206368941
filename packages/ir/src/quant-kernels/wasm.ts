/**
 * Quantization loops in WebAssembly SIMD (weight-quant.as, embedded by build-wasm.ts as
 * weight-quant-wasm.ts). The tensor streams through the module's memory in chunks of
 * CHUNK elements: each chunk of the input (x, or the integers to dequantize) is copied in,
 * the kernels run on every run of one scale slot (runs.ts) inside it, and the results are
 * copied out. The module is ~3 KB, compiled
 * synchronously once, on first use; its buffers are fixed, so calls never grow memory.
 */
import type { Granularity } from "../types.js";
import { forEachScaleRun } from "./runs.js";
import type { WeightKernels } from "./types.js";
import { WEIGHT_QUANT_WASM } from "./weight-quant-wasm.js";

/** Elements a chunk (64 KiB of f32): the chunk, its scales and results stay in L2 cache. */
const CHUNK = 16384;

// The slice of the WebAssembly JS API used here, typed locally (the workspace compiles with
// lib ES2023 and no DOM, where @types/node declares only part of the WebAssembly namespace).
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, never>) => { readonly exports: unknown };
  validate(bytes: Uint8Array): boolean;
}
const Wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

interface Exports {
  memory: { readonly buffer: ArrayBuffer; grow(deltaPages: number): number };
  buffer_base(): number;
  absmax(x: number, n: number, m: number): number;
  absmax_strided(x: number, m: number, n: number): void;
  minmax(x: number, n: number, out: number): void;
  minmax_strided(x: number, lo: number, hi: number, n: number): void;
  quantize(x: number, out: number, n: number, s: number, z: number, qmin: number, qmax: number, unsigned: number): void;
  quantize_strided(x: number, s: number, z: number, out: number, n: number, qmin: number, qmax: number, unsigned: number): void;
  quantize_packed(x: number, out: number, i0: number, i1: number, s: number, z: number, qmin: number, qmax: number): void;
  pack_nibbles(q: number, out: number, i0: number, i1: number): void;
  fake_quant(x: number, out: number, n: number, s: number, z: number, qmin: number, qmax: number): void;
  fake_quant_strided(x: number, s: number, z: number, out: number, n: number, qmin: number, qmax: number): void;
  dequantize(q: number, out: number, n: number, s: number, z: number, unsigned: number): void;
  dequantize_strided(q: number, s: number, z: number, out: number, n: number, unsigned: number): void;
}

function decode(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

class WasmWeightKernels implements WeightKernels {
  readonly name = "wasm";
  private readonly ex: Exports;
  // byte offsets of the buffers in the module's memory
  private readonly X: number;
  private readonly S: number;
  private readonly Z: number;
  private readonly M1: number;
  private readonly M2: number;
  private readonly MM: number;
  private readonly Q: number;
  private readonly P: number;
  private readonly F: number;
  // views of them
  private readonly xs: Float32Array;
  private readonly ss: Float32Array;
  private readonly zs: Float32Array;
  private readonly m1: Float32Array;
  private readonly m2: Float32Array;
  private readonly mm: Float32Array;
  private readonly qi: Int8Array;
  private readonly qu: Uint8Array;
  private readonly pk: Uint8Array;
  private readonly fs: Float32Array;

  constructor(module: WasmModule) {
    this.ex = new Wasm!.Instance(module, {}).exports as Exports;
    let at = this.ex.buffer_base();
    const take = (bytes: number) => ((at += bytes), at - bytes);
    this.X = take(CHUNK * 4);
    this.S = take(CHUNK * 4);
    this.Z = take(CHUNK * 4);
    this.M1 = take(CHUNK * 4);
    this.M2 = take(CHUNK * 4);
    this.MM = take(16);
    this.Q = take(CHUNK);
    this.P = take(CHUNK / 2);
    this.F = take(CHUNK * 4);
    const mem = this.ex.memory;
    if (at > mem.buffer.byteLength) mem.grow(Math.ceil((at - mem.buffer.byteLength) / 65536));
    const buf = mem.buffer;
    this.xs = new Float32Array(buf, this.X, CHUNK);
    this.ss = new Float32Array(buf, this.S, CHUNK);
    this.zs = new Float32Array(buf, this.Z, CHUNK);
    this.m1 = new Float32Array(buf, this.M1, CHUNK);
    this.m2 = new Float32Array(buf, this.M2, CHUNK);
    this.mm = new Float32Array(buf, this.MM, 2);
    this.qi = new Int8Array(buf, this.Q, CHUNK);
    this.qu = new Uint8Array(buf, this.Q, CHUNK);
    this.pk = new Uint8Array(buf, this.P, CHUNK / 2);
    this.fs = new Float32Array(buf, this.F, CHUNK);
  }

  /**
   * Streams x through the X buffer: visit(a, b, k, strided) gets each run cut at chunk
   * boundaries, in chunk-local element indices, with the slot of its first element;
   * flush(c0, c1) follows the visits of chunk [c0, c1).
   */
  private walk(x: Float32Array, shape: readonly number[], g: Granularity, visit: (a: number, b: number, k: number, strided: boolean) => void, flush?: (c0: number, c1: number) => void): void {
    this.walkInput(x.length, (c0, c1) => this.xs.set(x.subarray(c0, c1)), shape, g, visit, flush);
  }

  /** walk for n input elements that load(c0, c1) copies into the module's memory, chunk by chunk. */
  private walkInput(n: number, load: (c0: number, c1: number) => void, shape: readonly number[], g: Granularity, visit: (a: number, b: number, k: number, strided: boolean) => void, flush?: (c0: number, c1: number) => void): void {
    if (n === 0) return;
    let c0 = 0;
    let c1 = Math.min(n, CHUNK);
    load(c0, c1);
    forEachScaleRun(shape, g, (start, end, k, strided) => {
      for (let s = start; s < end; ) {
        if (s >= c1) {
          flush?.(c0, c1);
          c0 = c1;
          c1 = Math.min(n, c0 + CHUNK);
          load(c0, c1);
        }
        const e = Math.min(end, c1);
        visit(s - c0, e - c0, strided ? k + (s - start) : k, strided);
        s = e;
      }
    });
    flush?.(c0, c1);
  }

  absMaxBySlot(x: Float32Array, shape: readonly number[], g: Granularity, slots: number): Float64Array | null {
    const m = new Float64Array(slots);
    const { ex, X, M1, m1 } = this;
    this.walk(x, shape, g, (a, b, k, strided) => {
      if (!strided) m[k] = ex.absmax(X + 4 * a, b - a, m[k]!);
      else {
        m1.set(m.subarray(k, k + b - a));
        ex.absmax_strided(X + 4 * a, M1, b - a);
        m.set(m1.subarray(0, b - a), k);
      }
    });
    for (let k = 0; k < slots; k++) if (!(m[k]! < Infinity)) return null; // NaN or Infinity
    return m;
  }

  minMaxBySlot(x: Float32Array, shape: readonly number[], g: Granularity, slots: number): { min: Float64Array; max: Float64Array } | null {
    const min = new Float64Array(slots).fill(Infinity);
    const max = new Float64Array(slots).fill(-Infinity);
    const { ex, X, M1, M2, MM, m1, m2, mm } = this;
    this.walk(x, shape, g, (a, b, k, strided) => {
      if (!strided) {
        mm[0] = min[k]!;
        mm[1] = max[k]!;
        ex.minmax(X + 4 * a, b - a, MM);
        min[k] = mm[0]!;
        max[k] = mm[1]!;
      } else {
        m1.set(min.subarray(k, k + b - a));
        m2.set(max.subarray(k, k + b - a));
        ex.minmax_strided(X + 4 * a, M1, M2, b - a);
        min.set(m1.subarray(0, b - a), k);
        max.set(m2.subarray(0, b - a), k);
      }
    });
    for (let k = 0; k < slots; k++) {
      const lo = min[k]!;
      const hi = max[k]!;
      if (lo !== lo || hi !== hi || lo === -Infinity || hi === Infinity) return null;
    }
    return { min, max };
  }

  /** Scales and zero points of slots k .. k+len into S and Z (f32) from index a, for a strided run at chunk element a. */
  private stridedParams(scale: Float32Array, zeroPoint: Int32Array | null, k: number, a: number, len: number): void {
    this.ss.set(scale.subarray(k, k + len), a);
    if (zeroPoint) this.zs.set(zeroPoint.subarray(k, k + len), a);
    else this.zs.fill(0, a, a + len);
  }

  quantizeInto(x: Float32Array, out: Int8Array | Uint8Array, shape: readonly number[], g: Granularity, scale: Float32Array, zeroPoint: Int32Array | null, qmin: number, qmax: number): void {
    const { ex, X, S, Z, Q } = this;
    const unsigned = out instanceof Uint8Array ? 1 : 0;
    const q = unsigned ? this.qu : this.qi; // same element type as out: the copy out is a plain byte copy
    this.walk(
      x, shape, g,
      (a, b, k, strided) => {
        if (!strided) ex.quantize(X + 4 * a, Q + a, b - a, scale[k]!, zeroPoint ? zeroPoint[k]! : 0, qmin, qmax, unsigned);
        else {
          this.stridedParams(scale, zeroPoint, k, a, b - a);
          ex.quantize_strided(X + 4 * a, S + 4 * a, Z + 4 * a, Q + a, b - a, qmin, qmax, unsigned);
        }
      },
      (c0, c1) => out.set(q.subarray(0, c1 - c0) as Int8Array & Uint8Array, c0),
    );
  }

  quantizePackedInto(x: Float32Array, out: Uint8Array, shape: readonly number[], g: Granularity, scale: Float32Array, zeroPoint: Int32Array | null, qmin: number, qmax: number): void {
    const { ex, X, S, Z, Q, P, pk } = this;
    pk.fill(0);
    // Chunks start at even elements (CHUNK is even), so chunk-local parity is the element's.
    this.walk(
      x, shape, g,
      (a, b, k, strided) => {
        if (!strided) ex.quantize_packed(X, P, a, b, scale[k]!, zeroPoint ? zeroPoint[k]! : 0, qmin, qmax);
        else {
          this.stridedParams(scale, zeroPoint, k, a, b - a);
          ex.quantize_strided(X + 4 * a, S + 4 * a, Z + 4 * a, Q + a, b - a, qmin, qmax, 0);
          ex.pack_nibbles(Q, P, a, b);
        }
      },
      (c0, c1) => {
        out.set(pk.subarray(0, (c1 - c0 + 1) >> 1), c0 >> 1);
        pk.fill(0); // an odd last chunk leaves its last high nibble as found
      },
    );
  }

  fakeQuantInto(x: Float32Array, out: Float32Array, shape: readonly number[], g: Granularity, scale: Float32Array, zeroPoint: Int32Array | null, qmin: number, qmax: number): void {
    const { ex, X, S, Z, F, fs } = this;
    this.walk(
      x, shape, g,
      (a, b, k, strided) => {
        if (!strided) ex.fake_quant(X + 4 * a, F + 4 * a, b - a, scale[k]!, zeroPoint ? zeroPoint[k]! : 0, qmin, qmax);
        else {
          this.stridedParams(scale, zeroPoint, k, a, b - a);
          ex.fake_quant_strided(X + 4 * a, S + 4 * a, Z + 4 * a, F + 4 * a, b - a, qmin, qmax);
        }
      },
      (c0, c1) => out.set(fs.subarray(0, c1 - c0), c0),
    );
  }

  dequantizeInto(q: Int8Array | Uint8Array, out: Float32Array, shape: readonly number[], g: Granularity, scale: Float32Array, zeroPoint: Int32Array | null): void {
    const { ex, S, Z, Q, F, fs } = this;
    const unsigned = q instanceof Uint8Array ? 1 : 0;
    const qs = unsigned ? this.qu : this.qi;
    this.walkInput(
      q.length,
      (c0, c1) => qs.set(q.subarray(c0, c1) as Int8Array & Uint8Array),
      shape, g,
      (a, b, k, strided) => {
        if (!strided) ex.dequantize(Q + a, F + 4 * a, b - a, scale[k]!, zeroPoint ? zeroPoint[k]! : 0, unsigned);
        else {
          this.stridedParams(scale, zeroPoint, k, a, b - a);
          ex.dequantize_strided(Q + a, S + 4 * a, Z + 4 * a, F + 4 * a, b - a, unsigned);
        }
      },
      (c0, c1) => out.set(fs.subarray(0, c1 - c0), c0),
    );
  }
}

let instance: WeightKernels | null | undefined;

/** The WebAssembly kernels, or null where WebAssembly SIMD is unavailable. */
export function wasmKernels(): WeightKernels | null {
  if (instance === undefined) {
    const bytes = decode(WEIGHT_QUANT_WASM);
    instance = Wasm && Wasm.validate(bytes) ? new WasmWeightKernels(new Wasm.Module(bytes)) : null;
  }
  return instance;
}
