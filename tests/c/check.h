/* Tiny assertion helpers shared by the C test programs. */
#ifndef LOSSKIT_TEST_CHECK_H
#define LOSSKIT_TEST_CHECK_H
#include <math.h>
#include <stdio.h>

static int lk_test_failures = 0;

#define CHECK(cond)                                                                \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            lk_test_failures++;                                                    \
        }                                                                          \
    } while (0)

/* |a - b| <= tol * max(1, |b|) */
#define CHECK_CLOSE(a, b, tol)                                                     \
    do {                                                                           \
        double a_ = (double)(a), b_ = (double)(b);                                 \
        double s_ = fabs(b_) > 1.0 ? fabs(b_) : 1.0;                               \
        if (!(fabs(a_ - b_) <= (tol) * s_)) {                                      \
            fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g\n", __FILE__,       \
                    __LINE__, #a, a_, b_);                                         \
            lk_test_failures++;                                                    \
        }                                                                          \
    } while (0)

#define CHECK_STATUS(call, expected)                                               \
    do {                                                                           \
        lk_status st_ = (call);                                                    \
        if (st_ != (expected)) {                                                   \
            fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", __FILE__,      \
                    __LINE__, #call, lk_status_name(st_), lk_status_name(expected)); \
            lk_test_failures++;                                                    \
        }                                                                          \
    } while (0)

#endif
