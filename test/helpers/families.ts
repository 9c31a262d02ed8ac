import * as api from "../../src/index.js";
import type { Optimizer, Param } from "../../src/index.js";

export type OptimizerClass = new (params: readonly Param[], options?: object) => Optimizer<any>;

const base = api.Optimizer.prototype;

/** Families that refuse parameters that are not matrices. */
export const MATRIX_ONLY: readonly string[] = ["Muon"];

/**
 * Every kernel-step optimizer family the package exports, found by walking the public API: a test
 * over this list covers families added later with no change to the test. Families that replace
 * the base class's step or state methods (L-BFGS drives its closure itself and keeps its history
 * outside the heap) are left to their own tests.
 */
export const FAMILIES: readonly [string, OptimizerClass][] = Object.entries(api)
  .filter(([, value]) => typeof value === "function" && value.prototype instanceof api.Optimizer)
  .filter(([, value]) => {
    const proto = (value as { prototype: typeof base }).prototype;
    return proto.step === base.step && proto.saveState === base.saveState && proto.loadState === base.loadState;
  })
  // Muon takes only 2-D params, and these suites build 1-D ones: test/muon.test.ts runs the same
  // checks (state round trip, clipping, threads, special values, nothing-changed) on matrices.
  .filter(([name]) => !MATRIX_ONLY.includes(name))
  .map(([name, value]) => [name, value as unknown as OptimizerClass]);
