//! Options shared by every loss, and the accurate, deterministic summation behind them.
//!
//! # Summation
//! Sums are accumulated in `f64` in a fixed order that depends only on the length of the
//! data. The elements are taken in blocks of [`BLOCK`] (1024); within a block, element i
//! goes to lane i mod [`LANES`] (32 interleaved partial sums), so each lane adds up to 32
//! terms left to right. At the end of a block the lanes are folded pairwise in a fixed
//! tree (lane i += lane i + w for w = 16, 8, 4, 2, 1, leaving the block's total in lane 0),
//! and the block's total is added, unrounded, to one running Neumaier compensated sum, so
//! block sums that cancel later lose nothing.
//!
//! `f32` terms are widened to `f64`, which is exact, and summed plainly in the lanes and
//! the fold (53 bits for 24-bit inputs). For `f64` data each lane is a TwoSum pair
//! (hi, lo): hi is the plain sum and lo collects the exact rounding error of every
//! addition; the fold adds the pairs as double-doubles and the running sum receives both
//! parts, so a sum of `f64` values is close to correctly rounded. A lane whose hi is ±∞ or
//! NaN drops its lo (which would be ∞ − ∞ = NaN), so an infinite sum stays infinite.
//! Nothing depends on timing, threads or CPU features, so repeated calls agree bit for bit.

use crate::Real;

/// Elements per block of the summation (see the module docs).
pub const BLOCK: usize = 1024;
/// Interleaved partial sums per block.
pub const LANES: usize = 32;

/// How a loss is reduced over its elements.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reduction {
    /// One value per element (or per row with [`Options::row_len`]), written to the
    /// caller's buffer; the returned value is their sum; the gradient is that of the sum.
    None,
    /// L = Σᵢ wᵢ ℓᵢ over kept elements.
    Sum,
    /// L = Σᵢ wᵢ ℓᵢ / Σᵢ wᵢ over kept elements (PyTorch's weighted mean).
    #[default]
    Mean,
    /// Like `Sum` for the value and the gradient, and the pair (Σ wℓ, Σ w), unrounded, is
    /// returned in [`Reduced::partial`] for the caller to merge across threads, ranks or
    /// devices ([`Partial::merge`]). The caller finishes the mean ([`Partial::mean`]) and
    /// passes the global `1/Σw` (1 / the merged `weight`) as [`Options::grad_scale`] to get
    /// the gradient of the global mean.
    Partial,
}

/// What a mean over nothing (no element kept) evaluates to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EmptyPolicy {
    /// The mean is 0 and its gradient is 0.
    #[default]
    Zero,
    /// The mean is NaN (PyTorch's behaviour); the gradient is 0.
    Nan,
    /// The call fails with [`Error::EmptyMean`](crate::Error::EmptyMean).
    Error,
}

/// Whether a gradient buffer is overwritten or added to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GradMode {
    /// `grad[i] = scale · ∂L/∂pred[i]` (masked elements get 0).
    #[default]
    Overwrite,
    /// `grad[i] += scale · ∂L/∂pred[i]` (masked elements are left as they are).
    Accumulate,
}

/// Options shared by every loss. `Options::default()` is a plain unweighted mean.
#[derive(Clone, Copy, Debug)]
pub struct Options<'a, T> {
    /// How the per-element losses are reduced.
    pub reduction: Reduction,
    /// What a mean over nothing gives.
    pub empty: EmptyPolicy,
    /// Keep-mask, one byte per element: nonzero keeps the element, 0 drops it from the
    /// sum, the normaliser and the gradient.
    pub mask: Option<&'a [u8]>,
    /// astroNN's magic number: a target equal to this value, or a NaN target, is masked.
    /// astroNN's default is −9999.0 ([`ASTRONN_MAGIC`]).
    pub magic: Option<T>,
    /// Per-element weights wᵢ ≥ 0 (finite); absent means wᵢ = 1.
    pub weights: Option<&'a [T]>,
    /// 0 for one mean over all elements; D > 0 for astroNN's reduction: the data are rows
    /// of length D, each row's weighted masked mean is taken first, then the rows are
    /// reduced (a row with nothing kept follows [`Options::empty`]: with `Zero` it is
    /// left out of the batch, with `Nan` it is NaN).
    pub row_len: usize,
    /// The gradient buffer receives `grad_scale · ∂L/∂pred`.
    pub grad_scale: T,
    /// Overwrite or accumulate the gradient.
    pub grad_mode: GradMode,
}

