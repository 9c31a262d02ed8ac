// Every kernel the TypeScript backends call. Signatures are mirrored one for one by the
// plain-JS backend in src/backend/js-kernels.ts.
export { fill } from "./ops/fill";
export { sumSquares } from "./ops/sumSquares";
export { maxAbs } from "./ops/maxAbs";
export { scale } from "./ops/scale";
export { clamp } from "./ops/clamp";
export { gemm } from "./ops/gemm";
export { sgd, sgdMomentum } from "./kernels/sgd";
export { adam } from "./kernels/adam";
export { adagrad } from "./kernels/adagrad";
export { rmsprop } from "./kernels/rmsprop";
export { adadelta } from "./kernels/adadelta";
export { rprop } from "./kernels/rprop";
export { adamax } from "./kernels/adamax";
export { nadam } from "./kernels/nadam";
export { lion } from "./kernels/lion";
export { asgd } from "./kernels/asgd";
export { scheduleFreeSgd, scheduleFreeAdamW, lerp } from "./kernels/schedulefree";
