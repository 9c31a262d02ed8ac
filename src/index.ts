// The public API of wasm-optim.
export { createEngine, Engine, type BackendChoice, type EngineOptions } from "./engine.js";
export type { BackendName } from "./backend/types.js";
export { Param, type ParamOptions, type ParamSize } from "./param.js";
export { OptimError, type ErrorCode } from "./errors.js";
export { Optimizer, type GroupInput, type ParamGroup, type NonFiniteMode, type OptimizerOptions, type StepOptions } from "./optim/optimizer.js";
export { clipGradNorm, clipGradValue, type ClipGradNormOptions, type GradNormType } from "./clip.js";
export { SGD, type SGDOptions } from "./optim/sgd.js";
export { Adam, AdamW, type AdamOptions } from "./optim/adam.js";
export { Adagrad, type AdagradOptions } from "./optim/adagrad.js";
export { RMSprop, type RMSpropOptions } from "./optim/rmsprop.js";
export { Adadelta, type AdadeltaOptions } from "./optim/adadelta.js";
export { Rprop, type RpropOptions } from "./optim/rprop.js";
export { Adamax, type AdamaxOptions } from "./optim/adamax.js";
export { NAdam, type NAdamOptions } from "./optim/nadam.js";
export { RAdam, type RAdamOptions } from "./optim/radam.js";
export { Lion, type LionOptions } from "./optim/lion.js";
export * from "./schedules/index.js";
