// The canary check of the hardening issue: every optimizer runs between two neighbour params filled
// with a sentinel pattern (signalling-NaN payloads no kernel writes); after every call of the table,
// failing calls included, both neighbours are bit for bit unchanged.
import { describe, it } from "vitest";
import { OptimError, type Engine, type Optimizer, type Param } from "../../src/index.js";
import { BACKENDS, engineFor } from "../helpers/backends.js";
import { canary, FAMILIES_ALL_SLOTS } from "./world.js";

type Guard = ReturnType<typeof canary>;
type Call = [label: string, run: (opt: Optimizer<any>, params: Param[], engine: Engine, guards: Guard[]) => unknown];

const CALLS: Call[] = [
  ["step", (opt) => opt.step()],
  ["step with a closure", (opt) => opt.step(() => 1)],
  ["zeroGrad", (opt) => opt.zeroGrad()],
  ["special gradients, step", (opt, [a, b]) => (a.grad.set([NaN, -0, Infinity, 1e-45, -3.4028235e38].slice(0, a.length)), b.grad.fill(-Infinity), opt.step())],
  ["clipped step", (opt) => ((opt.maxGradNorm = 0.5), opt.step(), (opt.maxGradNorm = Infinity))],
  ["skipped step", (opt, [a]) => ((opt.nonFinite = "skip"), (a.grad[0] = NaN), opt.step(), (opt.nonFinite = "proceed"))],
  ["refused step (throw)", (opt, [a]) => ((opt.nonFinite = "throw"), (a.grad[0] = NaN), tryCall(() => opt.step()), (opt.nonFinite = "proceed"), a.grad.fill(0.5))],
  ["refused step (bad lr)", (opt) => ((opt.paramGroups[0].lr = -1), tryCall(() => opt.step()), (opt.paramGroups[0].lr = 0.01))],
  ["save and load", (opt) => opt.loadState(opt.saveState())],
  ["load a corrupt state", (opt) => tryCall(() => opt.loadState(opt.saveState().map((x, i) => (i === 40 ? x ^ 1 : x))))],
  ["getState", (opt, [a]) => opt.getState(a)],
  ["addParamGroup of an owned param", (opt, [a]) => tryCall(() => opt.addParamGroup({ params: [a] }))],
  ["addParamGroup of a new param", (opt, params, engine) => opt.addParamGroup({ params: [push(params, engine.param(6))] })],
  ["step over the new group", (opt) => opt.step()],
  ["out of memory", (opt, params, engine) => tryCall(() => engine.param([2 ** 15, 2 ** 15]))], // 4 GiB of values: refused before the heap grows
  // The freed blocks go to the next allocation: a canary there must stay intact too.
  ["dispose every param, canaries over their memory, step", (opt, params, engine, guards) => (params.forEach((p) => p.dispose()), guards.push(canary(engine, 22), canary(engine, 6)), tryCall(() => opt.step()))],
  ["zeroGrad with a disposed param", (opt) => tryCall(() => opt.zeroGrad())],
  ["dispose the optimizer", (opt) => opt.dispose()],
  ["step a disposed optimizer", (opt) => tryCall(() => opt.step())],
];

function tryCall(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof OptimError)) throw error;
  }
}

function push(params: Param[], p: Param): Param {
  params.push(p);
  return p;
}

describe("neighbours are never written", () => {
  for (const backend of BACKENDS) {
    it.each(FAMILIES_ALL_SLOTS)(`%s on ${backend}`, async (_, Family, options) => {
      const engine = await engineFor(backend);
      const left = canary(engine, 5);
      const params = [engine.param(5), engine.param(17)];
      params.forEach((p, i) => (p.data.fill(i + 0.5), p.grad.fill(0.25)));
      const right = canary(engine, 3);
      const opt = new Family(params, options);
      const guards = [left, right];
      for (const [label, run] of CALLS) {
        run(opt, params, engine, guards);
        try {
          for (const guard of guards) guard.intact();
        } catch (error) {
          throw new Error(`after "${label}": ${String(error)}`);
        }
      }
    });
  }
});
