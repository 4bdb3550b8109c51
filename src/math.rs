//! Branch-free elementary functions that vectorise, and the stable compositions built on them.
//!
//! The classification losses spend their time in `exp`, `ln` and `ln(1 + x)`. The `libm`
//! versions behind [`Real`] are accurate but scalar, with branches on the argument, so a
//! loop over them never becomes SIMD code. The functions here are straight-line arithmetic:
//! a range reduction, a polynomial (or a short rational) and a scaling by a power of two
//! built from integer bits, with special cases folded in by `select`s at the end. LLVM turns
//! a loop over them into vector code on any target.
//!
//! # Same bits everywhere
//! Every step is an IEEE-754 operation in round-to-nearest (add, subtract, multiply,
//! divide, integer shifts and masks on the bit pattern). There are no platform intrinsics,
//! no table lookups and no fused multiply-adds: Rust never contracts `a * b + c` into an
//! FMA, so the result does not depend on the target's FMA support or vector width. A
//! firmware build and a host build produce the same bit pattern for the same input.
//!
//! # Accuracy
//! Measured against `libm` by `tests/math.rs`: every 997th bit pattern plus dense sweeps
//! around 0, ±1 and the overflow and subnormal thresholds (millions of inputs per function),
//! and, for f32, all 2³² inputs (`cargo test --release --test math -- --ignored`):
//!
//! | function | f32, max error (all inputs) | f64, max distance from `libm` (sweep) |
//! |---|---|---|
//! | [`exp`] | 0.99 ulp | 1 ulp |
//! | [`ln`] | 0.83 ulp | 0 ulp |
//! | [`ln_1p`] | 1.44 ulp | 1 ulp |
//!
//! f32 errors are measured against the exact value (the f64 `libm` result), in ulps of the
//! f32 result; f64 errors count the doubles between this result and `libm`'s, which is itself
//! within 1 ulp of the exact value, so the f64 functions are within 2 ulp. The tests bound
//! them at 1 ulp (f32 `exp`, `ln`), 2 ulp (f32 `ln_1p`) and 1 / 1 / 2 ulp from `libm` (f64).
//! Special values follow C99: `exp(−∞) = 0`, `exp(+∞) = +∞`, `ln(0) = −∞`, `ln(x < 0) = NaN`,
//! `ln_1p(−1) = −∞`, NaN in → NaN out; subnormal arguments and results are handled.
//!
//! The reductions follow the classic fdlibm / Cephes designs (fdlibm's `log` reduction
//! f = m − 1, s = f/(2 + f) with its minimax coefficients; Cephes' polynomial `exp` kernel
//! for f32, and for f64 a degree-12 polynomial fitted by `scripts/fit_f64_kernels.py` and
//! evaluated by Estrin's scheme, in place of fdlibm's rational kernel and its division); the
//! scaling by 2ⁿ is split into two exact steps so that subnormal results are rounded once.
//!
//! # Speed of the f64 kernels
//! In vector code these kernels are bound by the two vector ports and by the length of
//! their dependency chains rather than by the divider: a zmm `f64` division costs a few
//! port µops plus ~16 cycles of the divider, which runs beside the ports, so removing one
//! only pays when it also removes work or shortens the chain (measured: fdlibm's rational
//! `exp` ≈ the polynomial with Horner, the polynomial with Estrin a little faster).

// The constants are the published ones, digit for digit; the clamps are written out so that
// NaN passes through them explicitly.
#![allow(clippy::excessive_precision, clippy::manual_clamp)]

use crate::Real;

/// Vectorisable `exp`, `ln` and `ln(1 + x)` for a floating-point type (see the module docs).
///
/// A supertrait of [`Real`], implemented for `f32` and `f64`; the generic entry points are
/// [`exp`], [`ln`] and [`ln_1p`].
pub trait Elementary: Copy {
    /// eˣ.
    fn exp_v(self) -> Self;
    /// ln x.
    fn ln_v(self) -> Self;
    /// ln(1 + x), accurate near 0.
    fn ln_1p_v(self) -> Self;
    /// |x|, by clearing the sign bit (inlined, unlike a call into `libm`).
    fn abs_v(self) -> Self;
    /// eˣ for x ≤ 0 (or NaN): the same bits as [`Elementary::exp_v`] there, without the
    /// overflow clamp.
    fn exp_nonpositive_v(self) -> Self;
    /// (ln(1 + x), 1/(1 + x)) for x ≥ 0 (or NaN, +∞), sharing one division.
    fn ln_1p_recip_v(self) -> (Self, Self);
    /// (ln cosh x, tanh x).
    fn log_cosh_tanh_v(self) -> (Self, Self);
    /// (ln(1 + e^(−|x|)), σ(|x|), σ(−|x|)).
    fn logistic_v(self) -> (Self, Self, Self);
}

impl Elementary for f32 {
    #[inline(always)]
    fn exp_v(self) -> f32 {
        exp_f32(self)
    }
    #[inline(always)]
    fn ln_v(self) -> f32 {
        ln_f32(self)
    }
    #[inline(always)]
    fn ln_1p_v(self) -> f32 {
        ln_1p_f32(self)
    }
    #[inline(always)]
    fn abs_v(self) -> f32 {
        f32::from_bits(self.to_bits() & 0x7fff_ffff)
    }
    #[inline(always)]
    fn exp_nonpositive_v(self) -> f32 {
        exp_nonpositive_f32(self)
    }
    #[inline(always)]
    fn ln_1p_recip_v(self) -> (f32, f32) {
        ln_1p_recip_f32(self)
    }
    #[inline(always)]
    fn log_cosh_tanh_v(self) -> (f32, f32) {
        log_cosh_tanh_f32(self)
    }
    #[inline(always)]
    fn logistic_v(self) -> (f32, f32, f32) {
        logistic_kernel_f32(self)
    }
}

