#!/usr/bin/env python3
"""Coefficients of the division-free f64 kernels in src/math.rs (issue #10).

exp: e^r - 1 = r + r^2 * G(r) for |r| <= ln(2)/2, with G a polynomial of degree 10 that
interpolates g(r) = (e^r - 1 - r)/r^2 = sum_k r^k/(k + 2)! at the 11 Chebyshev nodes of
[-H, H], H = 0.35 (a little wider than ln(2)/2 = 0.3466, so that the rounded reduced
argument stays inside). Interpolation at Chebyshev nodes is within a small factor of the
minimax polynomial; the script rounds the coefficients to double and then measures, in
60-digit arithmetic on a dense grid, the error of the rounded polynomial against g, and
the resulting absolute error r^2 * |G - g| of e^r - 1.

Run: python3 scripts/fit_f64_kernels.py   (needs mpmath)
"""
import mpmath as mp

mp.mp.dps = 60


def g_exp(r):
    """(e^r - 1 - r)/r^2 by its Taylor series (no cancellation, fine at r = 0)."""
    r = mp.mpf(r)
    s, term, k = mp.mpf(0), mp.mpf(1) / 2, 0
    while abs(term) > mp.mpf(10) ** -70:
        s += term
        k += 1
        term = term * r / (k + 2)
    return s


def cheb_interp(f, a, b, deg):
    """Monomial coefficients (lowest first) of the polynomial interpolating f at the
    deg + 1 Chebyshev nodes of [a, b], solved exactly in mp arithmetic."""
    n = deg + 1
    xs = [
        (a + b) / 2 + (b - a) / 2 * mp.cos(mp.pi * (2 * i + 1) / (2 * n))
        for i in range(n)
    ]
    A = mp.matrix([[x**j for j in range(n)] for x in xs])
    y = mp.matrix([f(x) for x in xs])
    return list(mp.lu_solve(A, y))


def horner(c, x):
    acc = mp.mpf(0)
    for v in reversed(c):
        acc = acc * x + v
    return acc


def main():
    H = mp.mpf("0.35")
    deg = 10
    c = cheb_interp(g_exp, -H, H, deg)
    cd = [float(v) for v in c]  # rounded to double
    worst_g, worst_q = mp.mpf(0), mp.mpf(0)
    N = 20000
    for i in range(N + 1):
        r = -H + 2 * H * i / N
        e = abs(horner([mp.mpf(v) for v in cd], r) - g_exp(r))
        worst_g = max(worst_g, e)
        worst_q = max(worst_q, e * r * r)
    print(f"exp: G of degree {deg} on [-{H}, {H}]")
    print(f"  max |G - g| = {mp.nstr(worst_g, 4)}")
    print(f"  max |r^2 (G - g)| = {mp.nstr(worst_q, 4)}"
          f" = {mp.nstr(worst_q / mp.mpf(2) ** -53, 4)} * 2^-53")
    for i, v in enumerate(cd):
        print(f"    const E{i}: f64 = {v!r};")


if __name__ == "__main__":
    main()
