/**
 * Deterministic 16 kHz test audio for Silero VAD: sentences spoken by espeak-ng, resampled
 * to mono float32 by sox (peak-normalised, then a per-segment gain), mixed (`sox -m`) with
 * white/pink/brown noise from `sox synth` (from a -59 dBFS floor to roughly 5 dB SNR),
 * alternating with noise-only stretches. sox runs with -R (fixed seeds) and -D (no dither); each noise stretch is a
 * different slice of the seeded generator (`synth` then `trim`). The result is cached in
 * .tmp/accuracy/vad/<set>-<hash of the spec>.f32; generating it twice gives the same bytes.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir, requireTools, run, sha256 } from "./tools.js";

export const SAMPLE_RATE = 16000;
/** Silero VAD at 16 kHz: 512 new samples a step, preceded by the previous step's last 64. */
export const CHUNK = 512;
export const CONTEXT = 64;

type Noise = { kind: "whitenoise" | "pinknoise" | "brownnoise"; vol: number };
/** Speech (text, voice, words a minute, gain in dB after -3 dB peak normalisation) or none, padded, with optional noise. */
interface Segment {
  readonly say?: { text: string; voice: string; speed: number; gain: number };
  /** Seconds of silence before and after the speech (the whole length when there is none). */
  readonly pad: readonly [number, number];
  readonly noise?: Noise;
}

const pink = (vol: number): Noise => ({ kind: "pinknoise", vol });
const white = (vol: number): Noise => ({ kind: "whitenoise", vol });
const brown = (vol: number): Noise => ({ kind: "brownnoise", vol });
/**
 * The quietest noise: white at about -59 dBFS RMS, a quiet room through a decent microphone.
 * Every segment has noise, as real input does: digitally silent chunks (espeak-ng's pauses,
 * zero padding) are out of the model's training distribution, and there the float model
 * itself is ill-conditioned (rounding its weights to float16 moves p by 0.012, per-channel
 * int12 weights by 0.12).
 */
const FLOOR = white(0.002);
const say = (text: string, voice: string, speed: number, gain = 0) => ({ text, voice, speed, gain });

/** About 49 s: eight sentences in six voices, clean and at roughly 5 to 20 dB SNR, with noise-only and silent stretches. */
const EVAL: readonly Segment[] = [
  { pad: [1.0, 0], noise: FLOOR },
  { say: say("The quick brown fox jumps over the lazy dog near the river bank.", "en-us", 160), pad: [0.3, 0.6], noise: FLOOR },
  { pad: [1.5, 0], noise: pink(0.05) },
  { say: say("Please remember to bring your umbrella, because the forecast says it will rain all afternoon.", "en-gb", 150), pad: [0.4, 0.5], noise: pink(0.05) },
  { say: say("Seven hundred and twenty three people attended the concert on Saturday evening.", "en-us+f3", 170), pad: [0.3, 0.8], noise: white(0.015) },
  { pad: [0.8, 0], noise: FLOOR },
  { say: say("Could you tell me the way to the nearest railway station?", "en-gb-scotland", 140, -6), pad: [0.5, 0.4], noise: brown(0.04) },
  { pad: [1.5, 0], noise: white(0.02) },
  { say: say("Scientists have discovered a new species of frog in the tropical rain forest.", "en-us", 180, -12), pad: [0.3, 0.6], noise: pink(0.02) },
  { say: say("I would like a cup of tea with milk and two sugars, thank you.", "en-gb+f2", 155), pad: [0.6, 0.3], noise: FLOOR },
  { pad: [1.0, 0], noise: brown(0.1) },
  { say: say("The meeting has been moved to Thursday at half past three in the main hall.", "en-us+m3", 165, -3), pad: [0.4, 0.7], noise: white(0.03) },
  { say: say("After the storm, the children ran outside to play in the puddles.", "en-gb", 145), pad: [0.3, 0.5], noise: pink(0.08) },
  { pad: [1.0, 0], noise: FLOOR },
];

/** About 28 s of other sentences, voices and noise slices: the calibration stream. */
const CALIB: readonly Segment[] = [
  { pad: [0.6, 0], noise: FLOOR },
  { say: say("My grandmother grows tomatoes, beans and sunflowers in her garden.", "en-gb", 160), pad: [0.3, 0.4], noise: pink(0.04) },
  { pad: [1.0, 0], noise: white(0.02) },
  { say: say("The train to London leaves from platform nine at a quarter to eight.", "en-us+f2", 150, -4), pad: [0.3, 0.6], noise: white(0.02) },
  { say: say("Turn left at the traffic lights and the library is on your right.", "en-us", 175), pad: [0.4, 0.4], noise: FLOOR },
  { pad: [1.0, 0], noise: brown(0.08) },
  { say: say("Every winter the lake freezes and the whole village goes skating.", "en-gb-scotland", 145, -8), pad: [0.3, 0.5], noise: brown(0.03) },
  { say: say("Thank you for calling, all of our operators are busy at the moment.", "en-us+m3", 165), pad: [0.5, 0.5], noise: pink(0.06) },
  { pad: [0.8, 0], noise: FLOOR },
];