impl Elementary for f64 {
    #[inline(always)]
    fn exp_v(self) -> f64 {
        exp_f64(self)
    }
    #[inline(always)]
    fn ln_v(self) -> f64 {
        ln_f64(self)
    }
    #[inline(always)]
    fn ln_1p_v(self) -> f64 {
        ln_1p_f64(self)
    }
    #[inline(always)]
    fn abs_v(self) -> f64 {
        f64::from_bits(self.to_bits() & 0x7fff_ffff_ffff_ffff)
    }
    #[inline(always)]
    fn exp_nonpositive_v(self) -> f64 {
        exp_nonpositive_f64(self)
    }
    #[inline(always)]
    fn ln_1p_recip_v(self) -> (f64, f64) {
        ln_1p_recip_f64(self)
    }
    #[inline(always)]
    fn log_cosh_tanh_v(self) -> (f64, f64) {
        log_cosh_tanh_f64(self)
    }
    #[inline(always)]
    fn logistic_v(self) -> (f64, f64, f64) {
        logistic_kernel_f64(self)
    }
}

/// eˣ for `f32`, branch-free (see the module docs).
///
/// x = n·ln 2 + r with n = round(x/ln 2) and |r| ≤ ½ ln 2 (ln 2 split in a short exact high
/// part and a low part); eʳ ≈ 1 + r + r²·P(r) with Cephes' degree-5 P; then multiplied by
/// 2^⌊n/2⌋ and 2^(n − ⌊n/2⌋), two exact powers of two, so a subnormal result is rounded once.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    // Beyond these bounds the result is +inf or 0 anyway; clamping keeps n small. NaN passes.
    let x = if x > 89.0 {
        89.0
    } else if x < -104.0 {
        -104.0
    } else {
        x
    };
    exp_core_f32(x)
}

/// eˣ for `f32` and x ≤ 0 (or NaN), branch-free: [`exp_f32`] without the clamp against
/// overflow, so one comparison and select fewer; the same bits as [`exp_f32`] for every
/// x ≤ 0. A positive x gives a wrong (finite) result for x > 89.
#[inline(always)]
pub fn exp_nonpositive_f32(x: f32) -> f32 {
    let x = if x < -104.0 { -104.0 } else { x };
    exp_core_f32(x)
}

/// The body of [`exp_f32`], for x ∈ [−104, 89] or NaN.
#[inline(always)]
fn exp_core_f32(x: f32) -> f32 {
    let (q, s1, s2) = exp_split_f32(x);
    (q + 1.0) * s1 * s2
}

/// Cephes' coefficients of eʳ ≈ 1 + r + r²·P(r), P(r) = P₀r⁵ + P₁r⁴ + … + P₅, on |r| ≤ ½ ln 2.
const EXP_P_F32: [f32; 6] = [
    1.987_569_1e-4,
    1.398_199_9e-3,
    8.333_452e-3,
    4.166_579_6e-2,
    1.666_666_5e-1,
    5.000_000_1e-1,
];

/// The range reduction of [`exp_f32`] for x ∈ [−104, 89] or NaN: (r, r², s₁, s₂) with
/// x = n·ln 2 + r, |r| ≤ ½ ln 2, and s₁, s₂ the two powers of two whose product is 2ⁿ.
#[inline(always)]
fn exp_reduce_f32(x: f32) -> (f32, f32, f32, f32) {
    const LOG2E: f32 = core::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4; // 0x3f318000: 9 significant bits, n·LN2_HI is exact
    const LN2_LO: f32 = -2.121_944_4e-4;
    const SHIFT: f32 = 12_582_912.0; // 1.5·2²³: adding it rounds to an integer
    let t = x * LOG2E + SHIFT;
    let nf = t - SHIFT;
    let n = (t.to_bits() as i32).wrapping_sub(SHIFT.to_bits() as i32);
    let r = (x - nf * LN2_HI) - nf * LN2_LO;
    let n1 = n >> 1;
    let n2 = n.wrapping_sub(n1);
    let s1 = f32::from_bits((n1.wrapping_add(127) as u32).wrapping_shl(23));
    let s2 = f32::from_bits((n2.wrapping_add(127) as u32).wrapping_shl(23));
    (r, r * r, s1, s2)
}

/// eˣ in parts for x ∈ [−104, 89] or NaN: (q, s₁, s₂) with eˣ ≈ ((1 + q)·s₁)·s₂, where
/// q ≈ eʳ − 1 (|q| < 0.42) carries the reduced argument's result before the rounding of
/// 1 + q, and s₁, s₂ are the two powers of two whose product is 2ⁿ. P is evaluated by
/// Horner's rule (the order behind [`exp_f32`]'s 1-ulp bound).
#[inline(always)]
fn exp_split_f32(x: f32) -> (f32, f32, f32) {
    let [p0, p1, p2, p3, p4, p5] = EXP_P_F32;
    let (r, r2, s1, s2) = exp_reduce_f32(x);
    let q = (((((p0 * r + p1) * r + p2) * r + p3) * r + p4) * r + p5) * r2 + r;
    (q, s1, s2)
}

/// [`exp_split_f32`] with P evaluated by Estrin's scheme,
/// P = (P₅ + P₄r) + r²·(P₃ + P₂r) + r⁴·(P₁ + P₀r): a dependency chain of 4 steps instead
/// of Horner's 10, for the fused kernels, whose loops are bound by latency. The different
/// rounding moves the worst case of eˣ from 0.98 to 1.01 ulp (all f32 x ∈ [−104, 89]).
#[inline(always)]
fn exp_split_short_f32(x: f32) -> (f32, f32, f32) {
    let [p0, p1, p2, p3, p4, p5] = EXP_P_F32;
    let (r, r2, s1, s2) = exp_reduce_f32(x);
    let r4 = r2 * r2;
    let q = (((p4 * r + p5) + r2 * (p2 * r + p3)) + r4 * (p0 * r + p1)) * r2 + r;
    (q, s1, s2)
}

