/** Argument parsers shared by commands; bad values are commander usage errors (exit 2). */
import { InvalidArgumentError } from "commander";

/** Parses a positive integer option value (`--batch 256`). */
export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError("expected a positive integer.");
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer.");
  return n;
}

/** Collects a repeatable option into an array (`--input a=x.npy --input b=y.npy`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parses `--fallback-sensitivity <leave-one-out|local>`. */
export function fallbackSensitivity(value: string): "leave-one-out" | "local" {
  const v = value.trim().toLowerCase();
  if (v === "leave-one-out" || v === "local") return v;
  throw new InvalidArgumentError("expected leave-one-out (score the model with each layer alone in float) or local (the noise each layer adds, from two runs).");
}

/** Parses `--fallback <metric>:<target>` (`top1:0.99`, `sqnr:30`). */
export function fallbackSpec(value: string): { metric: "sqnr" | "top1"; target: number } {
  const m = /^\s*(sqnr|top1)\s*:\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*$/i.exec(value);
  if (!m) throw new InvalidArgumentError("expected <metric>:<target> with metric sqnr (target in dB, e.g. sqnr:30) or top1 (a fraction in [0, 1], e.g. top1:0.99).");
  const metric = m[1]!.toLowerCase() as "sqnr" | "top1";
  const target = Number(m[2]);
  if (!Number.isFinite(target)) throw new InvalidArgumentError("the target is not a finite number.");
  if (metric === "top1" && (target < 0 || target > 1)) throw new InvalidArgumentError("a top1 target is a fraction of agreeing predictions in [0, 1] (e.g. top1:0.99).");
  return { metric, target };
}
