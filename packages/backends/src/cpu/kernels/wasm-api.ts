/**
 * The slice of the WebAssembly JS API the kernels use, typed locally: the workspace compiles
 * with lib ES2023 and no DOM, where @types/node declares only part of the WebAssembly namespace.
 */

export interface WasmModule {
  readonly __wasmModule?: never;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(deltaPages: number): number;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

export const Wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

type WaitAsyncResult = { async: false; value: "not-equal" | "timed-out" } | { async: true; value: Promise<"ok" | "timed-out"> };

/** Atomics.waitAsync (in Node since 16; typed in lib ES2024). */
export function atomicsWaitAsync(view: Int32Array, index: number, value: number, timeoutMs: number): WaitAsyncResult {
  return (Atomics as unknown as { waitAsync(v: Int32Array, i: number, x: number, t: number): WaitAsyncResult }).waitAsync(
    view,
    index,
    value,
    timeoutMs,
  );
}
