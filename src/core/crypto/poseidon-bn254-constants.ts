// DATA ONLY: pins for circomlib's Poseidon constants over BN254 (the ones the `poseidon-lite` npm
// package ships, version 0.3.0, files constants/1.js … constants/16.js, licence MIT per its
// package.json; the constants themselves come from the Poseidon authors' reference script
// hadeshash generate_parameters_grain.sage, as poseidon-lite's source says).
//
// Why digests and not the ~12,000 constants: @noble/curves' grainGenConstants (MIT) regenerates the
// very same constants from the same Grain LFSR (checked for every width 2..17 by
// test/crypto/poseidon-bn254.test.ts), so por derives them at first use and refuses to hash unless
// what it derived has the digest below. The page stays small and por carries no copy of a
// third party's table. Digest = SHA-256 over the round constants (in order) then the MDS matrix
// (row-major), each element as 32 bytes big-endian, computed from poseidon-lite's files.

/** Partial rounds by width t = 2..17 (circomlib's N_ROUNDS_P); full rounds are 8 for every width. */
export const CIRCOM_PARTIAL_ROUNDS: readonly number[] = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];

export const CIRCOM_CONSTANTS_SHA256: Readonly<Record<number, string>> = {
  2: '3e9ac7a21b079388665a19f61c96f0fd615e3827a280c092c29fda11fa56612e', // 128 round constants, 2x2 MDS
  3: 'd580f0ebf5aec8825a0212c9db8fd20135155e1352e68809e2d7f2bc5440b86f', // 195 round constants, 3x3 MDS
  4: 'd952ffa224da14b3b4371989f1eb102935b4ab0462225ab84143c90d74b78872', // 256 round constants, 4x4 MDS
  5: '7b6c63d84ef4f2aa7766fe56bdd5874dfc34fd26ada5427de75bcb89af8cd09e', // 340 round constants, 5x5 MDS
  6: 'ae7315565817fecf26c90ea3e5c69d8a5dedd9c37d2ac0e157e5c700ef20f1d3', // 408 round constants, 6x6 MDS
  7: 'b7a09ec5091aca8cdcfb76f7daefe15fe7bf2c9e5fc4f66ab6b0e06b79aa17a9', // 497 round constants, 7x7 MDS
  8: '456edbb1cd45856b3639fd72d3cba7fd67bf186464670910aacd92623efc25ed', // 576 round constants, 8x8 MDS
  9: '2339e81bec30df5e41c5bfad22d36d4dd123c2c5e885a915eccf9d597e4766e5', // 639 round constants, 9x9 MDS
  10: '9d71419103b73977bdde121699901685e90d174ad6229ae1c5328357ed5cbc48', // 680 round constants, 10x10 MDS
  11: '987240e650b503e3f23e9fbd24a8aebb06cc9488efe03ce60aa3f78341310ced', // 814 round constants, 11x11 MDS
  12: 'e5198fc9e9d009cd24ac1861d665234b5832fb95913ae830c8a2f75166c55b18', // 816 round constants, 12x12 MDS
  13: '2b391537b4e7c8965568d362bcd63863c1b287a69b3a48fddf719c7485c689f2', // 949 round constants, 13x13 MDS
  14: '75df997c46f382699a218d3a6edff012aa22c1a67b0e9d7c7e5a3b01b5646a26', // 1092 round constants, 14x14 MDS
  15: 'f5c3cb5b90bdf747c6977449856d0965ee3e70db7df42a8b6b6586914617cfd9', // 1020 round constants, 15x15 MDS
  16: '3a2b50c38811186645a5f44519fb683b99c44ea6478b4c98b563c060b5e9cef4', // 1152 round constants, 16x16 MDS
  17: '3a4345ef7579ca6fe2c94bd670680e1b0789914ef612cf75c98a15f4dc62a422', // 1292 round constants, 17x17 MDS
};