/// eˣ for `f64`, branch-free (see the module docs).
///
/// x = n·ln 2 + r (ln 2 in two parts); eʳ = 1 + q with q = r + r²·G(r), G a polynomial of
/// degree 10 fitted by `scripts/fit_f64_kernels.py` and evaluated by Estrin's scheme (no
/// division); then the two-step scaling by 2ⁿ as in [`exp_f32`].
#[inline(always)]
pub fn exp_f64(x: f64) -> f64 {
    let x = if x > 710.0 {
        710.0
    } else if x < -746.0 {
        -746.0
    } else {
        x
    };
    exp_core_f64(x)
}

/// eˣ for `f64` and x ≤ 0 (or NaN), branch-free: [`exp_f64`] without the clamp against
/// overflow; the same bits as [`exp_f64`] for every x ≤ 0.
#[inline(always)]
pub fn exp_nonpositive_f64(x: f64) -> f64 {
    let x = if x < -746.0 { -746.0 } else { x };
    exp_core_f64(x)
}

/// The body of [`exp_f64`], for x ∈ [−746, 710] or NaN.
#[inline(always)]
fn exp_core_f64(x: f64) -> f64 {
    let (q, s1, s2) = exp_split_f64(x);
    (1.0 + q) * s1 * s2
}

/// eˣ in parts for x ∈ [−746, 710] or NaN, as [`exp_split_f32`], without a division.
///
/// x = n·ln 2 + (hi − lo) with n = round(x/ln 2), hi = x − n·LN2_HI exact and
/// lo = n·LN2_LO; r = hi − lo, |r| ≤ 0.3466. Then eʳ − 1 = r + r²·G(r) with G of degree 10
/// interpolating (eʳ − 1 − r)/r² = Σₖ rᵏ/(k + 2)! at the Chebyshev nodes of [−0.35, 0.35]
/// (`scripts/fit_f64_kernels.py`, which also measures the approximation error of the
/// rounded coefficients in 60-digit arithmetic: |r²·(G − g)| ≤ 2.7e−19, 0.003 ulp of 1).
/// q = (r²·G(r) − lo) + hi, so that the rounding of r = hi − lo does not reach the linear
/// term. This replaces fdlibm's rational form r·c/(2 − c), whose division is the slowest
/// vector instruction for f64.
#[inline(always)]
fn exp_split_f64(x: f64) -> (f64, f64, f64) {
    const LOG2E: f64 = core::f64::consts::LOG2_E;
    const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1; // 32 significant bits
    const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
    const SHIFT: f64 = 6_755_399_441_055_744.0; // 1.5·2⁵²
    const G: [f64; 11] = [
        0.5,
        0.166_666_666_666_666_7,
        0.041_666_666_666_666_67,
        0.008_333_333_333_325_551,
        0.001_388_888_888_888_333_2,
        0.000_198_412_698_768_403_57,
        2.480_158_732_699_005e-5,
        2.755_725_286_336_732e-6,
        2.755_727_183_153_613e-7,
        2.510_626_255_087_907_8e-8,
        2.091_543_359_807_600_3e-9,
    ];
    let t = x * LOG2E + SHIFT;
    let nf = t - SHIFT;
    let n = (t.to_bits() as i64).wrapping_sub(SHIFT.to_bits() as i64);
    let hi = x - nf * LN2_HI;
    let lo = nf * LN2_LO;
    let r = hi - lo;
    // G(r) by Estrin's scheme (see [`estrin_f64`]): a dependency chain of depth 8 instead
    // of Horner's 20; the loops are bound by latency and the two vector ports, not by the
    // division that fdlibm's rational form needed.
    let r2 = r * r;
    let g = estrin_f64(&G, r);
    let q = (r2 * g - lo) + hi;
    let n1 = n >> 1;
    let n2 = n.wrapping_sub(n1);
    let s1 = f64::from_bits((n1.wrapping_add(1023) as u64).wrapping_shl(52));
    let s2 = f64::from_bits((n2.wrapping_add(1023) as u64).wrapping_shl(52));
    (q, s1, s2)
}

/// c₀ + c₁x + … + c_(N−1)x^(N−1) by Estrin's scheme: adjacent coefficients are paired
/// (c₂ᵢ + c₂ᵢ₊₁·x), the pairs paired with x², those with x⁴, and so on; an odd one out moves
/// up a level unchanged. The operations and their order are fixed by N alone (the loops
/// unroll completely), so every vector width computes the same bits; the depth of the
/// dependency chain is about 2·log₂N instead of Horner's 2N.
#[inline(always)]
fn estrin_f64<const N: usize>(c: &[f64; N], x: f64) -> f64 {
    let mut v = *c;
    let mut len = N;
    let mut p = x;
    while len > 1 {
        let half = len / 2;
        for i in 0..half {
            v[i] = v[2 * i] + v[2 * i + 1] * p;
        }
        if len % 2 == 1 {
            v[half] = v[len - 1];
        }
        len = half + len % 2;
        p = p * p;
    }
    v[0]
}

/// ln x for `f32`, branch-free (see the module docs).
///
/// x = 2ᵏ·m with m in [√½, √2) (subnormals pre-scaled by 2²⁵); f = m − 1, s = f/(2 + f),
/// ln m = f − f²/2 + s·(f²/2 + R(s²)) with fdlibm's degree-4 R; plus k·ln 2 in two parts.
#[inline(always)]
pub fn ln_f32(x: f32) -> f32 {
    let sub = x < f32::MIN_POSITIVE;
    let xs = if sub { x * 33_554_432.0 } else { x };
    let y = ln_reduced_f32(xs, if sub { 25 } else { 0 });
    if x > 0.0 && x < f32::INFINITY {
        y
    } else if x == 0.0 {
        f32::NEG_INFINITY
    } else if x == f32::INFINITY {
        x
    } else {
        f32::NAN
    }
}

