// What every consumer must print: the fixture's Adam step run on the sources, in this process.
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import * as lib from "../../../src/index.js";
import { FIXTURE } from "./paths.js";

export interface StepResult {
  backend: string;
  values: number[];
  expAvg: number[];
}

export async function stepOnSources(): Promise<StepResult> {
  const { adamStep } = await import(pathToFileURL(join(FIXTURE, "scenario.js")).href);
  return adamStep(lib);
}
