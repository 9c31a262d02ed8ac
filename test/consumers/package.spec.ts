// What the tarball holds, and what its declarations leave out.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { run } from "./helpers/run.js";

const { app, tarball } = inject("consumer");
const INSTALLED = join(app, "node_modules", "wasm-optim");

describe("the packed tarball", () => {
  it("ships dist/ (built by prepack), README, LICENSE and package.json, and no source maps", async () => {
    const { stdout } = await run("tar", ["-tzf", tarball], app);
    const files = stdout.trim().split("\n").map((f) => f.replace(/^package\//, ""));
    console.log(`tarball: ${(statSync(tarball).size / 1000).toFixed(1)} kB, ${files.length} files`);
    expect(files).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "dist/state/crc32.js"]));
    expect(files.filter((f) => !f.startsWith("dist/")).sort()).toEqual(["LICENSE", "README.md", "package.json"]);
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    expect(readFileSync(join(INSTALLED, "LICENSE"), "utf8")).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the wasm-optim authors/);
  });

  it("has no runtime dependency, and an entry for import, require and types", () => {
    const pkg = JSON.parse(readFileSync(join(INSTALLED, "package.json"), "utf8"));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", import: "./dist/index.js", default: "./dist/index.js" });
    expect(pkg.exports["./package.json"]).toBe("./package.json");
  });

  it("declares no @internal member (stripInternal), so Engine.heap is not public", () => {
    const dist = join(INSTALLED, "dist");
    const declarations = readdirSync(dist, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".d.ts"));
    const internal = declarations.filter((f) => readFileSync(join(dist, f), "utf8").includes("@internal"));
    expect(internal).toEqual([]);
    expect(readFileSync(join(dist, "engine.d.ts"), "utf8")).not.toMatch(/\bheap\b\s*:/);
  });
});
