// Every kernel the TypeScript backends call, exported under the names of the kernel contract
// (src/backend/contract.ts), which the build checks these exports against.
export { fill } from "./ops/fill";
export { sumSquares } from "./ops/sumSquares";
export { maxAbs } from "./ops/maxAbs";
export { scale } from "./ops/scale";
export { clamp } from "./ops/clamp";
export { gemm, gemmSymmetric } from "./ops/gemm";
export { sgd, sgdMomentum, sgdMomentumBf16 } from "./kernels/sgd";
export { adam, adamBf16 } from "./kernels/adam";
export { sgdMomentumInt8, adamInt8, adagradInt8, rmspropInt8, adadeltaInt8, rpropInt8, adamaxInt8, nadamInt8, lionInt8 } from "./kernels/int8";
export { adagrad, adagradBf16 } from "./kernels/adagrad";
export { rmsprop, rmspropBf16 } from "./kernels/rmsprop";
export { adadelta, adadeltaBf16 } from "./kernels/adadelta";
export { rprop, rpropBf16 } from "./kernels/rprop";
export { adamax, adamaxBf16 } from "./kernels/adamax";
export { nadam, nadamBf16 } from "./kernels/nadam";
export { lion, lionBf16 } from "./kernels/lion";
export { swap } from "./ops/swap";
export { lerpAverage, lerpStash } from "./kernels/average";
export { lookahead } from "./kernels/lookahead";
export { muonMomentum, muonAxpby, muonApply, muonCopy } from "./kernels/muon";
export { adafactorFactors, adafactorFactoredSq, adafactorFactoredStep, adafactorVectorSq, adafactorVectorStep } from "./kernels/adafactor";
export { asgd } from "./kernels/asgd";
export { scheduleFreeSgd, scheduleFreeAdamW, lerp } from "./kernels/schedulefree";
