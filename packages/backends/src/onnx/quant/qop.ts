/**
 * QOperator emission for the sites qop-plan.ts finds:
 *
 *   requantized (a quantize closes the output chain):
 *     %q = QLinearConv(%xq, xs, xz, %wq, ws, wz, ys, yz, bias_i32){conv attrs} ; chain on %q
 *     %q = QLinearMatMul(%xq, xs, xz, %w, ws, wz, ys, yz)                      ; chain on %q
 *       bias_i32[m] = round_half_even(f32(bias[m] / f32(xs · ws[m]))), saturated to int32
 *       (ONNX's bias scale x_scale · w_scale, zero point 0); a Relu in the chain is dropped:
 *       the output zero point is the storage minimum, so saturation does it.
 *   integer (no closing quantize):
 *     %y = Add(Mul(Cast<f32>(ConvInteger(%xq, %wq, xz, wz){attrs}), c), bias)     c, bias: [M, 1, ...]
 *     %y = Add(Mul(Cast<f32>(MatMulInteger(%xq, %w, xz, wz)), c), bias)           c: [N] or []
 *       c = f32(xs · ws[n]) (per token: Mul(%x_scale, ws) at run time). For quant_matmul this is
 *       the interpreter's kernel op for op (exact int32 accumulation, one f32 multiply, then the
 *       bias), so those outputs are bit for bit the int graph's. QLinear* requantize with
 *       onnxruntime's rounding (f32(acc · f32(f32(xs·ws)/ys))), which the IR graph does not.
 *
 * The weight is written in the activation's signedness: an i8 weight read by u8 activations is
 * stored +128 with its zero point +128 (and u8 read by i8, -128), the same products. Reason:
 * onnxruntime's u8×s8 kernels on x86 without VNNI (AVX2 vpmaddubsw) add pairs of products in
 * saturating int16 and are not exact, while its u8×u8 and s8×s8 kernels are.
 */
import { Tensor, roundHalfEven, type Attrs } from "@quantpass/ir";
import type { Lowering } from "./lowering.js";
import { zeroPointTensor } from "./params.js";
import type { QopSite } from "./qop-plan.js";

const f32 = Math.fround;
const ONNX_FLOAT = 1;
const CONV_ATTRS = ["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"];

function scalarParams(lw: Lowering, v: string): { scale: string; zp: string } {
  const q = lw.quant(v)!;
  return {
    scale: lw.constant(`${v}_scale`, Tensor.f32([], [q.scale![0]!])),
    zp: lw.constant(`${v}_zero_point`, zeroPointTensor({ ...q, zeroPoint: q.zeroPoint ? Int32Array.of(q.zeroPoint[0]!) : null }, [])),
  };
}

/** The weight's scales (and zero points): [C] per channel, [] per tensor. */
function weightParams(lw: Lowering, w: string): { scales: Float32Array; scale: string; zp: string } {
  const q = lw.quant(w)!;
  const shape = q.granularity.kind === "per-axis" ? [q.scale!.length] : [];
  return {
    scales: q.scale!,
    scale: lw.constant(`${w}_scale`, new Tensor("f32", shape, Float32Array.from(q.scale!))),
    zp: lw.constant(`${w}_zero_point`, zeroPointTensor(q, shape)),
  };
}

export function emitQop(lw: Lowering, s: QopSite, memo: Map<string, string>): void {
  const x = lw.quant(s.xq)!.storage, w = lw.quant(s.w)!;
  const site = w.storage === x ? s : { ...s, w: resignedWeight(lw, s.w, memo) };
  if (s.q) emitRequantized(lw, site);
  else emitInteger(lw, site);
}

/** The constant weight w stored with the other 8-bit signedness (a new initializer, memoised). */
function resignedWeight(lw: Lowering, w: string, memo: Map<string, string>): string {
  const key = `resigned:${w}`;
  const done = memo.get(key);
  if (done) return done;
  const q = lw.quant(w)!, t = lw.src.constants[w]!;
  const storage = q.storage === "i8" ? "u8" : "i8";
  const shift = storage === "u8" ? 128 : -128;
  const data = Tensor.fromNumbers(storage, t.shape, Array.from({ length: t.size }, (_, i) => t.get(i) + shift));
  const zp = Int32Array.from({ length: q.scale!.length }, (_, k) => (q.zeroPoint ? q.zeroPoint[q.zeroPoint.length === 1 ? 0 : k]! : 0) + shift);
  const name = lw.fresh(`${w}.${storage}`);
  lw.declare(name, data, { ...q, storage, zeroPoint: zp });
  memo.set(key, name);
  return name;
}

