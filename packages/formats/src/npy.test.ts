import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { arbRawTensor, rawKey } from "./arb.js";
import { FormatError } from "./errors.js";
import { decodeNpy, encodeNpy, readNpy, writeNpy } from "./npy.js";
import { scratchDir } from "./testdata.js";

/** Files written by numpy 2.4 (np.save; v2/v3 through numpy.lib.format.write_array). */
const NPY_DIR = fileURLToPath(new URL("../testdata/npy/", import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(join(NPY_DIR, name)));
const { dir, cleanup } = scratchDir();
afterAll(cleanup);

describe("decodeNpy on numpy's own files", () => {
  it("reads every supported dtype with the right values", () => {
    const d = (name: string) => decodeNpy(fixture(name));
    expect(d("f32_2x3.npy")).toEqual({ dtype: "f32", dims: [2, 3], data: new Float32Array([0, 0.25, 0.5, 0.75, 1, 1.25]) });
    expect(d("f64_scalar.npy")).toEqual({ dtype: "f64", dims: [], data: new Float64Array([3.25]) });
    expect(d("f16_4.npy")).toEqual({ dtype: "f16", dims: [4], data: new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff]) });
    expect(d("i64_3.npy").data).toEqual(new BigInt64Array([-1n, 2n ** 40n, 7n]));
    expect(d("i32_2x2.npy")).toEqual({ dtype: "i32", dims: [2, 2], data: new Int32Array([1, -2, 3, -4]) });
    expect(d("i16_2.npy").data).toEqual(new Int16Array([-300, 300]));
    expect(d("i8_3.npy").data).toEqual(new Int8Array([-128, 0, 127]));
    expect(d("u8_0x4.npy")).toEqual({ dtype: "u8", dims: [0, 4], data: new Uint8Array(0) });
    expect(d("u16_2.npy").data).toEqual(new Uint16Array([1, 65535]));
    expect(d("u32_2.npy").data).toEqual(new Uint32Array([1, 2 ** 32 - 1]));
    expect(d("u64_1.npy").data).toEqual(new BigUint64Array([2n ** 64n - 1n]));
    expect(d("bool_3.npy")).toEqual({ dtype: "bool", dims: [3], data: new Uint8Array([1, 0, 1]) });
    expect(d("v2_f32.npy")).toEqual({ dtype: "f32", dims: [2], data: new Float32Array([1.5, 2.5]) });
    expect(d("v3_f32.npy")).toEqual(d("v2_f32.npy"));
  });

  it("re-encodes every readable fixture byte for byte as np.save wrote it", () => {
    const v1 = readdirSync(NPY_DIR).filter((f) => !/^(v2|v3|big_endian|fortran|structured|unicode)/.test(f));
    expect(v1).toHaveLength(12);
    for (const f of v1) expect(Buffer.from(encodeNpy(decodeNpy(fixture(f)))).equals(Buffer.from(fixture(f))), f).toBe(true);
  });

  it("rejects what it cannot represent, naming the file", () => {
    const e = (name: string) => () => decodeNpy(fixture(name), name);
    expect(e("big_endian.npy")).toThrow(new FormatError("big-endian npy data ('>i4') is not supported", "big_endian.npy"));
    expect(e("fortran.npy")).toThrow(/Fortran-order npy arrays are not supported/);
    expect(e("structured.npy")).toThrow(/structured arrays are not supported/);
    expect(e("unicode.npy")).toThrow(/unsupported npy dtype '<U2'/);
  });
});

describe("npy robustness", () => {
  const good = fixture("f32_2x3.npy");
  const withHeader = (h: string) => {
    const b = encodeNpy({ dtype: "u8", dims: [1], data: new Uint8Array(1) });
    const text = h.padEnd(b.length - 11, " ") + "\n";
    const out = new Uint8Array(10 + text.length + 1);
    out.set(b.subarray(0, 8));
    new DataView(out.buffer).setUint16(8, text.length, true);
    for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
    return out;
  };
  it("checks magic, version, lengths and the header literal", () => {
    expect(() => decodeNpy(new Uint8Array(4))).toThrow(/bad magic/);
    const v9 = good.slice();
    v9[6] = 9;
    expect(() => decodeNpy(v9)).toThrow(/unsupported npy version 9\.0/);
    expect(() => decodeNpy(good.subarray(0, 100))).toThrow(/npy header length 118 exceeds file size 100/);
    expect(() => decodeNpy(good.subarray(0, good.length - 4))).toThrow(/npy data has 20 bytes, <f4 \(2, 3\) needs 24/);
    expect(() => decodeNpy(withHeader("{'descr': '|u1', 'shape': (1,)}"))).toThrow(/keys are \{descr,shape\}/);
    expect(() => decodeNpy(withHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), "))).toThrow(/invalid npy header at character \d+/);
    expect(() => decodeNpy(withHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (-1,)}"))).toThrow(/non-negative/);
    expect(decodeNpy(withHeader(`{"descr": "=u1", "fortran_order": False, "shape": (1L,)}`)).dims).toEqual([1]);
  });

  it("round-trips random tensors through files", async () => {
    let i = 0;
    const types = ["f32", "f16", "f64", "i64", "i32", "i16", "i8", "u8", "u16", "u32", "u64", "bool"] as const;
    await fc.assert(
      fc.asyncProperty(arbRawTensor(types), async (raw) => {
        const path = join(dir, `t${i++}.npy`);
        await writeNpy(path, raw);
        const bytes = readFileSync(path);
        expect(bytes.readUInt16LE(8) + 10).toSatisfy((n: number) => n % 64 === 0);
        expect(rawKey(await readNpy(path))).toEqual(rawKey(raw));
      }),
      { numRuns: 60 },
    );
    expect(() => encodeNpy({ dtype: "bf16", dims: [1], data: new Uint16Array(1) })).toThrow(/bf16 has no npy equivalent/);
    await expect(readNpy(join(dir, "none.npy"))).rejects.toThrow(/none\.npy: cannot read: ENOENT/);
  });
});
