import { expectOptimError } from "../helpers/errors.js";
// What the hardening tests share: every family with every state slot switched on, and a complete,
// bit-exact picture of what a user can observe, to assert that a call which threw changed nothing.
import { expect } from "vitest";
import { OptimError, type Engine, type Optimizer, type Param } from "../../src/index.js";
import { FAMILIES, type OptimizerClass } from "../helpers/families.js";

/** Options that make each family use every one of its state slots. */
const ALL_SLOTS: Record<string, object> = {
  SGD: { momentum: 0.9, dampening: 0.1 },
  Adam: { amsgrad: true },
  AdamW: { amsgrad: true },
  RMSprop: { momentum: 0.9, centered: true },
};

/**
 * Families with slots created by a later step rather than with the optimizer: options without them,
 * then the options that need them (turned on between steps), or the same options where the slot
 * starts from an option's value at its first step (Rprop's step size is the lr then).
 */
export const LAZY_SLOTS: Record<string, [without: object, needing: object]> = {
  SGD: [{ momentum: 0 }, { momentum: 0.9, dampening: 0.1 }],
  Adam: [{}, { amsgrad: true }],
  AdamW: [{}, { amsgrad: true }],
  RMSprop: [{}, { momentum: 0.9, centered: true }],
  Rprop: [{}, {}],
};

/** Every kernel-step family, with the options that switch on all its slots. */
export const FAMILIES_ALL_SLOTS: readonly [string, OptimizerClass, object][] = FAMILIES.map(([name, Class]) => [name, Class, ALL_SLOTS[name] ?? {}]);

/** The bits of a float32 array (NaN payloads and signed zeros count). */
export function bits(values: Float32Array): number[] {
  return Array.from(new Uint32Array(values.slice().buffer));
}

/** Everything observable of some params and optimizers, exact to the bit. */
export function observe(engine: Engine, params: readonly Param[], optimizers: readonly Optimizer<any>[] = []): unknown {
  return {
    usedBytes: engine.heap.usedBytes,
    params: params.map((p) => (p.disposed ? "disposed" : { data: bits(p.data), grad: bits(p.grad), owner: p.owner })),
    optimizers: optimizers.map((opt) => {
      if (opt.disposed) return "disposed";
      let state: unknown;
      try {
        state = opt.paramGroups.flatMap((g) => g.params.filter((p: Param) => !p.disposed).map((p: Param) => stateBits(opt, p)));
      } catch (error) {
        state = error instanceof OptimError ? error.code : String(error);
      }
      return {
        groups: opt.paramGroups.map((g) => ({ ...g, params: g.params.length })),
        state,
        skipped: opt.skippedSteps,
        lastGradNorm: opt.lastGradNorm,
        maxGradNorm: opt.maxGradNorm,
        nonFinite: opt.nonFinite,
      };
    }),
  };
}

function stateBits(opt: Optimizer<any>, p: Param): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(opt.getState(p))) out[key] = typeof value === "number" ? value : bits(value!);
  return out;
}

/** Calls `fn`, expects an OptimError with `code`, and that `world()` reads the same after as before. */
export function expectUnchanged(world: () => unknown, fn: () => unknown, code: string): OptimError {
  const before = world();
  const thrown = expectOptimError(fn, code);
  expect(world()).toEqual(before);
  return thrown;
}

/** A parameter filled with a pattern no optimizer writes, and a check that it is bit for bit intact. */
export function canary(engine: Engine, length = 67): { param: Param; intact(): void } {
  const param = engine.param(length, { name: "canary" });
  const pattern = new Uint32Array(length).map((_, i) => 0x7f80_0001 + i * 7919); // signalling-NaN payloads
  new Uint32Array(param.data.buffer, param.data.byteOffset, length).set(pattern);
  new Uint32Array(param.grad.buffer, param.grad.byteOffset, length).set(pattern.map((v) => v ^ 0x8000_0000));
  return {
    param,
    intact() {
      expect(Array.from(new Uint32Array(param.data.buffer, param.data.byteOffset, length))).toEqual(Array.from(pattern));
      expect(Array.from(new Uint32Array(param.grad.buffer, param.grad.byteOffset, length))).toEqual(Array.from(pattern.map((v) => v ^ 0x8000_0000)));
    },
  };
}

/** Fills a parameter's values and gradient with a deterministic pattern. */
export function fill(param: Param, seed: number): Param {
  param.data.set(Array.from({ length: param.length }, (_, i) => Math.sin(seed + i) * 0.5));
  param.grad.set(Array.from({ length: param.length }, (_, i) => Math.cos(seed * 3 + i) * 0.25));
  return param;
}
