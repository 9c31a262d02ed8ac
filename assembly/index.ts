// Every kernel the TypeScript backends call. Signatures are mirrored one for one by the
// plain-JS backend in src/backend/js-kernels.ts.
export { fill } from "./ops/fill";
export { sgd, sgdMomentum } from "./kernels/sgd";
export { adam } from "./kernels/adam";
