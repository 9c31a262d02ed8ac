import type { Optimizer, GroupLayout } from "../optim/optimizer.js";
import type { Param } from "../param.js";

/** Any optimizer a companion can wrap, whatever its family. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOptimizer = Optimizer<any, any>;

/** One packed param group of the wrapped optimizer, as a companion sees it. */
export interface Span {
  /** Byte offsets of the group's packed values and gradients. */
  readonly data: number;
  readonly grad: number;
  /** Floats in the group. */
  readonly n: number;
  readonly params: readonly Param[];
  /** Element index of each parameter inside the group. */
  readonly starts: readonly number[];
}

/**
 * The optimizer's packed groups. This reads its protected `layouts` (data and gradient offsets, n,
 * starts): the one piece of the optimizer's internals the companions use, kept to this function.
 */
export function spansOf(optimizer: AnyOptimizer): Span[] {
  const layouts = (optimizer as unknown as { readonly layouts: readonly GroupLayout[] }).layouts;
  return optimizer.paramGroups.map((group, i) => {
    const { data, grad, n, starts } = layouts[i];
    return { data, grad, n, params: group.params, starts: starts.slice() };
  });
}
