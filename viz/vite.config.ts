// `npm run viz` serves the page; `npm run viz:build` writes a static site to out/viz that any
// static server can host (relative URLs; the wasm binaries are embedded in the bundle).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// With these headers the page is cross-origin isolated and the heap is a shared WebAssembly.Memory;
// without them (most static servers) it is an unshared one. Both work.
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
