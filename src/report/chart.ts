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

export interface RatioBar {
  asset: string;
  /** Coverage in percent (display only). */
  percent: number;
  label: string;
  exchangeToken?: boolean;
}

/** Horizontal bars of reserve ratio per asset with a rule at 100 %. */
export async function ratioBarChart(bars: RatioBar[], title = 'Reserve ratio per asset'): Promise<string> {
  const values = bars.map((b) => ({
    asset: b.exchangeToken ? `${b.asset} (own token)` : b.asset,
    percent: b.percent,
    label: b.label,
    status: b.percent >= 100 ? 'covered' : 'under 100 %',
  }));
  const max = Math.max(110, ...values.map((v) => v.percent));
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, font: FONT, fontSize: 14 },
    width: 480,
    height: { step: 28 },
    config: { font: FONT, view: { stroke: null } },
    layer: [
      {
        data: { values },
        mark: { type: 'bar', cornerRadiusEnd: 2 },
        encoding: {
          y: { field: 'asset', type: 'nominal', sort: null, title: null },
          x: { field: 'percent', type: 'quantitative', title: 'reserves ÷ liabilities (%)', scale: { domain: [0, max] } },
          color: {
            field: 'status',
            type: 'nominal',
            scale: { domain: ['covered', 'under 100 %'], range: ['#2e7d32', '#c62828'] },
            legend: { title: null, orient: 'bottom' },
          },
        },
      },
      {
        data: { values },
        mark: { type: 'text', align: 'left', dx: 4 },
        encoding: {
          y: { field: 'asset', type: 'nominal', sort: null },
          x: { field: 'percent', type: 'quantitative' },
          text: { field: 'label' },
        },
      },
      {
        data: { values: [{ x: 100 }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#333' },
        encoding: { x: { field: 'x', type: 'quantitative' } },
      },
    ],
  };
  return toSvg(spec);
}

export interface LinePoint {
  /** ISO time. */
  time: string;
  series: string;
  value: number;
}

/** One line per series over time (history: reserve ratio per asset), with a rule at `ruleAt`. */
export async function lineChart(points: LinePoint[], opts: { title: string; yTitle: string; ruleAt?: number }): Promise<string> {
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    {
      data: { values: points },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'time', type: 'temporal', title: 'snapshot time (UTC)', timeUnit: undefined },
        y: { field: 'value', type: 'quantitative', title: opts.yTitle },
        color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } },
      },
    },
  ];
  if (opts.ruleAt !== undefined) {
    layers.push({
      data: { values: [{ y: opts.ruleAt }] },
      mark: { type: 'rule', strokeDash: [4, 3], color: '#333' },
      encoding: { y: { field: 'y', type: 'quantitative' } },
    });
  }
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: opts.title, font: FONT, fontSize: 14 },
    width: 520,
    height: 260,
    config: { font: FONT, view: { stroke: null }, axis: { labelFont: FONT, titleFont: FONT } },
    layer: layers,
  } as TopLevelSpec;
  return toSvg(spec);
}
