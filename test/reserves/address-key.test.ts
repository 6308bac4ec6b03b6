// One address key (src/core/reserves/identity.ts): the reserves CSV used to compare addresses with
// its own rule (only EVM hex case-folded), so a bech32 address written in two cases was two reserve
// rows there and one address in the report and audit. Now every stage asks addressKey.
import { describe, expect, it } from 'vitest';
import { loadAssetRegistry } from '../../src/assets/load.js';
import { PorError } from '../../src/core/errors/index.js';
import { addressKey } from '../../src/core/reserves/identity.js';
import { parseReserveBalances } from '../../src/solvency/index.js';

const registry = await loadAssetRegistry('test/fixtures/ingest/assets.json');

// [chain, asset, first spelling, second spelling, same address?] — decided by hand from the address
// formats: EVM hex and bech32 (BIP-173: all lower or all upper case) ignore case; base58 does not.
const pairs: [string, string, string, string, boolean][] = [
  ['ethereum', 'ETH', '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', '0x70997970c51812dc3a010c7d01b50e0d17dc79c8', true],
  ['bitcoin', 'BTC', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', 'BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ', true],
  // Where the two rules disagreed: the report's key folded this, the CSV's did not.
  ['bitcoin', 'BTC', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', 'bc1qAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ', true],
  ['bitcoin', 'BTC', 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx', 'TB1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KXPJZSX', true],
  ['bitcoin', 'BTC', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', '1bvbmseystwetqtfn5au4m4gfg7xjanvn2', false],
  ['bitcoin', 'BTC', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', false],
];

function duplicateRefused(chain: string, asset: string, a: string, b: string): boolean {
  const text = `chain,address,asset,balance\n${chain},${a},${asset},1\n${chain},${b},${asset},1\n`;
  try {
    parseReserveBalances(text, registry, 'r.csv');
    return false;
  } catch (e) {
    if (e instanceof PorError && e.code === 'DUPLICATE') return true;
    throw e;
  }
}

describe('one address key', () => {
  for (const [chain, asset, a, b, same] of pairs) {
    it(`${a} and ${b}: ${same ? 'one address' : 'two addresses'}, in the report's key and in the reserves CSV alike`, () => {
      expect(addressKey('bip122:000000000019d6689c085ae165831e93', a) === addressKey('bip122:000000000019d6689c085ae165831e93', b)).toBe(same);
      expect(duplicateRefused(chain, asset, a, b)).toBe(same);
    });
  }
  it('the same address on two chains is two keys', () => {
    expect(addressKey('eip155:1', '0x70997970C51812dc3A010C7d01b50e0d17dc79C8')).not.toBe(addressKey('eip155:10', '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'));
  });
});
