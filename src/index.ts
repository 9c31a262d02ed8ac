// The public API of wasm-optim.
export { createEngine, Engine, type BackendChoice, type EngineOptions } from "./engine.js";
export type { BackendName } from "./backend/types.js";
export type { Kernels } from "./backend/contract.js";
export { Param, type ParamOptions, type ParamSize } from "./param.js";
export { OptimError, type ErrorCode } from "./errors.js";
export { Optimizer, type GroupInput, type GroupLayout, type GroupSpec, type ParamGroup, type NonFiniteMode, type OptimizerOptions, type OptimizerState, type StepOptions } from "./optim/optimizer.js";
export { bfloat16ToFloat32, ElementwiseOptimizer, type BF16Rounding, type ElementwiseOptions, type OptimizerSpec, type SlotSpec, type SlotsLayout } from "./optim/elementwise.js";
export type { StateStorageOptions } from "./optim/storage.js";
export type { SlotDescription, SlotDtype, SlotLayout } from "./state/layout.js";
export { FAMILIES, FAMILY_IDS, type Family, type FamilyClass, type FamilyId } from "./optim/registry.js";
export { clipGradNorm, clipGradValue, type ClipGradNormOptions, type GradNormType } from "./clip.js";
export { SGD, type SGDOptions, type SGDState } from "./optim/sgd.js";
export { Adam, AdamW, type AdamOptions, type AdamState } from "./optim/adam.js";
export { Adagrad, type AdagradOptions, type AdagradState } from "./optim/adagrad.js";
export { RMSprop, type RMSpropOptions, type RMSpropState } from "./optim/rmsprop.js";
export { Adadelta, type AdadeltaOptions, type AdadeltaState } from "./optim/adadelta.js";
export { Rprop, type RpropOptions, type RpropState } from "./optim/rprop.js";
export { Adamax, type AdamaxOptions, type AdamaxState } from "./optim/adamax.js";
export { NAdam, type NAdamOptions, type NAdamState } from "./optim/nadam.js";
export { RAdam, type RAdamOptions, type RAdamState } from "./optim/radam.js";
export { Lion, type LionOptions, type LionState } from "./optim/lion.js";
export { Muon, type MuonOptions, type MuonState } from "./optim/muon.js";
export { Adafactor, type AdafactorOptions, type AdafactorState } from "./optim/adafactor.js";
export { ASGD, type ASGDOptions, type ASGDState } from "./optim/asgd.js";
export {
  ScheduleFreeAdamW, ScheduleFreeSGD, type ScheduleFreeAdamWOptions, type ScheduleFreeAdamWState, type ScheduleFreeSGDOptions, type ScheduleFreeSGDState,
} from "./optim/schedulefree.js";
export * from "./schedules/index.js";
export * from "./linesearch/index.js";
export { LBFGS, type LBFGSOptions, type LBFGSState } from "./optim/lbfgs.js";
export { findLearningRate, type LrFinderOptions, type LrFinderResult } from "./lr-finder.js";
export { EMA, type EMAOptions } from "./wrappers/ema.js";
export { SWA, type SWAOptions } from "./wrappers/swa.js";
export type { WeightAverage } from "./wrappers/average.js";
export { GradientAccumulation, type GradientAccumulationOptions } from "./wrappers/accumulate.js";
export { Lookahead, type LookaheadOptions } from "./wrappers/lookahead.js";
