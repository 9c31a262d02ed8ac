// Item 7 of the hardening issue: an L-BFGS step that throws half-way (the closure threw, returned a
// non-number or NaN on a later evaluation, or disposed something) restores the parameters, the
// curvature history and the counters it found: continuing gives the bits of a run where it never happened.
import { describe, expect, it } from "vitest";
import { createEngine, LBFGS, SGD, type LBFGSOptions, type Param } from "../../src/index.js";
import { bits } from "./world.js";

const rosenbrock = (x: Float32Array, g: Float32Array): number => {
  const [a, b] = x;
  g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
  g[1] = 200 * (b - a * a);
  return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
};

async function setup(options: Partial<LBFGSOptions>): Promise<{ x: Param; opt: LBFGS; closure: () => number }> {
  const engine = await createEngine();
  const x = engine.param(new Float32Array([-1.2, 1]));
  // historySize 2 makes the ring overwrite its oldest pair within a step: the rollback must bring it back.
  const opt = new LBFGS([x], { maxIter: 4, historySize: 2, ...options });
  return { x, opt, closure: () => rosenbrock(x.data, x.grad) };
}

const FAILURES: [string, unknown][] = [
  ["a non-number", "oops"],
  ["NaN", NaN],
  ["a thrown error", new Error("boom")],
];

describe("L-BFGS undoes a step that throws", () => {
  for (const lineSearch of ["none", "strongWolfe", "backtracking"] as const) {
    it.each(FAILURES)(`lineSearch ${lineSearch}: %s on the third evaluation of the second step`, async (_, failure) => {
      const run = await setup({ lineSearch });
      const clean = await setup({ lineSearch });
      run.opt.step(run.closure);
      clean.opt.step(clean.closure);
      const before = { x: bits(run.x.data), iterations: run.opt.iterations, evaluations: run.opt.evaluations, step: run.opt.getState(run.x).step };
      let calls = 0;
      const failing = () => {
        if (++calls === 3) {
          if (failure instanceof Error) throw failure;
          return failure as number;
        }
        return run.closure();
      };
      expect(() => run.opt.step(failing)).toThrow();
      expect({ x: bits(run.x.data), iterations: run.opt.iterations, evaluations: run.opt.evaluations, step: run.opt.getState(run.x).step }).toEqual(before);
      // Continuing gives the same bits as a run that never failed (the history was restored too).
      for (let i = 0; i < 3; i++) {
        run.opt.step(run.closure);
        clean.opt.step(clean.closure);
      }
      expect(bits(run.x.data)).toEqual(bits(clean.x.data));
      expect([run.opt.iterations, run.opt.evaluations]).toEqual([clean.opt.iterations, clean.opt.evaluations]);
    });
  }

  it("a closure that disposes the optimizer: DISPOSED, and the parameters are put back", async () => {
    const { x, opt, closure } = await setup({});
    opt.step(closure);
    const before = bits(x.data);
    let calls = 0;
    expect(() =>
      opt.step(() => {
        if (++calls === 2) opt.dispose();
        return closure();
      }),
    ).toThrow(expect.objectContaining({ code: "DISPOSED" }));
    expect(bits(x.data)).toEqual(before);
  });

  it("a step from inside its closure is refused", async () => {
    const { opt, closure } = await setup({});
    expect(() => opt.step(() => (opt.step(closure), 0))).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});

describe("L-BFGS rollback never writes memory that is no longer its parameters'", () => {
  it.each([
    ["disposes x", (x: Param) => x.dispose()],
    ["packs x into another optimizer", (x: Param) => new SGD([x])],
  ])("a closure that disposes the optimizer and %s, then allocates over the freed storage", async (_, release) => {
    const { x, opt, closure } = await setup({});
    opt.step(closure);
    const entry = Array.from(x.data);
    let q: Param | undefined;
    let calls = 0;
    expect(() =>
      opt.step(() => {
        if (++calls === 2) {
          opt.dispose();
          release(x);
          q = x.engine.param(2);
          q.data.fill(7);
          q.grad.fill(7);
        }
        return closure();
      }),
    ).toThrow(expect.objectContaining({ code: "DISPOSED" }));
    expect(Array.from(q!.data)).toEqual([7, 7]);
    expect(Array.from(q!.grad)).toEqual([7, 7]);
    if (!x.disposed) expect(Array.from(x.data)).toEqual(entry); // put back where x lives now
  });
});
