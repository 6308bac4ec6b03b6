// A local HTTP server answering the Esplora API endpoints por uses, from fixtures built in the
// test (Esplora JSON shapes: /block-height/:h, /blocks/tip/height, /block/:hash,
// /address/:a (chain_stats), /address/:a/txs/chain[/:last_seen_txid] paged 25 at a time,
// /address/:a/utxo). No Bitcoin node runs on these machines, so this is what the Bitcoin reader
// is tested against.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bech32 } from '@scure/base';
import { hash160 } from '../../src/signatures/bitcoin-address.js';
import { bitcoinMessageHash } from '../../src/signatures/bitcoin.js';

export const TESTNET3_GENESIS = '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943';

export interface EsploraTx {
  txid: string;
  status: { confirmed: boolean; block_height?: number };
  vin: { txid: string; vout: number; prevout: { scriptpubkey_address: string; value: number } | null }[];
  vout: { scriptpubkey_address: string; value: number }[];
}

export interface EsploraFixture {
  genesis: string;
  tip: number;
  /** Addresses whose history requests answer HTTP 500. */
  broken?: string[];
  /** Transactions left out of /txs/chain pages but still in /address/:a totals (a faulty server). */
  dropFromHistory?: string[];
  txs: EsploraTx[];
}

export const blockHash = (h: number) => (h === 0 ? TESTNET3_GENESIS : bytesToHex(sha256(new TextEncoder().encode(`block ${h}`))));
export const blockTime = (h: number) => 1_795_000_000 + h * 600;
export const txid = (label: string) => bytesToHex(sha256(new TextEncoder().encode(label)));

export async function startEsplora(fx: EsploraFixture): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const history = (addr: string) =>
    fx.txs
      .filter((t) => t.vout.some((o) => o.scriptpubkey_address === addr) || t.vin.some((i) => i.prevout?.scriptpubkey_address === addr))
      .filter((t) => t.status.confirmed)
      .sort((a, b) => (b.status.block_height ?? 0) - (a.status.block_height ?? 0) || (a.txid < b.txid ? -1 : 1));
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    let m: RegExpExecArray | null;
    if (path === '/blocks/tip/height') return send(200, String(fx.tip));
    if ((m = /^\/block-height\/(\d+)$/.exec(path))) {
      const h = Number(m[1]);
      // Height 0 is the fixture's genesis: what tells the chain's identity (docs/RESERVES.md).
      return h <= fx.tip ? send(200, h === 0 ? fx.genesis : blockHash(h)) : send(404, 'Block not found');
    }
    if ((m = /^\/block\/([0-9a-f]{64})$/.exec(path))) {
      if (m[1] === fx.genesis) return send(200, { id: m[1], height: 0, timestamp: blockTime(0) });
      for (let h = 1; h <= fx.tip; h++) if (blockHash(h) === m[1]) return send(200, { id: m[1], height: h, timestamp: blockTime(h) });
      return send(404, 'Block not found');
    }
    if ((m = /^\/address\/([^/]+)\/txs\/chain(?:\/([0-9a-f]{64}))?$/.exec(path))) {
      const addr = decodeURIComponent(m[1]!);
      if (fx.broken?.includes(addr)) return send(500, 'internal error');
      const all = history(addr).filter((t) => !fx.dropFromHistory?.includes(t.txid));
      const start = m[2] ? all.findIndex((t) => t.txid === m![2]) + 1 : 0;
      return send(200, all.slice(start, start + 25));
    }
    if ((m = /^\/address\/([^/]+)$/.exec(path))) {
      // Esplora's per-address totals over confirmed transactions (chain_stats).
      const addr = decodeURIComponent(m[1]!);
      const txsOf = history(addr);
      const funded = txsOf.flatMap((t) => t.vout.filter((o) => o.scriptpubkey_address === addr));
      const spent = txsOf.flatMap((t) => t.vin.filter((i) => i.prevout?.scriptpubkey_address === addr));
      return send(200, {
        address: addr,
        chain_stats: {
          tx_count: txsOf.length,
          funded_txo_count: funded.length,
          funded_txo_sum: funded.reduce((a, o) => a + o.value, 0),
          spent_txo_count: spent.length,
          spent_txo_sum: spent.reduce((a, i) => a + i.prevout!.value, 0),
        },
        mempool_stats: { tx_count: 0, funded_txo_count: 0, funded_txo_sum: 0, spent_txo_count: 0, spent_txo_sum: 0 },
      });
    }
    if ((m = /^\/address\/([^/]+)\/utxo$/.exec(path))) {
      const addr = decodeURIComponent(m[1]!);
      const spent = new Set(fx.txs.flatMap((t) => t.vin.map((i) => `${i.txid}:${i.vout}`)));
      const utxos = fx.txs.flatMap((t) =>
        t.vout.flatMap((o, n) => (o.scriptpubkey_address === addr && !spent.has(`${t.txid}:${n}`) ? [{ txid: t.txid, vout: n, value: o.value, status: t.status }] : [])),
      );
      return send(200, utxos);
    }
    send(404, 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** TEST ONLY key → testnet P2WPKH address. */
export function testnetP2wpkh(secret: Uint8Array): string {
  const pub = secp256k1.getPublicKey(secret, true);
  return bech32.encode('tb', [0, ...bech32.toWords(hash160(pub))]);
}

/** A BIP-137 signature (header 39–42: P2WPKH) made for tests; verification is src/signatures'. */
export function signBip137P2wpkh(secret: Uint8Array, message: string): string {
  const rec = secp256k1.sign(bitcoinMessageHash(message, 'testnet'), secret, { prehash: false, format: 'recovered' });
  const out = new Uint8Array(65);
  out[0] = 39 + rec[0]!;
  out.set(rec.slice(1), 1);
  return Buffer.from(out).toString('base64');
}