function emitRequantized(lw: Lowering, s: QopSite): void {
  const n = s.anchor, q = s.q!;
  const x = scalarParams(lw, s.xq), y = scalarParams(lw, q.outputs[0]!), w = weightParams(lw, s.w);
  const final = q.outputs[0]!;
  const kept = s.chain.filter((c) => c.op !== "Relu");
  let v = kept.length ? lw.fresh(`${n.outputs[0]}.q`) : final;
  if (s.kind === "conv") {
    const inputs = [s.xq, x.scale, x.zp, s.w, w.scale, w.zp, y.scale, y.zp];
    if (s.bias) inputs.push(lw.constant(`${s.bias}_i32`, quantizeBias(lw, s.bias, lw.quant(s.xq)!.scale![0]!, w.scales)));
    lw.node("QLinearConv", n.name, inputs, pick(n.attrs, CONV_ATTRS), [v]);
  } else lw.node("QLinearMatMul", n.name, [s.xq, x.scale, x.zp, s.w, w.scale, w.zp, y.scale, y.zp], {}, [v]);
  kept.forEach((c, k) => {
    const out = k === kept.length - 1 ? final : lw.fresh(`${c.outputs[0]}.q`);
    lw.node(c.op, c.name, [v, ...c.inputs.slice(1)], c.attrs, [out]);
    v = out;
  });
}

function emitInteger(lw: Lowering, s: QopSite): void {
  const n = s.anchor, y = n.outputs[0]!;
  const xq = lw.quant(s.xq)!, wq = lw.quant(s.w)!;
  const perToken = !!s.xScale;
  const xz = perToken || !xq.zeroPoint ? "" : scalarParams(lw, s.xq).zp;
  const channels = wq.scale!.length;
  // Conv: per-channel factors broadcast over [N, M, spatial...]; MatMul: over the last axis.
  const rank = lw.type(s.w).shape.length;
  const bshape = s.kind === "conv" ? [channels, ...Array<number>(rank - 2).fill(1)] : [channels];
  const perChannel = wq.granularity.kind === "per-axis";
  const cshape = perChannel ? bshape : [];
  let acc: string;
  if (s.kind === "conv") {
    const wz = lw.constant(`${s.w}_zero_point`, Tensor.fromNumbers(wq.storage, [], [wq.zeroPoint?.[0] ?? 0]));
    acc = lw.node1("ConvInteger", n.name, [s.xq, s.w, xz || lw.constant(`${s.xq}_zero_point`, Tensor.zeros(xq.storage, [])), wz], pick(n.attrs, CONV_ATTRS), lw.fresh(`${y}.acc`));
  } else {
    const wz = wq.zeroPoint ? lw.constant(`${s.w}_zero_point`, zeroPointTensor(wq, cshape)) : "";
    acc = lw.node1("MatMulInteger", n.name, wz ? [s.xq, s.w, xz, wz] : xz ? [s.xq, s.w, xz] : [s.xq, s.w], {}, lw.fresh(`${y}.acc`));
  }
  const accF = lw.node1("Cast", `${n.name}.cast`, [acc], { to: ONNX_FLOAT }, lw.fresh(`${y}.accf`));
  let c: string;
  if (perToken) {
    const ws = lw.constant(`${s.w}_scale`, new Tensor("f32", cshape, Float32Array.from(wq.scale!)));
    c = lw.node1("Mul", `${n.name}.scale`, [s.xScale, ws], {}, lw.fresh(`${y}.scale`));
  } else {
    const sx = xq.scale![0]!;
    c = lw.constant(`${n.name}_scale`, new Tensor("f32", cshape, Float32Array.from(wq.scale!, (sw) => f32(sx * sw))));
  }
  let bias = s.bias;
  if (bias && s.kind === "conv") bias = lw.constant(`${bias}_channels`, new Tensor("f32", bshape, lw.src.constants[bias]!.toF32()));
  if (!bias) lw.node("Mul", `${n.name}.rescale`, [accF, c], {}, [y]);
  else lw.node("Add", `${n.name}.bias`, [lw.node1("Mul", `${n.name}.rescale`, [accF, c], {}, lw.fresh(`${y}.mm`)), bias], {}, [y]);
}

/** The float bias as int32 at scale x_scale · w_scale[m] (ONNX's QLinearConv bias). */
function quantizeBias(lw: Lowering, bias: string, sx: number, sw: Float32Array): Tensor {
  const b = lw.src.constants[bias]!.toF32();
  const out = new Int32Array(b.length);
  for (let m = 0; m < b.length; m++) {
    const v = roundHalfEven(f32(b[m]! / f32(sx * sw[sw.length === 1 ? 0 : m]!)));
    out[m] = Math.max(-2147483648, Math.min(2147483647, v));
  }
  return new Tensor("i32", [b.length], out);
}

function pick(attrs: Attrs, keys: readonly string[]): Attrs {
  return Object.fromEntries(keys.filter((k) => attrs[k] !== undefined).map((k) => [k, attrs[k]!]));
}
