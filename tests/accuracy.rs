//! Accuracy, determinism and mergeability of the sums behind every loss (src/reduce.rs).
//!
//! * The f32 MSE of 10^7 random pairs agrees with an exact reference (each (p − y)² formed
//!   in f64 from the f32 inputs and summed with a compensated sum written here) within
//!   1e-6 relative; a naive f32 running sum of the same terms does not (so the test can
//!   fail).
//! * `reduce::mean` of 10^7 f32 values whose exact sum is known (multiples of 1/4) is
//!   exact, and `reduce::sum` of f64 data with heavy cancellation across summation blocks
//!   is correctly rounded (this caught block sums being rounded before they were merged).
//! * Repeated calls agree bit for bit (value and gradient).
//! * The Partial results of uneven shards, merged, give the single-call mean within 1 ulp
//!   of the result type; the shards' gradients with grad_scale = 1/Σw give the single-call
//!   Mean gradient within 1 ulp.

use losskit::reduce::{self, CompensatedSum};
use losskit::{regression, EmptyPolicy, Error, Options, Partial, Real, Reduction};

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const N: usize = 10_000_000;

/// Neumaier's compensated sum, written here independently of losskit.
fn exact_sum(it: impl Iterator<Item = f64>) -> f64 {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for x in it {
        let t = s + x;
        if s.abs() >= x.abs() {
            c += (s - t) + x;
        } else {
            c += (x - t) + s;
        }
        s = t;
    }
    s + c
}

fn data<T: Real>(n: usize, seed: u64) -> (Vec<T>, Vec<T>) {
    let mut rng = Rng(seed);
    let p = (0..n)
        .map(|_| T::from_f64(6.0 * rng.uniform() - 3.0))
        .collect();
    let y = (0..n)
        .map(|_| T::from_f64(6.0 * rng.uniform() - 3.0))
        .collect();
    (p, y)
}

fn ulps_f32(a: f32, b: f32) -> u32 {
    if a == b {
        0
    } else {
        a.to_bits().abs_diff(b.to_bits())
    }
}

fn ulps_f64(a: f64, b: f64) -> u64 {
    if a == b {
        0
    } else {
        a.to_bits().abs_diff(b.to_bits())
    }
}

#[test]
fn f32_mean_of_ten_million_is_accurate_and_repeatable() {
    let (p, y) = data::<f32>(N, 1);
    let exact = exact_sum((0..N).map(|i| {
        let d = p[i] as f64 - y[i] as f64;
        d * d
    })) / N as f64;
    let o = Options::default();
    let mut g1 = vec![0.0f32; N];
    let r1 = regression::mse(&p, &y, &o, None, Some(&mut g1)).unwrap();
    let rel = (r1.value as f64 - exact).abs() / exact;
    assert!(rel <= 1e-6, "MSE {} vs exact {exact}: {rel:e}", r1.value);
    // The partial sum itself (f64) is closer still.
    let rel_sum = (r1.partial.sum - exact * N as f64).abs() / (exact * N as f64);
    assert!(rel_sum <= 1e-6, "{rel_sum:e}");
    assert_eq!(r1.partial.weight, N as f64);

    // A naive f32 running sum of the same f32 terms misses by far more (the test can fail).
    let mut naive = 0.0f32;
    for i in 0..N {
        let d = p[i] - y[i];
        naive += d * d;
    }
    let naive_rel = ((naive / N as f32) as f64 - exact).abs() / exact;
    assert!(
        naive_rel > 1e-4,
        "naive f32 sum unexpectedly accurate: {naive_rel:e}"
    );

    // Repeated calls agree bit for bit, value and gradient, with and without the gradient.
    let mut g2 = vec![1.0f32; N];
    let r2 = regression::mse(&p, &y, &o, None, Some(&mut g2)).unwrap();
    assert_eq!(r1.value.to_bits(), r2.value.to_bits());
    assert_eq!(r1.partial.sum.to_bits(), r2.partial.sum.to_bits());
    assert!(g1.iter().zip(&g2).all(|(a, b)| a.to_bits() == b.to_bits()));
    let r3 = regression::mse(&p, &y, &o, None, None).unwrap();
    assert_eq!(r1.value.to_bits(), r3.value.to_bits());
}

#[test]
fn reduce_mean_of_ten_million_f32_is_exact() {
    // x_i = 1 + (i mod 1000)/4: exact in f32, exact sum known in integers.
    let x: Vec<f32> = (0..N).map(|i| 1.0 + (i % 1000) as f32 * 0.25).collect();
    let quarters: i64 = (0..N as i64).map(|i| 4 + i % 1000).sum();
    let exact = quarters as f64 / 4.0;
    let s = reduce::sum(&x);
    assert_eq!(s, exact);
    let m = reduce::mean(&x);
    assert_eq!(m, exact / N as f64);
    assert!((m - exact / N as f64).abs() <= 1e-6 * m);
    assert_eq!(reduce::mean(&x).to_bits(), m.to_bits());
    // A naive f32 running sum is far off.
    let naive: f32 = x.iter().fold(0.0f32, |a, &b| a + b);
    assert!((naive as f64 - exact).abs() > 1e-4 * exact);
}

