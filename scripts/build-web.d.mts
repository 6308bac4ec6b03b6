// Types for scripts/build-web.mjs, so TypeScript tests can import it.
export function renderVerifyPage(): Promise<string>;
export function buildVerifyPage(outFile?: string): Promise<number>;
