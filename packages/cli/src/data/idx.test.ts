import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "@quantpass/ir";
import { tempDir } from "../testing/harness.js";
import { parseIdx, readIdxFile } from "./idx.js";

function idx(type: number, dims: number[], body: number[]): Uint8Array {
  const head = [0, 0, type, dims.length];
  for (const d of dims) head.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...head, ...body]);
}

const tmp = tempDir();
afterAll(tmp.cleanup);

describe("parseIdx", () => {
  it("decodes u8 images", () => {
    const a = parseIdx(idx(0x08, [2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]), "t");
    expect(a.dtype).toBe("u8");
    expect(a.dims).toEqual([2, 2, 3]);
    expect([...a.data]).toEqual([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
  });

  it("decodes big-endian i16, i32 and f32", () => {
    expect([...parseIdx(idx(0x0b, [2], [0xff, 0xfe, 0x01, 0x00]), "t").data]).toEqual([-2, 256]);
    expect([...parseIdx(idx(0x0c, [1], [0x80, 0, 0, 1]), "t").data]).toEqual([-2147483647]);
    expect([...parseIdx(idx(0x0d, [1], [0x3f, 0xc0, 0, 0]), "t").data]).toEqual([1.5]);
    expect([...parseIdx(idx(0x09, [2], [0xff, 0x7f]), "t").data]).toEqual([-1, 127]);
  });

  it.each([
    ["too short", Uint8Array.from([0, 0, 8]), /too short for the 4-byte header/],
    ["bad magic", Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 0]), /two zero bytes/],
    ["unknown type", idx(0x07, [1], [0]), /unknown element type 0x07/],
    ["rank 0", Uint8Array.from([0, 0, 8, 0]), /rank 0/],
    ["short header", Uint8Array.from([0, 0, 8, 2, 0, 0, 0, 1]), /rank-2 header/],
    ["truncated body", idx(0x08, [2, 3], [1, 2, 3]), /need 18 bytes, the file has 15 \(truncated\?\)/],
    ["trailing bytes", idx(0x08, [1], [1, 2]), /need 9 bytes, the file has 10$/],
  ])("rejects %s with a UserError naming the file", (_, bytes, msg) => {
    const f = () => parseIdx(bytes, "data/x.idx");
    expect(f).toThrow(UserError);
    expect(f).toThrow(/^data\/x\.idx: not a valid idx file: /);
    expect(f).toThrow(msg);
  });
});

describe("readIdxFile", () => {
  it("reads gzipped and plain files", () => {
    const bytes = idx(0x08, [3], [7, 8, 9]);
    writeFileSync(join(tmp.dir, "a.idx.gz"), gzipSync(bytes));
    writeFileSync(join(tmp.dir, "a.idx"), bytes);
    expect([...readIdxFile(join(tmp.dir, "a.idx.gz")).data]).toEqual([7, 8, 9]);
    expect([...readIdxFile(join(tmp.dir, "a.idx")).data]).toEqual([7, 8, 9]);
  });

  it("names the file when it is missing, not gzip, or corrupt gzip", () => {
    const missing = join(tmp.dir, "nope.gz");
    expect(() => readIdxFile(missing)).toThrow(`cannot read '${missing}': no such file`);
    const plain = join(tmp.dir, "plain.gz");
    writeFileSync(plain, idx(0x08, [1], [1]));
    expect(() => readIdxFile(plain)).toThrow(`${plain}: not a gzip file`);
    const corrupt = join(tmp.dir, "corrupt.gz");
    writeFileSync(corrupt, gzipSync(idx(0x08, [100], new Array(100).fill(3))).subarray(0, 20));
    expect(() => readIdxFile(corrupt)).toThrow(UserError);
    expect(() => readIdxFile(corrupt)).toThrow(`${corrupt}: corrupt gzip data`);
  });

  it("reads the real Fashion-MNIST test labels", () => {
    const labels = readIdxFile("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
    expect(labels.dims).toEqual([10000]);
    expect(labels.data.slice(0, 10)).toEqual(Uint8Array.from([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]));
  });
});
