import { describe, expect, it } from "vitest";
import { Adam, AdamW, createEngine, OptimError, SGD, type Engine, type Param } from "../src/index.js";

/** Runs `act`, expects an OptimError with `code`, and checks that nothing it could touch changed. */
function expectRejected(act: () => unknown, code: string, ...params: Param[]): void {
  const before = params.map((p) => [p.data.slice(), p.grad.slice()]);
  let error: unknown;
  try {
    act();
  } catch (e) {
    error = e;
  }
  expect(error, "expected the call to throw").toBeInstanceOf(OptimError);
  expect((error as OptimError).code).toBe(code);
  params.forEach((p, i) => {
    expect(Array.from(p.data)).toEqual(Array.from(before[i][0]));
    expect(Array.from(p.grad)).toEqual(Array.from(before[i][1]));
  });
}

async function setup(): Promise<{ engine: Engine; p: Param }> {
  const engine = await createEngine();
  const p = engine.param(new Float32Array([1, 2, 3, 4, 5]));
  p.grad.fill(0.5);
  return { engine, p };
}

describe("bad hyperparameters are rejected with the offending value", () => {
  const bad: [string, () => object, RegExp][] = [
    ["negative lr", () => ({ lr: -0.1 }), /invalid lr -0.1/],
    ["NaN lr", () => ({ lr: NaN }), /invalid lr NaN/],
    ["infinite lr", () => ({ lr: Infinity }), /invalid lr Infinity/],
    ["a string lr", () => ({ lr: "0.1" }), /invalid lr "0.1"/],
    ["beta1 = 1", () => ({ beta1: 1 }), /invalid beta1 1, expected a finite number in \[0, 1\)/],
    ["beta1 < 0", () => ({ beta1: -0.1 }), /invalid beta1/],
    ["beta2 > 1", () => ({ beta2: 1.5 }), /invalid beta2 1.5/],
    ["eps = 0", () => ({ eps: 0 }), /invalid eps 0, expected a finite number in \(0, /],
    ["eps < 0", () => ({ eps: -1e-8 }), /invalid eps/],
    ["negative weight decay", () => ({ weightDecay: -1 }), /invalid weightDecay/],
    ["amsgrad not boolean", () => ({ amsgrad: 1 }), /invalid amsgrad 1, expected true or false/],
    ["an unknown option", () => ({ learningRate: 0.1 }), /invalid option "learningRate"/],
  ];
  it.each(bad)("Adam: %s", async (_, options, message) => {
    const { p } = await setup();
    expectRejected(() => new Adam([p], options()), "INVALID_HYPERPARAMETER", p);
    expect(() => new AdamW([p], options())).toThrow(message);
    expect(p.owner).toBeNull(); // not packed, not owned
  });

  it.each([
    ["nesterov without momentum", { nesterov: true }, /invalid nesterov true, expected momentum > 0/],
    ["nesterov with dampening", { nesterov: true, momentum: 0.9, dampening: 0.1 }, /dampening 0/],
    ["momentum = 1", { momentum: 1 }, /invalid momentum 1/],
    ["dampening > 1", { momentum: 0.9, dampening: 2 }, /invalid dampening 2/],
    ["ema with dampening", { momentum: 0.9, dampening: 0.5, momentumForm: "ema" }, /momentumForm "ema"/],
    ["unknown momentumForm", { momentumForm: "keras" }, /one of "accumulate", "ema"/],
  ] as const)("SGD: %s", async (_, options, message) => {
    const { p } = await setup();
    expectRejected(() => new SGD([p], options as object), "INVALID_HYPERPARAMETER", p);
    expect(() => new SGD([p], options as object)).toThrow(message);
  });

  it("a bad value in one param group rejects the whole constructor", async () => {
    const { engine, p } = await setup();
    const q = engine.param(3);
    expectRejected(() => new Adam([{ params: [p] }, { params: [q], beta2: 1 }]), "INVALID_HYPERPARAMETER", p, q);
    expect(p.owner).toBeNull();
  });

  it("a bad value set between steps throws at step() and changes nothing", async () => {
    const { engine, p } = await setup();
    const q = engine.param(new Float32Array([1, 1]));
    q.grad.fill(1);
    const opt = new Adam([{ params: [p] }, { params: [q] }], { lr: 0.1 });
    opt.step();
    const state = opt.getState(p).expAvg as Float32Array;
    const stateBefore = state.slice();
    opt.paramGroups[1].lr = -1;
    expectRejected(() => opt.step(), "INVALID_HYPERPARAMETER", p, q);
    expect(Array.from(state)).toEqual(Array.from(stateBefore));
    expect(opt.getState(p).step).toBe(1);
    opt.paramGroups[1].lr = 0.1;
    opt.step();
    expect(opt.getState(p).step).toBe(2);
  });
});

describe("bad parameters and handles", () => {
  it("a parameter given twice: DUPLICATE_PARAM", async () => {
    const { p } = await setup();
    expectRejected(() => new SGD([p, p]), "DUPLICATE_PARAM", p);
    expectRejected(() => new SGD([{ params: [p] }, { params: [p] }]), "DUPLICATE_PARAM", p);
  });

  it("a parameter already owned by a live optimizer: PARAM_IN_USE, free again once it is disposed", async () => {
    const { p } = await setup();
    const first = new SGD([p]);
    expectRejected(() => new Adam([p]), "PARAM_IN_USE", p);
    first.dispose();
    expect(() => new Adam([p])).not.toThrow();
  });

  it("a disposed parameter: DISPOSED everywhere", async () => {
    const { engine, p } = await setup();
    const q = engine.param(3);
    p.dispose();
    p.dispose(); // idempotent
    for (const act of [() => p.data, () => p.grad, () => p.setGrad([1, 2, 3, 4, 5]), () => new SGD([q, p])]) {
      expect(act).toThrow(expect.objectContaining({ code: "DISPOSED" }));
    }
    expect(q.owner).toBeNull();
  });

  it("a disposed optimizer or engine: DISPOSED", async () => {
    const { engine, p } = await setup();
    const opt = new SGD([p]);
    opt.dispose();
    for (const act of [() => opt.step(), () => opt.zeroGrad(), () => opt.getState(p)]) {
      expectRejected(act, "DISPOSED", p);
    }
    engine.dispose();
    expect(() => engine.param(3)).toThrow(expect.objectContaining({ code: "DISPOSED" }));
    expect(() => p.data).toThrow(expect.objectContaining({ code: "DISPOSED" }));
  });

  it("a gradient or value array of the wrong length: SHAPE_MISMATCH", async () => {
    const { p } = await setup();
    expectRejected(() => p.setGrad([1, 2, 3]), "SHAPE_MISMATCH", p);
    expectRejected(() => p.setData(new Float32Array(6)), "SHAPE_MISMATCH", p);
    expect(() => p.setGrad([1, 2, 3])).toThrow(/gradient for parameter \[5\] has length 3, expected 5/);
  });

  it("bad shapes and initial values: INVALID_ARGUMENT / SHAPE_MISMATCH", async () => {
    const { engine } = await setup();
    const used = engine.heap.usedBytes;
    expect(() => engine.param(-1)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => engine.param([2, 1.5])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => engine.param(new Float32Array(5), { shape: [2, 2] })).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
    expect(engine.heap.usedBytes).toBe(used);
  });

  it("an empty parameter list, or something that is not a Param: INVALID_ARGUMENT", async () => {
    const { p } = await setup();
    expectRejected(() => new SGD([]), "INVALID_ARGUMENT", p);
    expectRejected(() => new SGD([p, {} as Param]), "INVALID_ARGUMENT", p);
    expectRejected(() => new SGD([{ params: [] }]), "INVALID_ARGUMENT", p);
  });

  it("parameters of two engines in one optimizer: INVALID_ARGUMENT", async () => {
    const { p } = await setup();
    const other = (await createEngine()).param(2);
    expectRejected(() => new SGD([p, other]), "INVALID_ARGUMENT", p, other);
  });

  it("a parameter that is not in the optimizer: INVALID_ARGUMENT from getState", async () => {
    const { engine, p } = await setup();
    const opt = new SGD([p]);
    expect(() => opt.getState(engine.param(1))).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
