/**
 * numpy's legacy RandomState stream (MT19937 seeded with init_genrand, doubles from 53 bits):
 * `np.random.seed(s); np.random.uniform(0, 1, n)` gives the same numbers as
 * `new NumpyRandom(s).uniform(n)`. Training-mode Dropout uses it, so its masks match the
 * ONNX reference implementation for a given seed.
 */
export class NumpyRandom {
  private readonly mt = new Uint32Array(624);
  private i = 624;

  constructor(seed: number) {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let k = 1; k < 624; k++) {
      const prev = mt[k - 1]! ^ (mt[k - 1]! >>> 30);
      // 1812433253 * prev + k, in 32-bit arithmetic
      mt[k] = (Math.imul(1812433253, prev) + k) >>> 0;
    }
  }

  private next(): number {
    const mt = this.mt;
    if (this.i >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % 624]! & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.i = 0;
    }
    let y = mt[this.i++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** One double in [0, 1) (numpy random_sample). */
  sample(): number {
    const a = this.next() >>> 5, b = this.next() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** n doubles in [0, 1). */
  uniform(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = this.sample();
    return out;
  }
}
