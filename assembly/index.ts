// Every kernel the TypeScript backends call. Signatures are mirrored one for one by the
// plain-JS backend in src/backend/js-kernels.ts.
export { fill } from "./ops/fill";
export { sgd, sgdMomentum } from "./kernels/sgd";
export { adam } from "./kernels/adam";
export { adagrad } from "./kernels/adagrad";
export { rmsprop } from "./kernels/rmsprop";
export { adadelta } from "./kernels/adadelta";
export { rprop } from "./kernels/rprop";
