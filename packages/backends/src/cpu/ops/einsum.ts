/**
 * Einsum: a direct sum of products over every label, accumulated in f64 and rounded once to
 * the output dtype. Repeated labels in one operand read its diagonal; size-1 dims broadcast.
 * Exact for integers while partial sums stay below 2^53.
 */
import { einsumSizes, parseEinsum, Tensor } from "@quantpass/ir";
import { defineKernel } from "../kernel-registry.js";
import { numelOf, stridesOf } from "./move-util.js";

defineKernel("Einsum", (inputs, ctx) => {
  const xs = inputs.map((t) => t!);
  const dtype = xs[0]!.dtype;
  if (dtype === "string" || dtype === "bool") ctx.fail(`Einsum needs numeric inputs, got ${dtype}`);
  const spec = parseEinsum(ctx.attr<string>("equation"), xs.map((t) => t.shape.length));
  if (typeof spec === "string") return ctx.fail(spec);
  const sizes = einsumSizes(spec, xs.map((t) => t.shape));
  if (typeof sizes === "string") return ctx.fail(sizes);
  const size = (l: string) => (sizes.get(l) as number | undefined) ?? 1;
  const summed = [...sizes.keys()].filter((l) => !spec.output.includes(l));
  const labels = [...spec.output, ...summed];
  const dims = labels.map(size);
  // per input, per label: the element stride (summed over repeats; 0 where broadcast)
  const strides = xs.map((t, k) => {
    const st = stridesOf(t.shape);
    return labels.map((l) => spec.inputs[k]!.reduce((s, m, j) => (m === l && t.shape[j] !== 1 ? s + st[j]! : s), 0));
  });
  const vals = xs.map((t) => (t.dtype === "f64" ? (t.data as Float64Array) : Float64Array.from(t.toNumbers())));
  const outShape = spec.output.map(size);
  const nOut = numelOf(outShape), nSum = numelOf(summed.map(size));
  const acc = new Float64Array(nOut);
  const r = labels.length, nIn = xs.length;
  const idx = new Array<number>(r).fill(0);
  const off = new Array<number>(nIn).fill(0);
  if (nOut > 0 && nSum > 0)
    for (let o = 0; o < nOut; o++) {
      let s = 0;
      for (let q = 0; q < nSum; q++) {
        let p = 1;
        for (let k = 0; k < nIn; k++) p *= vals[k]![off[k]!]!;
        s += p;
        // odometer over all labels, output labels outermost
        for (let a = r - 1; a >= 0; a--) {
          idx[a]++;
          for (let k = 0; k < nIn; k++) off[k]! += strides[k]![a]!;
          if (idx[a]! < dims[a]!) break;
          for (let k = 0; k < nIn; k++) off[k]! -= strides[k]![a]! * dims[a]!;
          idx[a] = 0;
        }
      }
      acc[o] = s;
    }
  const out = Tensor.zeros(dtype, outShape);
  if (dtype === "f32") (out.data as Float32Array).set(acc);
  else for (let i = 0; i < nOut; i++) out.set(i, acc[i]!);
  return [out];
});