/// ln(x·2⁻ᵈ) for a positive, normal, finite `f32` x (d = `k_off`): the reduction and
/// polynomial of [`ln_f32`] without its handling of special and subnormal arguments.
#[inline(always)]
fn ln_reduced_f32(xs: f32, k_off: i32) -> f32 {
    const LN2_HI: f32 = 6.931_381_2e-1;
    const LN2_LO: f32 = 9.058_000_6e-6;
    const LG1: f32 = 0.666_666_6; // 0xaaaaaa.0p-24
    const LG2: f32 = 0.400_009_72; // 0xccce13.0p-25
    const LG3: f32 = 0.284_987_87; // 0x91e9ee.0p-25
    const LG4: f32 = 0.242_790_79; // 0xf89e26.0p-26
    let ix = xs.to_bits().wrapping_add(0x3f80_0000 - 0x3f35_04f3);
    let k = ((ix >> 23) as i32).wrapping_sub(0x7f) - k_off;
    let f = f32::from_bits((ix & 0x007f_ffff).wrapping_add(0x3f35_04f3)) - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * LG4);
    let t2 = z * (LG1 + w * LG3);
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    let dk = k as f32;
    s * (hfsq + r) + dk * LN2_LO - hfsq + f + dk * LN2_HI
}

/// ln x for `f64`, branch-free: fdlibm's reduction and degree-7 R, as [`ln_f32`].
#[inline(always)]
pub fn ln_f64(x: f64) -> f64 {
    let sub = x < f64::MIN_POSITIVE;
    let xs = if sub { x * 18_014_398_509_481_984.0 } else { x }; // 2⁵⁴
    let y = ln_reduced_f64(xs, if sub { 54 } else { 0 });
    if x > 0.0 && x < f64::INFINITY {
        y
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        x
    } else {
        f64::NAN
    }
}

/// ln(x·2⁻ᵈ) for a positive, normal, finite `f64` x (d = `k_off`), as [`ln_reduced_f32`].
#[inline(always)]
fn ln_reduced_f64(xs: f64, k_off: i32) -> f64 {
    let (dk, f) = ln_split_f64(xs, k_off);
    // No correction: −0 is the one addend that the compiler may drop (x + (−0) = x for
    // every x, −0 included), so this costs no operation.
    ln_kernel_f64(dk, f, -0.0)
}

/// The reduction of [`ln_reduced_f64`]: (k, f) with x·2⁻ᵈ = 2ᵏ·(1 + f), f ∈ [√½ − 1, √2 − 1)
/// exact, k as a float.
///
/// fdlibm's reduction on the high word, done on the whole 64-bit pattern: adding
/// (0x3ff00000 − 0x3fe6a09e)·2³² moves the exponent up by one exactly when the significand
/// is at least √2's; the exponent field of the sum is then k + 1023 and its significand
/// field, put back under the exponent of √½, is 1 + f. k becomes a float without an
/// integer conversion: its bits under the exponent of 2⁵² give 2⁵² + k + 1023.
#[inline(always)]
fn ln_split_f64(xs: f64, k_off: i32) -> (f64, f64) {
    const TWO52: f64 = 4_503_599_627_370_496.0;
    let ix = xs
        .to_bits()
        .wrapping_add((0x3ff0_0000u64 - 0x3fe6_a09e) << 32);
    let kb = f64::from_bits((ix >> 52) | 0x4330_0000_0000_0000);
    let dk = kb - (TWO52 + (1023 + k_off) as f64);
    let m = f64::from_bits((ix & 0x000f_ffff_ffff_ffff).wrapping_add(0x3fe6_a09e << 32));
    (dk, m - 1.0)
}

/// k·ln 2 + ln(1 + f) + c for f ∈ [√½ − 1, √2 − 1] and a small correction c (|c| below
/// about an ulp of the result): fdlibm's kernel ln(1 + f) = f − f²/2 + s·(f²/2 + R(s²)),
/// s = f/(2 + f) (see [`ln_parts_f64`]); c joins the sum with k·ln 2's low part.
#[inline(always)]
fn ln_kernel_f64(dk: f64, f: f64, c: f64) -> f64 {
    const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
    let (hfsq, s, r) = ln_parts_f64(f);
    s * (hfsq + r) + (dk * LN2_LO + c) - hfsq + f + dk * LN2_HI
}

/// ln(1 + f) for f ∈ [√½ − 1, √2 − 1] given exactly: fdlibm's kernel for k = 0,
/// f − (f²/2 − s·(f²/2 + R(s²))).
#[inline(always)]
fn ln_1p_kernel_f64(f: f64) -> f64 {
    let (hfsq, s, r) = ln_parts_f64(f);
    f - (hfsq - s * (hfsq + r))
}

/// (f²/2, s, R(s²)) with s = f/(2 + f) and fdlibm's degree-7 minimax R, for which
/// ln(1 + f) = f − f²/2 + s·(f²/2 + R(s²)) (R(z) ≈ 2z/3 + 2z²/5 + …, the tail of 2·atanh s).
#[inline(always)]
fn ln_parts_f64(f: f64) -> (f64, f64, f64) {
    const LG1: f64 = 6.666_666_666_666_735_130e-1;
    const LG2: f64 = 3.999_999_999_940_941_908e-1;
    const LG3: f64 = 2.857_142_874_366_239_149e-1;
    const LG4: f64 = 2.222_219_843_214_978_396e-1;
    const LG5: f64 = 1.818_357_216_161_805_012e-1;
    const LG6: f64 = 1.531_383_769_920_937_332e-1;
    const LG7: f64 = 1.479_819_860_511_658_591e-1;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    (hfsq, s, t2 + t1)
}

