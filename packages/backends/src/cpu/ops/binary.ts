/** Broadcasting elementwise binary kernels. */
import { Tensor, allocData, type DType } from "@quantpass/ir";
import { defineKernel } from "../kernel-registry.js";
import { broadcastIndex } from "./broadcast.js";

type F = (a: number, b: number) => number;

function binary(dtype: (a: DType) => DType, f: F) {
  return (inputs: readonly (Tensor | undefined)[]): Tensor[] => {
    const a = inputs[0]!;
    const b = inputs[1]!;
    const { shape, ia, ib } = broadcastIndex(a.shape, b.shape);
    const n = ia.length;
    const od = dtype(a.dtype);
    if (od === "f32" && a.dtype === "f32" && b.dtype === "f32") {
      const x = a.data as Float32Array, y = b.data as Float32Array;
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = f(x[ia[i]!]!, y[ib[i]!]!);
      return [new Tensor("f32", shape, out)];
    }
    const out = new Tensor(od, shape, allocData(od, n));
    for (let i = 0; i < n; i++) out.set(i, f(a.get(ia[i]!), b.get(ib[i]!)));
    return [out];
  };
}

const same = (d: DType) => d;
defineKernel("Add", binary(same, (a, b) => a + b));
defineKernel("Sub", binary(same, (a, b) => a - b));
defineKernel("Mul", binary(same, (a, b) => a * b));
