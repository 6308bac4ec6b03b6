// Summa's ownership-signature variant: EIP-191 over keccak256(abi.encode(message)). Vectors made here
// with an independent signer (ethers' Wallet and AbiCoder), and the two other variants must NOT pass.
import { describe, expect, it } from 'vitest';
import { AbiCoder, Wallet, getBytes, keccak256, toUtf8Bytes } from 'ethers';
import { abiEncodeString, verifySummaEvm } from '../../src/signatures/summa-evm.js';
import { verifyEip191, verifyOkxEvm } from '../../src/signatures/okx-evm.js';

const wallet = new Wallet(keccak256(toUtf8Bytes('por summa TEST ONLY key')));
const message = 'Summa proof of solvency for CryptoExchange';
const summaSign = (m: string) => wallet.signMessageSync(getBytes(keccak256(AbiCoder.defaultAbiCoder().encode(['string'], [m]))));

describe('Summa EVM ownership signatures', () => {
  it('abi.encode(string) byte for byte as ethers encodes it (short, 32-byte and long messages)', () => {
    for (const m of ['', 'x', 'a'.repeat(32), 'ü'.repeat(40)]) {
      expect(Buffer.from(abiEncodeString(m)).toString('hex')).toBe(AbiCoder.defaultAbiCoder().encode(['string'], [m]).slice(2));
    }
  });
  it('a signature over keccak256(abi.encode(message)) verifies; the plain and OKX variants do not accept it', () => {
    const sig = summaSign(message);
    expect(verifySummaEvm(wallet.address, message, sig)).toMatchObject({ ok: true, scheme: 'summa-eip191-keccak-abi' });
    expect(verifyEip191(wallet.address, message, sig).ok).toBe(false);
    expect(verifyOkxEvm(wallet.address, message, sig).ok).toBe(false);
  });
  it('another message, another address, a plain EIP-191 signature, a truncated one: refused', () => {
    const sig = summaSign(message);
    expect(verifySummaEvm(wallet.address, `${message}!`, sig).ok).toBe(false);
    expect(verifySummaEvm('0x0000000000000000000000000000000000000001', message, sig).ok).toBe(false);
    expect(verifySummaEvm(wallet.address, message, wallet.signMessageSync(message)).ok).toBe(false);
    expect(verifySummaEvm(wallet.address, message, sig.slice(0, 100))).toMatchObject({ ok: false, reason: expect.stringMatching(/65 bytes/) });
  });
});
