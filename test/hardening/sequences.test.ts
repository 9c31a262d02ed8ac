// Property-based check of the hardening promises: random call sequences with random bad inputs and
// special values, over every family and backend. After every call: a call that threw threw an
// OptimError and changed nothing observable; neighbour memory (a canary param allocated around the
// optimizer's) is bit for bit intact; nothing but OptimError ever escapes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEngine, OptimError, type Engine, type Optimizer, type Param } from "../../src/index.js";
import { BACKENDS } from "../helpers/backends.js";
import { FAMILIES as REGISTRY } from "../../src/optim/registry.js";
import { canary, FAMILIES_ALL_SLOTS, observe } from "./world.js";

const SPECIAL = [0, -0, 1e-45, -1e-45, 1.1754942e-38, 1.17549435e-38, -1.17549435e-38, 3.4028235e38, -3.4028235e38, Infinity, -Infinity, NaN, 0.5, -2];

type Op =
  | { kind: "step"; closure: boolean }
  | { kind: "zeroGrad" }
  | { kind: "grad"; param: number; at: number; value: number }
  | { kind: "option"; value: unknown }
  | { kind: "save" }
  | { kind: "load"; flip: number }
  | { kind: "addGroup"; fresh: boolean; empty: boolean }
  | { kind: "disposeParam"; param: number }
  | { kind: "newParam"; length: number }
  | { kind: "getState"; param: number }
  | { kind: "renew" }
  | { kind: "nonFinite"; mode: unknown }
  | { kind: "maxGradNorm"; value: unknown };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("step" as const), closure: fc.boolean() }),
  fc.constant({ kind: "zeroGrad" as const }),
  fc.record({ kind: fc.constant("grad" as const), param: fc.nat(5), at: fc.nat(40), value: fc.constantFrom(...SPECIAL) }),
  fc.record({ kind: fc.constant("option" as const), value: fc.constantFrom(0.01, 0.001, -1, NaN, Infinity, "x", null, true, 2) }),
  fc.constant({ kind: "save" as const }),
  fc.record({ kind: fc.constant("load" as const), flip: fc.integer({ min: -1, max: 400 }) }),
  fc.record({ kind: fc.constant("addGroup" as const), fresh: fc.boolean(), empty: fc.boolean() }),
  fc.record({ kind: fc.constant("disposeParam" as const), param: fc.nat(5) }),
  fc.record({ kind: fc.constant("newParam" as const), length: fc.constantFrom(0, 1, 3, 4, 5, 17) }),
  fc.record({ kind: fc.constant("getState" as const), param: fc.nat(6) }),
  fc.constant({ kind: "renew" as const }),
  fc.record({ kind: fc.constant("nonFinite" as const), mode: fc.constantFrom("throw", "skip", "proceed", "panic") }),
  fc.record({ kind: fc.constant("maxGradNorm" as const), value: fc.constantFrom(1, 0, Infinity, -1, NaN) }),
);

interface World {
  engine: Engine;
  params: Param[];
  opt: Optimizer<any>;
  saved: Uint8Array | null;
  make(params: Param[]): Optimizer<any>;
}

function apply(world: World, o: Op): void {
  const { engine, params, opt } = world;
  const pick = (i: number) => params[i % params.length];
  switch (o.kind) {
    case "step":
      opt.step(o.closure ? () => 1 : undefined);
      return;
    case "zeroGrad":
      opt.zeroGrad();
      return;
    case "grad": {
      const p = pick(o.param);
      if (p.length > 0) p.grad[o.at % p.length] = o.value;
      return;
    }
    case "option":
      // A user's edit (allowed, any value): the next step validates it.
      (opt.paramGroups[0] as Record<string, unknown>).lr = o.value;
      return;
    case "save":
      world.saved = opt.saveState();
      return;
    case "load": {
      if (world.saved === null) return;
      const bytes = world.saved.slice();
      if (o.flip >= 0 && o.flip < bytes.length) bytes[o.flip] ^= 0x40;
      opt.loadState(bytes);
      return;
    }
    case "addGroup":
      // The newest param (free after a newParam) or the first (owned: PARAM_IN_USE).
      opt.addParamGroup({ params: o.empty ? [] : [o.fresh ? params[params.length - 1] : params[0]] });
      return;
    case "disposeParam":
      pick(o.param).dispose();
      return;
    case "newParam":
      params.push(engine.param(o.length));
      return;
    case "getState":
      opt.getState(o.param === 6 ? (null as never) : pick(o.param));
      return;
    case "renew": {
      // Dispose the optimizer and start another over the live params (the owner changes).
      opt.dispose();
      world.opt = world.make(params.filter((p) => !p.disposed && p.owner === null));
      return;
    }
    case "nonFinite":
      opt.nonFinite = o.mode as never;
      return;
    case "maxGradNorm":
      opt.maxGradNorm = o.value as never;
      return;
  }
}

/** The families again with int8 state (every one that takes it): codes, scales and scratch under the same promises. */
const INT8_FAMILIES = FAMILIES_ALL_SLOTS.filter(([name]) => Object.values(REGISTRY).some((f) => f.kind === name && f.int8)).map(
  ([name, Class, options]) => [`${name} (int8)`, Class, { ...options, stateDtype: "int8" }] as const,
);

describe("random call sequences keep the promises", () => {
  for (const backend of BACKENDS) {
    it.each([...FAMILIES_ALL_SLOTS, ...INT8_FAMILIES])(`%s on ${backend}`, async (_, Family, options) => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 30 }), async (ops) => {
          const engine = await createEngine({ backend, initialBytes: 65536, maxBytes: 8 * 65536 });
          const before = canary(engine, 13);
          const params = [3, 4, 5, 17].map((n, i) => {
            const p = engine.param(n, { name: `p${i}` });
            p.data.fill(0.25 * (i + 1));
            p.grad.fill(-0.5);
            return p;
          });
          const after = canary(engine, 29);
          const world: World = { engine, params, opt: new Family(params, options), saved: null, make: (ps) => new Family(ps.length > 0 ? ps : [engine.param(1)], options) };
          for (const o of ops) {
            const snapshot = observe(engine, world.params, [world.opt]);
            try {
              apply(world, o);
            } catch (error) {
              if (!(error instanceof OptimError)) throw new Error(`${JSON.stringify(o)} threw a non-OptimError: ${String(error)}`);
              expect(observe(engine, world.params, [world.opt]), `${JSON.stringify(o)} threw ${error.code} and changed something`).toEqual(snapshot);
            }
            before.intact();
            after.intact();
          }
          engine.dispose();
        }),
        { numRuns: 60, seed: 20261130 },
      );
    });
  }
});
