// Before the browser tests: check that Chromium is there, and build the two static sites they
// serve (the visualizer, and the plain test page with its bundle of src/index.ts) exactly as
// `npm run viz:build` does.
import { existsSync } from "node:fs";
import { build } from "vite";
import { CHROMIUM, FIXTURE_CONFIG, VIZ_CONFIG } from "./helpers/paths.js";

export default async function setup(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  for (const configFile of [VIZ_CONFIG, FIXTURE_CONFIG]) await build({ configFile, logLevel: "warn" });
}