/// astroNN's default magic number, −9999.
pub const ASTRONN_MAGIC: f64 = -9999.0;

impl<T: Real> Default for Options<'_, T> {
    fn default() -> Self {
        Options {
            reduction: Reduction::Mean,
            empty: EmptyPolicy::Zero,
            mask: None,
            magic: None,
            weights: None,
            row_len: 0,
            grad_scale: T::one(),
            grad_mode: GradMode::Overwrite,
        }
    }
}

impl<'a, T: Real> Options<'a, T> {
    /// The default options with another reduction.
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }
    /// Adds a keep-mask.
    pub fn with_mask(mut self, mask: &'a [u8]) -> Self {
        self.mask = Some(mask);
        self
    }
    /// Turns on magic-number masking with the given value.
    pub fn with_magic(mut self, magic: T) -> Self {
        self.magic = Some(magic);
        self
    }
    /// Adds per-element weights.
    pub fn with_weights(mut self, weights: &'a [T]) -> Self {
        self.weights = Some(weights);
        self
    }
    /// astroNN's per-row mean over rows of length `d`.
    pub fn with_row_len(mut self, d: usize) -> Self {
        self.row_len = d;
        self
    }
    /// Sets the empty-mean policy.
    pub fn with_empty(mut self, empty: EmptyPolicy) -> Self {
        self.empty = empty;
        self
    }
    /// Sets the gradient scale.
    pub fn with_grad_scale(mut self, scale: T) -> Self {
        self.grad_scale = scale;
        self
    }
    /// Sets the gradient mode.
    pub fn with_grad_mode(mut self, mode: GradMode) -> Self {
        self.grad_mode = mode;
        self
    }
}

/// A mergeable partial result: Σ wℓ and Σ w, in `f64` whatever the data type, each kept
/// unrounded as a double-double (a rounded value and its remainder).
///
/// `sum` and `weight` are the rounded values (what a single `f64` sum would give); the
/// exact-ish totals are `sum + sum_lo` and `weight + weight_lo`, where `sum_lo` and
/// `weight_lo` are what rounding left out (|lo| ≤ ½ ulp of the rounded value; 0 when the
/// value is not finite). Code that reads only `sum` and `weight` keeps working; code that
/// merges should use [`Partial::merge`], which adds the low parts too, so that shards merged
/// across threads, MPI ranks or devices give the single-call mean to within one ulp.
/// Finish with [`Partial::mean`], which rounds once. A partial built by hand with the low
/// parts 0 (see [`Partial::new`]) is a plain pair of `f64`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Partial {
    /// Σ wᵢ ℓᵢ over kept elements (or Σ of row means in per-row mode), rounded to `f64`.
    pub sum: f64,
    /// Σ wᵢ over kept elements (or the number of rows counted in per-row mode), rounded.
    pub weight: f64,
    /// The remainder of `sum`: Σ wᵢ ℓᵢ ≈ `sum + sum_lo`.
    pub sum_lo: f64,
    /// The remainder of `weight`: Σ wᵢ ≈ `weight + weight_lo`.
    pub weight_lo: f64,
}

/// (s, e) with s = fl(a + b) and e = a + b − s exactly (Knuth's TwoSum); e = 0 when s is
/// not finite.
#[inline(always)]
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    (s, if s.is_finite() { e } else { 0.0 })
}

/// (p, e) with p = fl(a·b) and e = a·b − p exactly (Dekker's product with Veltkamp's
/// splitting; exact unless a·b underflows or the splitting overflows, |a|, |b| ≳ 2⁹⁹⁶).
#[inline(always)]
fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let split = |x: f64| {
        let c = 134_217_729.0 * x; // 2^27 + 1
        let hi = c - (c - x);
        (hi, x - hi)
    };
    let p = a * b;
    let ((ah, al), (bh, bl)) = (split(a), split(b));
    let e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    (p, e)
}

