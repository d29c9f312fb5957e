/** The folders whose TypeScript a compiled command may import (tests and screens/ excepted). */
export declare const SOURCE_DIRS: readonly string[];
/** Where `root`'s compiled tree lives: one per checkout. */
export declare function compiledDir(root?: string): string;
/** The `.ts` files under `root`'s source folders whose compiled `.js` is missing or out of date. */
export declare function staleSources(root: string, out: string, dirs?: readonly string[]): string[];
/** The URL of the compiled `common/cli.js`, compiling what changed first; undefined when it cannot be had. */
export declare function compiledCli(root?: string): string | undefined;
