import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ID_CSS, fullIdHtml, idGroups, idHtml, idParts, shortId, textWithIds, timeHtml } from '../../src/core/display/identifier.js';

const HASH = '0x' + '0123456789abcdef'.repeat(4);

describe('identifiers shortened for display', () => {
  it('keeps 0x, four characters after it and the last four: 0x0123…cdef', () => {
    expect(shortId(HASH)).toBe('0x0123…cdef');
    expect(shortId('bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh')).toBe('bc1q…0wlh');
  });

  it('the parts put back together are the whole value', () => {
    const p = idParts(HASH);
    expect(p.head + p.middle + p.tail).toBe(HASH);
    expect(p.middle).toHaveLength(66 - 6 - 4);
  });

  it('leaves a short identifier whole: shortening must save at least four characters', () => {
    // 0x + 4 + 4 + 3 = 13 characters: "…" would hide only 3
    expect(shortId('0x12345678abc')).toBe('0x12345678abc');
    expect(idParts('0x12345678abc').middle).toBe('');
    expect(shortId('0x12345678abcd')).toBe('0x1234…abcd');
    expect(shortId('snap-1')).toBe('snap-1');
  });

  it('HTML: the whole value in the title and as the text, escaped', () => {
    expect(idHtml(HASH)).toBe(`<span class="id" title="${HASH}">0x0123<span class="id-m">${HASH.slice(6, -4)}</span>cdef</span>`);
    expect(idHtml('a"<b>&c')).toBe('<span class="id" title="a&quot;&lt;b&gt;&amp;c">a&quot;&lt;b&gt;&amp;c</span>');
  });

  it('text: each long identifier in it shortened, the rest escaped, short hex left alone', () => {
    const addr = '0x00000000000000000000000000000000000000a1';
    expect(textWithIds(`ethereum ${addr} <cold>`)).toBe(`ethereum ${idHtml(addr)} &lt;cold&gt;`);
    expect(textWithIds('block 0x1f at 12 deadbeef')).toBe('block 0x1f at 12 deadbeef');
    const ratio = 'ratio 0.6923076923076923076923076923076923076923 (gross)';
    expect(textWithIds(ratio)).toBe(ratio);
    const bc = 'bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh';
    expect(textWithIds(`bitcoin ${bc}`)).toBe(`bitcoin ${idHtml(bc)}`);
  });

  it('a time is one unbreakable piece', () => {
    expect(timeHtml('2026-11-24T00:00:05.000Z')).toBe('<time class="nw" datetime="2026-11-24T00:00:05.000Z">2026-11-24T00:00:05.000Z</time>');
  });

  it('a root hash to compare is shown whole, in groups of 8 that wrap only between groups', () => {
    expect(idGroups(HASH)).toEqual(['0x01234567', ...'89abcdef 01234567 89abcdef 01234567 89abcdef 01234567 89abcdef'.split(' ')]);
    expect(idGroups(HASH).join('')).toBe(HASH);
    expect(fullIdHtml('0xabcdef0123')).toBe('<span class="id-full" title="0xabcdef0123"><span>0xabcdef01</span><wbr><span>23</span></span>');
  });

  it('verify.html carries the same identifier CSS as the pages written in Node', () => {
    // page.css is a plain file bundled by scripts/build-web.mjs; it cannot import ID_CSS.
    const css = readFileSync(new URL('../../src/web/page.css', import.meta.url), 'utf8');
    expect(css).toContain(ID_CSS.trim());
  });
});
