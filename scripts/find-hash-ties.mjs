// Finds user ids whose user hashes (docs/SPEC.md) share their leading 4 or more bytes, for
// test/merkle/leaf-order.test.ts: a tie-break bug only shows with such ties, which random users
// almost never have. Brute force over ids t0, t1, … with plain node:crypto (nothing from src/).
//   node scripts/find-hash-ties.mjs [snapshotId=ties] [count=1048576]
// The secret is the tests' SECRET (test/merkle/helpers.ts). 2^20 ids take ~10 s.
import { createHash, createHmac } from 'node:crypto';

const secret = Buffer.from('0123456789abcdef0123456789abcdef-test-secret');
const sid = process.argv[2] ?? 'ties';
const N = Number(process.argv[3] ?? 2 ** 20);
const tag = (t) => Buffer.concat([Buffer.from(t, 'ascii'), Buffer.of(1)]);
const lp = (s) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.of(b.length >> 8, b.length & 255), b]);
};
const userHash = (id) => {
  const salt = createHmac('sha256', secret).update(Buffer.concat([tag('por.salt'), lp(sid), lp(id)])).digest();
  return createHash('sha256').update(Buffer.concat([tag('por.user'), lp(id), salt])).digest();
};
// Key: top 40 bits of the hash, then the id's number (24 bits), so one sort groups the ties.
const keys = new BigUint64Array(N);
for (let i = 0; i < N; i++) keys[i] = (BigInt(userHash(`t${i}`).readUIntBE(0, 5)) << 24n) | BigInt(i);
keys.sort();
const ties = [];
for (let i = 1; i < N; i++) {
  if (keys[i] >> 32n !== keys[i - 1] >> 32n) continue;
  const [a, b] = [keys[i - 1], keys[i]].map((k) => `t${Number(k & 0xffffffn)}`);
  const [ha, hb] = [userHash(a), userHash(b)];
  let k = 0;
  while (ha[k] === hb[k]) k++;
  ties.push({ shared: k, a, b, ha: ha.toString('hex').slice(0, 16), hb: hb.toString('hex').slice(0, 16) });
}
ties.sort((x, y) => y.shared - x.shared);
for (const t of ties.slice(0, 20)) console.log(`${t.shared} bytes  ${t.a} ${t.ha}…  ${t.b} ${t.hb}…`);
