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
 * The CSS the pages share for identifiers. The middle is laid out in a box one character wide
 * whose overflow is clipped and marked with an ellipsis (text-overflow): it is still text, so it
 * is selected, copied and found by the browser's search, and the ellipsis, being no text, is never
 * copied: a copy is exactly the whole value.
 */
export const ID_CSS = `.id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; white-space: nowrap; user-select: all; -webkit-user-select: all; }
.id-m { display: inline-block; width: 1ch; overflow: hidden; text-overflow: ellipsis; vertical-align: bottom; }
`;
