// Items 1 and 2 of the hardening issue: a disposed parameter, optimizer or engine is refused with
// DISPOSED by every entry point, and nothing is written into memory that now belongs to another
// parameter (the blocks a disposed parameter gave back are handed out again at once).
import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/index.js";
import { BACKENDS, engineFor } from "../helpers/backends.js";
import { canary, expectUnchanged, FAMILIES_ALL_SLOTS, fill, observe } from "./world.js";

describe("use after dispose", () => {
  for (const backend of BACKENDS) {
    it.each(FAMILIES_ALL_SLOTS)(`%s on ${backend}: a disposed owned parameter makes every call DISPOSED, and its reused memory is untouched`, async (_, Family, options) => {
      const engine = await engineFor(backend);
      const a = fill(engine.param(8, { name: "a" }), 1);
      const opt = new Family([a], options);
      opt.step();
      a.dispose();
      // The freed blocks go to the next allocations.
      const b = fill(engine.param(8, { name: "b" }), 2);
      const c = fill(engine.param(8, { name: "c" }), 3);
      const world = () => observe(engine, [b, c]);
      const error = expectUnchanged(world, () => opt.step(), "DISPOSED");
      expect(error.message).toContain('"a"');
      expectUnchanged(world, () => opt.zeroGrad(), "DISPOSED");
      expectUnchanged(world, () => opt.saveState(), "DISPOSED");
      expectUnchanged(world, () => opt.getState(a), "DISPOSED");
      opt.dispose(); // still allowed, and the others stay usable
      expect(opt.disposed).toBe(true);
      const again = new Family([b, c], options);
      again.step();
      engine.dispose();
    });
  }

  it("a parameter disposed while packed with others: the optimizer refuses, the others keep working elsewhere", async () => {
    const engine = await createEngine();
    const [a, b] = [fill(engine.param(5), 1), fill(engine.param(6), 2)];
    const opt = new (FAMILIES_ALL_SLOTS[0][1])([a, b]);
    opt.step();
    a.dispose();
    expectUnchanged(() => observe(engine, [b]), () => opt.step(), "DISPOSED");
    expect(b.data.length).toBe(6);
    opt.dispose();
    const next = new (FAMILIES_ALL_SLOTS[0][1])([b]);
    next.step();
  });

  it.each(FAMILIES_ALL_SLOTS)("%s: disposing the optimizer inside its closure stops the step before it writes", async (_, Family, options) => {
    const engine = await createEngine();
    const p = fill(engine.param(8), 1);
    const opt = new Family([p], options);
    opt.step();
    let q: ReturnType<typeof engine.param> | undefined;
    const guard = canary(engine);
    let before: unknown;
    const error = (() => {
      try {
        opt.step(() => {
          opt.dispose();
          // The state blocks just freed are handed to q.
          q = fill(engine.param(8), 5);
          before = observe(engine, [p, q, guard.param]);
          return 0;
        });
      } catch (e) {
        return e as { code: string };
      }
    })();
    expect(error?.code).toBe("DISPOSED");
    expect(observe(engine, [p, q!, guard.param])).toEqual(before);
    guard.intact();
  });

  it.each(FAMILIES_ALL_SLOTS)("%s: disposing a parameter inside the closure stops the step before it writes", async (_, Family, options) => {
    const engine = await createEngine();
    const [p, r] = [fill(engine.param(8), 1), fill(engine.param(3), 2)];
    const opt = new Family([p, r], options);
    opt.step();
    let before: unknown;
    let q: ReturnType<typeof engine.param> | undefined;
    expect(() =>
      opt.step(() => {
        p.dispose();
        r.dispose();
        q = fill(engine.param(11), 4);
        before = observe(engine, [q]);
        return 1;
      }),
    ).toThrow(expect.objectContaining({ code: "DISPOSED" }));
    expect(observe(engine, [q!])).toEqual(before);
  });

  it("a step from inside its own closure is refused; zeroGrad inside a closure is allowed (torch's pattern)", async () => {
    const engine = await createEngine();
    const p = fill(engine.param(4), 1);
    const opt = new (FAMILIES_ALL_SLOTS[0][1])([p], { lr: 0.1 });
    expect(() => opt.step(() => (opt.step(), 0))).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    const loss = opt.step(() => {
      opt.zeroGrad();
      p.grad.fill(1);
      return 3;
    });
    expect(loss).toBe(3);
  });

  it("a disposed engine refuses its parameters and optimizers", async () => {
    const engine = await createEngine();
    const p = fill(engine.param(4), 1);
    const opt = new (FAMILIES_ALL_SLOTS[1][1])([p]);
    engine.dispose();
    for (const call of [() => opt.step(), () => opt.zeroGrad(), () => opt.getState(p), () => opt.saveState(), () => p.data, () => p.setGrad([1, 2, 3, 4]), () => engine.param(3)]) {
      expect(call).toThrow(expect.objectContaining({ code: "DISPOSED" }));
    }
  });

  it("one disposed parameter among 10,000 is named by the next step", async () => {
    const engine = await createEngine();
    const params = Array.from({ length: 10_000 }, (_, i) => fill(engine.param(1), i));
    const opt = new (FAMILIES_ALL_SLOTS[0][1])(params, { lr: 0.1 });
    opt.step();
    params[9_999].dispose();
    expect(() => opt.step()).toThrow(/parameter \[1\] has been disposed/);
  });
});
