import { BLOCK, decodeBlock, encodeBlock } from "../ops/int8";
import { sgdMomentum } from "./sgd";
import { adam } from "./adam";
import { adagrad } from "./adagrad";
import { rmsprop } from "./rmsprop";
import { adadelta } from "./adadelta";
import { rprop } from "./rprop";
import { adamax } from "./adamax";
import { nadam } from "./nadam";
import { lion } from "./lion";

// The families' kernels over block-wise 8-bit state (assembly/ops/int8.ts). Per run of up to four
// blocks of 256 numbers: decode each slot's codes into the thread's scratch (float32, in cache), run
// the family's float32 kernel over the run with the scratch as its state, encode the new state. So the update is the
// float32 one, bit for bit, from the dequantized state, and p is updated from the unquantized new
// state (as bitsandbytes does). Each slot is (codes, scales): `codes` at the block's first number,
// `scales` at its block's scale; a thread split cuts at block boundaries and gives each thread its
// own scratch. A slot the options leave unused is neither read nor written.

/** Numbers per kernel call: four blocks (one block per call spent a fifth of the time in call set-up). */
const RUN: i32 = 4 * BLOCK;
/** Bytes between the scratch's slots: a run of float32 and 64 more, so that the slots' addresses do not alias modulo 4 KiB. */
const SLOT: usize = (<usize>RUN << 2) + 64;

