import { fileURLToPath } from "node:url";

const at = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** Debian's chromium package; CHROMIUM_PATH overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const VIZ_CONFIG = at("viz/vite.config.ts");
export const FIXTURE_CONFIG = at("test/browser/fixture/vite.config.ts");
/** Where those configs build to. */
export const VIZ_SITE = at("out/viz");
export const FIXTURE_SITE = at("out/browser-fixture");
/** Test artifacts (gitignored). */
export const ARTIFACTS = at("test-results");
