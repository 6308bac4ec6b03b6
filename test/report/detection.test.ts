// Users left out (docs/THREATS.md row 5): the published chance that k omitted accounts are
// noticed when a share f of users checks. Checked three ways, none of them the module's own arithmetic:
// values worked out by hand, exact rational arithmetic with bigint, and a seeded simulation.
import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import {
  DETECTION_DIGITS, DETECTION_OMITTED, DETECTION_SHARES, detectionProbability, detectionTable, percentDown, percentUp, shareNeeded,
} from '../../src/core/report/detection.js';
import { canonicalJson } from '../../src/report/assemble.js';
import { parseReport } from '../../src/core/report/parse.js';
import { renderReportHtml } from '../../src/report/html.js';
import { isPorError } from '../../src/core/errors/index.js';
import { makeReport } from './fixture.js';

describe('detection probability, by hand', () => {
  it('f = 0.5, k = 2: each of the two omitted users stays silent with probability 1/2, so 1 − 1/4 = 0.75', () => {
    expect(detectionProbability('0.5', 2).toString()).toBe('0.75');
  });
  it('f = 0.1, k = 3: 1 − 0.9³ = 1 − 0.729 = 0.271', () => {
    expect(detectionProbability('0.1', 3).toString()).toBe('0.271');
  });
  it('edges: nobody checks → 0; everybody checks → 1; one omission → f', () => {
    expect(detectionProbability('0', 1000).toString()).toBe('0');
    expect(detectionProbability('1', 1).toString()).toBe('1');
    expect(detectionProbability('0.001', 1).toString()).toBe('0.001');
  });
  it('the inverse: confidence 0.75 against 2 omissions needs f = 1 − √0.25 = 0.5; 0.999 against 3 needs 1 − ∛0.001 = 0.9', () => {
    expect(shareNeeded('0.75', 2).minus('0.5').abs().lt('1e-35')).toBe(true);
    expect(shareNeeded('0.999', 3).minus('0.9').abs().lt('1e-35')).toBe(true);
  });
  it('refuses shares outside [0, 1] and a count below 1', () => {
    expect(() => detectionProbability('1.5', 1)).toThrow(/from 0 to 1/);
    expect(() => detectionProbability('-0.1', 1)).toThrow(/from 0 to 1/);
    expect(() => detectionProbability('0.1', 0)).toThrow(/positive integer/);
    expect(() => shareNeeded('1', 3)).toThrow(/below 1/);
  });
  it('percentages for the page round so as never to overstate', () => {
    expect(percentDown('0.75')).toBe('75.00 %');
    expect(percentDown('0.63396765872677')).toBe('63.39 %');
    expect(percentDown('0.99999999')).toBe('> 99.99 %');
    expect(percentDown('1')).toBe('100 %');
    expect(percentUp('0.2056717652757185')).toBe('20.57 %');
  });
});

// Exact: f = a/1000, so 1 − (1 − f)^k = (1000^k − (1000 − a)^k) / 1000^k, a ratio of bigints.
function exactTruncated(share: string, k: number, digits: number): string {
  const a = BigInt(new Decimal(share).times(1000).toFixed(0));
  const den = 1000n ** BigInt(k);
  const num = den - (1000n - a) ** BigInt(k);
  // Decimal digits of num/den, truncated: enough places for `digits` significant digits of any value here.
  const places = 80;
  const scaled = (num * 10n ** BigInt(places)) / den;
  const s = scaled.toString().padStart(places + 1, '0');
  const text = `${s.slice(0, -places)}.${s.slice(-places)}`;
  // Keep `digits` significant digits, dropping the rest (round down).
  let seen = 0;
  let out = '';
  let started = false;
  for (const ch of text) {
    if (ch === '.') {
      out += ch;
      continue;
    }
    if (seen >= digits) out += '0';
    else {
      out += ch;
      if (ch !== '0' || started) {
        started = true;
        seen++;
      }
    }
  }
  return new Decimal(out).toFixed(); // normalise: no trailing zeros
}

describe('the published table', () => {
  const t = detectionTable();
  it('has every share × omitted row, each equal to the exact value truncated to the published digits', () => {
    expect(t.rows.map((r) => `${r.share}/${r.omitted}`)).toEqual(DETECTION_SHARES.flatMap((s) => DETECTION_OMITTED.map((k) => `${s}/${k}`)));
    for (const r of t.rows) expect(r.probability, `${r.share}/${r.omitted}`).toBe(exactTruncated(r.share, r.omitted, DETECTION_DIGITS));
    // 1 − 0.9^1000 = 1 − 1.7·10^−46: not 1, never rounded up to certainty.
    expect(t.rows.find((r) => r.share === '0.1' && r.omitted === 1000)!.probability).toBe('0.' + '9'.repeat(DETECTION_DIGITS));
    // 1 − 0.99^100 = 0.6339676587267709…  (e^(100·ln 0.99) = e^−1.00503… = 0.36603…)
    expect(t.rows.find((r) => r.share === '0.01' && r.omitted === 100)!.probability).toMatch(/^0\.633967658726770/);
  });
  it('each share needed is enough (checked forward, at 80 digits), and one unit in its last digit less is not', () => {
    const H = Decimal.clone({ precision: 80 });
    for (const n of t.needed) {
      const f = new H(n.share);
      const detect = (x: Decimal) => new H(1).minus(new H(1).minus(x).pow(n.omitted));
      expect(detect(f).gte(n.confidence), `${n.confidence}/${n.omitted}`).toBe(true);
      const ulp = new H(10).pow(f.e - DETECTION_DIGITS + 1);
      expect(detect(f.minus(ulp)).lt(n.confidence), `${n.confidence}/${n.omitted}`).toBe(true);
    }
    // 90 % against 10 omissions: 1 − 0.1^(1/10) = 0.2056717652757185…
    expect(t.needed.find((n) => n.confidence === '0.9' && n.omitted === 10)!.share).toMatch(/^0\.205671765275718/);
  });
});

