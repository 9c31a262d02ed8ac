// (c) The shipped declarations in a strict TypeScript consumer without the DOM lib, Node's types
// or skipLibCheck, under Node16 and bundler module resolution.
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { TSC } from "./helpers/paths.js";
import { run } from "./helpers/run.js";

const { app, tfjsApp } = inject("consumer");

const STRICT = { strict: true, noEmit: true, target: "ES2022", lib: ["ES2022"], types: [], skipLibCheck: false };

/** Type-checks `files` in the consumer project with these options; tsc's messages on failure. */
async function typecheck(name: string, compilerOptions: object, files: string[], project = app): Promise<void> {
  const config = `tsconfig.${name}.json`;
  writeFileSync(join(project, config), JSON.stringify({ compilerOptions, files }, null, 2));
  await run(TSC, ["-p", config], project);
}

describe("a strict TypeScript consumer (lib ES2022, types [], skipLibCheck false)", () => {
  it.each([
    ["node16", { module: "node16", moduleResolution: "node16" }],
    ["bundler", { module: "esnext", moduleResolution: "bundler" }],
  ])("(c) type-checks its use of the public API with %s resolution", async (name, resolution) => {
    await typecheck(name, { ...STRICT, ...resolution }, ["consumer.ts"]);
  });

  it("can check every shipped declaration file, even those only the internals reach (nothing names a stripped @internal type)", async () => {
    // In the project that has TF.js, which dist/tfjs's declarations name.
    const dist = join(tfjsApp, "node_modules", "wasm-optim", "dist");
    const declarations = readdirSync(dist, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".d.ts"));
    expect(declarations).toContain("index.d.ts");
    expect(declarations).toContain(join("tfjs", "index.d.ts"));
    // The internal backend modules do name WebAssembly, so this check has the DOM lib.
    await typecheck("all", { ...STRICT, lib: ["ES2022", "DOM"], types: ["long"], module: "node16", moduleResolution: "node16" }, declarations.map((f) => join(dist, f)), tfjsApp);
  });
});
