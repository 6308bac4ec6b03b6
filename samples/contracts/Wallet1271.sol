// SPDX-License-Identifier: MIT
// TEST ONLY: a one-owner contract wallet implementing EIP-1271, standing in for a multisig. A
// signature is valid when the owner's key signed the given hash (for por: the EIP-191 hash of the
// ownership message). The owner can be changed, so tests can show the check runs at the pinned block.
pragma solidity 0.8.28;

contract Wallet1271 {
    address public owner;

    constructor(address owner_) payable {
        owner = owner_;
    }

    receive() external payable {}

    function setOwner(address next) external {
        require(msg.sender == owner, "not owner");
        owner = next;
    }

    function isValidSignature(bytes32 hash, bytes calldata sig) external view returns (bytes4) {
        if (sig.length != 65) return 0xffffffff;
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := calldataload(sig.offset)
            s := calldataload(add(sig.offset, 32))
            v := byte(0, calldataload(add(sig.offset, 64)))
        }
        if (v < 27) v += 27;
        address signer = ecrecover(hash, v, r, s);
        return signer != address(0) && signer == owner ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }
}
