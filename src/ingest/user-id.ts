// The rule every user id in a liabilities snapshot keeps (docs/FORMATS.md, User ids). Ids are
// compared as exact strings, so two spellings of one person would become two leaves and split
// their balance: ids that could be spelled two ways are refused, not silently normalised.
// Pure.
import { MAX_ID_BYTES } from '../core/merkle/bounds.js';

export { MAX_ID_BYTES as MAX_USER_ID_BYTES };

/** Why text[start..end) is not an acceptable user id, and where (offset into the id); or undefined. */
export function userIdFault(text: string, start: number, end: number): { offset: number; why: string } | undefined {
  // Fast path, nearly every id: printable ASCII without spaces, so one byte per character.
  let i = start;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) break;
  }
  if (i === end) return end - start > MAX_ID_BYTES ? tooLong(end - start) : undefined;
  return slowFault(text.slice(start, end));
}

// Characters that are invisible or that a second spelling hides behind: controls (Cc), format
// characters such as zero-width spaces, joiners, bidi marks and the BOM (Cf), lone surrogates (Cs),
// private-use (Co) and unassigned (Cn) code points, and every separator (Z*) but the ASCII space.
const INVISIBLE = /[\p{C}\p{Z}]/u;

function slowFault(id: string): { offset: number; why: string } | undefined {
  const bytes = utf8Length(id);
  if (bytes > MAX_ID_BYTES) return tooLong(bytes);
  if (id.charCodeAt(0) === 0x20 || id.charCodeAt(id.length - 1) === 0x20) {
    const offset = id.charCodeAt(0) === 0x20 ? 0 : id.length - 1;
    return { offset, why: 'starts or ends with a space; remove it (spaces around an id would make a second user)' };
  }
  for (let i = 0; i < id.length; ) {
    const cp = id.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (cp !== 0x20 && INVISIBLE.test(ch)) {
      return { offset: i, why: `contains ${codePoint(cp)}, an invisible, control or separator character; ids may use the space (U+0020) only between other characters` };
    }
    i += ch.length;
  }
  const nfc = id.normalize('NFC');
  if (nfc !== id) {
    let k = 0;
    while (k < id.length && id[k] === nfc[k]) k++;
    return { offset: k, why: `is not in Unicode normal form NFC (its NFC form is ${JSON.stringify(nfc)}); export ids in NFC so one person has one spelling` };
  }
  return undefined;
}

function tooLong(bytes: number): { offset: number; why: string } {
  return { offset: 0, why: `is ${bytes} bytes of UTF-8; at most ${MAX_ID_BYTES} are allowed (docs/SPEC.md, Leaves)` };
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function codePoint(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}
