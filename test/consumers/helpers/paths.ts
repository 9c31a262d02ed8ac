import { fileURLToPath } from "node:url";

const at = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

export const REPO = at("");
/** The repository's own TypeScript compiler: the consumer projects install nothing but the tarball. */
export const TSC = at("node_modules/.bin/tsc");
/** Files copied into the consumer project. */
export const FIXTURE = at("test/consumers/fixture");