/// The normalised double-double (hi, lo) ≈ a + b + c + d, where (a, b) and (c, d) are
/// double-doubles: hi = fl(hi + lo) and |lo| ≤ ½ ulp(hi) (the accurate double-double
/// addition). Commutative: swapping the two operands gives the same bits.
#[inline(always)]
fn dd_add(a: f64, b: f64, c: f64, d: f64) -> (f64, f64) {
    let (s, e) = two_sum(a, c);
    let (t, f) = two_sum(b, d);
    let (s, e) = two_sum(s, e + t);
    let (s, e) = two_sum(s, e + f);
    if s.is_finite() {
        (s, e)
    } else {
        // An infinite or NaN total (the sum of the high parts says which) has no remainder.
        (a + c + (b + d), 0.0)
    }
}

impl Partial {
    /// The pair (Σ wℓ, Σ w) = (`sum`, `weight`) with no low parts.
    pub const fn new(sum: f64, weight: f64) -> Partial {
        Partial {
            sum,
            weight,
            sum_lo: 0.0,
            weight_lo: 0.0,
        }
    }

    /// The partial of two compensated sums, unrounded: `sum` = Σ wℓ, `weight` = Σ w. The
    /// rounded fields equal [`CompensatedSum::value`].
    pub fn from_sums(sum: CompensatedSum, weight: CompensatedSum) -> Partial {
        let (s, s_lo) = sum.split();
        let (w, w_lo) = weight.split();
        Partial {
            sum: s,
            weight: w,
            sum_lo: s_lo,
            weight_lo: w_lo,
        }
    }

    /// The sum of two partials: each of Σ wℓ and Σ w is added as a double-double
    /// (TwoSum of the rounded values, the low parts added, renormalised), so merging
    /// loses (almost) nothing, whatever the order. Commutative bit for bit; associative to
    /// about 2⁻¹⁰⁶ relative to the larger operand. The rounded fields `sum` and `weight`
    /// of partials whose low parts are 0 add as plain `f64` (`sum = a.sum + b.sum`).
    pub fn merge(self, other: Partial) -> Partial {
        let (sum, sum_lo) = dd_add(self.sum, self.sum_lo, other.sum, other.sum_lo);
        let (weight, weight_lo) =
            dd_add(self.weight, self.weight_lo, other.weight, other.weight_lo);
        Partial {
            sum,
            weight,
            sum_lo,
            weight_lo,
        }
    }

    /// (sum + sum_lo) / (weight + weight_lo), rounded once (within a hair of the correctly
    /// rounded quotient), or what `empty` says when the weight is not > 0. With both low
    /// parts 0 this is exactly `sum / weight`.
    pub fn mean(self, empty: EmptyPolicy) -> Result<f64, crate::Error> {
        if self.weight > 0.0 {
            let q = self.sum / self.weight;
            if (self.sum_lo == 0.0 && self.weight_lo == 0.0) || !q.is_finite() {
                return Ok(q);
            }
            // The remainder of the quotient, s + s_lo − q·(w + w_lo), with q·w = p + e exact
            // (s − p is exact for a correctly rounded q). Plain IEEE operations, no fma, so
            // that every target computes the same bits.
            let (p, e) = two_prod(q, self.weight);
            let r = ((self.sum - p) - e) + (self.sum_lo - q * self.weight_lo);
            let corrected = q + r / self.weight;
            // Near the overflow threshold the splitting overflows: keep the plain quotient.
            Ok(if corrected.is_finite() { corrected } else { q })
        } else {
            match empty {
                EmptyPolicy::Zero => Ok(0.0),
                EmptyPolicy::Nan => Ok(f64::NAN),
                EmptyPolicy::Error => Err(crate::Error::EmptyMean),
            }
        }
    }
}

/// The result of a reduced loss.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reduced<T> {
    /// The loss under the requested reduction (for `None` and `Partial`, the sum).
    pub value: T,
    /// (Σ wℓ, Σ w) with their remainders, whatever the reduction; `value` for `Mean` is
    /// `partial.mean()` (in the data type).
    pub partial: Partial,
}

/// Neumaier's compensated sum in `f64`.
#[derive(Clone, Copy, Debug, Default)]
pub struct CompensatedSum {
    hi: f64,
    lo: f64,
}

