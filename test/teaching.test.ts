import { describe, expect, it } from "vitest";
import { Adam, SGD } from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";

// Hand-worked numbers of the classic teaching examples (issue 2 of this repo, from the seed notes).
describe.each(BACKENDS)("teaching examples on %s", (backend) => {
  it("momentum β = 0.9, η = 0.1, constant gradient −2: velocities −0.2, −0.38, −0.542, −0.6878", async () => {
    // v_t = β·v_{t−1} + η·g: −0.2, −0.2·0.9 − 0.2 = −0.38, −0.38·0.9 − 0.2 = −0.542, −0.542·0.9 − 0.2 = −0.6878.
    const velocities = [-0.2, -0.38, -0.542, -0.6878];
    const engine = await engineFor(backend);

    // PyTorch's accumulating form keeps η outside the buffer: the velocity is η·b and θ moves by −η·b.
    const x = engine.param(1);
    const sgd = new SGD([x], { lr: 0.1, momentum: 0.9 });
    let before = x.data[0];
    for (const v of velocities) {
      x.grad[0] = -2;
      sgd.step();
      expect(0.1 * (sgd.getState(x).momentumBuffer as Float32Array)[0]).toBeCloseTo(v, 6);
      expect(x.data[0] - before).toBeCloseTo(-v, 6);
      before = x.data[0];
    }

    // The EMA form v = βv + (1 − β)g with β = 0.9 gives the same numbers here since 1 − β = η.
    const y = engine.param(1);
    const ema = new SGD([y], { lr: 1, momentum: 0.9, momentumForm: "ema" });
    for (const v of velocities) {
      y.grad[0] = -2;
      ema.step();
      expect((ema.getState(y).momentumBuffer as Float32Array)[0]).toBeCloseTo(v, 6);
    }
  });

  it("Adam's first step with g = 2, η = 0.1 moves the parameter by exactly η", async () => {
    // m̂ = g, v̂ = g², so the step is η·g/(|g| + ε) = 0.1·2/(2 + 1e−8): 0.1 to float32 precision.
    const engine = await engineFor(backend);
    const x = engine.param(new Float32Array([1, -3, 0, 5, 7]));
    const adam = new Adam([x], { lr: 0.1 });
    x.grad.fill(2);
    adam.step();
    const moved = Array.from(x.data, (v, i) => [1, -3, 0, 5, 7][i] - v);
    for (const d of moved) expect(Math.abs(d - 0.1)).toBeLessThanOrEqual(2 ** -23 * 8); // a few float32 ulps at 7
  });
});