/// ln(1 + x) for `f32`, branch-free: with u = 1 + x rounded, ln(1 + x) = ln u + c where
/// c = (x − (u − 1))/u corrects for the rounding of u to first order (exact enough: c² is
/// below the result's ulp).
#[inline(always)]
pub fn ln_1p_f32(x: f32) -> f32 {
    let u = 1.0 + x;
    let c = (x - (u - 1.0)) / u;
    let y = ln_f32(u) + c;
    if x == 0.0 || x == f32::INFINITY {
        x
    } else if u == 0.0 {
        f32::NEG_INFINITY
    } else {
        y
    }
}

/// ln(1 + x) for `f64`, branch-free, as [`ln_1p_f32`].
#[inline(always)]
pub fn ln_1p_f64(x: f64) -> f64 {
    let u = 1.0 + x;
    let c = (x - (u - 1.0)) / u;
    let y = ln_f64(u) + c;
    if x == 0.0 || x == f64::INFINITY {
        x
    } else if u == 0.0 {
        f64::NEG_INFINITY
    } else {
        y
    }
}

/// (ln(1 + x), 1/(1 + x)) for `f32` x ≥ 0 (or NaN, +∞), branch-free, with one division
/// fewer than [`ln_1p_f32`] and a separate reciprocal.
///
/// u = 1 + x rounded lies in [1, ∞), so [`ln_f32`]'s reduction applies without its special
/// cases; the rounding of u is corrected to first order by c = (x − (u − 1))·(1/u), the
/// reciprocal that is returned anyway. ln(1 + 0) = +0, ln(1 + ∞) = +∞ with 1/(1 + ∞) = 0;
/// NaN gives NaN twice. A negative x gives unspecified results.
#[inline(always)]
pub fn ln_1p_recip_f32(x: f32) -> (f32, f32) {
    let (l, inv) = ln_1p_recip_finite_f32(x);
    if x == f32::INFINITY {
        (x, 0.0)
    } else {
        (l, inv)
    }
}

/// [`ln_1p_recip_f32`] for finite x ≥ 0 (or NaN): without the select for x = +∞.
#[inline(always)]
fn ln_1p_recip_finite_f32(x: f32) -> (f32, f32) {
    let u = 1.0 + x;
    let r = 1.0 / u;
    // 1 + x = u + δ exactly, δ = x − (u − 1); c = δ/u to first order.
    let c = (x - (u - 1.0)) * r;
    let l = ln_reduced_f32(u, 0) + c;
    // 1/(u + δ) = (1/u)·(1 − δ/u + …): the rounding of u corrected in the reciprocal too.
    (l, r - r * c)
}

/// (ln(1 + x), 1/(1 + x)) for `f64` x ≥ 0 (or NaN, +∞), branch-free, as [`ln_1p_recip_f32`].
#[inline(always)]
pub fn ln_1p_recip_f64(x: f64) -> (f64, f64) {
    let (l, inv) = ln_1p_recip_finite_f64(x);
    if x == f64::INFINITY {
        (x, 0.0)
    } else {
        (l, inv)
    }
}

/// [`ln_1p_recip_f64`] for finite x ≥ 0 (or NaN): without the select for x = +∞.
///
/// u = 1 + x rounded and 1 + x = u + δ exactly, δ = x − (u − 1); with r = 1/u (the one
/// division besides the logarithm kernel's) and c = δ·r: ln(1 + x) = ln u + c, c joining
/// the kernel's sum with the low part of k·ln 2, and 1/(1 + x) = r − r·c to first order.
#[inline(always)]
fn ln_1p_recip_finite_f64(x: f64) -> (f64, f64) {
    let u = 1.0 + x;
    let r = 1.0 / u;
    let c = (x - (u - 1.0)) * r;
    let (dk, f) = ln_split_f64(u, 0);
    let l = ln_kernel_f64(dk, f, c);
    (l, r - r * c)
}

/// (ln(1 + e), σ(|x|), σ(−|x|)) for `f32` with e = e^(−|x|), branch-free, from one
/// exponential, one logarithm and one division.
///
/// [`exp_f32`]'s parts give E = (1 + q)·s₁·s₂ before its last rounding; 1 + q = p + δq and
/// 1 + e = u + δu with p, u rounded and δq, δu exact (two-sum of a term and 1), so
/// E = e + δe and U = 1 + E = u + δ with e = p·s₁·s₂, δe = δq·s₁·s₂, δ = δu + δe. Then
/// σ(−|x|) = E/U = d + (δe − d·δ)/u to first order with d = e/u the one division, and
/// 1/u = 1 − d; σ(|x|) = 1 − σ(−|x|) (no cancellation: σ(−|x|) ≤ ½); and
/// ln(1 + E) = ln u + δ/u. The only roundings left that matter are those of the division,
/// of the final additions and of the logarithm's polynomial. The exponential's polynomial
/// is evaluated by Estrin's scheme (`exp_split_short_f32` in the source), which shortens
/// the loop's dependency chain. Over all f32 inputs, σ(−|x|) is within 1.47 ulp, σ(|x|) within
/// 1.11 ulp and ln(1 + e) within 1.75 ulp of the exact values at the same |x|
/// (the rounding before this change gave 2.10, 1.16 and 1.96).
/// For |x| = ∞: (0, 1, 0); NaN gives NaN.
#[inline(always)]
pub fn logistic_kernel_f32(x: f32) -> (f32, f32, f32) {
    let a = f32::from_bits(x.to_bits() & 0x7fff_ffff);
    let na = if a > 104.0 { -104.0 } else { -a };
    let (q, s1, s2) = exp_split_short_f32(na);
    let (u, c, small) = logistic_from_parts(q, s1, s2);
    (ln_reduced_f32(u, 0) + c, 1.0 - small, small)
}

