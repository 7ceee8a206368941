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

/** Hands out 64-byte aligned regions from DATA_BASE. */
export class Layout {
  private next = DATA_BASE;

  alloc(bytes: number): number {
    const addr = this.next;
    this.next = addr + Math.ceil(bytes / 64) * 64;
    return addr;
  }

  get end(): number {
    return this.next;
  }
}