export const VAD_SETS = { eval: EVAL, calib: CALIB } as const;
export type VadSet = keyof typeof VAD_SETS;

const F32 = ["-r", String(SAMPLE_RATE), "-c", "1", "-e", "floating-point", "-b", "32", "-t", "raw"];
/** The null input at the output rate (its default, 48 kHz, would make `Ns` lengths three times too short). */
const NULL = ["-r", String(SAMPLE_RATE), "-c", "1", "-n"];

/** Renders one segment to raw f32 bytes; tmp is a scratch file prefix. */
function renderSegment(s: Segment, index: number, noiseOffset: number, tmp: string): Buffer {
  let speech: Buffer;
  if (s.say) {
    const wav = run("espeak-ng", ["-v", s.say.voice, "-s", String(s.say.speed), "--stdout", s.say.text]);
    speech = run("sox", ["-R", "-D", "-t", "wav", "-", ...F32, "-", "norm", "-3", "gain", String(s.say.gain), "pad", String(s.pad[0]), String(s.pad[1])], wav);
  } else {
    speech = run("sox", ["-R", "-D", ...NULL, ...F32, "-", "trim", "0", `${Math.round(s.pad[0] * SAMPLE_RATE)}s`]);
  }
  if (!s.noise) return speech;
  const n = speech.length / 4;
  const off = noiseOffset + index * SAMPLE_RATE;
  const [a, b] = [`${tmp}-speech.f32`, `${tmp}-noise.f32`];
  writeFileSync(a, speech);
  run("sox", ["-R", "-D", ...NULL, ...F32, b, "synth", `${off + n}s`, s.noise.kind, "vol", String(s.noise.vol), "trim", `${off}s`]);
  try {
    // -v 1 on each input: sox -m would otherwise scale each by 1/2.
    return run("sox", ["-R", "-D", "-m", "-v", "1", ...F32, a, "-v", "1", ...F32, b, ...F32, "-"]);
  } finally {
    rmSync(a, { force: true });
    rmSync(b, { force: true });
  }
}

export interface Audio {
  readonly samples: Float32Array;
  /** Per CHUNK: whether its segment holds speech (pads around a sentence count as speech). */
  readonly speechSegment: Uint8Array;
  readonly sha256: string;
}

/** The audio of a set, generated into the cache when missing. */
export function vadAudio(set: VadSet): Audio {
  const spec = VAD_SETS[set];
  const key = sha256(JSON.stringify(spec)).slice(0, 12);
  const dir = cacheDir("vad");
  const file = join(dir, `${set}-${key}.f32`);
  const marks = join(dir, `${set}-${key}.json`);
  if (!existsSync(file) || !existsSync(marks)) {
    requireTools(["espeak-ng", "sox"]);
    const parts: Buffer[] = [];
    const lengths: number[] = [];
    spec.forEach((s, i) => {
      const b = renderSegment(s, i, set === "eval" ? 0 : 40 * SAMPLE_RATE, join(dir, `tmp-${process.pid}`));
      parts.push(b);
      lengths.push(b.length / 4);
    });
    writeFileSync(marks, JSON.stringify({ lengths }));
    writeFileSync(`${file}.part`, Buffer.concat(parts));
    renameSync(`${file}.part`, file);
  }
  const bytes = readFileSync(file);
  const samples = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const { lengths } = JSON.parse(readFileSync(marks, "utf8")) as { lengths: number[] };
  const chunks = Math.floor(samples.length / CHUNK);
  const speechSegment = new Uint8Array(chunks);
  let start = 0;
  lengths.forEach((len, i) => {
    if (spec[i]!.say) for (let c = Math.ceil(start / CHUNK); c < Math.min(chunks, Math.floor((start + len) / CHUNK)); c++) speechSegment[c] = 1;
    start += len;
  });
  return { samples, speechSegment, sha256: sha256(samples) };
}

/** Model input for step k: the previous 64 samples (zeros at the start) and chunk k, [1, 576]. */
export function chunkInput(samples: Float32Array, k: number): Float32Array {
  const x = new Float32Array(CONTEXT + CHUNK);
  const from = k * CHUNK - CONTEXT;
  if (from >= 0) x.set(samples.subarray(from, from + CONTEXT + CHUNK));
  else x.set(samples.subarray(0, CHUNK), CONTEXT);
  return x;
}
