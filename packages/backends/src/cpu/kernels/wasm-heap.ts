/**
 * The shared WebAssembly.Memory the kernels run in, and a per-call bump layout of it.
 *
 * Addresses below DATA_BASE are reserved: the AssemblyScript modules keep no data there (they
 * have no data segments and use the stub runtime without allocating), and the parameter block
 * of a call lives at PARAMS_ADDR. Everything else is laid out afresh by each call from
 * DATA_BASE, 64-byte aligned; the memory grows as needed and never shrinks.
 */
import { Wasm, type WasmMemory } from "./wasm-api.js";
import { MAX_MEMORY_PAGES } from "./wasm-limits.js";

export const PARAMS_ADDR = 1024;
export const PARAMS_BYTES = 256;
export const DATA_BASE = 65536;
const PAGE = 65536;

export class WasmHeap {
  readonly memory: WasmMemory;

  constructor(initialPages = 32) {
    this.memory = new Wasm.Memory({ initial: initialPages, maximum: MAX_MEMORY_PAGES, shared: true });
  }

  /** Makes the memory at least `bytes` long. */
  ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    if (bytes > MAX_MEMORY_PAGES * PAGE) {
      throw new RangeError(`wasm kernels: a call needs ${bytes} bytes, more than the ${MAX_MEMORY_PAGES * PAGE} a 32-bit memory allows`);
    }
    this.memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  get buffer(): SharedArrayBuffer {
    return this.memory.buffer;
  }
}

/** Hands out 64-byte aligned regions from `start` (by default DATA_BASE). */
export class Layout {
  private next: number;

  constructor(start = DATA_BASE) {
    this.next = align64(start);
  }

  alloc(bytes: number): number {
    const addr = this.next;
    this.next = addr + align64(bytes);
    return addr;
  }

  get end(): number {
    return this.next;
  }
}

function align64(x: number): number {
  return Math.ceil(x / 64) * 64;
}

/**
 * Packed copies of immutable B operands (GemmArgs.cacheB), kept at the bottom of the data
 * region; each call lays out its own data above `end`. Keys are the B array object (weakly
 * held) plus a string describing B's layout. When the cache would pass `limitBytes` it is
 * emptied first (every entry is dropped, so the region is reused from the bottom).
 */
export class PackedCache {
  private entries = new WeakMap<object, Map<string, number>>();
  private top = DATA_BASE;

  constructor(private readonly limitBytes = 512 * 1024 * 1024) {}

  /** First address above the cached data. */
  get end(): number {
    return this.top;
  }

  lookup(b: object, key: string): number | undefined {
    return this.entries.get(b)?.get(key);
  }

  /** Reserves `bytes` for a new entry (undefined if it can never fit); register it with set() once filled. */
  alloc(bytes: number): number | undefined {
    const size = align64(bytes);
    if (size > this.limitBytes) return undefined;
    if (this.top - DATA_BASE + size > this.limitBytes) this.clear();
    const addr = this.top;
    this.top += size;
    return addr;
  }

  set(b: object, key: string, addr: number): void {
    let m = this.entries.get(b);
    if (!m) this.entries.set(b, (m = new Map()));
    m.set(key, addr);
  }

  clear(): void {
    this.entries = new WeakMap();
    this.top = DATA_BASE;
  }
}
