/**
 * RTN weight quantization of one 4096x11008 f32 weight (a Llama-7B MLP projection as
 * Linear [out, in]; seeded normal data, sigma 0.02): int8 per output channel and int4 per
 * group of 128 input channels, both symmetric, producing integer values and scales.
 *
 * quantpass: quantizeWeight from the rtn pass module, i.e. the parameters the `rtn` pass
 * writes (weightQuantType) and the integers fold-to-int makes from them (quantizeConstant;
 * int4 packed two a byte), on the weight kernels passes picks (WebAssembly SIMD in Node;
 * QUANTPASS_WEIGHT_KERNELS=ts for the TypeScript loops, timed too as quantpass-ts). PyTorch 1.13 (bench/torch/rtn.py): absmax → scale →
 * torch.round(w / scale).clamp(...).to(int8), the int4 case on w.reshape(N, K/128, 128)
 * (one value a byte, no packing). Throughput is GB/s of f32 input (4096·11008·4 bytes / s).
 *
 * In the 1-thread process, quantpass, PyTorch at 1 thread and PyTorch at 2 threads are
 * timed round-robin (the target compares quantpass at 1 thread with PyTorch at 2); the
 * 2-thread process times PyTorch at 2 threads alone (quantpass is single-threaded). The
 * 1-thread process also checks that both give identical integers and scales.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tensor } from "@quantpass/ir";
import { quantizeWeight } from "../../packages/passes/src/ptq/rtn.js";
import { weightKernels } from "@quantpass/ir/quant-kernels";
import type { WeightQuantOptions } from "../../packages/passes/src/quant/weights.js";
import { normal } from "../../packages/passes/src/testing/random.js";
import { firstLine } from "../lib/interpreter.js";
import { timeRoundRobin, type Contender } from "../lib/measure.js";
import { startTorchServer, TORCH_MISSING, torchMissing, type TorchServer } from "../lib/torch.js";
import type { BenchCase, BenchContext, Measurement } from "../lib/types.js";

const ROWS = 4096;
const COLS = 11008;
export const RTN_BYTES = ROWS * COLS * 4;
export const QUANTPASS = "quantpass";
/** The plain TypeScript loops (QUANTPASS_WEIGHT_KERNELS=ts), for information. */
export const QUANTPASS_TS = "quantpass-ts";
export const PYTORCH = "pytorch";
export const PYTORCH_2T = "pytorch, 2 threads";

interface Kind {
  /** bench/torch/rtn.py kind */
  key: string;
  name: string;
  opts: WeightQuantOptions;
}

const KINDS: Kind[] = [
  { key: "int8-channel", name: `rtn int8 per-channel ${ROWS}x${COLS}`, opts: { weight_dtype: "int8", weight_symmetric: true, granularity: "per-channel", group_size: 128 } },
  { key: "int4-g128", name: `rtn int4 g128 ${ROWS}x${COLS}`, opts: { weight_dtype: "int4", weight_symmetric: true, granularity: "per-group", group_size: 128 } },
];

/** Linear [out, in]: output channels on axis 0, input channels (groups) on axis 1. */
const SITE = { value: "w", outAxis: 0, inAxis: 1 };

/** quantpass's integers, one a byte (int4 unpacked, sign-extended). */
function unpacked(values: Tensor): Int8Array {
  if (values.dtype === "i8") return values.data as Int8Array;
  const packed = values.data as Uint8Array;
  const out = new Int8Array(values.size);
  for (let i = 0; i < out.length; i++) {
    const n = i & 1 ? packed[i >> 1]! >> 4 : packed[i >> 1]! & 15;
    out[i] = n >= 8 ? n - 16 : n;
  }
  return out;
}

/** ours() with the TypeScript weight kernels. */
function withTsKernels<T>(f: () => T): T {
  const prev = process.env.QUANTPASS_WEIGHT_KERNELS;
  process.env.QUANTPASS_WEIGHT_KERNELS = "ts";
  try {
    return f();
  } finally {
    if (prev === undefined) delete process.env.QUANTPASS_WEIGHT_KERNELS;
    else process.env.QUANTPASS_WEIGHT_KERNELS = prev;
  }
}

const sameBytes = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** "identical ..." or what differs, comparing with the files PyTorch wrote. */
function compare(ours: { values: Tensor; scale: Float32Array }, prefix: string): string {
  const tq = new Int8Array(readFileSync(`${prefix}.q`).buffer.slice(0));
  const ts = new Uint32Array(readFileSync(`${prefix}.scale`).buffer.slice(0));
  const oq = unpacked(ours.values);
  const os = new Uint32Array(ours.scale.buffer, ours.scale.byteOffset, ours.scale.length);
  if (tq.length !== oq.length || ts.length !== os.length)
    return `pytorch CHECK FAILED: sizes differ (values ${oq.length} vs ${tq.length}, scales ${os.length} vs ${ts.length})`;
  let dv = 0;
  let firstV = -1;
  for (let i = 0; i < oq.length; i++) if (oq[i] !== tq[i] && dv++ === 0) firstV = i;
  let ds = 0;
  for (let i = 0; i < os.length; i++) if (os[i] !== ts[i]) ds++;
  const what = `${oq.length.toLocaleString("en")} values and ${os.length.toLocaleString("en")} scales`;
  if (!dv && !ds) return `identical to pytorch: ${what}, bit for bit`;
  return `pytorch CHECK FAILED (${what}): ${dv} values differ${dv ? ` (first at ${firstV}: ours ${oq[firstV]}, torch ${tq[firstV]})` : ""}, ${ds} scales differ`;
}

