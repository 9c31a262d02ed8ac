// (f) wasm-optim/tfjs, the subpath export, in a project that installed TF.js (an optional peer):
// Node loads it, its step equals tf.train.adam's, and its declarations type-check.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { TSC } from "./helpers/paths.js";
import { run } from "./helpers/run.js";

const { tfjsApp } = inject("consumer");

describe("a TF.js consumer of wasm-optim/tfjs", () => {
  it("(f) imports the subpath, gets a tf.Optimizer, and steps as tf.train.adam", async () => {
    const { stdout } = await run(process.execPath, ["tfjs.js"], tfjsApp);
    const result = JSON.parse(stdout);
    expect(result.resolved).toBe(pathToFileURL(join(tfjsApp, "node_modules", "wasm-optim", "dist", "tfjs", "index.js")).href);
    expect(result.isTfjsOptimizer).toBe(true);
    // TF.js's cpu Adam uses epsilon 1e-7 and float32 kernels: equal to ~1e-6 after one step.
    result.ours.forEach((value: number, i: number) => expect(value).toBeCloseTo(result.theirs[i], 5));
    expect(result.ours).not.toEqual([1, 2, 3, -4]);
  });

  it("(f) type-checks a strict consumer of the adapter (TF.js's own declarations need the DOM lib and @types/long)", async () => {
    const config = "tsconfig.tfjs.json";
    // TF.js's declarations name the global `Long` of @types/long (its own dependency), and the DOM.
    const compilerOptions = { strict: true, noEmit: true, target: "ES2022", lib: ["ES2022", "DOM"], types: ["long"], skipLibCheck: false, module: "node16", moduleResolution: "node16" };
    writeFileSync(join(tfjsApp, config), JSON.stringify({ compilerOptions, files: ["tfjs-consumer.ts"] }, null, 2));
    await run(TSC, ["-p", config], tfjsApp);
  });
});
