/**
 * The QDQ emitters every format falls back to:
 *
 *   %q = quantize(%x) / kv_quant           →  %q = QuantizeLinear(%x, scale, zero_point){axis, block_size}
 *   %x = dequantize(%q) / kv_dequant       →  %x = DequantizeLinear(%q, scale, zero_point){axis, block_size}
 *   %y = weight_quant_matmul(%x, %w, %b)   →  %y = Add(MatMul(%x, DequantizeLinear(%w)), %b)
 *   %y = quant_matmul(%xq, %w, _, %b)      →  %y = Add(MatMul(DequantizeLinear(%xq), DequantizeLinear(%w)), %b)
 *   %y = quant_matmul(%xq, %w, %xs, %b)    →  %y = Add(MatMul(Mul(Cast<f32>(%xq), %xs), DequantizeLinear(%w)), %b)
 *   %q, %s = dynamic_quant(%x)             →  dynamicQuant below (exact decomposition)
 *
 * The fused matmuls come out as insert-dequant{unfuse=true} writes them, so a QDQ file
 * computes the interpreter's UNFUSED int graph (float MatMul on dequantized operands), not
 * quant_matmul's exact int32 accumulation; DequantizeLinear(q) = f32((q - zp) · scale) and
 * QuantizeLinear = clamp(round_half_even(f32(x / scale)) + zp) are the IR's arithmetic.
 */
import { Tensor, UnsupportedOpError, ZERO_RANGE_SCALE, type Node } from "@quantpass/ir";
import type { Lowering } from "./lowering.js";
import { qparamInputs } from "./params.js";

const ONNX_FLOAT = 1;
const ONNX_INT8 = 3;

function checkF32(lw: Lowering, n: Node, v: string): void {
  const q = lw.quant(v);
  if (q && q.expressed !== "f32")
    throw new UnsupportedOpError(`onnx quantized export: node '${n.name}': '${v}' is expressed in ${q.expressed}; only f32 is exported`, n.name);
}

export function emitQuantize(lw: Lowering, n: Node): void {
  const [x] = n.inputs, [y] = n.outputs;
  checkF32(lw, n, y!);
  const p = qparamInputs(lw, lw.quant(y!)!, y!, y!, n.name);
  lw.node("QuantizeLinear", n.name, [x!, p.scale, p.zeroPoint], p.attrs, [y!]);
}

/** DequantizeLinear of an int value into `out` (or a fresh `<q>.dq`); returns the float value. */
export function dequantizeValue(lw: Lowering, q: string, node: string, out?: string): string {
  const qt = lw.quant(q);
  if (!qt) throw new UnsupportedOpError(`onnx quantized export: node '${node}': '${q}' has no quant type`, node);
  if (qt.expressed !== "f32") throw new UnsupportedOpError(`onnx quantized export: node '${node}': '${q}' is expressed in ${qt.expressed}; only f32 is exported`, node);
  const p = qparamInputs(lw, qt, q, q, node);
  return lw.node1("DequantizeLinear", out ? node : `${q}.dq`, [q, p.scale, p.zeroPoint], p.attrs, out ?? lw.fresh(`${q}.dq`));
}

export function emitDequantize(lw: Lowering, n: Node): void {
  dequantizeValue(lw, n.inputs[0]!, n.name, n.outputs[0]!);
}

/** One DequantizeLinear per int value read by unfused matmuls (shared by its readers). */
export function sharedDequant(lw: Lowering, memo: Map<string, string>, q: string, node: string): string {
  let d = memo.get(q);
  if (!d) memo.set(q, (d = dequantizeValue(lw, q, node)));
  return d;
}

/** MatMul(x, w) (+ bias) into y, named as insert-dequant's unfuse names them. */
export function matmulBias(lw: Lowering, name: string, x: string, w: string, bias: string, y: string): void {
  if (!bias) {
    lw.node("MatMul", name, [x, w], {}, [y]);
    return;
  }
  const mm = lw.node1("MatMul", name, [x, w], {}, lw.fresh(`${y}.mm`));
  lw.node("Add", `${name}.bias`, [mm, bias], {}, [y]);
}

export function emitUnfusedMatmul(lw: Lowering, n: Node, memo: Map<string, string>): void {
  const qmm = n.op === "quant_matmul";
  const [x0, w, a, b] = n.inputs;
  const bias = (qmm ? b : a) ?? "";
  let x = x0!;
  if (qmm && a) {
    // Per-token activation: f32(q) * x_scale, as insert-dequant's unfuse.
    const key = `token:${x}`;
    let xs = memo.get(key);
    if (!xs) {
      const xf = lw.node1("Cast", `${n.name}.cast`, [x], { to: ONNX_FLOAT }, lw.fresh(`${x}.f32`));
      memo.set(key, (xs = lw.node1("Mul", `${n.name}.scale`, [xf, a], {}, lw.fresh(`${x}.dq`))));
    }
    x = xs;
  } else if (qmm) x = sharedDequant(lw, memo, x, n.name);
  matmulBias(lw, n.name, x, sharedDequant(lw, memo, w!, n.name), bias, n.outputs[0]!);
  lw.count(`unfused ${n.op}`);
}

/**
 * dynamic_quant(x) → (q, scale) with the interpreter's arithmetic, op for op:
 *   m = ReduceMax(Abs(x), axes=[-1], keepdims=1)
 *   scale = Where(m > 0 and m < inf, f32(m / 127), ZERO_RANGE_SCALE)
 *   q = Cast<i8>(Clip(Round(f32(x / scale)), -128, 127))        (Round: half to even)
 * Bit for bit the interpreter's kernel for finite x. NaN is not covered: the kernel gives its
 * row ZERO_RANGE_SCALE and maps NaN to 0, while ReduceMax and Cast of NaN are runtime-defined.
 * DynamicQuantizeLinear is not used: it is asymmetric u8 per tensor.
 */
export function emitDynamicQuant(lw: Lowering, n: Node): void {
  const [x] = n.inputs;
  const [q, s] = n.outputs;
  const c = (name: string, v: number) => lw.constant(`${n.name}_${name}`, Tensor.f32([], [v]));
  const name = (step: string) => `${n.name}/${step}`;
  const abs = lw.node1("Abs", name("abs"), [x!]);
  const axes = lw.constant(`${n.name}_axes`, new Tensor("i64", [1], BigInt64Array.of(-1n)));
  const m = lw.node1("ReduceMax", name("absmax"), [abs, axes], { keepdims: 1 });
  const s0 = lw.node1("Div", name("div127"), [m, c("qmax", 127)]);
  const pos = lw.node1("Greater", name("positive"), [m, c("zero", 0)]);
  const fin = lw.node1("Less", name("finite"), [m, c("inf", Infinity)]);
  const ok = lw.node1("And", name("usable"), [pos, fin]);
  const scale = lw.node1("Where", name("scale"), [ok, s0, c("zero_range_scale", ZERO_RANGE_SCALE)], {}, s || lw.fresh(`${x}.tok.scale`));
  const r = lw.node1("Round", name("round"), [lw.node1("Div", name("div"), [x!, scale])]);
  const clipped = lw.node1("Clip", name("clip"), [r, c("min", -128), c("max", 127)]);
  lw.node("Cast", name("cast"), [clipped], { to: ONNX_INT8 }, [q!]);
  lw.count("dynamic_quant decomposition");
}
