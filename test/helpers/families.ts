import type { FamilyClass } from "../../src/optim/registry.js";
import { FAMILIES as REGISTRY, FAMILY_IDS } from "../../src/optim/registry.js";

export type OptimizerClass = FamilyClass;

/** Families that refuse parameters that are not matrices (Muon). */
export const MATRIX_ONLY: readonly string[] = FAMILY_IDS.filter((id) => REGISTRY[id].matricesOnly).map((id) => REGISTRY[id].kind);

/**
 * Every kernel-step family, from the registry (src/optim/registry.ts): a test over this list covers
 * families added later with no change to the test. L-BFGS (it drives its closure itself and saves
 * no state) is left to its own tests, and so are families that take matrices only (Muon: these suites
 * build 1-D parameters; test/muon.test.ts runs the same checks on matrices).
 */
export const FAMILIES: readonly [string, OptimizerClass][] = FAMILY_IDS.filter((id) => REGISTRY[id].elementwise && !REGISTRY[id].matricesOnly).map((id) => [REGISTRY[id].kind, REGISTRY[id].optimizer]);
