// A verifier's `Check` ({name, ok, detail}) read through the located reader: the one way every
// document that carries checks (por-verdict, por-compare) reads them back. Pure.
import type { JsonAt } from '../json/read.js';
import type { Check } from './index.js';

export function readCheck(c: JsonAt): Check {
  c.exact(['name', 'ok', 'detail']);
  return { name: c.get('name').string(), ok: c.get('ok').bool(), detail: c.get('detail').string() };
}