/// The step shared by [`logistic_kernel_f32`] and [`logistic_kernel_f64`]: from the
/// exponential's parts (q, s₁, s₂), E = (1 + q)·s₁·s₂ = e^(−|x|) before its last rounding,
/// returns (u, c, σ(−|x|)) with u = 1 + e rounded and ln(1 + E) = ln u + c to first order,
/// c = δ/u (the corrections are derived at [`logistic_kernel_f32`]).
#[inline(always)]
fn logistic_from_parts<T: Real>(q: T, s1: T, s2: T) -> (T, T, T) {
    let one = T::one();
    let p = q + one;
    let dq = q - (p - one);
    let e = p * s1 * s2;
    let de = dq * s1 * s2;
    let u = one + e;
    let du = (e - (u - one)) + de;
    let d = e / u;
    let inv_u = one - d;
    let small = d + (de - d * du) * inv_u;
    (u, du * inv_u, small)
}

/// (ln(1 + e), σ(|x|), σ(−|x|)) for `f64` with e = e^(−|x|), branch-free, with the same
/// corrections for the roundings of 1 + q and 1 + e as [`logistic_kernel_f32`] (one
/// division for σ, one inside the logarithm); the correction of ln u joins the logarithm
/// kernel's sum.
#[inline(always)]
pub fn logistic_kernel_f64(x: f64) -> (f64, f64, f64) {
    let a = f64::from_bits(x.to_bits() & 0x7fff_ffff_ffff_ffff);
    let na = if a > 746.0 { -746.0 } else { -a };
    let (q, s1, s2) = exp_split_f64(na);
    let (u, c, small) = logistic_from_parts(q, s1, s2);
    let (dk, f) = ln_split_f64(u, 0);
    (ln_kernel_f64(dk, f, c), 1.0 - small, small)
}

/// (ln cosh x, tanh x) for `f32`, branch-free; even and odd in x respectively.
///
/// With a = |x|: for a < 1, ln cosh a = ½a² + a⁴·P(a²) (½a² from an exact split of a², so
/// that its rounding does not add to the result's) and tanh a = a + a·a²·Q(a²), P and Q of
/// degree 6 fitted (Chebyshev, relative error) on a² ∈ [0, 1] so that their truncation error
/// is below 0.2 ulp of the result (no cancellation near 0). For a ≥ 1, with
/// E = e^(−2a) ≤ e⁻²: ln cosh a = (a − ln 2) + ln(1 + E) and tanh a = 1 − 2E/(1 + E)
/// (ln 2 split in two parts so that a − ln 2 is exact); no overflow for any a, and
/// ln cosh(±∞) = +∞, tanh(±∞) = ±1, NaN → NaN. E comes from the Estrin form of the
/// exponential, as in [`logistic_kernel_f32`]. Over all f32 x, ln cosh is within 1.5 ulp
/// and tanh within 1.3 ulp of the exact values (the same maxima as with Horner's rule).
#[inline(always)]
pub fn log_cosh_tanh_f32(x: f32) -> (f32, f32) {
    const LN2_HI: f32 = 0.693_359_4; // 9 significant bits
    const LN2_LO: f32 = -2.121_944_4e-4;
    const P: [f32; 7] = [
        -0.083_333_33,
        0.022_222_094,
        -0.006_743_946_6,
        0.002_173_963,
        -0.000_698_962_9,
        0.000_190_997_67,
        -2.998_387_8e-5,
    ];
    const Q: [f32; 7] = [
        -0.333_333_3,
        0.133_331_28,
        -0.053_934_79,
        0.021_660_116,
        -0.008_218_922,
        0.002_510_459_4,
        -0.000_420_695_5,
    ];
    let a = f32::from_bits(x.to_bits() & 0x7fff_ffff);
    let y = a * a;
    let p = (((((P[6] * y + P[5]) * y + P[4]) * y + P[3]) * y + P[2]) * y + P[1]) * y + P[0];
    let q = (((((Q[6] * y + Q[5]) * y + Q[4]) * y + Q[3]) * y + Q[2]) * y + Q[1]) * y + Q[0];
    // a² = y_hi + y_lo without rounding error in y_hi: a_hi keeps the upper half of the
    // significand, so a_hi² is exact (Dekker's split by masking); then ½a² is not rounded
    // before the final sum.
    let a_hi = f32::from_bits(a.to_bits() & 0xffff_f000);
    let a_lo = a - a_hi;
    let y_hi = a_hi * a_hi;
    let y_lo = (a_hi + a_hi) * a_lo + a_lo * a_lo;
    let lc_small = 0.5 * y_hi + (0.5 * y_lo + y * y * p);
    let th_small = a + a * (y * q);
    let m2a = -2.0 * a;
    let (eq, es1, es2) = exp_split_short_f32(if m2a < -104.0 { -104.0 } else { m2a });
    let e = (eq + 1.0) * es1 * es2;
    let (l, inv) = ln_1p_recip_finite_f32(e);
    let lc_big = (a - LN2_HI) + (l - LN2_LO);
    // 1 − 2E/(1 + E): the rounding errors sit in the small subtrahend (≤ 0.24).
    let th_big = 1.0 - (e + e) * inv;
    let small = a < 1.0;
    let lc = if small { lc_small } else { lc_big };
    let th = if small { th_small } else { th_big };
    (
        lc,
        f32::from_bits(th.to_bits() | (x.to_bits() & 0x8000_0000)),
    )
}