/** torch: the running PyTorch server, or why there is none (the note of its rows). */
async function runKind(ctx: BenchContext, kind: Kind, weight: Tensor, torch: TorchServer | string, dir: string): Promise<Measurement[]> {
  const base = { case: "rtn", name: kind.name, threads: ctx.threads, bytes: RTN_BYTES };
  const rows: Measurement[] = [];
  const contenders: Contender[] = [];
  const notes = new Map<string, string>();
  const ours = () => quantizeWeight(weight, SITE, kind.opts);

  if (ctx.threads === 1) {
    const t0 = performance.now();
    const r = ours();
    const firstRunMs = performance.now() - t0;
    contenders.push({ impl: QUANTPASS, run: ours, firstRunMs });
    notes.set(QUANTPASS, `${weightKernels().name} kernels`);
    if (weightKernels().name !== "ts") {
      const t1 = performance.now();
      const rt = withTsKernels(ours);
      // for information only: a short budget (one or two timed runs) keeps pnpm bench short
      contenders.push({ impl: QUANTPASS_TS, run: () => withTsKernels(ours), firstRunMs: performance.now() - t1, budgetMs: 1000 });
      const same = sameBytes(rt.values.data as Uint8Array, r.values.data as Uint8Array) && sameBytes(rt.quant.scale!, r.quant.scale!);
      notes.set(QUANTPASS_TS, `plain TypeScript loops (QUANTPASS_WEIGHT_KERNELS=ts), for information; ${same ? "same bits as the wasm kernels" : "DIFFERENT bits from the wasm kernels"}`);
    }
    if (typeof torch !== "string") {
      const prefix = join(dir, kind.key);
      const dumped = await torch.call(`dump ${kind.key} ${prefix}`);
      const check = compare({ values: r.values, scale: r.quant.scale! }, prefix);
      ctx.log(`${kind.name}: ${check}`);
      notes.set(QUANTPASS, `${notes.get(QUANTPASS)}; ${check}`);
      contenders.push({ impl: PYTORCH, run: () => torch.call(`run ${kind.key} 1`), firstRunMs: dumped.ms as number });
      contenders.push({ impl: PYTORCH_2T, run: () => torch.call(`run ${kind.key} 2`) });
      notes.set(PYTORCH_2T, "torch.set_num_threads(2), timed round-robin with the 1-thread rows; vs ours is the target ratio (>= 1.5)");
    }
  } else {
    rows.push({ ...base, impl: QUANTPASS, status: "unsupported", note: "single-threaded: the rtn pass quantizes on the calling thread (see its 1-thread row)" });
    if (typeof torch !== "string") contenders.push({ impl: PYTORCH, run: () => torch.call(`run ${kind.key} ${ctx.threads}`) });
  }
  if (typeof torch === "string") for (const impl of ctx.threads === 1 ? [PYTORCH, PYTORCH_2T] : [PYTORCH]) rows.push({ ...base, impl, status: "unavailable", note: torch });

  // 3 timed runs each at 1 thread (the target ratio); 2 at 2 threads (PyTorch alone, for its speedup column)
  const iterations = ctx.quick ? 1 : ctx.threads === 1 ? 3 : 2;
  const timings = await timeRoundRobin(contenders, { warmup: 1, iterations, budgetMs: ctx.quick ? 1000 : 60_000 });
  for (const t of timings) {
    const note = [notes.get(t.impl), t.cold ? "one cold run" : ""].filter(Boolean).join("; ");
    rows.push({ ...base, impl: t.impl, status: "ok", medianMs: t.medianMs, minMs: t.minMs, iterations: t.iterations, ...(note ? { note } : {}) });
  }
  return rows;
}

export const rtnCase: BenchCase = {
  name: "rtn",
  ours: QUANTPASS,
  async run(ctx) {
    ctx.log(`rtn ${ROWS}x${COLS} (${ctx.threads} thread${ctx.threads > 1 ? "s" : ""})`);
    // python imports torch while the weight is generated
    const starting = startTorchServer("rtn.py").then(
      (server) => server,
      (e: unknown) => (torchMissing(e) ? TORCH_MISSING : `pytorch failed: ${firstLine(e)}`),
    );
    const data = normal(ROWS * COLS, 0.02, 11);
    const weight = new Tensor("f32", [ROWS, COLS], data);
    const dir = mkdtempSync(join(tmpdir(), "quantpass-bench-rtn-"));
    let torch: TorchServer | string = await starting;
    const rows: Measurement[] = [];
    try {
      if (typeof torch !== "string") {
        const path = join(dir, "w.f32");
        writeFileSync(path, new Uint8Array(data.buffer));
        try {
          await torch.call(`load ${path} ${ROWS} ${COLS}`);
        } catch (e) {
          await torch.close();
          torch = `pytorch ${torch.version} failed: ${firstLine(e)}`;
        }
      }
      for (const kind of KINDS) rows.push(...(await runKind(ctx, kind, weight, torch, dir)));
    } finally {
      if (typeof torch !== "string") await torch.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
