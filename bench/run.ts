/**
 * `pnpm bench`: runs every case in CASES at 1 thread, then at 2 threads, and writes
 * bench/results.json (every measurement) and bench/results.md (the table it prints).
 *
 *   pnpm bench [--quick] [--threads 1,2] [--only gemm,fmnist-cnn,fmnist-int8,sotu-llama,rtn]
 *
 * Each thread count runs in a child process of its own: onnxruntime-web fixes its thread
 * count when its wasm first initialises, once per process. Inside a child, implementations
 * are timed round-robin (bench/lib/measure.ts).
 *
 * Ratios in every row, for the same case, name and thread count:
 *   vsOurs = this row's median / the median of the case's own implementation (quantpass-wasm
 *            for GEMM, quantpass-interpreter for models): above 1, ours is faster.
 *   speedupOver1Thread = this implementation's 1-thread median / this row's median.
 *
 * To add a case: write bench/cases/<name>.ts exporting a BenchCase and list it in CASES.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmnistCase } from "./cases/fmnist-cnn.js";
import { FP32, fmnistInt8Case, INT8 } from "./cases/fmnist-int8.js";
import { gemmCase } from "./cases/gemm.js";
import { PYTORCH_2T, QUANTPASS, rtnCase } from "./cases/rtn.js";
import { sotuCase } from "./cases/sotu-llama.js";
import type { BenchCase, Measurement } from "./lib/types.js";

const CASES: BenchCase[] = [gemmCase, fmnistCase, fmnistInt8Case, sotuCase, rtnCase];

const HERE = new URL("./", import.meta.url);

interface Args {
  quick: boolean;
  threads: number[];
  only: string[] | undefined;
  child: { threads: number; out: string } | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, threads: [1, 2], only: undefined, child: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--quick") args.quick = true;
    else if (a === "--threads") args.threads = next().split(",").map(Number);
    else if (a === "--only") args.only = next().split(",");
    else if (a === "--child") args.child = { threads: Number(next()), out: next() };
    else throw new Error(`unknown argument ${a} (use --quick, --threads 1,2, --only ${CASES.map((c) => c.name).join(",")})`);
  }
  return args;
}

function selected(args: Args): BenchCase[] {
  if (!args.only) return CASES;
  const unknown = args.only.filter((n) => !CASES.some((c) => c.name === n));
  if (unknown.length) throw new Error(`unknown case(s) ${unknown.join(", ")}; known: ${CASES.map((c) => c.name).join(", ")}`);
  return CASES.filter((c) => args.only!.includes(c.name));
}

/** Child: run the cases at one thread count, write the measurements as JSON. */
async function child(args: Args): Promise<void> {
  const { threads, out } = args.child!;
  const rows: Measurement[] = [];
  for (const c of selected(args)) {
    try {
      rows.push(...(await c.run({ threads, quick: args.quick, log: (m) => process.stderr.write(`  ${m}\n`) })));
    } catch (e) {
      rows.push({ case: c.name, name: c.name, impl: "(case)", threads, status: "unavailable", note: `case failed: ${String(e).split("\n")[0]}` });
    }
  }
  writeFileSync(out, JSON.stringify(rows));
}

function addRatios(rows: Measurement[]): void {
  const ours = new Map(CASES.map((c) => [c.name, c.ours]));
  const key = (r: Measurement, impl: string, threads: number) => `${r.case}|${r.name}|${impl}|${threads}`;
  const ms = new Map(rows.filter((r) => r.status === "ok").map((r) => [key(r, r.impl, r.threads), r.medianMs!]));
  for (const r of rows) {
    if (r.status !== "ok") continue;
    const o = ms.get(key(r, ours.get(r.case) ?? "", r.threads));
    const one = ms.get(key(r, r.impl, 1));
    r.ratios = {};
    if (o !== undefined) r.ratios.vsOurs = r.medianMs! / o;
    if (one !== undefined && r.threads !== 1) r.ratios.speedupOver1Thread = one / r.medianMs!;
  }
}

const fmt = (x: number | undefined, digits = 2) => (x === undefined ? "" : x.toFixed(digits));

function table(rows: Measurement[]): string {
  const lines = [
    "| case | measurement | threads | impl | median ms | min ms | runs | GFLOP/s or GB/s | vs ours | speedup 2t/1t | note |",
    "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
  ];
  const sorted = [...rows].sort(
    (a, b) =>
      CASES.findIndex((c) => c.name === a.case) - CASES.findIndex((c) => c.name === b.case) ||
      a.name.localeCompare(b.name, undefined, { numeric: true }) ||
      a.threads - b.threads ||
      a.impl.localeCompare(b.impl),
  );
  for (const r of sorted) {
    const ok = r.status === "ok";
    const gflops = ok && r.flops ? r.flops / (r.medianMs! * 1e6) : undefined;
    const rate = ok && r.bytes ? `${fmt(r.bytes / (r.medianMs! * 1e6), 3)} GB/s` : fmt(gflops, 1);
    lines.push(
      `| ${r.case} | ${r.name} | ${r.threads} | ${r.impl} | ${ok ? fmt(r.medianMs) : r.status} | ${fmt(r.minMs)} | ${r.iterations ?? ""} | ${rate} | ${fmt(r.ratios?.vsOurs)} | ${fmt(r.ratios?.speedupOver1Thread)} | ${(r.note ?? "").replace(/\|/g, "/")} |`,
    );
  }
  return lines.join("\n");
}

