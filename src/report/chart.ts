// Charts for the report, audit and history pages: vega-lite specs rendered to SVG at build time in
// Node (renderer "none": no canvas, no DOM, no network), so the pages carry the finished picture.
// Chart values are JS numbers: they only place marks; every figure a reader can read is exact text
// elsewhere on the page.
// vega and vega-lite are optional dependencies, loaded on the first chart: a package installed
// without them still builds trees and verifies proofs, and only the pages say what is missing.
import type { TopLevelSpec } from 'vega-lite';
import { porError } from '../core/errors/index.js';

type ChartLibs = { vega: typeof import('vega'); vegaLite: typeof import('vega-lite') };
let libs: Promise<ChartLibs> | undefined;

/** Imports one optional package, or says which one to install. */
async function optional<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw err;
    throw porError('BAD_USAGE', `charts on the report, audit and history pages need the optional package ${name}, which is not installed: run \`npm install ${name}\` where por is installed`, { field: name }, err);
  }
}

function chartLibs(): Promise<ChartLibs> {
  libs ??= (async () => ({ vega: await optional('vega', () => import('vega')), vegaLite: await optional('vega-lite', () => import('vega-lite')) }))();
  // A failed load is not cached: installing the package and retrying in the same process works.
  libs.catch(() => (libs = undefined));
  return libs;
}

const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif';

let chartCount = 0;

async function toSvg(spec: TopLevelSpec): Promise<string> {
  // vega numbers its clip paths from 1 in every SVG; prefix them so two charts on a page never collide.
  const prefix = `c${++chartCount}-`;
  const { vega, vegaLite } = await chartLibs();
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    // Screen readers get a title; the chart is decorative beside the exact table.
    return svg
      .replace('<svg ', '<svg role="img" ')
      .replace(/id="(clip\d+)"/g, `id="${prefix}$1"`)
      .replace(/url\(#(clip\d+)\)/g, `url(#${prefix}$1)`);
  } finally {
    view.finalize();
  }
}

// One colour meaning on every page: red = under 100 %, green = at or over 100 % (the tables' .bad
// and .ok, verify.html's --bad and --ok). Lines per asset use colours that are neither.
export const UNDER = '#c62828';
export const COVERED = '#2e7d32';
const SERIES = ['#1565c0', '#6a1b9a', '#795548', '#546e7a', '#00838f', '#283593', '#9e9d24', '#37474f'];
const STATUS = { field: 'status', type: 'nominal', scale: { domain: ['at or over 100 %', 'under 100 %'], range: [COVERED, UNDER] }, legend: null } as const;
const status = (percent: number) => (percent >= 100 ? 'at or over 100 %' : 'under 100 %');
const KEY = 'green: at or over 100 % · red: under 100 %';

/**
 * Each chart is drawn twice, for a desk and for a phone; the page shows the one that fits (CSS
 * `.chart-wide` / `.chart-narrow`) scaled to the full width of its box. Total width in px, axes
 * included; `labels` is the room a value's label needs beside a bar, as a share of the plot.
 */
const SIZES = [
  { cls: 'chart-wide', width: 1000, labels: 0.08 },
  { cls: 'chart-narrow', width: 340, labels: 0.3 },
] as const;

type Size = (typeof SIZES)[number];

async function bothSizes(spec: (size: Size) => TopLevelSpec): Promise<string> {
  const svgs = await Promise.all(SIZES.map(async (s) => `<div class="${s.cls}">${await toSvg(spec(s))}</div>`));
  return svgs.join('');
}

/**
 * An axis framed around 100 % rather than from 0, so 103 % and 107 % look different: from the
 * lowest value (or 100) to the highest (or 100), widened so that `room.low` and `room.high` of the
 * whole axis are left free at each end (for labels, or to breathe). Values over `cap` are drawn at
 * the edge (their label says the figure); the axis never goes below 0.
 */
export function framedDomain(values: readonly number[], room: { low: number; high: number }, cap = 300): [number, number] {
  const lo = Math.min(100, ...values);
  const hi = Math.min(cap, Math.max(100, ...values));
  const span = Math.max(hi - lo, 5);
  const total = span / (1 - room.low - room.high);
  return [Math.max(0, Math.floor(lo - total * room.low)), Math.ceil(hi + total * room.high)];
}

type Layers = NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']>;

/** The dashed 100 % line and its label ("100 %" above the line's top, or at its right end). */
function hundredLine(axis: 'x' | 'y'): Layers {
  const at = { [axis]: { datum: 100, type: 'quantitative' } };
  const label = axis === 'x' ? { y: { value: 0 } } : { x: { value: 'width' } };
  const mark = axis === 'x' ? { baseline: 'bottom', dy: -3 } : { align: 'right', baseline: 'bottom', dy: -3 };
  return [
    // One datum of its own: the chart's data would draw the line and its label once per row.
    { data: { values: [{}] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#333', strokeWidth: 1.5 }, encoding: at },
    { data: { values: [{}] }, mark: { type: 'text', fontWeight: 'bold', color: '#333', ...mark }, encoding: { ...at, ...label, text: { value: '100 %' } } },
  ] as Layers;
}

function base(title: string, size: Size, height: number): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle: KEY, font: FONT, fontSize: 14, subtitleFont: FONT, subtitleFontSize: 12, anchor: 'start', offset: 14 },
    width: size.width,
    height,
    autosize: { type: 'fit-x', contains: 'padding' },
    config: { font: FONT, view: { stroke: null }, axis: { labelFont: FONT, titleFont: FONT, labelFontSize: 12, titleFontSize: 12 }, legend: { labelFontSize: 12 } },
  };
}