#[test]
fn reduce_sum_of_f64_with_cancellation() {
    // 1e16 + 1 − 1e16 + ... : the plain left-to-right sum loses the ones.
    let mut x = vec![];
    for k in 0..1000 {
        x.push(1e16);
        x.push(1.0 + k as f64 * 0.5);
        x.push(-1e16);
    }
    let want: f64 = (0..1000).map(|k| 1.0 + k as f64 * 0.5).sum();
    assert_eq!(reduce::sum(&x), want);
    assert_eq!(reduce::mean(&x), want / 3000.0);
    assert_eq!(reduce::mean::<f64>(&[]), 0.0);
    assert_eq!(reduce::sum::<f32>(&[]), 0.0);
    // The public building blocks.
    let mut c = CompensatedSum::new();
    for v in &x {
        c.add(*v);
    }
    assert_eq!(c.value(), want);
    let b = reduce::blocked_sum::<f64>(x.len(), |i| x[i]);
    assert_eq!(b, want);
    let b32 = reduce::blocked_sum::<f32>(3, |i| [0.5, 0.25, 0.125][i]);
    assert_eq!(b32, 0.875);
    // The same through a loss: mean_error's ℓ = y − p is the x above, whose block sums
    // (256 elements, not a multiple of the period 3) cancel across blocks.
    let p = vec![0.0f64; x.len()];
    let o = Options::default().with_reduction(Reduction::Sum);
    let r = regression::mean_error(&p, &x, &o, None, None).unwrap();
    assert_eq!(r.value, want);
    let r = regression::mean_error(&p, &x, &Options::default(), None, None).unwrap();
    assert_eq!(r.value, want / 3000.0);
}

#[test]
fn partial_mean_and_merge() {
    let a = Partial::new(3.0, 2.0);
    let b = Partial::new(1.0, 0.5);
    assert_eq!(a.merge(b), Partial::new(4.0, 2.5));
    assert_eq!(a.merge(b).mean(EmptyPolicy::Error), Ok(1.6));
    let z = Partial::default();
    assert_eq!(z.mean(EmptyPolicy::Zero), Ok(0.0));
    assert!(z.mean(EmptyPolicy::Nan).unwrap().is_nan());
    assert_eq!(z.mean(EmptyPolicy::Error), Err(Error::EmptyMean));
}

/// Uneven shard boundaries (not multiples of the block size).
fn shards(n: usize) -> Vec<(usize, usize)> {
    let cuts = [
        0,
        n / 9 + 17,
        n / 3 + 1,
        n / 2 - 5,
        n / 2 + 300,
        4 * n / 5 + 77,
        n,
    ];
    cuts.windows(2).map(|w| (w[0], w[1])).collect()
}

#[test]
fn merged_shards_equal_single_call_f32() {
    let (p, y) = data::<f32>(N, 2);
    let mut rng = Rng(3);
    let w: Vec<f32> = (0..N).map(|_| rng.uniform() as f32 * 2.0).collect();
    let o = Options::default().with_weights(&w);
    let mut g_single = vec![0.0f32; N];
    let single = regression::mse(&p, &y, &o, None, Some(&mut g_single)).unwrap();
    let mut total = Partial::default();
    for (a, b) in shards(N) {
        let os = Options::default()
            .with_weights(&w[a..b])
            .with_reduction(Reduction::Partial);
        let r = regression::mse(&p[a..b], &y[a..b], &os, None, None).unwrap();
        total = total.merge(r.partial);
    }
    let merged = total.mean(EmptyPolicy::Zero).unwrap() as f32;
    assert!(
        ulps_f32(merged, single.value) <= 1,
        "merged {merged} single {}",
        single.value
    );
    // Second pass: each shard's gradient with the global 1/Σw.
    let scale = (1.0 / total.weight) as f32;
    let mut g = vec![0.0f32; N];
    for (a, b) in shards(N) {
        let os = Options::default()
            .with_weights(&w[a..b])
            .with_reduction(Reduction::Partial)
            .with_grad_scale(scale);
        regression::mse(&p[a..b], &y[a..b], &os, None, Some(&mut g[a..b])).unwrap();
    }
    let worst = g
        .iter()
        .zip(&g_single)
        .map(|(a, b)| ulps_f32(*a, *b))
        .max()
        .unwrap();
    assert!(worst <= 1, "gradient {worst} ulps apart");
}

#[test]
fn merged_shards_equal_single_call_f64() {
    let n = 1_000_000;
    let (p, y) = data::<f64>(n, 4);
    let mask: Vec<u8> = (0..n).map(|i| u8::from(i % 13 != 0)).collect();
    let o = Options::default().with_mask(&mask);
    let single = regression::log_cosh(&p, &y, &o, None, None).unwrap();
    let mut total = Partial::default();
    for (a, b) in shards(n) {
        let os = Options::default()
            .with_mask(&mask[a..b])
            .with_reduction(Reduction::Partial);
        let r = regression::log_cosh(&p[a..b], &y[a..b], &os, None, None).unwrap();
        total = total.merge(r.partial);
    }
    let merged = total.mean(EmptyPolicy::Zero).unwrap();
    assert!(
        ulps_f64(merged, single.value) <= 1,
        "merged {merged:e} single {:e}",
        single.value
    );
}
