// Which optimizer classes the library exports that no bench/optimizers.ts entry builds, so a
// new optimizer cannot be left out of the benchmark (and the no-allocation test) unnoticed.
import * as api from "../src/index.js";
import { Optimizer, type Engine } from "../src/index.js";
import { OPTIMIZERS } from "./optimizers.js";

export function uncoveredOptimizers(engine: Engine): string[] {
  const built = new Set<unknown>();
  for (const entry of OPTIMIZERS) {
    const param = engine.param(entry.shape?.(4) ?? 4);
    const opt = entry.make([param]);
    built.add(opt.constructor);
    opt.dispose();
    param.dispose();
  }
  return Object.entries(api)
    .filter(([, value]) => typeof value === "function" && value.prototype instanceof Optimizer && !built.has(value))
    .map(([name]) => name);
}
