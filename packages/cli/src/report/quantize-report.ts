/**
 * What `quantize` reports: the --json object and the self-contained HTML report (inline CSS
 * and SVG only: no scripts, fonts, images or network), with the per-layer SQNR chart, file
 * sizes, accuracy when measured, the mixed-precision fallback search (layers kept in float with
 * their sensitivity, score before/after) when --fallback was used, the pipeline text and the
 * time of each pass.
 */
import { barChart, escapeHtml, type Bar } from "./svg-bars.js";

export interface LayerRow {
  readonly name: string;
  readonly op: string;
  readonly quantOp: string;
  readonly sqnrDb: number | null;
}

export interface PassRow {
  readonly pass: string;
  readonly ms: number;
  readonly changed: boolean;
  readonly counts: Readonly<Record<string, number>>;
}

export interface AccuracyRow {
  readonly dataset: string;
  readonly samples: number;
  readonly float: number;
  readonly quantized: number;
  readonly executor: string;
}

/** One candidate layer's sensitivity, as the search measured it (`measure`). */
export type FallbackLayerRow = { readonly name: string; readonly op: string; readonly chosen: boolean } & (
  | {
      readonly measure: "leave-one-out";
      /** Score with only this layer in float. */
      readonly score: number;
      readonly gain: number;
    }
  | {
      readonly measure: "local";
      /** SQNR (dB) of its input and output in the all-quantized model; drop = the noise-to-signal ratio added, in dB (−out for an exact input). */
      readonly sqnrIn: number;
      readonly sqnrOut: number;
      readonly drop: number;
    }
);

/** The fallback search (scores may be ±Infinity: sqnr of identical outputs). */
export interface FallbackSummary {
  readonly metric: string;
  readonly target: number;
  readonly to: string;
  /** How layers were ranked: leave-one-out or local (fallback.sensitivity). */
  readonly measure: "leave-one-out" | "local";
  readonly scoreBefore: number;
  readonly scoreAfter: number;
  /** Layers kept in float (or a16w8), in the order chosen. */
  readonly layers: readonly string[];
  /** Sensitivity per candidate layer in node order (empty when no layer was needed). */
  readonly sensitivity: readonly FallbackLayerRow[];
  readonly candidates: number;
  readonly evaluations: number;
  readonly seconds: number;
}

export interface QuantizeSummary {
  /** The model file. */
  readonly model: string;
  /** Its display name (fmnist-cnn for testdata/models/fmnist-cnn/model.onnx). */
  readonly name: string;
  readonly output: string;
  readonly format: string;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  readonly layers: readonly LayerRow[];
  /** What the SQNR was measured on. */
  readonly sqnrData: string;
  readonly pipeline: string;
  /** `preset a8w8`, `preset a8w8 + cfg.json`, `--passes`. */
  readonly source: string;
  readonly passes: readonly PassRow[];
  readonly calibration?: string;
  readonly executor: string;
  readonly accuracy?: AccuracyRow;
  /** What the ONNX export emitted ({ QLinearConv: 2, ... }). */
  readonly exportCounts: Readonly<Record<string, number>>;
  readonly fallback?: FallbackSummary;
  readonly notes: readonly string[];
  readonly seconds: number;
}

const round = (v: number, d: number) => Number(v.toFixed(d));
/** A score for JSON: rounded to 6 digits, null when infinite (sqnr of identical outputs). */
const jsonScore = (v: number) => (Number.isFinite(v) ? round(v, 6) : null);
/** A score for people: dB with 2 decimals, fractions with 4; ∞ when infinite. */
function showScore(metric: string, v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  return metric === "sqnr" ? `${v.toFixed(2)} dB` : v.toFixed(4);
}

