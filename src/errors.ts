/** Stable error codes: match on `error.code`, never on the message. */
export type ErrorCode =
  | "INVALID_HYPERPARAMETER" // an optimizer or schedule option out of its range
  | "INVALID_ARGUMENT" // any other malformed argument (shape, name, option type)
  | "SHAPE_MISMATCH" // values whose length does not match the parameter
  | "DUPLICATE_PARAM" // the same parameter twice in one optimizer
  | "PARAM_IN_USE" // a parameter already owned by another live optimizer
  | "DISPOSED" // a disposed parameter, optimizer or engine was used
  | "OUT_OF_MEMORY" // the heap cannot grow (wasm32 limit or the engine's maximum)
  | "BACKEND_UNAVAILABLE" // an explicitly requested backend cannot run here
  | "STATE_INCOMPATIBLE" // saved state that does not fit this optimizer
  | "NON_FINITE" // a NaN or infinite gradient where the user asked to throw
  | "WORKER_FAILED"; // a worker thread died; the engine continues on one thread

/** The one error class of wasm-optim. A call that throws it has changed nothing. */
export class OptimError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = "OptimError";
    this.code = code;
  }
}

/** How messages name a value of the wrong kind ("null", "an array", "Uint8Array", "bigint"). */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return (value as object).constructor?.name ?? "an object";
  return typeof value;
}
