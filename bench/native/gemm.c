// Native reference point for assembly/ops/gemm.ts: the same C += A·B loop structure (panels of
// 8 columns, register tiles of 4 rows × 2 vectors of 4 floats, the k loop innermost, one product
// and one sum per step, no FMA), written with 128-bit SSE intrinsics. Built by run.sh with
// gcc -O3 -msse4.2 -ffp-contract=off (no -ffast-math: the summation order is the contract), so
// its C has the same bits as ours; it prints GFLOP/s and a checksum of C's bits to compare.
// Not part of the library or of CI.
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void tile4x8(float *c, const float *a, const float *b, int i, int j, int n, int k) {
  float *c0 = c + (size_t)i * n + j, *c1 = c0 + n, *c2 = c1 + n, *c3 = c2 + n;
  __m128 x00 = _mm_loadu_ps(c0), x01 = _mm_loadu_ps(c0 + 4);
  __m128 x10 = _mm_loadu_ps(c1), x11 = _mm_loadu_ps(c1 + 4);
  __m128 x20 = _mm_loadu_ps(c2), x21 = _mm_loadu_ps(c2 + 4);
  __m128 x30 = _mm_loadu_ps(c3), x31 = _mm_loadu_ps(c3 + 4);
  const float *pa = a + (size_t)i * k, *pb = b + j;
  for (int p = 0; p < k; p++, pa++, pb += n) {
    __m128 b0 = _mm_loadu_ps(pb), b1 = _mm_loadu_ps(pb + 4);
    __m128 a0 = _mm_set1_ps(pa[0]), a1 = _mm_set1_ps(pa[k]), a2 = _mm_set1_ps(pa[2 * k]), a3 = _mm_set1_ps(pa[3 * k]);
    x00 = _mm_add_ps(x00, _mm_mul_ps(a0, b0)); x01 = _mm_add_ps(x01, _mm_mul_ps(a0, b1));
    x10 = _mm_add_ps(x10, _mm_mul_ps(a1, b0)); x11 = _mm_add_ps(x11, _mm_mul_ps(a1, b1));
    x20 = _mm_add_ps(x20, _mm_mul_ps(a2, b0)); x21 = _mm_add_ps(x21, _mm_mul_ps(a2, b1));
    x30 = _mm_add_ps(x30, _mm_mul_ps(a3, b0)); x31 = _mm_add_ps(x31, _mm_mul_ps(a3, b1));
  }
  _mm_storeu_ps(c0, x00); _mm_storeu_ps(c0 + 4, x01);
  _mm_storeu_ps(c1, x10); _mm_storeu_ps(c1 + 4, x11);
  _mm_storeu_ps(c2, x20); _mm_storeu_ps(c2 + 4, x21);
  _mm_storeu_ps(c3, x30); _mm_storeu_ps(c3 + 4, x31);
}

/** C += A·B, row-major, m and n multiples of 4 and 8 (the sizes measured here). */
static void gemm(float *c, const float *a, const float *b, int m, int n, int k) {
  for (int j = 0; j + 8 <= n; j += 8)
    for (int i = 0; i + 4 <= m; i += 4) tile4x8(c, a, b, i, j, n, k);
}

/** bench/impls/types.ts fillValues: the same LCG, so both sides multiply the same matrices. */
static void fill(float *x, size_t len, uint32_t seed) {
  uint32_t state = seed * 2654435761u;
  for (size_t i = 0; i < len; i++) {
    state = state * 1664525u + 1013904223u;
    x[i] = (float)((double)state / 4294967296.0 - 0.5);
  }
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); // CPU time: the machine is shared
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  int size = argc > 1 ? atoi(argv[1]) : 512;
  size_t len = (size_t)size * size;
  float *a = aligned_alloc(16, len * 4), *b = aligned_alloc(16, len * 4), *c = aligned_alloc(16, len * 4);
  fill(a, len, 1); fill(b, len, 2); memset(c, 0, len * 4);
  // One product from C = 0 for the checksum, then timed repetitions (C keeps accumulating).
  gemm(c, a, b, size, size, size);
  uint32_t sum = 0;
  for (size_t i = 0; i < len; i++) { uint32_t bits; memcpy(&bits, c + i, 4); sum = sum * 31u + bits; }
  double best = 1e30;
  for (int r = 0; r < 7; r++) {
    double t0 = now();
    gemm(c, a, b, size, size, size);
    double dt = now() - t0;
    if (dt < best) best = dt;
  }
  printf("C -O3 SSE  %d^3: %.2f GFLOP/s (best of 7, %.1f ms of CPU time), checksum %08x\n", size, 2.0 * size * size * size / best * 1e-9, best * 1e3, sum);
  return 0;
}
