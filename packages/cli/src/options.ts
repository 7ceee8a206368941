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
