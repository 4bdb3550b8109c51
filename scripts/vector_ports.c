/* How many vector multiplies per cycle this CPU sustains, for the README's "Ports and
 * clock" note. Twelve independent chains of vmulps show the throughput (zmm and ymm);
 * one dependent chain shows the latency, and with the 4-cycle latency of vmulps on
 * Intel's recent cores, the effective clock (chain rate × 4).
 *
 *   gcc -O3 -funroll-all-loops -mavx512f -mavx2 -o /tmp/vector_ports scripts/vector_ports.c
 *   /tmp/vector_ports
 */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#define N 200000000L

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

__attribute__((noinline)) static float independent_zmm(float s) {
    __m512 a[12];
    __m512 m = _mm512_set1_ps(0.9999999f);
    for (int i = 0; i < 12; i++) a[i] = _mm512_set1_ps(s + i);
    for (long k = 0; k < N / 12; k++)
        for (int i = 0; i < 12; i++) a[i] = _mm512_mul_ps(a[i], m);
    __m512 r = a[0];
    for (int i = 1; i < 12; i++) r = _mm512_add_ps(r, a[i]);
    return _mm512_reduce_add_ps(r);
}

__attribute__((noinline)) static float independent_ymm(float s) {
    __m256 a[12];
    __m256 m = _mm256_set1_ps(0.9999999f);
    for (int i = 0; i < 12; i++) a[i] = _mm256_set1_ps(s + i);
    for (long k = 0; k < N / 12; k++)
        for (int i = 0; i < 12; i++) a[i] = _mm256_mul_ps(a[i], m);
    __m256 r = a[0];
    for (int i = 1; i < 12; i++) r = _mm256_add_ps(r, a[i]);
    float o[8];
    _mm256_storeu_ps(o, r);
    return o[0];
}

__attribute__((noinline)) static float dependent_zmm(float s) {
    __m512 a = _mm512_set1_ps(s);
    __m512 m = _mm512_set1_ps(0.9999999f);
    for (long k = 0; k < N / 12; k++) a = _mm512_mul_ps(a, m);
    return _mm512_reduce_add_ps(a);
}

int main(void) {
    for (int rep = 0; rep < 2; rep++) {
        double t = now();
        float r = independent_zmm(1);
        double tz = now() - t;
        t = now();
        r += independent_ymm(1);
        double ty = now() - t;
        t = now();
        r += dependent_zmm(1);
        double td = now() - t;
        double chain = N / 12 / td; /* dependent multiplies per second */
        printf("independent zmm %.2f G/s, ymm %.2f G/s; dependent %.3f G/s -> clock %.2f GHz "
               "(at 4 cycles), zmm %.2f and ymm %.2f per cycle  [%g]\n",
               N / tz * 1e-9, N / ty * 1e-9, chain * 1e-9, 4 * chain * 1e-9,
               N / tz / (4 * chain), N / ty / (4 * chain), r);
    }
    return 0;
}
