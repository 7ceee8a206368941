/**
 * Robustness: mutated ONNX, safetensors and npy bytes either decode or throw a one-line
 * FormatError; never another exception. A "successful" ONNX decode may hold garbage, so every
 * initializer and attribute (subgraphs included) is converted too, under the same rule.
 */
import fc from "fast-check";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FormatError } from "./errors.js";
import { decodeNpy, encodeNpy } from "./npy.js";
import { attrValue } from "./onnx/attr.js";
import { decodeOnnx } from "./onnx/decode.js";
import type { onnx } from "./onnx/proto.js";
import { onnxTensorToRaw } from "./onnx/tensor.js";
import { decodeSafetensors, openSafetensors } from "./safetensors/read.js";
import { encodeSafetensors } from "./safetensors/write.js";
import { scratchDir, testdata } from "./testdata.js";

const RUNS = 2000;
/** Runs that go through the file system or copy the 3 MB sotu-llama checkpoint. */
const FILE_RUNS = 500;
const { dir, cleanup } = scratchDir();
afterAll(cleanup);

/** Runs `f`; a thrown FormatError (one line, naming `file`) is fine, anything else fails. */
function onlyFormatErrors(f: () => void, file?: string): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    expect(e.message).not.toMatch(/[\r\n]/);
    if (file) expect(e.message.startsWith(`${file}: `)).toBe(true);
  }
}

async function onlyFormatErrorsAsync(f: () => Promise<void>, file: string): Promise<void> {
  try {
    await f();
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    expect(e.message).not.toMatch(/[\r\n]/);
    expect(e.message.startsWith(`${file}: `)).toBe(true);
  }
}

type Mutation =
  | { kind: "flip"; pos: number; bit: number }
  | { kind: "overwrite" | "insert"; pos: number; bytes: Uint8Array }
  | { kind: "truncate"; pos: number }
  | { kind: "varint"; pos: number; value: number };

const bigish = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1), fc.nat());
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constantFrom("overwrite" as const, "insert" as const), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant("truncate" as const), pos: fc.nat() }),
  fc.record({ kind: fc.constant("varint" as const), pos: fc.nat(), value: bigish }),
);

function varint(v: number): number[] {
  const out: number[] = [];
  for (; v >= 0x80; v = Math.floor(v / 128)) out.push((v % 128) | 0x80);
  out.push(v);
  return out;
}

/** Applies mutations to a copy; `at` maps a random nat to a byte position of the current buffer. */
function mutate(src: Uint8Array, ms: Mutation[], at: (n: number, len: number) => number): Uint8Array {
  let b = src.slice();
  for (const m of ms) {
    const pos = at(m.pos, b.length);
    if (m.kind === "flip") {
      if (pos < b.length) b[pos] ^= 1 << m.bit;
    } else if (m.kind === "truncate") {
      b = b.subarray(0, pos);
    } else {
      const bytes = m.kind === "varint" ? Uint8Array.from(varint(m.value)) : m.bytes;
      if (m.kind !== "insert" && pos + bytes.length <= b.length) {
        b.set(bytes, pos);
        continue;
      }
      const tail = m.kind === "insert" ? b.subarray(pos) : b.subarray(Math.min(b.length, pos + bytes.length));
      const out = new Uint8Array(pos + bytes.length + tail.length);
      out.set(b.subarray(0, pos));
      out.set(bytes, pos);
      out.set(tail, pos + bytes.length);
      b = out;
    }
  }
  return b;
}

/** Converts every initializer and attribute of a graph and its subgraphs. */
function convertGraph(g: onnx.IGraphProto, file: string): void {
  for (const t of g.initializer ?? []) onlyFormatErrors(() => void onnxTensorToRaw(t, file), file);
  for (const n of g.node ?? []) {
    for (const a of n.attribute ?? []) {
      onlyFormatErrors(() => {
        const v = attrValue(a, file);
        if (a.type === 5) convertGraph(v as onnx.IGraphProto, file);
        if (a.type === 10) for (const sub of v as onnx.IGraphProto[]) convertGraph(sub, file);
      }, file);
    }
  }
}

