import { expect } from "vitest";

/**
 * Asserts |actual − expected| <= atol + rtol·|expected| elementwise, naming the worst element.
 * `expected` is a float64 reference; float32 storage bounds how close we can be.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what = "values"): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (!(excess <= worstExcess)) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what}[${worst}] = ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}

/** Asserts two float arrays are identical bit for bit (NaNs included). */
export function expectBitEqual(actual: Float32Array, expected: Float32Array, what = "values"): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const a = new Uint32Array(actual.buffer.slice(actual.byteOffset, actual.byteOffset + actual.byteLength));
  const b = new Uint32Array(expected.buffer.slice(expected.byteOffset, expected.byteOffset + expected.byteLength));
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) expect.fail(`${what}[${i}] = ${actual[i]} differs from ${expected[i]}`);
  }
}
