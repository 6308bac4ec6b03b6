// One entry point for every proof format por understands: the CLI and the web page both call it.
// Pure: no Node builtins, so the page bundles this very module.
import { porError } from '../errors/index.js';
import type { Verdict } from './types.js';
import { verifyPorProof, type Published } from './por.js';
import { verifyOkxV1Proof, verifyOkxUserProof } from '../formats/okx-proof.js';
import { isObject } from '../json/index.js';
import { verifyBybitProof } from '../formats/bybit.js';
import { isOkxZkProof, verifyOkxZkProof } from '../formats/okx-zk.js';
import { binanceZkLayout, verifyBinanceZkProof } from '../formats/binance-zk.js';

export type { Published } from './por.js';
export const PROOF_FORMATS = ['por', 'okx-v1', 'okx-user', 'okx-zk', 'binance-zk', 'bybit-v1'] as const;
export type ProofFormat = (typeof PROOF_FORMATS)[number];

/** Recognises a proof file by its shape; undefined when it is none of the known formats. */
export function detectProofFormat(json: unknown): ProofFormat | undefined {
  if (!isObject(json)) return undefined;
  if (typeof json.format === 'string' && json.format.startsWith('por-proof')) return 'por';
  if (isObject(json.self) && Array.isArray(json.path)) return isObject(json.self.balance) && typeof json.self.userHash === 'string' ? 'bybit-v1' : 'okx-v1';
  if (typeof json.hash === 'string' && Array.isArray(json.nodes) && isObject(json.totalBalances)) return 'okx-user';
  if (isOkxZkProof(json)) return 'okx-zk';
  if (binanceZkLayout(json) !== undefined) return 'binance-zk';
  return undefined;
}

export function verifyAnyProof(json: unknown, published: Published, format?: ProofFormat): Verdict {
  const f = format ?? detectProofFormat(json);
  if (f === undefined) {
    throw porError('BAD_INPUT', `not a proof file por knows; known formats: ${PROOF_FORMATS.join(', ')} (por proof JSON, OKX path proof with "self" and "path", OKX per-user breakdown with "hash", "nodes" and "totalBalances", OKX zk-STARK inclusion proof with "account" and "sum_tree_siblings", Binance/Gate/HTX zk proof with "AccountIdHash" or "UniqueIdentification", Bybit path proof with "self.balance" and "self.userHash")`);
  }
  switch (f) {
    case 'por':
      return verifyPorProof(json, published);
    case 'okx-v1':
      return withPublishedRootHash(verifyOkxV1Proof(json), published.rootHash);
    case 'okx-user':
      return verifyOkxUserProof(json);
    case 'bybit-v1':
      return withPublishedRootHash(verifyBybitProof(json), published.rootHash);
    case 'okx-zk': {
      // The root is OKX's sum_proof_data.json (given where por's report goes) or the hash alone.
      const pub: { rootHash?: string; sumProofData?: unknown } = {};
      if (published.rootHash !== undefined) pub.rootHash = published.rootHash;
      if (published.report !== undefined) pub.sumProofData = published.report;
      return verifyOkxZkProof(json, pub);
    }
    case 'binance-zk':
      return withPublishedRootHash(verifyBinanceZkProof(json), published.rootHash);
  }
}

// An OKX path proof carries its own root; when the user also has the root OKX published, the
// proof only counts if the two are the same.
export function withPublishedRootHash(verdict: Verdict, rootHash: string | undefined): Verdict {
  if (rootHash === undefined) return verdict;
  const want = rootHash.trim().toLowerCase().replace(/^0x/, '');
  const ok = verdict.root.hash.toLowerCase() === want;
  const check = {
    name: 'published-root-hash',
    ok,
    detail: ok ? `the proof's root ${verdict.root.hash} is the published root` : `the proof's root ${verdict.root.hash} is not the published root ${want}`,
  };
  return { ...verdict, valid: verdict.valid && ok, checks: [...verdict.checks, check] };
}
