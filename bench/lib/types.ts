/** Shapes shared by the bench runner and its cases. */

export type Status = "ok" | "unsupported" | "unavailable" | "skipped";

/** One row of results.json / results.md. */
export interface Measurement {
  /** Bench case file, e.g. "gemm", "fmnist-cnn". */
  case: string;
  /** What was measured, e.g. "f32 gemm 512x512x512". */
  name: string;
  /** Implementation, e.g. "quantpass-wasm", "ort-node", "ort-web". */
  impl: string;
  threads: number;
  status: Status;
  medianMs?: number;
  minMs?: number;
  iterations?: number;
  /** Floating-point operations of one run, when meaningful (GEMM: 2*M*N*K). */
  flops?: number;
  /** Input bytes of one run, when throughput is in GB/s (rtn: the f32 weight). */
  bytes?: number;
  /** Filled in by the runner: see run.ts. */
  ratios?: { vsOurs?: number; speedupOver1Thread?: number };
  /** Why a row has no number, or anything worth knowing about it. */
  note?: string;
}

export interface BenchContext {
  /** Thread count every implementation in this process is configured for. */
  threads: number;
  /** Fewer iterations (smoke runs). */
  quick: boolean;
  log(message: string): void;
}

export interface BenchCase {
  name: string;
  /** The implementation the ratios of this case are relative to. */
  ours: string;
  run(ctx: BenchContext): Promise<Measurement[]>;
}
