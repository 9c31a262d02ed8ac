// Per-parameter optimizer state in and out of a wasm-optim optimizer. The optimizer packs its
// parameters into groups and creates state buffers lazily, so putting given state into fresh
// groups goes through its own checked path: saveState, edit the groups, loadState.
import type { Optimizer, Param } from "../index.js";
import { decodeState, encodeState, savedSlotLength } from "../state/format.js";
import { slotLength } from "../state/layout.js";

/** One parameter's state, copied out of the heap: its group's step count and its slice of each state buffer. */
export interface ParamState {
  step: number;
  slots: Record<string, Float32Array>;
}

/** Copies a parameter's state out (one bulk copy per state buffer). */
export function readState(optimizer: Optimizer<any>, param: Param): ParamState {
  const { step, ...views } = optimizer.getState(param);
  const slots: Record<string, Float32Array> = {};
  for (const [name, view] of Object.entries(views)) if (view instanceof Float32Array) slots[name] = view.slice();
  return { step, slots };
}

/** Copies a state back over a parameter's slices of the buffers that exist now (the step is its group's). */
export function restoreSlots(optimizer: Optimizer<any>, param: Param, state: ParamState): void {
  const now = optimizer.getState(param);
  for (const [name, values] of Object.entries(state.slots)) {
    const view = now[name];
    if (view instanceof Float32Array) view.set(values);
  }
}

/** The family's state buffer names, in kernel order, as its saved state lists them. */
export function slotNames(optimizer: Optimizer<any>): string[] {
  return decodeState(optimizer.saveState()).header.slots.map((slot) => slot.name);
}

/**
 * Gives the groups whose every parameter has an entry in `states` that state (each such group's
 * parameters must share one step count, which the caller arranges by grouping them so); other
 * groups keep theirs. Checked by loadState before anything is written.
 */
export function writeStates(optimizer: Optimizer<any>, states: ReadonlyMap<Param, ParamState>): void {
  const { header, payload } = decodeState(optimizer.saveState());
  const buffers: Uint8Array[] = [];
  let at = 0;
  const layoutOf = (name: string) => header.slots.find((slot) => slot.name === name)!.layout;
  header.groups.forEach((group, i) => {
    const params: readonly Param[] = optimizer.paramGroups[i].params;
    const given = params.map((p) => states.get(p));
    if (given.some((s) => s === undefined)) {
      for (const name of group.slots) {
        const bytes = 4 * savedSlotLength(group, layoutOf(name));
        buffers.push(payload.subarray(at, at + bytes));
        at += bytes;
      }
      return;
    }
    for (const name of group.slots) at += 4 * savedSlotLength(group, layoutOf(name));
    group.step = given[0]!.step;
    group.slots = header.slots.map((slot) => slot.name).filter((name) => given.every((s) => s!.slots[name] !== undefined));
    for (const name of group.slots) {
      const packed = new Float32Array(savedSlotLength(group, layoutOf(name)));
      let offset = 0;
      given.forEach((s: ParamState | undefined, j: number) => {
        packed.set(s!.slots[name], offset);
        offset += slotLength(layoutOf(name), params[j].shape);
      });
      buffers.push(new Uint8Array(packed.buffer));
    }
  });
  optimizer.loadState(encodeState(header, buffers));
}
