/** protobufjs int64 values (number or long.js Long) to numbers and bigints. */
import { fail } from "../errors.js";

/** An int64 field value as protobufjs gives it: a number or a long.js Long. */
export type LongLike = number | { low: number; high: number; unsigned?: boolean };

function parts(v: unknown): { low: number; high: number; unsigned: boolean } | undefined {
  if (v && typeof v === "object" && typeof (v as { low?: unknown }).low === "number" && typeof (v as { high?: unknown }).high === "number") {
    const l = v as { low: number; high: number; unsigned?: boolean };
    return { low: l.low, high: l.high, unsigned: !!l.unsigned };
  }
  return undefined;
}

/** Exact 64-bit value; `unsigned` reinterprets the two's-complement bits. */
export function longToBigInt(v: LongLike | bigint | null | undefined, unsigned = false): bigint {
  if (typeof v === "bigint") return unsigned ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v);
  if (typeof v === "number") {
    const b = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
    return unsigned ? BigInt.asUintN(64, b) : BigInt.asIntN(64, b);
  }
  const p = parts(v);
  if (!p) return 0n;
  const bits = (BigInt(p.high >>> 0) << 32n) | BigInt(p.low >>> 0);
  return unsigned ? bits : BigInt.asIntN(64, bits);
}

/** Nearest number (exact up to 2^53; larger magnitudes round, as Long#toNumber does). */
export function longToNumber(v: LongLike | bigint | null | undefined): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  const p = parts(v);
  if (!p) return 0;
  const high = p.unsigned ? p.high >>> 0 : p.high | 0;
  return high * 4294967296 + (p.low >>> 0);
}

/** Exact safe integer, or FormatError naming `what`. */
export function longToSafeInt(v: LongLike | null | undefined, what: string, file?: string): number {
  const n = longToNumber(v);
  if (!Number.isSafeInteger(n)) fail(`${what} ${String(longToBigInt(v))} is not a safe integer`, file);
  return n;
}