describe("fuzz: ONNX (fmnist-cnn)", () => {
  const base = new Uint8Array(readFileSync(testdata("fmnist-cnn/model.onnx")));
  // Byte positions outside raw_data payloads: the protobuf structure worth mutating.
  const model = decodeOnnx(base);
  const payload = new Uint8Array(base.length);
  for (const t of model.graph!.initializer!) payload.fill(1, t.rawData!.byteOffset - base.byteOffset, t.rawData!.byteOffset - base.byteOffset + t.rawData!.length);
  const structural = [...payload.keys()].filter((i) => payload[i] === 0);

  it(`decodes mutated bytes or throws FormatError (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (ms, biased) => {
        const at = (n: number, len: number) => (biased && len === base.length ? structural[n % structural.length] : n % (len + 1));
        const bytes = mutate(base, ms, at);
        onlyFormatErrors(() => convertGraph(decodeOnnx(bytes, { file: "model.onnx" }).graph!, "model.onnx"), "model.onnx");
      }),
      { numRuns: RUNS },
    );
  });
});

describe("fuzz: safetensors", () => {
  const f32 = (n: number) => Float32Array.from({ length: n }, (_, i) => i);
  const small = encodeSafetensors(
    {
      "a.weight": { dtype: "f32", dims: [3, 4], data: f32(12) },
      "b.bias": { dtype: "bf16", dims: [5], data: new Uint16Array(5) },
      "c.q": { dtype: "i4", dims: [7], data: new Uint8Array(4) },
      "d.empty": { dtype: "i64", dims: [0], data: new BigInt64Array(0) },
      "e.flag": { dtype: "bool", dims: [], data: new Uint8Array([1]) },
    },
    { format: "pt" },
  );
  const sotu = new Uint8Array(readFileSync(testdata("sotu-llama/model.safetensors")));
  const headerEnd = (b: Uint8Array) => 8 + Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));

  it(`small file: mutated bytes, in memory (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
        const bytes = mutate(small, ms, (n, len) => n % (len + 1));
        onlyFormatErrors(() => void decodeSafetensors(bytes, "w.safetensors"), "w.safetensors");
      }),
      { numRuns: RUNS },
    );
  });

  it(`small file: mutated bytes, through the file reader (${FILE_RUNS} runs)`, async () => {
    const path = join(dir, "w.safetensors");
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ms) => {
        writeFileSync(path, mutate(small, ms, (n, len) => n % (len + 1)));
        await onlyFormatErrorsAsync(async () => {
          const f = await openSafetensors(path);
          try {
            for (const name of f.names) await f.read(name);
          } finally {
            await f.close();
          }
        }, path);
      }),
      { numRuns: FILE_RUNS },
    );
  });

  const jsonValue = fc.oneof(
    fc.integer({ min: -5, max: 2 ** 40 }), fc.constantFrom(0.5, -0, 1e308, 2 ** 53, 2 ** 64, null, true, "F32", "I4", "BOOL", "x"),
    fc.array(fc.oneof(fc.integer({ min: -3, max: 4000 }), fc.constantFrom(2 ** 53, 0.5, "1")), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string({ maxLength: 3 }), fc.integer())),
  );
  const headerEdit = fc.record({
    entry: fc.nat(),
    field: fc.constantFrom("dtype", "shape", "data_offsets", "extra", "__whole__", "__metadata__", "__delete__"),
    value: jsonValue,
    length: fc.option(fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 5000n })), { freq: 4 }),
  });

  it(`small (3/4) and sotu-llama (1/4): edited header fields and length prefixes (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.array(headerEdit, { minLength: 1, maxLength: 3 }), (pick, edits) => {
        const src = pick === 0 ? sotu : small;
        const end = headerEnd(src);
        const header = JSON.parse(new TextDecoder().decode(src.subarray(8, end))) as Record<string, Record<string, unknown> | unknown>;
        let length: bigint | null = null;
        for (const e of edits) {
          const names = Object.keys(header);
          const name = names[e.entry % names.length];
          if (e.field === "__metadata__") header.__metadata__ = e.value;
          else if (e.field === "__delete__") delete header[name];
          else if (e.field === "__whole__") header[name] = e.value;
          else if (header[name] && typeof header[name] === "object") (header[name] as Record<string, unknown>)[e.field] = e.value;
          length = e.length;
        }
        const json = new TextEncoder().encode(JSON.stringify(header));
        const bytes = new Uint8Array(8 + json.length + (src.length - end));
        new DataView(bytes.buffer).setBigUint64(0, length ?? BigInt(json.length), true);
        bytes.set(json, 8);
        bytes.set(src.subarray(end), 8 + json.length);
        onlyFormatErrors(() => void decodeSafetensors(bytes, "m.safetensors"), "m.safetensors");
      }),
      { numRuns: RUNS },
    );
  });

  it(`sotu-llama: mutated bytes, mostly in the header (${FILE_RUNS} runs)`, () => {
    const end = headerEnd(sotu);
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), (ms, inHeader) => {
        const bytes = mutate(sotu, ms, (n, len) => (inHeader ? n % Math.min(end, len + 1) : n % (len + 1)));
        onlyFormatErrors(() => void decodeSafetensors(bytes, "model.safetensors"), "model.safetensors");
      }),
      { numRuns: FILE_RUNS },
    );
  });
});

describe("fuzz: npy", () => {
  const base = encodeNpy({ dtype: "f32", dims: [2, 3], data: new Float32Array(6) });
  it(`decodes mutated bytes or throws FormatError (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
        const bytes = mutate(base, ms, (n, len) => n % Math.min(len + 1, 140));
        onlyFormatErrors(() => void decodeNpy(bytes, "x.npy"), "x.npy");
      }),
      { numRuns: RUNS },
    );
  });
});
