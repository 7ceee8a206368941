/**
 * A horizontal bar chart as inline SVG (no scripts, no external resources): one row per
 * item with its label on the left, the bar, and the value printed after it. Used by the
 * quantize report for per-layer SQNR and time per pass.
 */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export interface Bar {
  readonly label: string;
  /** null: no bar, `text` only (e.g. an infinite SQNR). */
  readonly value: number | null;
  readonly text: string;
  readonly color: string;
  readonly title?: string;
}

export interface BarChartOptions {
  readonly title: string;
  /** Axis caption under the chart, e.g. "SQNR (dB)". */
  readonly unit: string;
  /** Vertical reference lines (value, label), e.g. 20 dB. */
  readonly marks?: readonly { value: number; label: string }[];
  readonly width?: number;
  /** Keep the chart at its own width instead of filling the page. */
  readonly small?: boolean;
  /** Tick label of an axis value (default: the number). */
  readonly tick?: (v: number) => string;
}

const ROW = 26;
const PAD_TOP = 30;
const CHAR = 7.2; // average glyph width of the 12px monospace labels

/** A "nice" axis maximum ≥ v (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k): five round ticks. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const e = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * e >= v * (1 - 1e-12)) return m * e;
  return 10 * e;
}

export function barChart(bars: readonly Bar[], o: BarChartOptions): string {
  const width = o.width ?? 840;
  const tick = o.tick ?? ((v: number) => String(+v.toFixed(2)));
  const labelW = Math.round(Math.min(260, Math.max(60, Math.max(...bars.map((b) => b.label.length), 4) * CHAR + 20)));
  const textW = Math.max(...bars.map((b) => b.text.length), 4) * CHAR + 12;
  const plotW = Math.max(120, width - labelW - textW - 10);
  const max = niceMax(Math.max(...bars.map((b) => b.value ?? 0), ...(o.marks ?? []).map((m) => m.value)));
  const x = (v: number) => labelW + (Math.max(0, v) / max) * plotW;
  const height = PAD_TOP + bars.length * ROW + 40;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart${o.small ? " small" : ""}" role="img" aria-label="${escapeHtml(o.title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`);
  parts.push(`<title>${escapeHtml(o.title)}</title>`);
  // Grid: 5 ticks.
  for (let k = 0; k <= 5; k++) {
    const v = (max * k) / 5;
    const gx = x(v).toFixed(1);
    parts.push(`<line x1="${gx}" y1="${PAD_TOP - 6}" x2="${gx}" y2="${PAD_TOP + bars.length * ROW}" stroke="#e3e6ea"/>`);
    parts.push(`<text x="${gx}" y="${PAD_TOP + bars.length * ROW + 16}" text-anchor="middle" class="tick">${escapeHtml(tick(v))}</text>`);
  }
  for (const m of o.marks ?? []) {
    const mx = x(m.value).toFixed(1);
    parts.push(`<line x1="${mx}" y1="${PAD_TOP - 10}" x2="${mx}" y2="${PAD_TOP + bars.length * ROW}" stroke="#8a94a3" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${mx}" y="${PAD_TOP - 14}" text-anchor="middle" class="tick">${escapeHtml(m.label)}</text>`);
  }
  bars.forEach((b, k) => {
    const y = PAD_TOP + k * ROW;
    const fits = Math.floor((labelW - 14) / CHAR);
    const label = b.label.length > fits ? `…${b.label.slice(-(fits - 1))}` : b.label;
    parts.push(`<g><title>${escapeHtml(b.title ?? `${b.label}: ${b.text}`)}</title>`);
    parts.push(`<text x="${labelW - 8}" y="${y + 17}" text-anchor="end" class="label">${escapeHtml(label)}</text>`);
    const end = b.value === null ? labelW : x(b.value);
    if (b.value !== null) parts.push(`<rect x="${labelW}" y="${y + 4}" width="${Math.max(1, end - labelW).toFixed(1)}" height="${ROW - 8}" rx="2" fill="${b.color}"/>`);
    parts.push(`<text x="${(end + 6).toFixed(1)}" y="${y + 17}" class="value">${escapeHtml(b.text)}</text>`);
    parts.push(`</g>`);
  });
  parts.push(`<text x="${labelW + plotW / 2}" y="${height - 6}" text-anchor="middle" class="axis">${escapeHtml(o.unit)}</text>`);
  parts.push(`</svg>`);
  return parts.join("\n");
}