/// (ln cosh x, tanh x) for `f64`, branch-free, as [`log_cosh_tanh_f32`] with the switch at
/// a = ¾ and P, Q of degrees 11 and 12 fitted on a² ∈ [0, 9/16].
#[inline(always)]
pub fn log_cosh_tanh_f64(x: f64) -> (f64, f64) {
    const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
    const P: [f64; 12] = [
        -0.083_333_333_333_333_33,
        0.022_222_222_222_217_893,
        -0.006_746_031_745_663_464,
        0.002_186_948_841_309_496_2,
        -0.000_738_602_747_609_736_5,
        0.000_256_578_384_266_636_23,
        -9.097_530_131_359_227e-5,
        3.271_683_462_977_627e-5,
        -1.177_230_619_515_520_6e-5,
        4.037_269_285_277_344_6e-6,
        -1.145_913_138_246_303e-6,
        1.888_776_450_546_259e-7,
    ];
    const Q: [f64; 13] = [
        -0.333_333_333_333_333_3,
        0.133_333_333_333_326_61,
        -0.053_968_253_967_582_08,
        0.021_869_488_509_711_037,
        -0.008_863_234_987_439_102,
        0.003_592_121_388_506_041_8,
        -0.001_455_781_825_331_069_3,
        0.000_589_746_998_695_332_7,
        -0.000_238_094_069_369_792_82,
        9.424_762_976_493_58e-5,
        -3.449_472_469_998_217e-5,
        1.004_805_392_812_949_9e-5,
        -1.640_859_964_683_144_4e-6,
    ];
    let a = f64::from_bits(x.to_bits() & 0x7fff_ffff_ffff_ffff);
    let y = a * a;
    let mut p = P[11];
    for &c in P[..11].iter().rev() {
        p = p * y + c;
    }
    let mut q = Q[12];
    for &c in Q[..12].iter().rev() {
        q = q * y + c;
    }
    // a² = y_hi + y_lo without rounding error in y_hi: a_hi keeps the upper half of the
    // significand, so a_hi² is exact (Dekker's split by masking); then ½a² is not rounded
    // before the final sum.
    let a_hi = f64::from_bits(a.to_bits() & 0xffff_ffff_f800_0000);
    let a_lo = a - a_hi;
    let y_hi = a_hi * a_hi;
    let y_lo = (a_hi + a_hi) * a_lo + a_lo * a_lo;
    let lc_small = 0.5 * y_hi + (0.5 * y_lo + y * y * p);
    let th_small = a + a * (y * q);
    let e = exp_nonpositive_f64(-2.0 * a);
    // Where this branch is taken (a ≥ ¾), E ≤ e^(−3/2) < √2 − 1: ln(1 + E) is the logarithm
    // kernel at f = E itself, with no reduction and no rounding of 1 + E to correct.
    let lc_big = (a - LN2_HI) + (ln_1p_kernel_f64(e) - LN2_LO);
    // 1 − 2E/(1 + E): the rounding of 1 + E and of the quotient (≤ 1 ulp of the subtrahend,
    // which is ≤ 0.37) is below 0.8 ulp of the result (≥ 0.63).
    let th_big = 1.0 - (e + e) / (1.0 + e);
    let small = a < 0.75;
    let lc = if small { lc_small } else { lc_big };
    let th = if small { th_small } else { th_big };
    (
        lc,
        f64::from_bits(th.to_bits() | (x.to_bits() & 0x8000_0000_0000_0000)),
    )
}

/// eˣ (vectorisable; see the module docs).
#[inline(always)]
pub fn exp<T: Real>(x: T) -> T {
    x.exp_v()
}

/// ln x (vectorisable; see the module docs).
#[inline(always)]
pub fn ln<T: Real>(x: T) -> T {
    x.ln_v()
}

/// ln(1 + x), accurate near 0 (vectorisable; see the module docs).
#[inline(always)]
pub fn ln_1p<T: Real>(x: T) -> T {
    x.ln_1p_v()
}

/// eˣ for x ≤ 0 (vectorisable; the same bits as [`exp`] there, one select fewer).
#[inline(always)]
pub fn exp_nonpositive<T: Real>(x: T) -> T {
    x.exp_nonpositive_v()
}

/// (ln(1 + x), 1/(1 + x)) for x ≥ 0, sharing one division (vectorisable; see
/// [`ln_1p_recip_f32`]).
#[inline(always)]
pub fn ln_1p_recip<T: Real>(x: T) -> (T, T) {
    x.ln_1p_recip_v()
}

/// The shared part of the logistic functions, in one branch-free pass:
/// (ln(1 + e), 1/(1 + e), e/(1 + e)) with e = e^(−|x|) ∈ [0, 1], i.e.
/// (ln(1 + e^(−|x|)), σ(|x|), σ(−|x|)) (see [`logistic_kernel_f32`]).
///
/// Every stable form follows with a select on the sign of x: softplus(x) = max(x, 0) +
/// ln(1 + e), softplus(−x) = max(−x, 0) + ln(1 + e), and σ(±x) is σ(|x|) or σ(−|x|).
#[inline(always)]
pub fn logistic_kernel<T: Real>(x: T) -> (T, T, T) {
    x.logistic_v()
}

/// (ln cosh x, tanh x) without overflow or cancellation (vectorisable; see
/// [`log_cosh_tanh_f32`]).
#[inline(always)]
pub fn log_cosh_tanh<T: Real>(x: T) -> (T, T) {
    x.log_cosh_tanh_v()
}

/// |x| (vectorisable: a bit operation, where `Real::abs` calls into `libm`).
#[inline(always)]
pub fn abs<T: Real>(x: T) -> T {
    x.abs_v()
}

/// The larger of x and 0, NaN passed through unchanged.
#[inline(always)]
fn pos<T: Real>(x: T) -> T {
    if x < T::zero() {
        T::zero()
    } else {
        x
    }
}

/// The logistic sigmoid σ(x) = 1/(1 + e⁻ˣ), computed from e^(−|x|) so that it neither
/// overflows nor loses relative accuracy for x ≪ 0: σ(±∞) = 1 and 0 exactly.
#[inline(always)]
pub fn sigmoid<T: Real>(x: T) -> T {
    let e = exp(-abs(x));
    let s = T::one() / (T::one() + e);
    if x < T::zero() {
        e * s
    } else {
        s
    }
}

