// A TF.js Optimizer whose update runs in wasm-optim: TF.js computes the gradients, each step
// copies them into the heap (one bulk copy per variable), runs one fused kernel call per param
// group, and assigns each variable a tensor made from a copy of its new values.
import * as tf from "@tensorflow/tfjs-core";
import { Engine, OptimError, type Optimizer, type Param, type Schedule } from "../index.js";
import { copyTensorInto, tensorFromCopy } from "./copy.js";
import { familyMaker, type FamilyName, type FamilyOptions } from "./families.js";
import { readGradients, type GradientEntry, type NamedTensor } from "./gradients.js";
import { tfjsEngineSync } from "./engine.js";
import { readState, restoreSlots, slotNames, writeStates, type ParamState } from "./state.js";
import { parseWeights, stateTensors, type SavedVariableState } from "./weights.js";

/** Options of the adapter itself, beside the family's own. */
export interface AdapterOptions {
  /**
   * The lr of each step, as a function of TF.js's iteration count (0 for the first step): any of
   * wasm-optim's schedules (cosineAnnealingSchedule, joinSchedules, …). Not saved by getConfig.
   */
  schedule?: Schedule;
}

export type TfjsOptimizerOptions<F extends FamilyName = FamilyName> = FamilyOptions<F> & AdapterOptions;

/** A variable this optimizer updates, and the parameter that mirrors it in the heap. */
interface Tracked {
  readonly variable: tf.Variable;
  readonly param: Param;
  /** The variable's storage when we last wrote or read it: a different one means someone assigned it. */
  dataId: object;
}

/** A wasm-optim optimizer and the variables it mirrors: the live one, or one built beside it. */
interface Built {
  readonly inner: Optimizer<any> | null;
  readonly tracked: Map<string, Tracked>;
  /** Every param it owns: the tracked ones, and any probes (see build). */
  readonly params: readonly Param[];
}

/**
 * The adapter (create it with `tfjsOptimizer`). Variables are matched by name. A variable met for
 * the first time joins as a new param group of wasm-optim's optimizer, one group per batch of
 * newcomers, so a step stays one kernel call per group. A variable with a null gradient (or none)
 * is skipped as TF.js skips it: its values and state are saved before the step and put back after
 * (a zero gradient would still move Adam's moments), while its group's step count advances, as
 * TF.js's optimizer-wide iteration count does. A variable disposed in TF.js is released: the
 * optimizer is rebuilt without it, keeping every other variable's state.
 *
 * Every change of the set of variables or of their state (newcomers, released variables,
 * setWeights) goes through one mechanism: a new wasm-optim optimizer is built beside the live one
 * over fresh params (copies of the values, each with its state or the given one), its state is
 * loaded, and a step runs on it; only then is the old one disposed and the new one swapped in. A
 * failure disposes what was built and leaves the old one untouched, so a call that throws changes
 * nothing (the heap holds both while building: at most twice the optimizer's storage).
 */
export class WasmOptimizer extends tf.Optimizer {
  static className = "WasmOptim";
  readonly engine: Engine;
  readonly family: FamilyName;
  private readonly make: ReturnType<typeof familyMaker>;
  private readonly options: Readonly<Record<string, unknown>>;
  private readonly schedule: Schedule | undefined;
  private readonly slots: readonly string[];
  private lr: number;
  private inner: Optimizer<any> | null = null;
  private tracked = new Map<string, Tracked>();
  /** State from setWeights for variables not met yet, by saved name, in saved order. */
  private pending = new Map<string, SavedVariableState>();
  /** The tensors the last getWeights returned (TF.js's callers do not dispose them). */
  private lastWeights: tf.Tensor[] = [];
  private isDisposed = false;

