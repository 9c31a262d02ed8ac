// Builds the TF.js adapter's test page (tfjs-layers, the cpu and wasm backends, wasm-optim/tfjs)
// into out/browser-tfjs-fixture.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("../../../out/browser-tfjs-fixture", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 4096, // TF.js with layers and two backends is a few MB
  },
});
