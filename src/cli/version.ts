// por's version and the git commit it was built from. scripts/build.mjs bakes both into the bundle
// (esbuild `define`), so an installed package knows them without git or package.json at run time.
// Run from source (vitest, tsc) the placeholders are absent and the fallbacks below apply.
declare const __POR_VERSION__: string | undefined;
declare const __POR_COMMIT__: string | undefined;

/** The package version (semver), e.g. "0.1.0". */
export const VERSION: string = typeof __POR_VERSION__ === 'string' ? __POR_VERSION__ : '0.0.0-source';

/** The commit the build was made from (12 hex digits, "-dirty" if the tree had changes), or "unknown" outside git. */
export const COMMIT: string = typeof __POR_COMMIT__ === 'string' ? __POR_COMMIT__ : 'unknown';

/** What `por --version` prints. */
export const VERSION_LINE = `${VERSION} (commit ${COMMIT})`;