/// softplus(x) = ln(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|)): no overflow, accurate for x ≪ 0
/// (where it is ≈ eˣ), softplus(−∞) = 0, softplus(+∞) = +∞.
#[inline(always)]
pub fn softplus<T: Real>(x: T) -> T {
    pos(x) + ln_1p(exp(-abs(x)))
}

/// ln σ(x) = −softplus(−x), stable for every x (ln σ(−∞) = −∞, ln σ(+∞) = 0).
#[inline(always)]
pub fn log_sigmoid<T: Real>(x: T) -> T {
    -softplus(-x)
}

/// a ⊖ m: a − m, except that a = m gives 0 even when both are infinite. Shifting a row by
/// its maximum with it keeps e^(a ⊖ m) ∈ [0, 1] and makes a +∞ entry count as e⁰ = 1.
#[inline(always)]
pub(crate) fn shift<T: Real>(a: T, m: T) -> T {
    if a == m {
        T::zero()
    } else {
        a - m
    }
}

/// Lanes of the vectorised reductions below.
const W: usize = 8;
/// Elements of a row processed per step of the online softmax.
const CHUNK: usize = 256;

/// The largest element of each of L lanes, element k going to lane k mod L, NaN ignored
/// (−∞ for a lane with no number).
#[inline(always)]
pub(crate) fn lane_max<T: Real, const L: usize>(x: &[T]) -> [T; L] {
    let mut lanes = [-T::INFINITY; L];
    let mut it = x.chunks_exact(L);
    for c in &mut it {
        for l in 0..L {
            lanes[l] = if c[l] > lanes[l] { c[l] } else { lanes[l] };
        }
    }
    for (l, &v) in it.remainder().iter().enumerate() {
        lanes[l] = if v > lanes[l] { v } else { lanes[l] };
    }
    lanes
}

/// The largest element, NaN ignored (−∞ for an empty or all-NaN slice): the [`W`] lanes of
/// [`lane_max`] compared in order.
#[inline(always)]
pub(crate) fn max_of<T: Real>(x: &[T]) -> T {
    let lanes = lane_max::<T, W>(x);
    let mut m = lanes[0];
    for &v in &lanes[1..] {
        m = if v > m { v } else { m };
    }
    m
}

/// The fixed fold of the [`W`] lanes of a row sum.
#[inline(always)]
fn fold_lanes(l: &[f64; W]) -> f64 {
    ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]))
}

/// Σₖ eₖ in `f64`, in the order of every row sum of the softmax: term k goes to lane
/// k mod [`W`] (added in increasing k), then the lanes are folded by [`fold_lanes`].
#[inline(always)]
pub(crate) fn row_sum<T: Real>(e: &[T]) -> f64 {
    let mut lanes = [0.0f64; W];
    let mut it = e.chunks_exact(W);
    for c in &mut it {
        for l in 0..W {
            lanes[l] += c[l].to_f64();
        }
    }
    for (l, &v) in it.remainder().iter().enumerate() {
        lanes[l] += v.to_f64();
    }
    fold_lanes(&lanes)
}

/// Σₖ e^(xₖ ⊖ m), the same bits as [`row_sum`] of the exponentials, for m ≥ every xₖ (a
/// row's or a running maximum), so that every xₖ ⊖ m ≤ 0 (or NaN) and [`exp_nonpositive`]
/// gives the bits of [`exp`].
#[inline(always)]
pub(crate) fn sum_exp<T: Real>(x: &[T], m: T) -> f64 {
    let mut lanes = [0.0f64; W];
    let mut it = x.chunks_exact(W);
    for c in &mut it {
        let mut e = [T::zero(); W];
        for l in 0..W {
            e[l] = exp_nonpositive(shift(c[l], m));
        }
        for l in 0..W {
            lanes[l] += e[l].to_f64();
        }
    }
    for (l, &v) in it.remainder().iter().enumerate() {
        lanes[l] += exp_nonpositive(shift(v, m)).to_f64();
    }
    fold_lanes(&lanes)
}

/// The softmax normaliser of a row in one pass: (m, s) with m = maxₖ xₖ (NaN ignored; −∞ for
/// an empty row) and s = Σₖ e^(xₖ ⊖ m) in `f64` (see [`shift`]), so that
/// softmax(x)ₖ = e^(xₖ ⊖ m)/s and logsumexp(x) = m + ln s.
///
/// Online: the row is read once, in chunks; when a chunk raises the running maximum, the sum
/// so far is rescaled by e^(m_old − m_new). A NaN anywhere makes s NaN; +∞ entries each count
/// 1 (and every finite entry 0); an all −∞ row counts every entry as 1 (the uniform limit).
#[inline(always)]
pub(crate) fn softmax_normaliser<T: Real>(x: &[T]) -> (T, f64) {
    let mut m = -T::INFINITY;
    let mut s = 0.0f64;
    for c in x.chunks(CHUNK) {
        let cm = max_of(c);
        if cm > m {
            if s != 0.0 {
                s *= libm::exp(m.to_f64() - cm.to_f64());
            }
            m = cm;
        }
        s += sum_exp(c, m);
    }
    (m, s)
}

/// logsumexp(x) = ln Σₖ e^(xₖ), stably: m + ln Σₖ e^(xₖ − m) with m = max x, in one pass
/// over x (see the module docs of [`crate::rowwise`] for the online form).
///
/// −∞ for an empty slice; +∞ if any entry is +∞; NaN if any is NaN. Accumulated in `f64`.
pub fn logsumexp<T: Real>(x: &[T]) -> T {
    if x.is_empty() {
        return -T::INFINITY;
    }
    let (m, s) = softmax_normaliser(x);
    T::from_f64(m.to_f64() + libm::log(s))
}
