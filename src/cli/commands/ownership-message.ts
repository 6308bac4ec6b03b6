// `por ownership-message`: the exact message each reserve address must sign for this snapshot.
import { write as writeMessages } from '../../core/documents/ownership-messages.js';
import { defineCommand, EXIT, type ExitCode } from '../context.js';
import { inputArgument } from '../inputs.js';
import { loadAssetRegistry } from '../../assets/load.js';
import { porError } from '../../core/errors/index.js';
import { loadWalletManifest } from '../../reserves/load.js';
import { normaliseAddress, ownershipMessages, OWNERSHIP_MESSAGE_HEADER, type WalletManifest } from '../../reserves/index.js';

export interface OwnershipMessageArgs {
  /** The wallet manifest: the first argument (or the deprecated --wallets). */
  manifest: string;
  assets?: string;
  address: string[];
}

export const ownershipMessageCommand = defineCommand<OwnershipMessageArgs>({
  command: 'ownership-message [manifest]',
  describe: 'Print the exact message each reserve address must sign for this snapshot',
  builder: (y) =>
    inputArgument(y, {
      key: 'manifest',
      label: 'WALLETS.json',
      describe: 'Wallet manifest (format por-wallets v2); ownership entries may be missing',
      usage: 'por ownership-message WALLETS.json [--address ADDR …]',
      old: { name: 'wallets' },
    })
      .usage(
        'por ownership-message WALLETS.json [--address ADDR …] [--json]\n\n' +
          `Each address of the wallet manifest proves it belongs to the exchange by signing one message, compared whole (never searched): "${OWNERSHIP_MESSAGE_HEADER}", then the exchange, the snapshot id, the snapshot time (ISO 8601 UTC), the chain's identity (eip155:CHAINID or bip122:GENESIS, never its name) and the address, one per line, joined by "\\n" with no trailing newline (docs/RESERVES.md). ` +
          'Sign it with the address\'s key (EVM: EIP-191 personal_sign, or the contract wallet\'s owners for EIP-1271; Bitcoin: BIP-322 or BIP-137) and put message and signature in the manifest\'s "ownership". ' +
          'Text output shows each message under a "── " header line; --json gives the exact strings (use it when a signer needs the bytes).',
      )
      .option('assets', { type: 'string', describe: 'Asset registry: also check that every asset of the manifest exists on its chain' })
      .option('address', { type: 'string', array: true, default: [] as string[], describe: 'Only these addresses (repeatable)' })
      .example('por ownership-message samples/wallets.json', '')
      .example('por ownership-message samples/wallets.json --address 0x8bAA389419746bEd4258d533d7bFeD103b09f394 --json', '')
      .epilogue('Exit codes: 0 printed; 2 the manifest cannot be read, or an --address is not in it.') as never,
  run: async (args, ctx): Promise<ExitCode> => {
    const registry = args.assets !== undefined ? await loadAssetRegistry(args.assets) : undefined;
    const manifest = await loadWalletManifest(args.manifest, registry);
    const messages = select(manifest, args.address, args.manifest);
    const signed = new Map(manifest.addresses.map((e) => [e.index, e.ownership?.message]));
    const rows = messages.map((m) => ({ ...m, signed: signed.get(m.index) === m.message }));
    if (ctx.json) {
      ctx.printJson(writeMessages({ exchange: manifest.exchange, snapshot: manifest.snapshot, messages: rows }));
      return EXIT.OK;
    }
    const blocks = rows.map((r) => `── addresses[${r.index}] ${r.chain} (${r.chainId}) ${r.address}${r.label ? ` ${JSON.stringify(r.label)}` : ''}: ${r.signed ? 'the manifest holds this message' : 'to be signed'}\n${r.message}`);
    ctx.print(blocks.join('\n\n'));
    return EXIT.OK;
  },
});

function select(manifest: WalletManifest, wanted: readonly string[], file: string) {
  const all = ownershipMessages(manifest);
  if (wanted.length === 0) return all;
  for (const w of wanted) {
    if (!all.some((m) => normaliseAddress(m.address) === normaliseAddress(w))) throw porError('BAD_USAGE', `address ${w} is not in the wallet manifest`, { file, field: 'address' });
  }
  return all.filter((m) => wanted.some((w) => normaliseAddress(w) === normaliseAddress(m.address)));
}
