/**
 * A plain copy of an array, read by index rather than through its iterator: callers check and then
 * use this copy, so an array whose iterator hides an element cannot slip it past their checks.
 */
export function copyList<T>(list: readonly T[]): T[] {
  const copy = new Array<T>(list.length);
  for (let i = 0; i < list.length; i++) copy[i] = list[i];
  return copy;
}
