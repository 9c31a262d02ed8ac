import * as api from "../../src/index.js";
import type { Optimizer, Param } from "../../src/index.js";

export type OptimizerClass = new (params: readonly Param[], options?: object) => Optimizer<any>;

/**
 * Every optimizer family the package exports, found by walking the public API: a test over this
 * list covers families added later with no change to the test.
 */
export const FAMILIES: readonly [string, OptimizerClass][] = Object.entries(api)
  .filter(([, value]) => typeof value === "function" && value.prototype instanceof api.Optimizer)
  .map(([name, value]) => [name, value as unknown as OptimizerClass]);
