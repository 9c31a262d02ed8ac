import { describe, expect, it } from "vitest";
import { Adadelta, Adafactor, Adagrad, Adam, Adamax, AdamW, ASGD, Lion, NAdam, RAdam, RMSprop, Rprop, ScheduleFreeAdamW, ScheduleFreeSGD, SGD, type BackendName, type FamilyId, type Optimizer, type Param } from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { expectBitEqual } from "./helpers/close.js";
import { uniform } from "./helpers/random.js";

type Case = [string, (params: Param[]) => Optimizer<any>];

const BY_FAMILY = {
  sgd: [
    ["SGD", (p) => new SGD(p, { lr: 0.05, weightDecay: 0.01 })],
    ["SGD momentum dampening", (p) => new SGD(p, { lr: 0.05, momentum: 0.9, dampening: 0.2 })],
    ["SGD nesterov maximize", (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, maximize: true })],
    ["SGD ema", (p) => new SGD(p, { lr: 0.05, momentum: 0.8, momentumForm: "ema" })],
  ],
  adam: [
    ["Adam", (p) => new Adam(p, { lr: 0.01, weightDecay: 0.01 })],
    ["Adam amsgrad", (p) => new Adam(p, { lr: 0.01, amsgrad: true, maximize: true })],
    ["Adam epsHat", (p) => new Adam(p, { lr: 0.01, eps: 1e-3, epsHat: true })],
  ],
  adamw: [
    ["AdamW", (p) => new AdamW(p, { lr: 0.01, amsgrad: true })],
  ],
  adagrad: [
    ["Adagrad", (p) => new Adagrad(p, { lr: 0.05, lrDecay: 0.01, weightDecay: 0.01 })],
    ["Adagrad epsInsideSqrt", (p) => new Adagrad(p, { lr: 0.05, initialAccumulatorValue: 0.1, eps: 1e-7, epsInsideSqrt: true, maximize: true })],
  ],
  rmsprop: [
    ["RMSprop", (p) => new RMSprop(p, { lr: 0.01, weightDecay: 0.01 })],
    ["RMSprop centered momentum", (p) => new RMSprop(p, { lr: 0.01, momentum: 0.9, centered: true })],
    ["RMSprop epsInsideSqrt maximize", (p) => new RMSprop(p, { lr: 0.01, alpha: 0.9, eps: 1e-7, epsInsideSqrt: true, momentum: 0.5, maximize: true })],
  ],
  adadelta: [
    ["Adadelta", (p) => new Adadelta(p, { weightDecay: 0.01 })],
    ["Adadelta previousSquareAvg", (p) => new Adadelta(p, { lr: 0.5, rho: 0.95, previousSquareAvg: true, maximize: true })],
  ],
  rprop: [
    ["Rprop", (p) => new Rprop(p)],
    ["Rprop clamped maximize", (p) => new Rprop(p, { lr: 0.05, etaPlus: 2, stepSizeMin: 0.01, stepSizeMax: 0.2, maximize: true })],
  ],
  adamax: [["Adamax", (p) => new Adamax(p, { lr: 0.01, weightDecay: 0.01, maximize: true })]],
  nadam: [["NAdam", (p) => new NAdam(p, { lr: 0.01, weightDecay: 0.01, momentumDecay: 0.002 })]],
  radam: [
    ["RAdam", (p) => new RAdam(p, { lr: 0.01, weightDecay: 0.01 })],
    ["RAdam decoupled", (p) => new RAdam(p, { lr: 0.01, weightDecay: 0.01, decoupledWeightDecay: true })],
  ],
  lion: [["Lion", (p) => new Lion(p, { lr: 0.01, weightDecay: 0.1, maximize: true })]],
  adafactor: [
    ["Adafactor", (p) => new Adafactor(p, { lr: 0.05, weightDecay: 0.01, maximize: true })],
    ["Adafactor eps1 d beta2Decay", (p) => new Adafactor(p, { eps1: 1e-3, eps2: 1e-2, d: 1.25, beta2Decay: -0.5 })],
  ],
  asgd: [
    ["ASGD", (p) => new ASGD(p, { lr: 0.05, weightDecay: 0.01, maximize: true })],
    ["ASGD averaging", (p) => new ASGD(p, { lr: 0.05, t0: 3 })],
  ],
  scheduleFreeSgd: [["ScheduleFreeSGD warmup", (p) => new ScheduleFreeSGD(p, { lr: 0.1, weightDecay: 0.01, warmupSteps: 3 })]],
  scheduleFreeAdamW: [["ScheduleFreeAdamW r", (p) => new ScheduleFreeAdamW(p, { lr: 0.01, weightDecay: 0.01, r: 1 })]],
} satisfies Record<Exclude<FamilyId, "lbfgs" | "muon">, Case[]>;

/**
 * Every kernel-step family of the registry, with demanding options: the backends must agree bit for
 * bit. Muon takes matrices only: test/muon.test.ts checks its bits on every backend.
 */
export const parityCases: Case[] = Object.values(BY_FAMILY).flat();

const N = 1031; // SIMD body plus a 3-element tail, split into tensors of odd lengths
const STEPS = 12;

function run(backend: BackendName, make: (params: Param[]) => Optimizer<any>, swapTo?: BackendName) {
  return (async () => {
    const engine = await engineFor(backend);
    const params = [engine.param(uniform(517, 1)), engine.param(uniform(N - 517, 2))];
    const optimizer = make(params);
    for (let t = 1; t <= STEPS; t++) {
      if (swapTo && t === STEPS / 2) await engine.setBackend(swapTo);
      const g = uniform(N, 100 + t);
      params[0].setGrad(g.subarray(0, 517));
      params[1].setGrad(g.subarray(517));
      optimizer.step();
    }
    const snapshot = params.map((p) => {
      const state = optimizer.getState(p);
      // Buffers as they are; a per-group float64 number (NAdam's μ product) as the bits of its float64.
      const buffers = Object.keys(state).filter((k) => k !== "step").sort().map((k) => {
        const value = state[k]!;
        return typeof value === "number" ? new Float32Array(Float64Array.of(value).buffer) : value.slice();
      });
      return [p.data.slice(), ...buffers];
    });
    expect(engine.backend).toBe(swapTo ?? backend);
    engine.dispose();
    return snapshot.flat();
  })();
}

describe.each(parityCases)("%s", (_, make) => {
  it(`gives identical bits on ${BACKENDS.join(", ")}`, async () => {
    const [first, ...others] = await Promise.all(BACKENDS.map((b) => run(b, make)));
    for (const other of others) other.forEach((buffer, i) => expectBitEqual(buffer, first[i], `buffer ${i}`));
  });

  it("keeps every bit of state across a runtime backend swap after step k", async () => {
    const straight = await run(BACKENDS[0], make);
    for (const target of BACKENDS.slice(1)) {
      const swapped = await run(BACKENDS[0], make, target);
      swapped.forEach((buffer, i) => expectBitEqual(buffer, straight[i], `buffer ${i} after swap to ${target}`));
      const back = await run(target, make, BACKENDS[0]);
      back.forEach((buffer, i) => expectBitEqual(buffer, straight[i], `buffer ${i} after swap from ${target}`));
    }
  });
});
