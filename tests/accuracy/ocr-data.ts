/**
 * Deterministic text-line images for the PP-OCRv4 recogniser. Lines (English words, numbers,
 * prices, dates, punctuation, and Chinese phrases from the CTC alphabet) come from a seeded
 * generator; ImageMagick renders them (`label:` at 32 pt, DejaVu fonts from
 * fonts-dejavu-core, Chinese in WenQuanYi Micro Hei from fonts-wqy-microhei, a few colour
 * schemes), adds a small border and resizes to height 48 (Triangle, i.e. linear, filter; PaddleOCR
 * uses cv2's bilinear resize), all lines of a set in one `convert` call. The PPM files are cached in
 * .tmp/accuracy/ocr/<set>-<hash>/.
 *
 * Preprocessing follows PaddleOCR's rec `resize_norm_img` for a batch of one: the image
 * keeps its width W at height 48, is normalised to (x/255 - 0.5)/0.5 in CHW, BGR order (cv2)
 * and zero-padded on the right to max(320, W) (here rounded up to a multiple of 32 so
 * lines batch by width).
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { seededRandom } from "@quantpass/ir/testing";
import { cacheDir, requireTools, run, sha256 } from "./tools.js";

const DEJAVU = "/usr/share/fonts/truetype/dejavu";
const FONTS = {
  sans: { file: `${DEJAVU}/DejaVuSans.ttf`, pkg: "fonts-dejavu-core" },
  bold: { file: `${DEJAVU}/DejaVuSans-Bold.ttf`, pkg: "fonts-dejavu-core" },
  serif: { file: `${DEJAVU}/DejaVuSerif.ttf`, pkg: "fonts-dejavu-core" },
  mono: { file: `${DEJAVU}/DejaVuSansMono.ttf`, pkg: "fonts-dejavu-core" },
  cjk: { file: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", pkg: "fonts-wqy-microhei" },
} as const;
type Font = keyof typeof FONTS;

/** [fill, background] colour pairs. */
const SCHEMES = [["black", "white"], ["black", "white"], ["#202020", "#f2efe6"], ["#1a237e", "#ffffff"], ["white", "#303030"]] as const;

const WORDS = (
  "the of and to in is you that it he was for on are as with his they at be this have from or one had by word but not what all were " +
  "we when your can said there use an each which she do how their if will up other about out many then them these so some her would " +
  "make like him into time has look two more write go see number no way could people my than first water been call who oil its now " +
  "find long down day did get come made may part over new sound take only little work know place year live me back give most very " +
  "after thing our just name good sentence man think say great where help through much before line right too mean old any same tell " +
  "boy follow came want show also around form three small set put end does another well large must big even such because turn here " +
  "why ask went men read need land different home us move try kind hand picture again change off play spell air away animal house " +
  "point page letter mother answer found study still learn should America world Monday London Paris Invoice Total Station Exit Open"
).split(" ");
const CN = ["中国", "北京", "上海", "你好", "世界", "电话", "价格", "时间", "日期", "地址", "公司", "学生", "今天", "天气很好", "欢迎光临",
  "人民银行", "大学", "图书馆", "火车站", "机场", "医院", "超市", "早上", "晚上", "星期一", "星期五", "东路", "西街", "南门", "北区",
  "先生", "女士", "谢谢", "再见", "请问", "出口", "入口", "营业时间", "停车场"];
const PUNCT = [",", ".", "!", "?", ":", ";"];

/** mulberry32: a small deterministic PRNG. */
const rng = seededRandom;

export interface Line {
  readonly text: string;
  readonly font: Font;
  readonly scheme: number;
}

function makeLine(r: () => number): Line {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pad2 = (n: number) => String(n).padStart(2, "0");
  const number = (): string => {
    switch (int(0, 5)) {
      case 0: return String(int(0, 99999));
      case 1: return `$${int(1, 999)}.${pad2(int(0, 99))}`;
      case 2: return `${int(2000, 2030)}-${pad2(int(1, 12))}-${pad2(int(1, 28))}`;
      case 3: return `${pad2(int(0, 23))}:${pad2(int(0, 59))}`;
      case 4: return `${int(1, 100)}%`;
      default: return `(${int(100, 999)}) ${int(100, 999)}-${int(1000, 9999)}`;
    }
  };
  const kind = r();
  let text: string;
  let font: Font;
  if (kind < 0.2) {
    const parts = Array.from({ length: int(1, 3) }, () => pick(CN));
    if (r() < 0.5) parts.splice(int(0, parts.length), 0, String(int(1, 999)));
    text = parts.join(r() < 0.5 ? "" : " ");
    font = "cjk";
  } else {
    const parts: string[] = [];
    const n = int(1, 4);
    for (let i = 0; i < n; i++) {
      let w = kind < 0.5 && r() < 0.4 ? number() : pick(WORDS);
      if (i === 0 && r() < 0.5) w = w[0]!.toUpperCase() + w.slice(1);
      if (r() < 0.1) w = w.toUpperCase();
      parts.push(w);
    }
    text = parts.join(" ");
    if (r() < 0.4) text += pick(PUNCT);
    if (r() < 0.08) text = `"${text}"`;
    font = pick(["sans", "sans", "bold", "serif", "mono"] as const);
  }
  return { text, font, scheme: int(0, SCHEMES.length - 1) };
}

