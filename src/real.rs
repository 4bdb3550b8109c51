//! The floating-point types losskit computes in.
//!
//! [`Real`] is implemented for `f32` and `f64` only. Every transcendental function goes
//! through the `libm` crate, never the platform's libm, so a result is the same bit
//! pattern on x86-64, Arm and RISC-V, with or without `std`.

use core::fmt::{Debug, Display};
use core::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A floating-point element type: `f32` or `f64`.
///
/// Losses take slices of `T: Real` and accumulate their sums in `f64` (see
/// [`crate::reduce`]); the methods here are the per-element arithmetic they need.
pub trait Real:
    sealed::Sealed
    + crate::math::Elementary
    + Copy
    + Default
    + PartialOrd
    + Debug
    + Display
    + Send
    + Sync
    + 'static
    + num_traits::Zero
    + num_traits::One
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
{
    /// The lane accumulator used to sum values of this type (see [`crate::reduce`]).
    type Lanes: crate::reduce::LaneSum;
    /// True when terms of this type are best widened to `f64` from memory: the summation
    /// then has its terms written four runs at a time to a buffer (see
    /// [`crate::reduce::blocked_sum_runs`]). A tuning constant; no result depends on it.
    const WIDEN_FROM_MEMORY: bool;
    /// `"f32"` or `"f64"`, for messages and test names.
    const NAME: &'static str;
    /// Machine epsilon of the type.
    const EPSILON: Self;
    /// Positive infinity.
    const INFINITY: Self;
    /// Not a number.
    const NAN: Self;

    /// Rounds an `f64` to this type (identity for `f64`).
    fn from_f64(x: f64) -> Self;
    /// Widens to `f64` exactly.
    fn to_f64(self) -> f64;

    /// |x|.
    fn abs(self) -> Self;
    /// √x (correctly rounded).
    fn sqrt(self) -> Self;
    /// eˣ.
    fn exp(self) -> Self;
    /// eˣ − 1, accurate near 0.
    fn exp_m1(self) -> Self;
    /// ln x.
    fn ln(self) -> Self;
    /// ln(1 + x), accurate near 0.
    fn ln_1p(self) -> Self;
    /// tanh x.
    fn tanh(self) -> Self;
    /// xʸ.
    fn powf(self, y: Self) -> Self;
    /// The larger of two values; NaN if either is NaN.
    fn max_nan(self, other: Self) -> Self {
        if self.is_nan() || other.is_nan() {
            Self::NAN
        } else if self > other {
            self
        } else {
            other
        }
    }
    /// The smaller of two values; NaN if either is NaN.
    fn min_nan(self, other: Self) -> Self {
        if self.is_nan() || other.is_nan() {
            Self::NAN
        } else if self < other {
            self
        } else {
            other
        }
    }
    /// True for NaN.
    #[allow(clippy::wrong_self_convention)]
    fn is_nan(self) -> bool;
    /// True for finite values (not ±∞, not NaN).
    #[allow(clippy::wrong_self_convention)]
    fn is_finite(self) -> bool;
    /// sign(x) with sign(±0) = +0 and sign(NaN) = NaN: the subgradient PyTorch uses for |x|.
    #[inline(always)]
    fn signum0(self) -> Self {
        // One select, so that loops over it vectorise: ±1 with x's sign where |x| > 0, and
        // x − x otherwise (+0 for ±0, NaN for NaN).
        if self.abs() > Self::zero() {
            Self::one().copy_sign(self)
        } else {
            // Deliberately x − x (clippy flags subtracting a value from itself).
            #[allow(clippy::eq_op)]
            let zero_or_nan = self - self;
            zero_or_nan
        }
    }
    /// |x| with the sign of `sign` (a bit operation, exact; NaN keeps its payload).
    fn copy_sign(self, sign: Self) -> Self;
}

macro_rules! impl_real {
    ($t:ty, $bits:ty, $lanes:ty, $wide:literal, $name:literal, $sqrt:path, $exp:path, $expm1:path, $ln:path,
     $ln1p:path, $tanh:path, $pow:path) => {
        impl Real for $t {
            type Lanes = $lanes;
            const WIDEN_FROM_MEMORY: bool = $wide;
            const NAME: &'static str = $name;
            const EPSILON: Self = <$t>::EPSILON;
            const INFINITY: Self = <$t>::INFINITY;
            const NAN: Self = <$t>::NAN;
            #[inline(always)]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn abs(self) -> Self {
                // Clearing the sign bit is exact and inlines (a call into libm would not).
                <$t>::from_bits(self.to_bits() & !(1 << (8 * core::mem::size_of::<$t>() - 1)))
            }
            #[inline(always)]
            fn copy_sign(self, sign: Self) -> Self {
                const SIGN: $bits = 1 << (8 * core::mem::size_of::<$t>() - 1);
                <$t>::from_bits((self.to_bits() & !SIGN) | (sign.to_bits() & SIGN))
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                $sqrt(self)
            }
            #[inline(always)]
            fn exp(self) -> Self {
                $exp(self)
            }
            #[inline(always)]
            fn exp_m1(self) -> Self {
                $expm1(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                $ln(self)
            }
            #[inline(always)]
            fn ln_1p(self) -> Self {
                $ln1p(self)
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                $tanh(self)
            }
            #[inline(always)]
            fn powf(self, y: Self) -> Self {
                $pow(self, y)
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
        }
    };
}

impl_real!(
    f32,
    u32,
    crate::reduce::WideLanes,
    true,
    "f32",
    libm::sqrtf,
    libm::expf,
    libm::expm1f,
    libm::logf,
    libm::log1pf,
    libm::tanhf,
    libm::powf
);
impl_real!(
    f64,
    u64,
    crate::reduce::CompensatedLanes,
    false,
    "f64",
    libm::sqrt,
    libm::exp,
    libm::expm1,
    libm::log,
    libm::log1p,
    libm::tanh,
    libm::pow
);
