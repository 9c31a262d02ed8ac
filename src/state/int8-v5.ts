// The int8 codes of format version 5: bitsandbytes' dynamic map (`create_dynamic_map` in
// bitsandbytes/functional.py; Dettmers et al., "8-bit Optimizers via Block-wise Quantization", 2022),
// x = MAP[code] · the block's scale. Version 6 replaced it with 8-bit floats (assembly/ops/int8.ts);
// a version-5 state is read through this map, then requantized.

/**
 * The map from its definition: for decade i = 0..6, the means of 2^i (signed: each sign) or 2^(i+1)
 * (unsigned) equal steps of [0.1, 1], times 10^(i−6); plus 0 and 1; sorted. Computed in float64 with
 * + − × ÷ only, rounded once to float32 (as version 5 wrote it).
 */
function dynamicMap(signed: boolean): Float32Array {
  const values: number[] = [0, 1];
  const decades = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1];
  for (let i = 0; i < 7; i++) {
    const steps = signed ? 2 ** i : 2 ** (i + 1);
    for (let j = 0; j < steps; j++) {
      const mean = (0.1 + (0.9 * j) / steps + (0.1 + (0.9 * (j + 1)) / steps)) / 2;
      values.push(decades[i] * mean);
      if (signed) values.push(-decades[i] * mean);
    }
  }
  return Float32Array.from(values.sort((a, b) => a - b));
}

export const V5_SIGNED_MAP = dynamicMap(true);
export const V5_UNSIGNED_MAP = dynamicMap(false);
