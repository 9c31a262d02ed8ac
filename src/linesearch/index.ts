// Line searches along a direction, for full-batch problems and for L-BFGS.
export type { LineFunction, LinePoint, LineSearchResult } from "./line.js";
export { backtrackingLineSearch, type BacktrackingOptions } from "./backtracking.js";
export { strongWolfeLineSearch, type StrongWolfeOptions } from "./strong-wolfe.js";
