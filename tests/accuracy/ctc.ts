/**
 * CTC greedy decoding for PP-OCRv4 rec: per time step the arg-max class, repeats collapsed,
 * blanks dropped. Classes: 0 is the blank, 1..K the lines of ppocr_keys_v1.txt, K+1 a space
 * (PaddleOCR's use_space_char=True).
 */
import { readFileSync } from "node:fs";

export function ctcAlphabet(keysFile: string): string[] {
  const keys = readFileSync(keysFile, "utf8").replace(/\r?\n$/, "").split(/\r?\n/);
  return ["", ...keys, " "];
}

/** Decodes probs [b, T, C] (row-major) into b strings. */
export function ctcGreedy(probs: Float32Array, b: number, T: number, alphabet: readonly string[]): string[] {
  const C = alphabet.length;
  if (probs.length !== b * T * C) throw new Error(`ctc: ${probs.length} values is not ${b}×${T}×${C}`);
  const out: string[] = [];
  for (let i = 0; i < b; i++) {
    let s = "";
    let prev = -1;
    for (let t = 0; t < T; t++) {
      const row = (i * T + t) * C;
      let best = 0;
      for (let c = 1; c < C; c++) if (probs[row + c]! > probs[row + best]!) best = c;
      if (best !== prev && best !== 0) s += alphabet[best];
      prev = best;
    }
    out.push(s);
  }
  return out;
}
