// The consumer tests (`npm run test:consumers`): the packed tarball, installed in a temporary
// project, loaded from Node ESM, CommonJS, strict TypeScript, an import-map page and a Vite app.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/consumers/**/*.spec.ts"],
    globalSetup: ["test/consumers/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Machines may have two cores: tsc, Vite and Chromium one after another.
    fileParallelism: false,
  },
});
