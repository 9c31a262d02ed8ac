// `npm run viz` serves the page; `npm run viz:build` writes a static site to out/viz that any
// static server can host (relative URLs; the wasm binaries are embedded in the bundle).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// With these headers the page is cross-origin isolated, so every browser lets the heap be a shared
// WebAssembly.Memory; without them (most static servers) Chromium still shares it, and browsers that
// refuse get an unshared one. All work.
const isolation = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  build: {
    outDir: fileURLToPath(new URL("../out/viz", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
  },
  server: { headers: isolation },
  preview: { headers: isolation },
});
