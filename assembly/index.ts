// Every kernel the TypeScript backends call, exported under the names of the kernel contract
// (src/backend/contract.ts), which the build checks these exports against.
export { fill } from "./ops/fill";
export { sumSquares } from "./ops/sumSquares";
export { maxAbs } from "./ops/maxAbs";
export { scale } from "./ops/scale";
export { clamp } from "./ops/clamp";
export { gemm } from "./ops/gemm";
export { sgd, sgdMomentum } from "./kernels/sgd";
export { adam, adamBf16 } from "./kernels/adam";
export { adagrad } from "./kernels/adagrad";
export { rmsprop } from "./kernels/rmsprop";
export { adadelta } from "./kernels/adadelta";
export { rprop } from "./kernels/rprop";
export { adamax } from "./kernels/adamax";
export { nadam } from "./kernels/nadam";
export { lion } from "./kernels/lion";
