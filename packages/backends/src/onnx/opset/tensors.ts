import { Tensor } from "@quantpass/ir";

export function i64(values: readonly number[], shape: readonly number[] = [values.length]): Tensor {
  return new Tensor("i64", shape, BigInt64Array.from(values, (v) => BigInt(v)));
}
