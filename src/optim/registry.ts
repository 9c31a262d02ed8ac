import type { Param } from "../param.js";
import type { SlotDescription } from "../state/layout.js";
import type { Hyperparameters } from "../validation.js";
import { Adadelta, ADADELTA_SPEC } from "./adadelta.js";
import { Adafactor, ADAFACTOR_SPEC } from "./adafactor.js";
import { Adagrad, ADAGRAD_SPEC } from "./adagrad.js";
import { Adam, ADAM_SPEC, AdamW, ADAMW_SPEC } from "./adam.js";
import { ASGD, ASGD_SPEC } from "./asgd.js";
import { Adamax, ADAMAX_SPEC } from "./adamax.js";
import { slotDescriptions, type OptimizerSpec } from "./elementwise.js";
import { LBFGS, LBFGS_SPEC } from "./lbfgs.js";
import { Lion, LION_SPEC } from "./lion.js";
import { Muon, MUON_SPEC } from "./muon.js";
import { NAdam, NADAM_SPEC } from "./nadam.js";
import type { GroupSpec, Optimizer } from "./optimizer.js";
import { RAdam, RADAM_SPEC } from "./radam.js";
import { SCHEDULE_FREE_ADAMW_SPEC, SCHEDULE_FREE_SGD_SPEC, ScheduleFreeAdamW, ScheduleFreeSGD } from "./schedulefree.js";
import { RMSprop, RMSPROP_SPEC } from "./rmsprop.js";
import { Rprop, RPROP_SPEC } from "./rprop.js";
import { SGD, SGD_SPEC } from "./sgd.js";

// The one list of optimizer families. Everything that enumerates families (the benchmark, the
// visualizer, the MNIST job, the test suites) reads it, and each app's own per-family table is typed
// `satisfies Record<FamilyId, …>`: a family added here and missing there is a compile error.

/** Any family's constructor. */
export type FamilyClass = new (params: readonly Param[], options?: object) => Optimizer<any>;

export interface Family {
  /** The class, whose name is the family's kind in messages and saved state. */
  readonly optimizer: FamilyClass;
  /** The family's name as in saved state ("Adam"). */
  readonly kind: string;
  /** Every option and its default. */
  readonly defaults: Readonly<Hyperparameters>;
  /** The state slots with their layouts, in kernel order (none for L-BFGS, which keeps float64 vectors outside the heap). */
  readonly slots: readonly SlotDescription[];
  /**
   * true for the kernel-step families (ElementwiseOptimizer): `step()` takes an optional closure and
   * the state saves and loads. false for L-BFGS, which needs a closure and saves no state.
   */
  readonly elementwise: boolean;
  /** true when the family takes only matrix parameters (Muon: created with a shape [rows, cols]). */
  readonly matricesOnly: boolean;
  /** true for the families with bfloat16 kernels: they take `stateDtype: "bfloat16"` (OptimizerSpec.bfloat16). */
  readonly bfloat16: boolean;
  /** true for the families with int8 kernels: they take `stateDtype: "int8"` (OptimizerSpec.int8). */
  readonly int8: boolean;
}

function family<H extends Hyperparameters>(optimizer: FamilyClass, spec: GroupSpec<H> | OptimizerSpec<H>, { matricesOnly = false } = {}): Family {
  const defaults = Object.fromEntries(Object.entries(spec.rules).map(([key, rule]) => [key, rule.default]));
  const elementwise = "slots" in spec;
  // Frozen copies: the registry is public, and the descriptions must not be the optimizers' own cache.
  const slots = Object.freeze((elementwise ? slotDescriptions(spec) : []).map((slot) => Object.freeze({ ...slot })));
  const bfloat16 = elementwise && (spec as OptimizerSpec<H>).bfloat16 === true;
  const int8 = elementwise && (spec as OptimizerSpec<H>).int8 === true;
  return Object.freeze({ optimizer, kind: spec.kind, defaults: Object.freeze(defaults), slots, elementwise, matricesOnly, bfloat16, int8 });
}

export const FAMILIES = Object.freeze({
  sgd: family(SGD, SGD_SPEC),
  adam: family(Adam, ADAM_SPEC),
  adamw: family(AdamW, ADAMW_SPEC),
  adagrad: family(Adagrad, ADAGRAD_SPEC),
  rmsprop: family(RMSprop, RMSPROP_SPEC),
  adadelta: family(Adadelta, ADADELTA_SPEC),
  rprop: family(Rprop, RPROP_SPEC),
  adamax: family(Adamax, ADAMAX_SPEC),
  nadam: family(NAdam, NADAM_SPEC),
  radam: family(RAdam, RADAM_SPEC),
  lion: family(Lion, LION_SPEC),
  adafactor: family(Adafactor, ADAFACTOR_SPEC),
  asgd: family(ASGD, ASGD_SPEC),
  scheduleFreeSgd: family(ScheduleFreeSGD, SCHEDULE_FREE_SGD_SPEC),
  scheduleFreeAdamW: family(ScheduleFreeAdamW, SCHEDULE_FREE_ADAMW_SPEC),
  lbfgs: family(LBFGS, LBFGS_SPEC),
  muon: family(Muon, MUON_SPEC, { matricesOnly: true }),
});

/** A family's id: the registry's key ("adam"). */
export type FamilyId = keyof typeof FAMILIES;

export const FAMILY_IDS = Object.keys(FAMILIES) as FamilyId[];
