// Before the consumer tests: `npm pack` (its prepack builds dist/), then a consumer project in a
// temporary folder with the fixture files and the tarball installed as a user would install it.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { CHROMIUM } from "../browser/helpers/paths.js";
import { FIXTURE, REPO } from "./helpers/paths.js";
import { run } from "./helpers/run.js";

export interface Consumer {
  /** The consumer project, with node_modules/wasm-optim installed from the tarball. */
  app: string;
  /** A second one that also installs TF.js (the optional peer), for wasm-optim/tfjs. */
  tfjsApp: string;
  tarball: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    consumer: Consumer;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  const work = mkdtempSync(join(tmpdir(), "wasm-optim-consumers-"));
  const remove = () => rmSync(work, { recursive: true, force: true });
  try {
    const packed = await run("npm", ["pack", "--pack-destination", work], REPO);
    const tarball = join(work, packed.stdout.trim().split("\n").at(-1)!);
    const app = join(work, "app");
    cpSync(FIXTURE, app, { recursive: true });
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2));
    // The package has no dependencies, so this needs no registry.
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], app);
    // TF.js is an optional peer: only the project that uses wasm-optim/tfjs installs it (from the
    // npm cache that the repository's own install filled, at the version the repository tests).
    const tfjsApp = join(work, "tfjs-app");
    cpSync(FIXTURE, tfjsApp, { recursive: true });
    writeFileSync(join(tfjsApp, "package.json"), JSON.stringify({ name: "tfjs-consumer", private: true, type: "module" }, null, 2));
    const tfjsVersion = JSON.parse(readFileSync(join(REPO, "node_modules", "@tensorflow", "tfjs-core", "package.json"), "utf8")).version;
    const tfjs = ["tfjs-core", "tfjs-backend-cpu"].map((name) => `@tensorflow/${name}@${tfjsVersion}`);
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball, ...tfjs], tfjsApp);
    project.provide("consumer", { app, tfjsApp, tarball });
  } catch (error) {
    remove();
    throw error;
  }
  return remove;
}
