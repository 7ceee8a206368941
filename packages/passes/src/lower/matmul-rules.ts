/**
 * fold-to-int's integer-op rules, on the folded form where quantized values are read
 * directly (before dequantize legalisation):
 *
 *   quant-matmul:         MatMul|Gemm(%xq : i8!quant, %wq : i8!quant const) → quant_matmul(%xq, %wq', _, %bias)
 *   weight-quant-matmul:  MatMul|Gemm(%x : f32, %wq : i4!quant const)       → weight_quant_matmul(%x, %wq', %bias)
 *
 * %wq' is %wq as [K, N] (Gemm with transB=1 gets a transposed copy, its parameters
 * transposed too). Gemm must have transA=0, alpha=1 and beta=1 (or no C); the weight must
 * be 2-D. quant_matmul also needs a per-tensor 8-bit activation and an 8-bit weight that
 * is per-tensor or per output channel. Bit-exactness: weight_quant_matmul dequantizes and
 * runs the MatMul kernel (then adds the bias), so it equals MatMul/Gemm on fake_quant(W).
 */
import type { GraphEditor, Node, QuantType } from "@quantpass/ir";
import { transposeQuantized } from "../quant/int-tensor.js";
import { fail, ok, type CheckResult, type Match, type RewriteRule } from "../rewrite/driver.js";

interface Mm {
  readonly x: string;
  readonly w: string;
  readonly bias: string;
  readonly transB: boolean;
}

function matmulParts(m: Match): Mm | string {
  const n = m.root;
  const w = n.inputs[1]!;
  if (m.type(w).shape.length !== 2) return `weight '%${w}' has rank ${m.type(w).shape.length}; the fused ops take a 2-D weight`;
  if (n.op === "MatMul") return { x: n.inputs[0]!, w, bias: "", transB: false };
  if ((n.attrs.transA ?? 0) !== 0) return "Gemm has transA=1";
  if ((n.attrs.alpha ?? 1) !== 1) return `Gemm has alpha=${n.attrs.alpha}`;
  const bias = n.inputs[2] ?? "";
  if (bias && (n.attrs.beta ?? 1) !== 1) return `Gemm has beta=${n.attrs.beta}`;
  return { x: n.inputs[0]!, w, bias, transB: (n.attrs.transB ?? 0) !== 0 };
}

/** The weight as [K, N]: the constant itself, or a transposed copy for Gemm transB=1. */
function weightKN(m: Match, e: GraphEditor, p: Mm): string {
  if (!p.transB) return p.w;
  const t = transposeQuantized(m.constant(p.w)!, m.type(p.w).quant!);
  return e.addConstant(`${p.w}.t`, t.tensor, { dtype: t.tensor.dtype, shape: t.tensor.shape, quant: t.quant });
}

function weightQuantKN(q: QuantType, transB: boolean): QuantType["granularity"] {
  const g = q.granularity;
  return transB && (g.kind === "per-axis" || g.kind === "per-group") ? { ...g, axis: 1 - g.axis } : g;
}

function replaceRoot(e: GraphEditor, root: Node, op: string, inputs: string[]): void {
  const k = e.indexOf(root.name);
  const n = e.draft.nodes[k]!;
  n.op = op;
  n.inputs = inputs;
  n.attrs = {};
}

export const quantMatmulRule: RewriteRule = {
  name: "quant-matmul",
  summary: "int8 activation x int8 weight → quant_matmul (exact int32 accumulation)",
  pattern: { op: ["MatMul", "Gemm"], inputs: ["int", "int-const"] },
  check(m): CheckResult {
    const p = matmulParts(m);
    if (typeof p === "string") return fail(p);
    const xq = m.type(p.x).quant!;
    const wq = m.type(p.w).quant!;
    if (xq.granularity.kind !== "per-tensor") return fail(`activation '%${p.x}' is ${xq.granularity.kind}; quant_matmul takes a per-tensor activation`);
    if (xq.storage !== "i8" && xq.storage !== "u8") return fail(`activation storage ${xq.storage} is not 8-bit`);
    if (wq.storage !== "i8" && wq.storage !== "u8") return fail(`weight storage ${wq.storage} is not 8-bit`);
    const g = weightQuantKN(wq, p.transB);
    if (!(g.kind === "per-tensor" || (g.kind === "per-axis" && g.axis === 1))) return fail(`weight '%${p.w}' is ${g.kind}; quant_matmul takes per-tensor or per-output-channel weights`);
    return ok;
  },
  rewrite(m, e) {
    const p = matmulParts(m) as Mm;
    const w = weightKN(m, e, p);
    replaceRoot(e, m.root, "quant_matmul", p.bias ? [p.x, w, "", p.bias] : [p.x, w]);
  },
};

export const weightQuantMatmulRule: RewriteRule = {
  name: "weight-quant-matmul",
  summary: "float activation x int weight → weight_quant_matmul (A16W8 / A16W4)",
  pattern: { op: ["MatMul", "Gemm"], inputs: ["float", "int-const"] },
  check(m): CheckResult {
    const p = matmulParts(m);
    return typeof p === "string" ? fail(p) : ok;
  },
  rewrite(m, e) {
    const p = matmulParts(m) as Mm;
    const w = weightKN(m, e, p);
    replaceRoot(e, m.root, "weight_quant_matmul", p.bias ? [p.x, w, p.bias] : [p.x, w]);
  },
};

/** fold-to-int's rules, most specific first. */
export const FOLD_TO_INT_RULES: readonly RewriteRule[] = [quantMatmulRule, weightQuantMatmulRule];
