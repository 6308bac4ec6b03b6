// `por ownership-message --json`: `por-ownership-messages` v1, the exact message each address of a
// wallet manifest must sign, in manifest order, and whether the manifest already holds it. Pure.
import { CHAIN_IDENTITY } from '../reserves/identity.js';
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';

export const FORMAT = 'por-ownership-messages';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'exchange', 'snapshot', 'messages'] as const;
const MESSAGE_FIELDS = ['index', 'chain', 'chainId', 'address', 'label', 'message', 'signed'] as const;

export interface OwnershipMessageRow {
  /** The address's index in the manifest's `addresses`. */
  index: number;
  /** The chain's name in the manifest, and its identity (CAIP-2). */
  chain: string;
  chainId: string;
  address: string;
  label: string;
  /** The exact text to sign. */
  message: string;
  /** The manifest already holds exactly this message. */
  signed: boolean;
}

export interface OwnershipMessages {
  exchange: string;
  snapshot: { id: string; time: string };
  messages: OwnershipMessageRow[];
}

export function write(v: OwnershipMessages): Record<string, unknown> {
  return inOrder(FIELDS, { format: FORMAT, version: VERSION, exchange: v.exchange, snapshot: v.snapshot, messages: v.messages.map((m) => inOrder(MESSAGE_FIELDS, m)) });
}

export function read(json: unknown, where: string | Where = {}): OwnershipMessages {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  const s = doc.get('snapshot');
  s.exact(['id', 'time']);
  const messages = doc.get('messages').array().map((m) => {
    m.exact(MESSAGE_FIELDS);
    return {
      index: m.get('index').int(), chain: m.get('chain').string(), chainId: m.get('chainId').string(CHAIN_IDENTITY, 'a CAIP-2 chain id'),
      address: m.get('address').string(), label: m.get('label').string(), message: m.get('message').string(), signed: m.get('signed').bool(),
    };
  });
  return { exchange: doc.get('exchange').string(), snapshot: { id: s.get('id').string(), time: s.get('time').time() }, messages };
}
