// Shapes of parsed JSON, shared by every reader of por's and foreign documents. Pure.

/** A JSON object (not null, not an array): the one check every document reader starts with. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