/** Element i's byte offset in a float32 array. */
@inline function f32At(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

/** Block b's scale. */
@inline function scaleAt(scales: usize, start: i32): usize {
  return scales + (<usize>(start >> 8) << 2);
}

/** The run of `len` numbers from `start` of a slot dequantized into `into`; C is i8 for signed codes, u8 for unsigned (assembly/ops/int8.ts). */
@inline function decode<C>(codes: usize, scales: usize, start: i32, len: i32, into: usize): void {
  for (let b = 0; b < len; b += BLOCK) {
    decodeBlock<C>(codes + <usize>(start + b), load<f32>(scaleAt(scales, start + b)), f32At(into, b), min(BLOCK, len - b));
  }
}

/** The run at `from` quantized into the run from `start` of a slot, block by block. */
@inline function encode<C>(from: usize, codes: usize, scales: usize, start: i32, len: i32): void {
  for (let b = 0; b < len; b += BLOCK) encodeBlock<C>(f32At(from, b), codes + <usize>(start + b), scaleAt(scales, start + b), min(BLOCK, len - b));
}

export function sgdMomentumInt8(
  p: usize, g: usize, buf: usize, bufScales: usize, scratch: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, bufDecay: f32, bufGradScale: f32, mu: f32, nesterov: bool,
): void {
  for (let start = 0; start < n; start += RUN) {
    const len = min(RUN, n - start);
    decode<i8>(buf, bufScales, start, len, scratch);
    sgdMomentum(f32At(p, start), f32At(g, start), scratch, len, lr, gScale, weightDecay, bufDecay, bufGradScale, mu, nesterov);
    encode<i8>(scratch, buf, bufScales, start, len);
  }
}

export function adamInt8(
  p: usize, g: usize, m: usize, mScales: usize, v: usize, vScales: usize, vmax: usize, vmaxScales: usize, scratch: usize, n: i32,
  gScale: f32, weightDecay: f32, decay: f32, beta1: f32, c1: f32, beta2: f32, c2: f32, stepSize: f32, epsHat: f32, amsgrad: bool,
): void {
  const sm = scratch, sv = sm + SLOT, sx = sv + SLOT;
  for (let start = 0; start < n; start += RUN) {
    const len = min(RUN, n - start);
    decode<i8>(m, mScales, start, len, sm);
    decode<u8>(v, vScales, start, len, sv);
    if (amsgrad) decode<u8>(vmax, vmaxScales, start, len, sx);
    adam(f32At(p, start), f32At(g, start), sm, sv, sx, len, gScale, weightDecay, decay, beta1, c1, beta2, c2, stepSize, epsHat, amsgrad);
    encode<i8>(sm, m, mScales, start, len);
    encode<u8>(sv, v, vScales, start, len);
    if (amsgrad) encode<u8>(sx, vmax, vmaxScales, start, len);
  }
}

export function adagradInt8(
  p: usize, g: usize, sum: usize, sumScales: usize, scratch: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, epsIn: f32, epsOut: f32,
): void {
  for (let start = 0; start < n; start += RUN) {
    const len = min(RUN, n - start);
    decode<u8>(sum, sumScales, start, len, scratch);
    adagrad(f32At(p, start), f32At(g, start), scratch, len, lr, gScale, weightDecay, epsIn, epsOut);
    encode<u8>(scratch, sum, sumScales, start, len);
  }
}

export function rmspropInt8(
  p: usize, g: usize, sq: usize, sqScales: usize, buf: usize, bufScales: usize, gAvg: usize, gAvgScales: usize, scratch: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, alpha: f32, c: f32, mu: f32, epsIn: f32, epsOut: f32, useMomentum: bool, centered: bool,
): void {
  const ss = scratch, sb = ss + SLOT, sa = sb + SLOT;
  for (let start = 0; start < n; start += RUN) {
    const len = min(RUN, n - start);
    decode<u8>(sq, sqScales, start, len, ss);
    if (useMomentum) decode<i8>(buf, bufScales, start, len, sb);
    if (centered) decode<i8>(gAvg, gAvgScales, start, len, sa);
    rmsprop(f32At(p, start), f32At(g, start), ss, sb, sa, len, lr, gScale, weightDecay, alpha, c, mu, epsIn, epsOut, useMomentum, centered);
    encode<u8>(ss, sq, sqScales, start, len);
    if (useMomentum) encode<i8>(sb, buf, bufScales, start, len);
    if (centered) encode<i8>(sa, gAvg, gAvgScales, start, len);
  }
}

export function adadeltaInt8(
  p: usize, g: usize, sq: usize, sqScales: usize, accDelta: usize, accDeltaScales: usize, scratch: usize, n: i32,
  lr: f32, gScale: f32, weightDecay: f32, rho: f32, c: f32, eps: f32, previousSquareAvg: bool,
): void {
  const ss = scratch, sd = ss + SLOT;
  for (let start = 0; start < n; start += RUN) {
    const len = min(RUN, n - start);
    decode<u8>(sq, sqScales, start, len, ss);
    decode<u8>(accDelta, accDeltaScales, start, len, sd);
    adadelta(f32At(p, start), f32At(g, start), ss, sd, len, lr, gScale, weightDecay, rho, c, eps, previousSquareAvg);
    encode<u8>(ss, sq, sqScales, start, len);
    encode<u8>(sd, accDelta, accDeltaScales, start, len);
  }
}

export function rpropInt8(
  p: usize, g: usize, prev: usize, prevScales: usize, stepSize: usize, stepSizeScales: usize, scratch: usize, n: i32,
  gScale: f32, etaMinus: f32, etaPlus: f32, stepSizeMin: f32, stepSizeMax: f32,
): void {
  const sp = scratch, ss = sp + SLOT;
  for (let start = 0; start < n; start += RUN) {
    const len = min(RUN, n - start);
    decode<i8>(prev, prevScales, start, len, sp);
    decode<u8>(stepSize, stepSizeScales, start, len, ss);
    rprop(f32At(p, start), f32At(g, start), sp, ss, len, gScale, etaMinus, etaPlus, stepSizeMin, stepSizeMax);
    encode<i8>(sp, prev, prevScales, start, len);
    encode<u8>(ss, stepSize, stepSizeScales, start, len);
  }
}

export function adamaxInt8(
  p: usize, g: usize, m: usize, mScales: usize, u: usize, uScales: usize, scratch: usize, n: i32,
  gScale: f32, weightDecay: f32, beta1: f32, c1: f32, beta2: f32, epsInMax: f32, epsOutside: f32, stepSize: f32,
): void {
  const sm = scratch, su = sm + SLOT;
  for (let start = 0; start < n; start += RUN) {
    const len = min(RUN, n - start);
    decode<i8>(m, mScales, start, len, sm);
    decode<u8>(u, uScales, start, len, su);
    adamax(f32At(p, start), f32At(g, start), sm, su, len, gScale, weightDecay, beta1, c1, beta2, epsInMax, epsOutside, stepSize);
    encode<i8>(sm, m, mScales, start, len);
    encode<u8>(su, u, uScales, start, len);
  }
}

export function nadamInt8(
  p: usize, g: usize, m: usize, mScales: usize, v: usize, vScales: usize, scratch: usize, n: i32,
  gScale: f32, wd: f32, decay: f32, beta1: f32, weight1: f32, beta2: f32, weight2: f32, gCoef: f32, mCoef: f32, epsHat: f32, adaptive: bool,
): void {
  const sm = scratch, sv = sm + SLOT;
  for (let start = 0; start < n; start += RUN) {
    const len = min(RUN, n - start);
    decode<i8>(m, mScales, start, len, sm);
    decode<u8>(v, vScales, start, len, sv);
    nadam(f32At(p, start), f32At(g, start), sm, sv, len, gScale, wd, decay, beta1, weight1, beta2, weight2, gCoef, mCoef, epsHat, adaptive);
    encode<i8>(sm, m, mScales, start, len);
    encode<u8>(sv, v, vScales, start, len);
  }
}

export function lionInt8(
  p: usize, g: usize, m: usize, mScales: usize, scratch: usize, n: i32,
  gScale: f32, decay: f32, lr: f32, beta1: f32, c1: f32, beta2: f32, c2: f32,
): void {
  for (let start = 0; start < n; start += RUN) {
    const len = min(RUN, n - start);
    decode<i8>(m, mScales, start, len, scratch);
    lion(f32At(p, start), f32At(g, start), scratch, len, gScale, decay, lr, beta1, c1, beta2, c2);
    encode<i8>(scratch, m, mScales, start, len);
  }
}