  /** Use `tfjsOptimizer(family, options)`; this checks the options by building a one-element optimizer. */
  constructor(engine: Engine, family: FamilyName, options: TfjsOptimizerOptions = {}) {
    super();
    if (!(engine instanceof Engine)) throw new OptimError("INVALID_ARGUMENT", `tfjsOptimizer: engine must be a wasm-optim Engine (from createEngine), got ${engine === null ? "null" : typeof engine}`);
    const make = familyMaker(family);
    if (options === null || typeof options !== "object") throw new OptimError("INVALID_ARGUMENT", "tfjsOptimizer: options must be an object");
    const { schedule, ...familyOptions } = options as TfjsOptimizerOptions & { engine?: unknown };
    delete (familyOptions as { engine?: unknown }).engine;
    if (schedule !== undefined && typeof schedule !== "function") {
      throw new OptimError("INVALID_ARGUMENT", "tfjsOptimizer: schedule must be a function of the step (a wasm-optim schedule)");
    }
    // The adapter moves state per variable as float32 (readState/restoreSlots, writeStates): compact
    // state's getState is a copy and its saved slots are not 4 bytes a number, so it is refused.
    const stateDtype = (familyOptions as { stateDtype?: unknown }).stateDtype;
    if (stateDtype !== undefined && stateDtype !== "float32") {
      throw new OptimError("INVALID_ARGUMENT", `tfjsOptimizer: stateDtype must be "float32" (the adapter keeps each variable's state as float32), got ${typeof stateDtype === "string" ? JSON.stringify(stateDtype) : typeof stateDtype}`);
    }
    const probe = engine.param(1);
    try {
      const opt = make([probe], familyOptions);
      this.slots = slotNames(opt);
      this.lr = opt.paramGroups[0].lr as number;
      opt.dispose();
    } finally {
      probe.dispose();
    }
    this.engine = engine;
    this.family = family;
    this.make = make;
    this.options = Object.freeze({ ...familyOptions });
    this.schedule = schedule;
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /** The lr of the next step when there is no schedule; settable between steps. */
  get learningRate(): number {
    return this.lr;
  }

  set learningRate(value: number) {
    this.lr = checkLr(value, "learningRate");
  }

  /** The wasm-optim optimizer doing the work (null before the first gradient); rebuilt when variables leave. */
  get optimizer(): Optimizer<any> | null {
    return this.inner;
  }

  /** Names of the variables this optimizer holds state for. */
  get variableNames(): string[] {
    return [...this.tracked.keys()];
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    this.assertLive();
    const entries = readGradients(variableGradients);
    const lr = this.schedule ? checkLr(this.schedule(this.iterations), `schedule(${this.iterations})`) : this.lr;
    const gone = this.disposedNames();
    const newcomers = entries.filter((e) => e.grad !== null && (!this.tracked.has(e.name) || gone.has(e.name)));
    if (gone.size === 0 && newcomers.length === 0) {
      if (this.inner !== null) this.step(this.inner, this.tracked, entries, lr);
    } else {
      const { matched, positional } = this.matchPending(newcomers);
      const next = this.build(newcomers, matched, gone);
      try {
        if (next.inner !== null) this.step(next.inner, next.tracked, entries, lr);
      } catch (error) {
        discard(next);
        throw error;
      }
      this.commit(next);
      if (positional) this.pending = new Map();
      else for (const name of matched.keys()) this.pending.delete(name);
    }
    this.incrementIterations();
  }

  /** TF.js's layout: the iteration count, then "<variable>/step" and "<variable>/<state>" per variable. */
  override async getWeights(): Promise<NamedTensor[]> {
    this.assertLive();
    for (const t of this.lastWeights) t.dispose();
    const weights = [await this.saveIterations()];
    for (const [name, { variable, param }] of this.tracked) weights.push(...stateTensors(name, variable.shape, readState(this.inner!, param), this.slots));
    for (const [name, state] of this.pending) weights.push(...stateTensors(name, [state.size], state, this.slots));
    this.lastWeights = weights.map((w) => w.tensor);
    return weights;
  }

  /**
   * Restores getWeights' output. Variables held now take their state at once; others when they
   * first appear: by name, or by position when no name matches and the counts and sizes agree
   * (a model loaded beside its original gets suffixed variable names; TF.js's own optimizers
   * match by position). Everything is checked first: STATE_INCOMPATIBLE, and nothing changed.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    this.assertLive();
    const { iterations, states } = await parseWeights(weightValues, this.slots);
    this.assertLive();
    const given = new Map<string, ParamState>();
    const pending = new Map<string, SavedVariableState>();
    for (const [name, state] of states) {
      const held = this.tracked.get(name);
      if (!held) {
        pending.set(name, state);
        continue;
      }
      checkSize(name, state, held.param.length);
      given.set(name, state);
    }
    // States of variables not met yet are loaded into a throwaway optimizer, one at a time, so
    // they pass loadState's checks now rather than fail the step that meets their variable.
    const held = new Set(this.tracked.keys());
    for (const state of pending.values()) if (state.size >= 0) discard(this.build([], new Map([["", state]]), held, [["", state.size]]));
    if (given.size > 0) this.commit(this.build([], given, new Set()));
    this.pending = pending;
    this.iterations_ = iterations;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { family: this.family };
    for (const [key, value] of Object.entries(this.options)) {
      // JSON has no Infinity: an infinite maxGradNorm is the default (left out), an infinite norm type is "inf".
      if (value === Infinity) {
        if (key === "gradNormType") config[key] = "inf";
        continue;
      }
      config[key] = value as tf.serialization.ConfigDictValue;
    }
    config.lr = this.lr;
    return config;
  }

  /** Builds the optimizer a saved model names, on the shared engine (see tfjsEngine). */
  static override fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    const { family, customObjects: _ignored, gradNormType, ...options } = config;
    const normType = gradNormType === "inf" ? Infinity : gradNormType;
    return new cls(tfjsEngineSync(), family, normType === undefined ? options : { ...options, gradNormType: normType });
  }