/** 200 evaluation lines, or 128 calibration lines (another seed; texts also in the evaluation set are dropped). */
export function ocrLines(set: "eval" | "calib"): Line[] {
  const r = rng(set === "eval" ? 20240601 : 7);
  const lines: Line[] = [];
  const avoid = set === "calib" ? new Set(ocrLines("eval").map((l) => l.text)) : new Set<string>();
  const seen = new Set<string>();
  while (lines.length < (set === "eval" ? 200 : 128)) {
    const l = makeLine(r);
    if (avoid.has(l.text) || seen.has(l.text) || l.text.length > 24) continue;
    seen.add(l.text);
    lines.push(l);
  }
  return lines;
}

/** ImageMagick reads `%` escapes in label text. */
const labelText = (s: string) => s.replace(/%/g, "%%");

export interface LineImage {
  readonly line: Line;
  readonly width: number;
  /** RGB bytes, height 48, row-major. */
  readonly rgb: Uint8Array;
}

function readPpm(b: Buffer, what: string): { width: number; height: number; rgb: Uint8Array } {
  const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(b.subarray(0, 64).toString("latin1"));
  if (!m) throw new Error(`${what}: not a binary PPM`);
  const [width, height] = [Number(m[1]), Number(m[2])];
  return { width, height, rgb: new Uint8Array(b.buffer, b.byteOffset + m[0].length, width * height * 3) };
}

/** Renders (or loads from the cache) the images of a set. */
export function ocrImages(set: "eval" | "calib"): LineImage[] {
  const lines = ocrLines(set);
  const key = sha256(JSON.stringify({ lines, SCHEMES, FONTS, v: 2 })).slice(0, 12);
  const dir = join(cacheDir("ocr"), `${set}-${key}`);
  const file = (i: number) => join(dir, `line-${String(i).padStart(3, "0")}.ppm`);
  if (!existsSync(join(dir, "done"))) {
    requireTools(["convert"]);
    const missing = Object.values(FONTS).filter((f) => !existsSync(f.file));
    if (missing.length)
      throw new Error(`OCR lines need the fonts ${missing.map((f) => f.file).join(", ")}: run 'bash scripts/setup.sh' as root or 'sudo apt-get install ${[...new Set(missing.map((f) => f.pkg))].join(" ")}'`);
    rmSync(dir, { recursive: true, force: true });
    cacheDir("ocr", `${set}-${key}`);
    const args = ["-pointsize", "32"];
    for (const l of lines) {
      const [fill, bg] = SCHEMES[l.scheme]!;
      args.push("(", "-font", FONTS[l.font].file, "-fill", fill, "-background", bg, `label:${labelText(l.text)}`, "-bordercolor", bg, "-border", "8x6", ")");
    }
    args.push("-filter", "Triangle", "-resize", "x48", "-depth", "8", "+adjoin", join(dir, "line-%03d.ppm"));
    run("convert", args);
    writeFileSync(join(dir, "done.part"), "");
    renameSync(join(dir, "done.part"), join(dir, "done"));
  }
  return lines.map((line, i) => {
    const p = readPpm(readFileSync(file(i)), file(i));
    if (p.height !== 48) throw new Error(`${file(i)}: height ${p.height}, expected 48`);
    return { line, width: p.width, rgb: p.rgb };
  });
}

export const OCR_HEIGHT = 48;

/** Padded input width of an image: max(320, W) rounded up to a multiple of 32. */
export function paddedWidth(w: number): number {
  return Math.max(320, Math.ceil(w / 32) * 32);
}

/** A [b, 3, 48, W] batch (W = the padded width shared by the images) in BGR order as PaddleOCR reads images (cv2), normalised to [-1, 1], zero padded. */
export function ocrBatch(images: readonly LineImage[], W: number): Float32Array {
  const H = OCR_HEIGHT;
  const x = new Float32Array(images.length * 3 * H * W);
  images.forEach((im, b) => {
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < H; y++) {
        const row = ((b * 3 + c) * H + y) * W;
        for (let i = 0; i < im.width; i++) x[row + i] = im.rgb[(y * im.width + i) * 3 + 2 - c]! / 127.5 - 1;
      }
  });
  return x;
}
