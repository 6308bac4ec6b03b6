// Identifiers on the pages (hashes, addresses, transaction ids): shown shortened, `0x1234…abcd`,
// never broken across lines, with the whole value kept for the reader who needs it. The whole
// value is the element's text (so selecting it, or a test reading textContent, gets all of it),
// its title (hover), and `user-select: all` makes one click select it for copying; CSS hides the
// middle behind an ellipsis (see ID_CSS). Pure and browser-safe: report, audit and history pages
// are written in Node, verify.html builds the same element in the browser.

/** How many characters stay visible at each end (after a `0x` prefix, which is kept). */
export interface IdShape {
  head: number;
  tail: number;
}

export const ID_SHAPE: IdShape = { head: 4, tail: 4 };

/** The parts an identifier is shown in: `head` + `middle` (hidden) + `tail` is the whole value. */
export interface IdParts {
  head: string;
  middle: string;
  tail: string;
}

/**
 * Splits `id` for display. An identifier short enough to show whole (it would save fewer than
 * four characters) has an empty middle. A `0x` prefix is kept in front of the head.
 */
export function idParts(id: string, shape: IdShape = ID_SHAPE): IdParts {
  const prefix = /^0x/i.test(id) ? id.slice(0, 2) : '';
  const head = prefix.length + shape.head;
  if (id.length - head - shape.tail < 4) return { head: id, middle: '', tail: '' };
  return { head: id.slice(0, head), middle: id.slice(head, id.length - shape.tail), tail: id.slice(id.length - shape.tail) };
}

/** The shortened text, `0x1234…abcd` (for places that carry no markup, such as a chart label). */
export function shortId(id: string, shape: IdShape = ID_SHAPE): string {
  const p = idParts(id, shape);
  return p.middle === '' ? p.head : `${p.head}…${p.tail}`;
}

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** The identifier as HTML: `<span class="id" title="WHOLE">head<span class="id-m">middle</span>tail</span>`. */
export function idHtml(id: string, shape: IdShape = ID_SHAPE): string {
  const p = idParts(id, shape);
  const inner = p.middle === '' ? escape(p.head) : `${escape(p.head)}<span class="id-m">${escape(p.middle)}</span>${escape(p.tail)}`;
  return `<span class="id" title="${escape(id)}">${inner}</span>`;
}

/**
 * A value the reader must compare character by character (a root hash) is shown whole instead, in
 * groups of `size` characters (a `0x` prefix stays on the first) that wrap only between groups.
 */
export function idGroups(id: string, size = 8): string[] {
  const prefix = /^0x/i.test(id) ? id.slice(0, 2) : '';
  const rest = id.slice(prefix.length);
  const groups: string[] = [];
  for (let i = 0; i < rest.length; i += size) groups.push(rest.slice(i, i + size));
  if (groups.length === 0) return [id];
  groups[0] = prefix + groups[0];
  return groups;
}

/** `idGroups` as HTML: `<span class="id-full" title="WHOLE"><span>0x12345678</span><wbr><span>…</span></span>`. */
export function fullIdHtml(id: string): string {
  return `<span class="id-full" title="${escape(id)}">${idGroups(id).map((g) => `<span>${escape(g)}</span>`).join('<wbr>')}</span>`;
}

// Hex of 16+ digits after 0x (hashes, EVM addresses), bare hex of 40+ (not the digits of a decimal
// number), and Bitcoin bech32 addresses.
const IDS = /0x[0-9a-fA-F]{16,}|(?<![\d.])\b[0-9a-fA-F]{40,}\b|\b(?:bc1|tb1|bcrt1)[02-9ac-hj-np-z]{20,}\b/g;

/** Plain text as HTML, with every long identifier in it shown by `idHtml`. */
export function textWithIds(text: string): string {
  let out = '';
  let at = 0;
  for (const m of text.matchAll(IDS)) {
    out += escape(text.slice(at, m.index)) + idHtml(m[0]);
    at = m.index! + m[0].length;
  }
  return out + escape(text.slice(at));
}

/** A time (ISO 8601) that never wraps mid-string. */
export function timeHtml(iso: string): string {
  return `<time class="nw" datetime="${escape(iso)}">${escape(iso)}</time>`;
}

/**
 * The CSS the pages share for identifiers. The middle is laid out in a box one character wide that
 * clips it, its glyphs left unpainted, with an ellipsis drawn over the box: the middle is still
 * text, so it is selected, copied and found by the browser's search, and the ellipsis (generated
 * content) is not copied: a copy is exactly the whole value.
 */
export const ID_CSS = `.id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; white-space: nowrap; user-select: all; -webkit-user-select: all; }
.id-m { display: inline-block; position: relative; width: 1ch; overflow: hidden; vertical-align: bottom; -webkit-text-fill-color: transparent; }
.id-m::after { content: "…"; position: absolute; left: 0; top: 0; -webkit-text-fill-color: currentColor; }
.id-full { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; user-select: all; -webkit-user-select: all; }
.id-full > span { white-space: nowrap; }
.id-full > wbr + span { margin-left: 0.5ch; }
`;