describe('a simulation of omissions matches the formula', () => {
  // mulberry32: small, seeded, uniform enough for this.
  function rng(seed: number) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  // N users of whom the first k were left out; each checks with probability f; noticed when an
  // omitted user checks. T rounds. Everyone is drawn (not just the omitted), as in a real population.
  function simulate(N: number, k: number, f: number, T: number, seed: number): number {
    const r = rng(seed);
    let noticed = 0;
    for (let t = 0; t < T; t++) {
      let hit = false;
      for (let u = 0; u < N; u++) if (r() < f && u < k) hit = true;
      if (hit) noticed++;
    }
    return noticed / T;
  }
  it.each([
    [0.01, 100],
    [0.05, 10],
    [0.001, 1000],
    [0.1, 1],
  ])('f = %s, k = %s: the detection rate over 4,000 rounds is within 4 standard errors of 1 − (1 − f)^k', (f, k) => {
    const N = 2000;
    const T = 4000;
    const p = Number(detectionProbability(String(f), k).toString()); // a JS number only to compare with a sample rate
    const rate = simulate(N, k, f, T, 20261125 + k);
    const se = Math.sqrt((p * (1 - p)) / T); // binomial standard error; ≥ 0.0047 for these cases
    expect(Math.abs(rate - p)).toBeLessThan(4 * se);
  });
  it('the simulation is not blind: with f off by a third the formula misses by far more than 4 standard errors', () => {
    const p = Number(detectionProbability('0.01', 100).toString());
    const rate = simulate(2000, 100, 0.0067, 4000, 7);
    expect(Math.abs(rate - p)).toBeGreaterThan(4 * Math.sqrt((p * (1 - p)) / 4000));
  });
});

describe('report.json and report.html carry the table', () => {
  it('report.json has detection rows for 0.1 %, 1 %, 5 %, 10 % × 1, 10, 100, 1000 omitted, and survives a round trip', () => {
    const r = makeReport();
    expect(r.detection!.formula).toBe('P(detect) = 1 - (1 - f)^k');
    expect(r.detection!.rows).toHaveLength(16);
    expect(r.detection!.rows[0]).toEqual({ share: '0.001', omitted: 1, probability: '0.001' });
    const back = parseReport(JSON.parse(canonicalJson(r)));
    expect(back.detection).toEqual(r.detection);
  });

  it('an older report without the field still parses; a malformed one names the field', () => {
    const old = JSON.parse(canonicalJson(makeReport()));
    delete old.detection;
    expect(parseReport(old).detection).toBeUndefined();
    const bad = JSON.parse(canonicalJson(makeReport()));
    bad.detection.rows[2].probability = 'most likely';
    let err: unknown;
    try {
      parseReport(bad, 'r.json');
    } catch (e) {
      err = e;
    }
    expect(isPorError(err, 'BAD_INPUT') && err.info.field).toBe('detection.rows[2].probability');
  });

  it('report.html explains it in words and shows the table, figures rounded down', async () => {
    const html = await renderReportHtml(makeReport());
    expect(html).toContain('If the exchange left out <em>k</em> accounts and a share <em>f</em> of users check');
    const table = html.slice(html.indexOf('<table id="detection">'), html.indexOf('</table>', html.indexOf('<table id="detection">')));
    const row = (label: string) => [...table.split('<tr>').find((r) => r.startsWith(`<th>${label} of users check</th>`))!.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1]);
    // 1 − 0.999^k: k = 1 → 0.1 %; k = 10 → 1 − 0.990044880209… = 0.99551… %; k = 1000 → 1 − e^(1000·ln 0.999) ≈ 1 − 0.36770 = 63.23 %
    expect(row('0.1 %')).toEqual(['0.10 %', '0.99 %', '9.52 %', '63.23 %']);
    // 1 − 0.95^10 = 1 − 0.5987369392… = 40.12 %
    expect(row('5 %')[1]).toBe('40.12 %');
    // 1 − 0.99^100 = 63.39 %; 1 − 0.9^1000 rounds down, so never to a flat 100 %
    expect(row('1 %')[2]).toBe('63.39 %');
    expect(row('10 %')[3]).toBe('&gt; 99.99 %');
    // 1 − 0.1^(1/k): k = 1 → 90 %; k = 10 → 20.57 %; k = 100 → 1 − e^(ln 0.1 / 100) = 2.276… → 2.28 % (rounded up)
    expect(html).toContain('for a 90 % chance that someone notices: 1 left-out account needs 90.00 % of users checking; 10 left-out accounts 20.57 %; 100 left-out accounts 2.28 %;');
    // An older report renders without the section.
    const old = makeReport();
    delete old.detection;
    expect(await renderReportHtml(old)).not.toContain('id="detection"');
  });
});