  /** Frees the heap storage of every variable's copy and state. The TF.js variables are untouched. */
  override dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.inner?.dispose();
    this.inner = null;
    for (const { param } of this.tracked.values()) param.dispose();
    this.tracked.clear();
    this.pending.clear();
    for (const t of this.lastWeights) t.dispose();
    this.lastWeights = [];
    super.dispose();
  }

  private assertLive(): void {
    if (this.isDisposed) throw new OptimError("DISPOSED", "WasmOptimizer: the optimizer has been disposed");
    if (this.engine.disposed) throw new OptimError("DISPOSED", "WasmOptimizer: its engine has been disposed");
  }

  /** One step: gradients in, kernel, skipped variables put back, new values out. */
  private step(inner: Optimizer<any>, tracked: ReadonlyMap<string, Tracked>, entries: readonly GradientEntry[], lr: number): void {
    const grads = new Map<string, tf.Tensor>();
    for (const e of entries) if (e.grad !== null) grads.set(e.name, e.grad);
    const skipped: { param: Param; data: Float32Array; state: ParamState }[] = [];
    for (const [name, t] of tracked) {
      if (t.variable.dataId !== t.dataId) {
        // Assigned outside (model.setWeights, loadWeights, user code): take its current values.
        copyTensorInto(t.param.data, t.variable);
        t.dataId = t.variable.dataId;
      }
      const grad = grads.get(name);
      if (grad) {
        copyTensorInto(t.param.grad, grad);
      } else {
        t.param.grad.fill(0); // so it adds nothing to a clipping norm
        skipped.push({ param: t.param, data: t.param.data.slice(), state: readState(inner, t.param) });
      }
    }
    for (const group of inner.paramGroups) group.lr = lr;
    const skippedBefore = inner.skippedSteps;
    inner.step();
    for (const s of skipped) {
      s.param.data.set(s.data);
      restoreSlots(inner, s.param, s.state);
    }
    if (inner.skippedSteps !== skippedBefore) return; // nonFinite: "skip" left every value as it was
    for (const [name, t] of tracked) {
      if (!grads.has(name)) continue;
      const value = tensorFromCopy(t.param.data, t.variable.shape);
      t.variable.assign(value);
      value.dispose();
      t.dataId = t.variable.dataId;
    }
  }

  /** Saved states (from setWeights) for the newcomers: by name, else by position (see setWeights). Changes nothing. */
  private matchPending(newcomers: readonly GradientEntry[]): { matched: Map<string, SavedVariableState>; positional: boolean } {
    const matched = new Map<string, SavedVariableState>();
    let positional = false;
    if (this.pending.size === 0) return { matched, positional };
    for (const e of newcomers) {
      const state = this.pending.get(e.name);
      if (state) matched.set(e.name, state);
    }
    if (matched.size === 0 && this.pending.size === newcomers.length) {
      const saved = [...this.pending.values()];
      if (saved.every((s, i) => s.size < 0 || s.size === newcomers[i].variable.size)) {
        newcomers.forEach((e, i) => matched.set(e.name, saved[i]));
        positional = true;
      }
    }
    for (const [name, state] of matched) checkSize(name, state, newcomers.find((e) => e.name === name)!.variable.size);
    return { matched, positional };
  }

  /** Names of held variables disposed in TF.js (or whose name now belongs to another variable). */
  private disposedNames(): Set<string> {
    const registered = tf.engine().registeredVariables;
    const gone = new Set<string>();
    for (const [name, t] of this.tracked) if (t.variable.isDisposed || registered[name] !== t.variable) gone.add(name);
    return gone;
  }

  /**
   * Builds, beside the live optimizer (which it leaves untouched), one over fresh params: the held
   * variables but `drop`, then `newcomers` (then `probes`, unnamed params of those sizes, to check
   * states). Each keeps its state unless `given` has one; params are grouped by step count, since a
   * group has one. On failure, frees what it built and throws.
   */
  private build(
    newcomers: readonly GradientEntry[],
    given: ReadonlyMap<string, ParamState>,
    drop: ReadonlySet<string>,
    probes: readonly [string, number][] = [],
  ): Built {
    const tracked = new Map<string, Tracked>();
    const states = new Map<Param, ParamState>();
    const made: Param[] = [];
    let inner: Optimizer<any> | null = null;
    const add = (param: Param, state: ParamState | undefined) => {
      made.push(param);
      if (state) states.set(param, state);
    };
    try {
      for (const [name, t] of this.tracked) {
        if (drop.has(name)) continue;
        // A copy first: allocating may grow the heap, which detaches views of it.
        const param = this.engine.param(t.param.data.slice(), { shape: t.variable.shape, name });
        add(param, given.get(name) ?? readState(this.inner!, t.param));
        tracked.set(name, { variable: t.variable, param, dataId: t.dataId });
      }
      for (const { name, variable } of newcomers) {
        const param = this.engine.param(variable.dataSync() as Float32Array, { shape: variable.shape, name });
        add(param, given.get(name));
        tracked.set(name, { variable, param, dataId: variable.dataId });
      }
      for (const [name, size] of probes) add(this.engine.param(size), given.get(name));
      if (made.length > 0) {
        const byStep = new Map<number, Param[]>();
        for (const param of made) {
          const step = states.get(param)?.step ?? -1; // -1: fresh, no state
          byStep.set(step, [...(byStep.get(step) ?? []), param]);
        }
        inner = this.make([...byStep.values()].map((group) => ({ params: group, lr: this.lr })), this.options);
        if (states.size > 0) writeStates(inner, states);
      }
    } catch (error) {
      inner?.dispose();
      for (const param of made) param.dispose();
      throw error;
    }
    return { inner, tracked, params: made };
  }

  /** Swaps in a built optimizer and frees the old one with its params (writes that cannot fail). */
  private commit(next: Built): void {
    const old: Built = { inner: this.inner, tracked: this.tracked, params: [...this.tracked.values()].map((t) => t.param) };
    this.inner = next.inner;
    this.tracked = next.tracked;
    discard(old);
  }
}

/** Frees an optimizer and the params it mirrors (the TF.js variables are untouched). */
function discard({ inner, params }: Built): void {
  inner?.dispose();
  for (const param of params) param.dispose();
}

function checkLr(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new OptimError("INVALID_HYPERPARAMETER", `WasmOptimizer: ${what} is ${String(value)}, expected a finite number >= 0`);
  }
  return value;
}

function checkSize(name: string, state: SavedVariableState, size: number): void {
  if (state.size >= 0 && state.size !== size) {
    throw new OptimError("STATE_INCOMPATIBLE", `setWeights: the saved state of "${name}" has ${state.size} elements, the variable ${size}`);
  }
}