export interface RatioBar {
  asset: string;
  /** Coverage in percent (display only). */
  percent: number;
  label: string;
  exchangeToken?: boolean;
}

/**
 * Reserve ratio per asset as bars that start at the labelled 100 % line: right and green when
 * covered, left and red when not; the figure written at the bar's end.
 */
export async function ratioBarChart(bars: RatioBar[], title = 'Reserve ratio per asset'): Promise<string> {
  const values = bars.map((b) => ({ asset: b.exchangeToken ? `${b.asset} (own token)` : b.asset, percent: b.percent, label: b.label, status: status(b.percent) }));
  const anyUnder = values.some((v) => v.percent < 100);
  const y = { field: 'asset', type: 'nominal', sort: null, title: null } as const;
  const label = (x: object, under: boolean) => ({
    transform: [{ filter: `datum.percent ${under ? '<' : '>='} 100` }],
    mark: { type: 'text', align: under ? 'right' : 'left', dx: under ? -4 : 4, fontWeight: 'bold' },
    encoding: { y, x, text: { field: 'label' }, color: { value: under ? UNDER : COVERED } },
  });
  return bothSizes((size) => {
    const domain = framedDomain(values.map((v) => v.percent), { low: anyUnder ? size.labels : 0.03, high: size.labels });
    const x = { field: 'percent', type: 'quantitative', title: 'reserves ÷ liabilities (%)', scale: { domain, clamp: true, nice: false, zero: false }, axis: { tickCount: size.width > 500 ? 10 : 4 } } as const;
    return {
      ...base(title, size, 30 * values.length),
      data: { values },
      layer: [
        { mark: { type: 'bar', cornerRadius: 2, height: 20 }, encoding: { y, x, x2: { datum: 100 }, color: STATUS } },
        label(x, true),
        label(x, false),
        ...hundredLine('x'),
      ],
    } as TopLevelSpec;
  });
}

export interface LinePoint {
  /** ISO time. */
  time: string;
  series: string;
  value: number;
}

/**
 * One line per series over time (history: reserve ratio per asset) on an axis framed around the
 * labelled 100 % line; each point red when under 100 %, green when at or over.
 */
export async function lineChart(points: LinePoint[], opts: { title: string; yTitle: string }): Promise<string> {
  const values = points.map((p) => ({ ...p, status: status(p.value) }));
  const domain = framedDomain(values.map((p) => p.value), { low: 0.06, high: 0.06 });
  const y = { field: 'value', type: 'quantitative', title: opts.yTitle, scale: { domain, clamp: true, nice: false, zero: false } } as const;
  return bothSizes((size) => {
    const x = { field: 'time', type: 'temporal', title: 'snapshot time (UTC)', axis: { format: '%Y-%m-%d', labelOverlap: 'greedy', labelFlush: true, tickCount: size.width > 500 ? 8 : 3 } } as const;
    return {
      ...base(opts.title, size, size.width > 500 ? 300 : 240),
      data: { values },
      layer: [
        { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color: { field: 'series', type: 'nominal', title: null, scale: { range: SERIES }, legend: { orient: 'bottom', columns: size.width > 500 ? 8 : 4 } } } },
        { mark: { type: 'point', filled: true, size: 60, opacity: 1, stroke: '#fff', strokeWidth: 1 }, encoding: { x, y, fill: STATUS, detail: { field: 'series' } } },
        ...hundredLine('y'),
      ],
    } as TopLevelSpec;
  });
}
