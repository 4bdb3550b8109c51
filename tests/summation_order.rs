//! The fixed summation order of `losskit::reduce` (see its module docs), checked against an
//! independent implementation of the documented order written here: blocks of 1024, 32
//! interleaved lanes per block, the lanes folded pairwise (w = 16, 8, 4, 2, 1), each block's
//! total added to a Neumaier running sum; `f32` terms widened and summed plainly, `f64`
//! lanes TwoSum pairs. Also: lane and block boundaries, exactness against an integer
//! reference, infinite lanes, and that the engine's vectorised runs give the same bits as
//! the generic path.

use losskit::{reduce, regression, Options, Reduction};

const BLOCK: usize = 1024;
const LANES: usize = 32;

/// Neumaier's running sum (hi, lo), written from the textbook definition.
#[derive(Default, Clone, Copy)]
struct Neumaier {
    hi: f64,
    lo: f64,
}

impl Neumaier {
    fn add(&mut self, x: f64) {
        let t = self.hi + x;
        let err = if self.hi.abs() >= x.abs() {
            (self.hi - t) + x
        } else {
            (x - t) + self.hi
        };
        if t.is_finite() {
            self.lo += err;
        }
        self.hi = t;
    }
    fn value(&self) -> f64 {
        if self.hi.is_finite() {
            self.hi + self.lo
        } else {
            self.hi
        }
    }
}

fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// The documented order for f32 data (plain f64 lanes).
fn reference_f32(x: &[f32]) -> f64 {
    let mut total = Neumaier::default();
    for block in x.chunks(BLOCK) {
        let mut lane = [0.0f64; LANES];
        for (i, &v) in block.iter().enumerate() {
            lane[i % LANES] += v as f64;
        }
        let mut w = LANES / 2;
        while w > 0 {
            for i in 0..w {
                lane[i] += lane[i + w];
            }
            w /= 2;
        }
        total.add(lane[0]);
    }
    total.value()
}

/// The documented order for f64 data (TwoSum lanes folded as double-doubles).
fn reference_f64(x: &[f64]) -> f64 {
    let mut total = Neumaier::default();
    for block in x.chunks(BLOCK) {
        let (mut hi, mut lo) = ([0.0f64; LANES], [0.0f64; LANES]);
        for (i, &v) in block.iter().enumerate() {
            let (s, e) = two_sum(hi[i % LANES], v);
            hi[i % LANES] = s;
            lo[i % LANES] += e;
        }
        for k in 0..LANES {
            if !hi[k].is_finite() {
                lo[k] = 0.0;
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
        total.add(hi[0]);
        total.add(lo[0]);
    }
    total.value()
}

/// xorshift64 values in [−1, 1) scaled by 2^e for e in −30..30 (a wide dynamic range, so
/// the order matters).
fn data(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let u = (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
            let e = ((s >> 3) % 61) as i32 - 30;
            u * 2f64.powi(e)
        })
        .collect()
}

const SIZES: [usize; 21] = [
    0,
    1,
    2,
    31,
    32,
    33,
    63,
    64,
    65,
    127,
    128,
    129,
    1023,
    1024,
    1025,
    2047,
    2048,
    2049,
    4096,
    33 * 1024 + 17,
    100_003,
];

#[test]
fn f32_sums_follow_the_documented_order() {
    for (k, &n) in SIZES.iter().enumerate() {
        let x: Vec<f32> = data(n, 7 + k as u64).iter().map(|&v| v as f32).collect();
        let got = reduce::sum(&x);
        let want = reference_f32(&x);
        assert_eq!(got.to_bits(), want.to_bits(), "n = {n}: {got} vs {want}");
    }
}

#[test]
fn f64_sums_follow_the_documented_order() {
    for (k, &n) in SIZES.iter().enumerate() {
        let x = data(n, 11 + k as u64);
        let got = reduce::sum(&x);
        let want = reference_f64(&x);
        assert_eq!(got.to_bits(), want.to_bits(), "n = {n}: {got} vs {want}");
    }
}

/// Values k·2⁻⁴⁰ with |k| < 2⁵², so the exact sum is an integer count of 2⁻⁴⁰ in i128.
fn dyadic(n: usize, seed: u64) -> (Vec<f64>, i128) {
    let mut s = seed | 1;
    let mut exact = 0i128;
    let x = (0..n)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            // Large and small magnitudes alternate, with cancellation.
            let bits = if i % 3 == 0 { 52 } else { 12 };
            let k = (s >> (64 - bits)) as i128 * if s & 1 == 0 { 1 } else { -1 };
            exact += k;
            k as f64 * 2f64.powi(-40)
        })
        .collect();
    (x, exact)
}