impl CompensatedSum {
    /// An empty sum.
    pub const fn new() -> Self {
        CompensatedSum { hi: 0.0, lo: 0.0 }
    }
    /// Adds `x`, keeping the rounding error of the addition in the low part.
    #[inline(always)]
    pub fn add(&mut self, x: f64) {
        let t = self.hi + x;
        // Both candidates are computed so the choice compiles to a select, not a branch.
        let big_hi = (self.hi - t) + x;
        let big_x = (x - t) + self.hi;
        let err = if libm::fabs(self.hi) >= libm::fabs(x) {
            big_hi
        } else {
            big_x
        };
        // Once the sum overflows (or an addend is ±∞) the error term would be ∞ − ∞ = NaN
        // and turn an infinite sum into NaN; an infinite sum has no rounding error to keep.
        // (A NaN addend still makes the sum NaN through `hi`.)
        self.lo += if t.is_finite() { err } else { 0.0 };
        self.hi = t;
    }
    /// The rounded value of the sum (±∞ or NaN when the plain sum is; the error term is
    /// then meaningless: ∞ − ∞).
    #[inline(always)]
    pub fn value(&self) -> f64 {
        if self.hi.is_finite() {
            self.hi + self.lo
        } else {
            self.hi
        }
    }
    /// The sum as a normalised double-double (value, remainder): `value` is
    /// [`CompensatedSum::value`] and `value + remainder` = hi + lo exactly (the remainder
    /// is 0 when the value is not finite).
    #[inline(always)]
    pub fn split(&self) -> (f64, f64) {
        two_sum(self.hi, self.lo)
    }
}

/// Lane accumulator for one block: plain `f64` lanes for `f32` data, TwoSum-compensated
/// lanes for `f64` data. Implemented by [`WideLanes`] and [`CompensatedLanes`].
///
/// Lane k receives the terms k, k + [`LANES`], k + 2·[`LANES`], … of its block; at the end
/// of the block the lanes are folded pairwise (lane i += lane i + w for w = 16, 8, 4, 2, 1)
/// and the block's total is added to the running compensated sum.
pub trait LaneSum: Default {
    /// Adds `x` to lane `lane`.
    fn add(&mut self, lane: usize, x: f64);
    /// Adds `terms[k]`, widened to `f64`, to lane k for every k (one run of [`LANES`] terms).
    fn add_terms<E: Real>(&mut self, terms: &[E; LANES]);
    /// The lanes folded pairwise, rounded to one `f64`.
    fn total(&self) -> f64;
    /// Folds the lanes pairwise and adds the block's total to a running compensated sum
    /// (for `f64` data its high and low parts, so that block sums that cancel later lose
    /// nothing).
    fn add_to(&self, acc: &mut CompensatedSum);
}

/// [`LANES`] plain `f64` partial sums (used for `f32` data: a product or sum of two `f32`
/// values widened to `f64` carries at most 49 significant bits, so 53-bit lanes lose little).
#[derive(Clone, Copy)]
pub struct WideLanes([f64; LANES]);

impl Default for WideLanes {
    #[inline(always)]
    fn default() -> Self {
        WideLanes([0.0; LANES])
    }
}

impl WideLanes {
    /// The pairwise fold: Σ lanes as ((l₀ + l₁₆) + (l₈ + l₂₄)) + …, in a fixed tree.
    #[inline(always)]
    fn fold(&self) -> f64 {
        // Hiding the lanes from the optimiser here keeps the per-run adds as independent
        // full-width vector adds (otherwise LLVM may rewrite the lane array around the fold).
        let mut l = core::hint::black_box(self.0);
        let mut w = LANES / 2;
        while w > 0 {
            for i in 0..w {
                l[i] += l[i + w];
            }
            w /= 2;
        }
        l[0]
    }
}

impl LaneSum for WideLanes {
    #[inline(always)]
    fn add(&mut self, lane: usize, x: f64) {
        self.0[lane] += x;
    }
    #[inline(always)]
    fn add_terms<E: Real>(&mut self, terms: &[E; LANES]) {
        for (l, t) in self.0.iter_mut().zip(terms) {
            *l += t.to_f64();
        }
    }
    #[inline(always)]
    fn total(&self) -> f64 {
        self.fold()
    }
    #[inline(always)]
    fn add_to(&self, acc: &mut CompensatedSum) {
        acc.add(self.fold());
    }
}