function targetLine(rows: Measurement[]): string {
  const web = rows.find((r) => r.case === "gemm" && r.name.endsWith(" 512x512x512") && r.impl === "ort-web" && r.threads === 1);
  if (!web || web.status !== "ok" || web.ratios?.vsOurs === undefined) return "Target (GEMM 512, 1 thread, ort-web ms / ours ms >= 0.5): not measured in this run.";
  const v = web.ratios.vsOurs;
  return `Target (GEMM 512, 1 thread, ort-web ms / ours ms >= 0.5): ${v.toFixed(2)} — ${v >= 0.5 ? "met" : "NOT met"}.`;
}

/** rtn: quantpass (1 thread) against PyTorch at 2 threads timed alongside it, and the identical-output check. */
function rtnLines(rows: Measurement[]): string[] {
  const ours = rows.filter((r) => r.case === "rtn" && r.impl === QUANTPASS && r.threads === 1);
  if (!ours.length) return [];
  return ours.map((o) => {
    const torch = rows.find((r) => r.case === "rtn" && r.name === o.name && r.impl === PYTORCH_2T && r.threads === 1);
    const v = torch?.status === "ok" && o.status === "ok" ? torch.medianMs! / o.medianMs! : undefined;
    const target = v === undefined ? `not measured (${torch?.note ?? o.note ?? "no pytorch row"})` : `${v.toFixed(2)} — ${v >= 1.5 ? "met" : "NOT met"}`;
    const check = o.note?.match(/identical to pytorch[^;]*|pytorch CHECK FAILED[^;]*/)?.[0];
    return `Target (${o.name}: pytorch 2 threads ms / quantpass 1 thread ms >= 1.5): ${target}.${check ? ` Check: ${check}.` : ""}`;
  });
}

/** fmnist-int8: fp32 ms / int8 ms at each optimization level (1 thread). */
function int8Lines(rows: Measurement[]): string[] {
  return rows
    .filter((r) => r.case === "fmnist-int8" && r.impl === INT8)
    .map((r) => {
      const fp = rows.find((f) => f.case === r.case && f.name === r.name && f.impl === FP32);
      const v = r.status === "ok" && fp?.status === "ok" ? fp.medianMs! / r.medianMs! : undefined;
      return `${r.name}: ${v === undefined ? (r.note ?? "not measured") : `int8 is ${v.toFixed(2)}x the speed of fp32 (fp32 ms / int8 ms)`}.`;
    });
}

async function parent(args: Args): Promise<void> {
  const started = Date.now();
  const loadBefore = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), "quantpass-bench-"));
  const rows: Measurement[] = [];
  try {
    for (const t of args.threads) {
      const out = join(dir, `t${t}.json`);
      process.stderr.write(`bench: ${t} thread${t > 1 ? "s" : ""}\n`);
      const childArgs = ["--child", String(t), out, ...(args.quick ? ["--quick"] : []), ...(args.only ? ["--only", args.only.join(",")] : [])];
      execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...childArgs], { stdio: ["ignore", "inherit", "inherit"] });
      rows.push(...(JSON.parse(readFileSync(out, "utf8")) as Measurement[]));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  addRatios(rows);
  const seconds = (Date.now() - started) / 1000;
  const machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? "?",
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    // other processes on the machine skew every number; the 1-minute load average tells how much
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadavg()[0]!,
  };
  const md = [
    "# quantpass bench",
    "",
    `${new Date().toISOString()} — ${machine.cpus} × ${machine.cpu}, Node ${machine.node}, ${seconds.toFixed(0)} s${args.quick ? " (--quick)" : ""}; ` +
      `1-minute load average ${machine.loadAverageBefore.toFixed(2)} before, ${machine.loadAverageAfter.toFixed(2)} after (above 0 means other processes competed for the ${machine.cpus} cores).`,
    "",
    "Median of timed runs after warm-up; implementations timed round-robin. `vs ours` = this row's median / the median of",
    "quantpass's own implementation at the same size and thread count (quantpass-wasm for GEMM, quantpass-interpreter for",
    "models, quantpass for rtn): above 1 means quantpass is faster; for fmnist-int8 it is relative to the int8 QDQ file in",
    "onnxruntime (above 1: the int8 file is faster). `speedup 2t/1t` = the same implementation's 1-thread median / this",
    "median. rtn rates are GB/s of f32 weight read (4096·11008·4 bytes / median).",
    "",
    targetLine(rows),
    "",
    ...rtnLines(rows).flatMap((l) => [l, ""]),
    ...int8Lines(rows).flatMap((l) => [l, ""]),
    table(rows),
    "",
  ].join("\n");
  writeFileSync(new URL("results.json", HERE), JSON.stringify({ generatedAt: new Date().toISOString(), seconds, machine, quick: args.quick, measurements: rows }, null, 2) + "\n");
  writeFileSync(new URL("results.md", HERE), md);
  console.log(md);
}

const args = parseArgs(process.argv.slice(2));
if (args.child) await child(args);
else await parent(args);
