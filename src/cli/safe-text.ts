// Terminal-safe text: the one place every string por prints passes through (src/cli/context.ts
// calls it for stdout, stderr, progress, warnings and errors), so no command can forget it.
// Anything an exchange writes (an `exchange` name, a user id, an asset symbol, an ownership message)
// could otherwise carry ESC sequences that clear the screen and paint a fake verdict, CR or
// backspaces that overwrite one, BEL, or bidi overrides that reorder what is shown. Pure.

// Control characters (C0, DEL, C1), format characters (bidi embeddings, overrides and isolates,
// zero-width characters, the BOM, …), line and paragraph separators, and lone surrogates.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/**
 * `text` with every unsafe character shown visibly: C0, DEL and C1 as `\xNN` (ESC is `\x1b`), the
 * others as `\u{NNNN}` (U+202E is `\u{202e}`). Tab is kept; line feed is kept unless `oneLine`.
 */
export function safeText(text: string, oneLine = false): string {
  return text.replace(UNSAFE, (c) => {
    if (c === '\t' || (c === '\n' && !oneLine)) return c;
    const cp = c.codePointAt(0)!;
    return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
  });
}

// JSON.stringify escapes U+0000–U+001F and lone surrogates; these it leaves raw.
const JSON_UNSAFE = /[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * JSON text (as JSON.stringify writes it) with DEL, C1, format characters and separators written
 * as `\uXXXX` escapes. Outside strings JSON holds none of these, so the value read back is the same.
 */
export function safeJson(json: string): string {
  return json.replace(JSON_UNSAFE, (c) => {
    let out = '';
    for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return out;
  });
}