/** The --json object: the four required fields first, then extras. */
export function quantizeJson(s: QuantizeSummary): Record<string, unknown> {
  return {
    output: s.output,
    bytesBefore: s.bytesBefore,
    bytesAfter: s.bytesAfter,
    layers: s.layers.map((l) => ({ name: l.name, sqnrDb: l.sqnrDb === null ? null : round(l.sqnrDb, 2) })),
    format: s.format,
    pipeline: s.pipeline,
    passes: s.passes.map((p) => ({ pass: p.pass, ms: round(p.ms, 1) })),
    ...(s.accuracy ? { accuracy: { float: s.accuracy.float, quantized: s.accuracy.quantized, samples: s.accuracy.samples, executor: s.accuracy.executor } } : {}),
    ...(s.fallback
      ? {
          fallback: {
            metric: s.fallback.metric,
            target: s.fallback.target,
            scoreBefore: jsonScore(s.fallback.scoreBefore),
            scoreAfter: jsonScore(s.fallback.scoreAfter),
            layers: [...s.fallback.layers],
            sensitivity: s.fallback.measure,
          },
        }
      : {}),
    sqnrData: s.sqnrData,
    ...(s.notes.length ? { notes: s.notes } : {}),
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = n / 1024;
  let k = 0;
  while (v >= 1024 && k < units.length - 1) { v /= 1024; k++; }
  return `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[k]}`;
}

/** Good ≥ 30 dB, fair ≥ 20 dB, poor below (6 dB per bit: 8-bit weights give ~40 dB). */
export function sqnrColor(db: number | null): string {
  if (db === null || db >= 30) return "#2f9e5b";
  return db >= 20 ? "#e0a100" : "#d9480f";
}

/** The human summary printed on stdout without --json. */
export function formatQuantize(s: QuantizeSummary): string {
  const lines = [`wrote ${s.output} (${s.format}, ${formatBytes(s.bytesBefore)} → ${formatBytes(s.bytesAfter)}, ${(s.bytesBefore / Math.max(1, s.bytesAfter)).toFixed(2)}x smaller)`];
  lines.push(`pipeline: ${s.pipeline}`);
  if (s.layers.length) {
    const w = Math.max(...s.layers.map((l) => l.name.length));
    lines.push(`per-layer SQNR (${s.sqnrData}):`);
    for (const l of s.layers) lines.push(`  ${l.name.padEnd(w)}  ${l.sqnrDb === null ? "   inf" : l.sqnrDb.toFixed(1).padStart(6)} dB  (${l.op} → ${l.quantOp})`);
  } else lines.push("no quantized layers to measure");
  if (s.fallback) {
    const f = s.fallback;
    lines.push(
      `fallback ${f.metric} ≥ ${f.target}: ${showScore(f.metric, f.scoreBefore)} → ${showScore(f.metric, f.scoreAfter)}, ${f.layers.length ? `${f.layers.length} layer${f.layers.length === 1 ? "" : "s"} kept ${f.to === "float" ? "in float" : "as a16w8"}: ${f.layers.join(", ")}` : "no layer needed"} (${f.measure === "local" ? "local sensitivity, " : ""}${f.evaluations} evaluations, ${f.seconds.toFixed(1)} s)`,
    );
  }
  if (s.accuracy) lines.push(`accuracy on ${s.accuracy.samples} test images: float ${s.accuracy.float.toFixed(4)}, quantized ${s.accuracy.quantized.toFixed(4)} (${s.accuracy.executor})`);
  for (const n of s.notes) lines.push(`note: ${n}`);
  return lines.join("\n") + "\n";
}

function sizeChart(s: QuantizeSummary): string {
  // Bars in the unit of the larger file, so the axis ticks are round numbers of that unit.
  const max = Math.max(s.bytesBefore, s.bytesAfter);
  const [unit, div] = max >= 2 ** 30 ? ["GiB", 2 ** 30] : max >= 2 ** 20 ? ["MiB", 2 ** 20] : max >= 2 ** 10 ? ["KiB", 2 ** 10] : ["B", 1];
  const bars: Bar[] = [
    { label: "before", value: s.bytesBefore / div, text: formatBytes(s.bytesBefore), color: "#8a94a3" },
    { label: "after", value: s.bytesAfter / div, text: `${formatBytes(s.bytesAfter)} (${((100 * s.bytesAfter) / Math.max(1, s.bytesBefore)).toFixed(1)}%)`, color: "#3b6fd4" },
  ];
  return barChart(bars, { title: "File size", unit: `file size (${unit})`, width: 640, small: true });
}

function sqnrChart(s: QuantizeSummary): string {
  if (!s.layers.length) return `<p class="muted">No quantized layers (nothing to compare).</p>`;
  const bars: Bar[] = s.layers.map((l) => ({
    label: l.name,
    value: l.sqnrDb === null ? null : Math.max(0, l.sqnrDb),
    text: l.sqnrDb === null ? "∞ (identical)" : `${l.sqnrDb.toFixed(1)} dB`,
    color: sqnrColor(l.sqnrDb),
    title: `${l.name}: ${l.op} → ${l.quantOp}, SQNR ${l.sqnrDb === null ? "infinite" : `${l.sqnrDb.toFixed(2)} dB`}`,
  }));
  return barChart(bars, { title: "Per-layer SQNR", unit: "SQNR (dB), higher is better", marks: [{ value: 20, label: "20 dB" }, { value: 30, label: "30 dB" }] });
}

function layerTable(s: QuantizeSummary): string {
  if (!s.layers.length) return "";
  const rows = s.layers.map(
    (l) => `<tr><td><code>${escapeHtml(l.name)}</code></td><td>${escapeHtml(l.op)} → ${escapeHtml(l.quantOp)}</td><td class="num">${l.sqnrDb === null ? "∞" : `${l.sqnrDb.toFixed(2)} dB`}</td></tr>`,
  );
  return `<table class="layers"><thead><tr><th>layer (node)</th><th>op → quantized op</th><th class="num">SQNR</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function fallbackSection(s: QuantizeSummary): string {
  const f = s.fallback;
  if (!f) return "";
  const what = f.to === "float" ? "kept in float" : "kept as a16w8 (int8 weights, float activations)";
  const metric = f.metric === "sqnr" ? "lowest SQNR of the model outputs" : f.metric === "top1" ? "top-1 agreement with the float model" : "custom score";
  const head = `<p class="muted">Target: ${escapeHtml(metric)} ≥ ${escapeHtml(String(f.target))}. Score of the all-quantized model ${escapeHtml(showScore(f.metric, f.scoreBefore))}, after fallback ${escapeHtml(showScore(f.metric, f.scoreAfter))}; ${f.layers.length} of ${f.candidates} layers ${escapeHtml(what)}; ${f.evaluations} models scored in ${f.seconds.toFixed(1)} s.</p>`;
  const cards = `<div class="cards">${card("score before", escapeHtml(showScore(f.metric, f.scoreBefore)), "all layers quantized")}${card("score after", escapeHtml(showScore(f.metric, f.scoreAfter)), `target ${escapeHtml(String(f.target))}`)}${card("layers kept float", String(f.layers.length), `of ${f.candidates} candidates`)}</div>`;
  if (!f.sensitivity.length) return `<h2>Mixed precision (fallback)</h2>${head}${cards}<p>No layer needed to fall back: the all-quantized model reaches the target.</p>`;
  const order = new Map(f.layers.map((l, k) => [l, k + 1]));
  const signed = (v: number, digits: number) => (Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${v.toFixed(digits)}` : v > 0 ? "∞" : "−∞");
  const cells = (l: FallbackLayerRow) =>
    l.measure === "local"
      ? [showScore("sqnr", l.sqnrIn), showScore("sqnr", l.sqnrOut), `${signed(l.drop, 2)}${Number.isFinite(l.drop) ? " dB" : ""}`]
      : [showScore(f.metric, l.score), Number.isFinite(l.gain) ? signed(l.gain, f.metric === "sqnr" ? 2 : 4) : showScore(f.metric, l.gain)];
  const titles =
    f.measure === "local"
      ? ["input SQNR (all-quantized)", "output SQNR (all-quantized)", "noise added (dB of noise-to-signal, output − input)"]
      : ["score with only this layer float", "gain"];
  const rows = f.sensitivity.map(
    (l) =>
      `<tr${l.chosen ? ' class="chosen"' : ""}><td><code>${escapeHtml(l.name)}</code></td><td>${escapeHtml(l.op)}</td>${cells(l).map((c) => `<td class="num">${escapeHtml(c)}</td>`).join("")}<td>${l.chosen ? `${escapeHtml(what)} (#${order.get(l.name)})` : ""}</td></tr>`,
  );
  const how =
    f.measure === "local"
      ? `<p class="muted">Sensitivity: local (two runs over the calibration data, float and all-quantized; the noise-to-signal ratio each layer adds from its float input to its output). Layers were tried in order of decreasing noise added.</p>`
      : `<p class="muted">Sensitivity: leave-one-out (the model scored with each layer alone in float). Layers were tried in order of decreasing score.</p>`;
  return `<h2>Mixed precision (fallback)</h2>${head}${cards}${how}
<table class="fallback"><thead><tr><th>layer (node)</th><th>op</th>${titles.map((t) => `<th class="num">${escapeHtml(t)}</th>`).join("")}<th>chosen</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function passTable(s: QuantizeSummary): string {
  const total = s.passes.reduce((a, p) => a + p.ms, 0) || 1;
  const rows = s.passes.map((p) => {
    const counts = Object.entries(p.counts).map(([k, v]) => `${escapeHtml(k)}: ${v}`).join(", ");
    const pct = (100 * p.ms) / total;
    const what = [p.changed ? "" : "unchanged (returned its input)", counts].filter(Boolean).join("; ");
    return `<tr><td><code>${escapeHtml(p.pass)}</code></td><td class="num">${p.ms.toFixed(1)} ms</td><td class="barcell"><span class="tbar" style="width:${pct.toFixed(1)}%"></span></td><td class="muted">${what}</td></tr>`;
  });
  return `<table class="passes"><thead><tr><th>pass</th><th class="num">time</th><th>share</th><th>counts</th></tr></thead><tbody>${rows.join("")}</tbody><tfoot><tr><td>total</td><td class="num">${total.toFixed(1)} ms</td><td colspan="2"></td></tr></tfoot></table>`;
}

function card(label: string, value: string, sub = ""): string {
  return `<div class="card"><div class="clabel">${escapeHtml(label)}</div><div class="cvalue">${value}</div>${sub ? `<div class="csub">${sub}</div>` : ""}</div>`;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d2430;background:#f6f7f9;margin:0}
main{max-width:900px;margin:0 auto;padding:24px 28px 40px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 10px;border-bottom:1px solid #dde1e6;padding-bottom:4px}
.muted{color:#69727d}.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-top:16px}
.card{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:10px 14px}
.clabel{font-size:12px;color:#69727d;text-transform:uppercase;letter-spacing:.04em}.cvalue{font-size:20px;font-weight:600;margin-top:2px}.csub{font-size:12px;color:#69727d}
pre{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:10px 12px;white-space:pre-wrap;word-break:break-all;font:12.5px/1.5 ui-monospace,"DejaVu Sans Mono",monospace}
svg.chart{background:#fff;border:1px solid #dde1e6;border-radius:6px;width:100%;height:auto;display:block;margin-bottom:10px}svg.chart.small{width:auto;max-width:100%}
svg .label,svg .value{font:12px ui-monospace,"DejaVu Sans Mono",monospace;fill:#1d2430}svg .tick,svg .axis{font:11px system-ui,"DejaVu Sans",sans-serif;fill:#69727d}
table{border-collapse:collapse;background:#fff;border:1px solid #dde1e6;width:100%}th,td{text-align:left;padding:5px 10px;border-bottom:1px solid #eef0f3;font-size:13px}
th{font-size:12px;color:#69727d;font-weight:600}th.num{text-align:right}table.passes code{white-space:nowrap}td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.barcell{width:30%}.tbar{display:inline-block;height:10px;background:#3b6fd4;border-radius:2px;min-width:1px}
ul.notes{padding-left:20px}tr.chosen td{background:#fff4e0}code{font:12.5px ui-monospace,"DejaVu Sans Mono",monospace}
.legend span{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 12px;vertical-align:-1px}
`;

export function quantizeHtml(s: QuantizeSummary): string {
  const ratio = s.bytesBefore / Math.max(1, s.bytesAfter);
  const cards = [
    card("size before", formatBytes(s.bytesBefore), `${s.bytesBefore.toLocaleString("en-US")} bytes`),
    card("size after", formatBytes(s.bytesAfter), `${s.bytesAfter.toLocaleString("en-US")} bytes · ${ratio.toFixed(2)}× smaller`),
  ];
  if (s.accuracy) {
    const d = s.accuracy.quantized - s.accuracy.float;
    cards.push(card("accuracy float", (100 * s.accuracy.float).toFixed(2) + "%", `${s.accuracy.samples} test images`));
    cards.push(card("accuracy quantized", (100 * s.accuracy.quantized).toFixed(2) + "%", `${d >= 0 ? "+" : ""}${(100 * d).toFixed(2)} points · ${escapeHtml(s.accuracy.executor)}`));
  }
  const finite = s.layers.map((l) => l.sqnrDb).filter((v): v is number => v !== null);
  if (finite.length) cards.push(card("lowest layer SQNR", `${Math.min(...finite).toFixed(1)} dB`, `${s.layers.length} quantized layer${s.layers.length === 1 ? "" : "s"}`));
  const exportLine = Object.keys(s.exportCounts).length
    ? `<p class="muted">Export emitted: ${Object.entries(s.exportCounts).map(([k, v]) => `${escapeHtml(k)} × ${v}`).join(", ")}.</p>`
    : "";
  const acc = s.accuracy
    ? `<h2>Accuracy</h2><table><thead><tr><th>model</th><th>accuracy</th><th>data</th><th>executor</th></tr></thead><tbody>
<tr><td>float (${escapeHtml(s.model)})</td><td class="num">${s.accuracy.float.toFixed(4)}</td><td>${escapeHtml(s.accuracy.dataset)}</td><td>${escapeHtml(s.accuracy.executor)}</td></tr>
<tr><td>quantized (${escapeHtml(s.output)})</td><td class="num">${s.accuracy.quantized.toFixed(4)}</td><td>${escapeHtml(s.accuracy.dataset)}</td><td>${escapeHtml(s.accuracy.executor)}</td></tr></tbody></table>`
    : "";
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>quantpass quantize report: ${escapeHtml(s.name)}</title>
<style>${CSS}</style></head>
<body><main>
<h1>quantpass quantize: ${escapeHtml(s.name)}</h1>
<div class="muted"><code>${escapeHtml(s.model)}</code> → <code>${escapeHtml(s.output)}</code> (${escapeHtml(s.format)}) · ${escapeHtml(s.source)} · executor ${escapeHtml(s.executor)}${s.calibration ? ` · calibration ${escapeHtml(s.calibration)}` : ""} · ${s.seconds.toFixed(1)} s</div>
<div class="cards">${cards.join("")}</div>
<h2>Per-layer SQNR</h2>
<p class="muted">10·log10(Σ y<sub>float</sub>² / Σ (y<sub>float</sub> − y<sub>quant</sub>)²) of each quantized layer's output, on ${escapeHtml(s.sqnrData)}. <span class="legend"><span style="background:#2f9e5b"></span>≥ 30 dB<span style="background:#e0a100"></span>20–30 dB<span style="background:#d9480f"></span>&lt; 20 dB</span></p>
${sqnrChart(s)}
${layerTable(s)}
${fallbackSection(s)}
${acc}
<h2>Size</h2>
${sizeChart(s)}
${exportLine}
<h2>Pipeline</h2>
<pre>${escapeHtml(s.pipeline)}</pre>
<h2>Time per pass</h2>
${passTable(s)}
${s.notes.length ? `<h2>Notes</h2><ul class="notes">${s.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>` : ""}
<p class="muted" style="margin-top:28px">Generated by quantpass. This file is self-contained (inline CSS and SVG).</p>
</main></body></html>
`;
}