#[test]
fn f64_sums_are_within_one_ulp_of_exact_across_lane_and_block_boundaries() {
    for (k, &n) in SIZES.iter().enumerate() {
        let (x, exact) = dyadic(n, 3 + k as u64);
        // The exact sum rounded once: |exact| < 2^70, so split it into two exact f64 parts.
        let hi = (exact >> 20) as f64 * 2f64.powi(20);
        let lo = (exact - ((exact >> 20) << 20)) as f64;
        let want = (hi + lo) * 2f64.powi(-40);
        let got = reduce::sum(&x);
        let ulp = f64::EPSILON * want.abs().max(f64::MIN_POSITIVE);
        assert!(
            (got - want).abs() <= ulp,
            "n = {n}: {got:e} vs exact {want:e}"
        );
    }
}

#[test]
fn infinite_lanes() {
    for n in [32usize, 33, 1024, 1025, 3000] {
        // Every lane infinite.
        let x = vec![f64::INFINITY; n];
        assert_eq!(reduce::sum(&x), f64::INFINITY, "n = {n}");
        let x32 = vec![f32::NEG_INFINITY; n];
        assert_eq!(reduce::sum(&x32), f64::NEG_INFINITY, "n = {n}");
        // One infinite lane among finite ones (cancelling finite values around it).
        let mut x: Vec<f64> = (0..n)
            .map(|i| if i % 2 == 0 { 1e300 } else { -1e300 })
            .collect();
        x[n / 2] = f64::INFINITY;
        assert_eq!(reduce::sum(&x), f64::INFINITY, "n = {n}");
        // +∞ and −∞ in different lanes: NaN.
        x[n / 2 + 1] = f64::NEG_INFINITY;
        assert!(reduce::sum(&x).is_nan(), "n = {n}");
        // A lane that overflows (its TwoSum error would be ∞ − ∞) stays +∞, not NaN.
        let big = vec![f64::MAX / 4.0; n.max(LANES * 8)];
        assert_eq!(reduce::sum(&big), f64::INFINITY, "n = {n}");
    }
}

#[test]
fn engine_runs_give_the_generic_order_bit_for_bit() {
    // The engine's vectorised runs (full runs of 32 terms, four at a time for f32, and a
    // short last run) against reduce::sum of the per-element values in the same order.
    for (k, &n) in SIZES.iter().enumerate().skip(1) {
        let p: Vec<f64> = data(n, 21 + k as u64);
        let y: Vec<f64> = data(n, 41 + k as u64);
        let p32: Vec<f32> = p.iter().map(|&v| v as f32).collect();
        let y32: Vec<f32> = y.iter().map(|&v| v as f32).collect();
        let opts = Options::default().with_reduction(Reduction::None);
        let mut v64 = vec![0.0f64; n];
        let mut g64 = vec![0.0f64; n];
        let r64 = regression::mse(&p, &y, &opts, Some(&mut v64), Some(&mut g64)).unwrap();
        assert_eq!(
            r64.value.to_bits(),
            reduce::sum(&v64).to_bits(),
            "f64 n = {n}"
        );
        let mut v32 = vec![0.0f32; n];
        let mut g32 = vec![0.0f32; n];
        let opts32 = Options::default().with_reduction(Reduction::None);
        let r32 =
            regression::huber(&p32, &y32, 0.5, &opts32, Some(&mut v32), Some(&mut g32)).unwrap();
        assert_eq!(
            r32.value.to_bits(),
            (reduce::sum(&v32) as f32).to_bits(),
            "f32 n = {n}"
        );
        // Value-only and gradient passes agree with the values pass.
        let sum = Options::default().with_reduction(Reduction::Sum);
        let a = regression::huber(&p32, &y32, 0.5, &sum, None, None).unwrap();
        let b = regression::huber(&p32, &y32, 0.5, &sum, None, Some(&mut g32)).unwrap();
        assert_eq!(a.value.to_bits(), r32.value.to_bits(), "n = {n}");
        assert_eq!(b.value.to_bits(), r32.value.to_bits(), "n = {n}");
    }
}