/// [`LANES`] compensated `f64` partial sums (used for `f64` data): lane k is the unevaluated
/// pair `hi[k] + lo[k]`, `hi[k]` the plain sum of the lane's terms and `lo[k]` the sum of the exact
/// rounding errors of those additions (Knuth's TwoSum). A lane whose `hi` is not finite has
/// no meaningful remainder (∞ − ∞ = NaN); its `lo` is dropped at the fold.
#[derive(Clone, Copy)]
pub struct CompensatedLanes {
    hi: [f64; LANES],
    lo: [f64; LANES],
}

impl Default for CompensatedLanes {
    #[inline(always)]
    fn default() -> Self {
        CompensatedLanes {
            hi: [0.0; LANES],
            lo: [0.0; LANES],
        }
    }
}

/// Knuth's TwoSum without the finiteness test: (s, e) with s = fl(a + b) and, when s is
/// finite, e = a + b − s exactly.
#[inline(always)]
fn two_sum_raw(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

impl CompensatedLanes {
    /// The pairwise fold as a double-double (hi, lo): the lanes' pairs added with TwoSum in
    /// the fixed tree of [`WideLanes`]; lo is 0 when hi is not finite.
    #[inline(always)]
    fn fold(&self) -> (f64, f64) {
        let (mut hi, mut lo) = core::hint::black_box((self.hi, self.lo));
        for (h, l) in hi.iter().zip(lo.iter_mut()) {
            if !h.is_finite() {
                *l = 0.0;
            }
        }
        let mut w = LANES / 2;
        while w > 0 {
            for i in 0..w {
                let (s, e) = two_sum(hi[i], hi[i + w]);
                hi[i] = s;
                lo[i] = if s.is_finite() {
                    (lo[i] + lo[i + w]) + e
                } else {
                    0.0
                };
            }
            w /= 2;
        }
        (hi[0], lo[0])
    }
}

impl LaneSum for CompensatedLanes {
    #[inline(always)]
    fn add(&mut self, lane: usize, x: f64) {
        let (s, e) = two_sum_raw(self.hi[lane], x);
        self.hi[lane] = s;
        self.lo[lane] += e;
    }
    #[inline(always)]
    fn add_terms<E: Real>(&mut self, terms: &[E; LANES]) {
        for ((h, l), t) in self.hi.iter_mut().zip(self.lo.iter_mut()).zip(terms) {
            let (s, e) = two_sum_raw(*h, t.to_f64());
            *h = s;
            *l += e;
        }
    }
    #[inline(always)]
    fn total(&self) -> f64 {
        let (hi, lo) = self.fold();
        hi + lo
    }
    #[inline(always)]
    fn add_to(&self, acc: &mut CompensatedSum) {
        let (hi, lo) = self.fold();
        acc.add(hi);
        acc.add(lo);
    }
}

/// Sums `f(i)` for `i` in `0..n` in the fixed blocked order described in the module docs,
/// with the lane accumulator of `T`. Element `i` goes to lane `(i mod BLOCK) mod LANES`.
///
/// `f` may have side effects (the engine writes gradients from it); it is called once per
/// index, in increasing order.
#[inline(always)]
pub fn blocked_sum<T: Real>(n: usize, f: impl FnMut(usize) -> f64) -> f64 {
    blocked_sum_compensated::<T>(n, f).value()
}

/// [`blocked_sum`] before the final rounding: the running compensated sum, in the same
/// fixed order (its [`CompensatedSum::value`] is `blocked_sum`'s result, bit for bit).
/// Keep it unrounded to merge it with other sums ([`Partial::from_sums`]).
#[inline(always)]
pub fn blocked_sum_compensated<T: Real>(
    n: usize,
    mut f: impl FnMut(usize) -> f64,
) -> CompensatedSum {
    blocked_sum_fill_compensated::<T, f64>(n, |i0, out| {
        for (k, o) in out.iter_mut().enumerate() {
            *o = f(i0 + k);
        }
    })
}

/// Terms handed to the `fill` closure of [`blocked_sum_fill`] per call (at most).
pub const FILL: usize = 64;

/// [`blocked_sum`] with the terms produced a run at a time: `fill(i0, out)` writes the terms
/// `i0 .. i0 + out.len()` (at most [`FILL`] of them, never crossing a block) into `out`, in
/// the type `E` (`f64`, or the data type `T`); they are then widened to `f64` and added in the
/// fixed order, so the result is the same bit for bit as [`blocked_sum`] of the widened terms.
///
/// Producing the terms in a tight loop over slices, in the data type and apart from the
/// summation, is what lets a caller's per-element math be vectorised at full width.
#[inline(always)]
pub fn blocked_sum_fill<T: Real, E: Real>(n: usize, fill: impl FnMut(usize, &mut [E])) -> f64 {
    blocked_sum_fill_compensated::<T, E>(n, fill).value()
}

/// [`blocked_sum_fill`] before the final rounding (see [`blocked_sum_compensated`]).
#[inline(always)]
pub fn blocked_sum_fill_compensated<T: Real, E: Real>(
    n: usize,
    mut fill: impl FnMut(usize, &mut [E]),
) -> CompensatedSum {
    const _: () = assert!(BLOCK % FILL == 0 && FILL % LANES == 0);
    let mut buf = [E::zero(); FILL];
    let mut total = CompensatedSum::new();
    let mut start = 0;
    while start < n {
        let end = if n - start > BLOCK { start + BLOCK } else { n };
        let mut lanes = T::Lanes::default();
        let mut i0 = start;
        while i0 < end {
            let m = if end - i0 > FILL { FILL } else { end - i0 };
            fill(i0, &mut buf[..m]);
            // i0 − start is a multiple of LANES, so term k goes to lane k mod LANES; a short
            // last run is padded with +0, which leaves every lane as it is.
            for run in buf[..m].chunks(LANES) {
                let mut terms = [E::zero(); LANES];
                terms[..run.len()].copy_from_slice(run);
                lanes.add_terms(&terms);
            }
            i0 += m;
        }
        lanes.add_to(&mut total);
        start = end;
    }
    total
}

/// The fixed-order sum of terms produced [`LANES`] at a time, for loops that compute their
/// terms at full vector width: `fill(i0, out)` writes the terms `i0 .. i0 + out.len()` into
/// `out`, which holds exactly [`LANES`] terms except for the last run of the data (fewer).
/// `fill` is called once per index range, in increasing order; the result is the same bit
/// for bit as [`blocked_sum_fill_compensated`] of the same terms.
///
/// Pass an `#[inline(always)]` closure: on x86-64 and AArch64 the full runs are a separate
/// call site whose `out.len()` is the constant [`LANES`], so that the caller's loop over a
/// run is unrolled into full-width vector code and its terms stay in registers. On other
/// targets (small embedded cores) there is one call site, to keep the code small.
#[inline(always)]
pub fn blocked_sum_runs<T: Real, E: Real>(
    n: usize,
    mut fill: impl FnMut(usize, &mut [E]),
) -> CompensatedSum {
    const _: () = assert!(BLOCK % LANES == 0);
    let mut total = CompensatedSum::new();
    let mut start = 0;
    while start < n {
        let end = if n - start > BLOCK { start + BLOCK } else { n };
        let mut lanes = T::Lanes::default();
        let mut i0 = start;
        #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
        while E::WIDEN_FROM_MEMORY && end - i0 >= 4 * LANES {
            let mut terms = [E::zero(); 4 * LANES];
            fill(i0, &mut terms);
            for run in terms.chunks_exact(LANES) {
                lanes.add_terms(run.try_into().unwrap());
            }
            i0 += 4 * LANES;
        }
        #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
        while end - i0 >= LANES {
            let mut terms = [E::zero(); LANES];
            fill(i0, &mut terms);
            lanes.add_terms(&terms);
            i0 += LANES;
        }
        while i0 < end {
            let m = if end - i0 > LANES { LANES } else { end - i0 };
            // A short run is padded with +0, which leaves every lane as it is.
            let mut terms = [E::zero(); LANES];
            fill(i0, &mut terms[..m]);
            lanes.add_terms(&terms);
            i0 += m;
        }
        lanes.add_to(&mut total);
        start = end;
    }
    total
}

/// The accurate sum of a slice (f32 widened, f64 compensated), in the fixed order.
pub fn sum<T: Real>(x: &[T]) -> f64 {
    blocked_sum::<T>(x.len(), |i| x[i].to_f64())
}

/// The accurate mean of a slice; 0 for an empty slice.
pub fn mean<T: Real>(x: &[T]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        sum(x) / x.len() as f64
    }
}
