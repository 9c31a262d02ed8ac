import { expect } from "vitest";
import { OptimError } from "../../src/index.js";

/** Runs `fn`, expects it to throw an OptimError with `code`, and returns the error. */
export function expectOptimError(fn: () => unknown, code: string): OptimError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OptimError);
    expect((error as OptimError).code).toBe(code);
    return error as OptimError;
  }
  return expect.fail(`expected OptimError ${code}`);
}
