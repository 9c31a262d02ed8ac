import type { FamilyClass } from "../../src/optim/registry.js";
import { FAMILIES as REGISTRY, FAMILY_IDS } from "../../src/optim/registry.js";

export type OptimizerClass = FamilyClass;

/**
 * Every kernel-step family, from the registry (src/optim/registry.ts): a test over this list covers
 * families added later with no change to the test. L-BFGS (it drives its closure itself and saves
 * no state) is left to its own tests.
 */
export const FAMILIES: readonly [string, OptimizerClass][] = FAMILY_IDS.filter((id) => REGISTRY[id].elementwise).map((id) => [REGISTRY[id].kind, REGISTRY[id].optimizer]);
