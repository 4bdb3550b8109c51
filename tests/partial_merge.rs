//! Merging `Partial` results of shards (issue 7): the shards of random data, evaluated with
//! `Reduction::Partial` and merged with `Partial::merge` in several orders, give the mean of
//! one call on all the data within 1 ulp of the result type (f64 and f32), and the shards'
//! gradients with `grad_scale = 1 / merged weight` give the single-call `Mean` gradient
//! within 1 ulp. The data are random, with weights (some 0), a keep-mask, magnitudes over
//! six decades, several sizes (across the summation block boundaries) and 2 to 7 shards
//! cut at random points (some empty).
//!
//! The same cases merged the way a plain `MPI_SUM` over the rounded pair would (adding only
//! `sum` and `weight`, written out here) are also measured: in f64 that is several ulp off
//! in some cases, which this file requires, so the test can tell the two merges apart.
//! Run with `--nocapture` to see the distributions.

use losskit::{regression, EmptyPolicy, Error, Options, Partial, Real, Reduced, Reduction};

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
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Distance in units in the last place, through the ordered integer images.
fn ulps_f64(a: f64, b: f64) -> u64 {
    let key = |x: f64| {
        let i = x.to_bits() as i64;
        if i < 0 {
            i64::MIN - i
        } else {
            i
        }
    };
    key(a).abs_diff(key(b))
}

fn ulps_f32(a: f32, b: f32) -> u64 {
    let key = |x: f32| {
        let i = x.to_bits() as i32 as i64;
        if i < 0 {
            i64::from(i32::MIN) - i
        } else {
            i
        }
    };
    key(a).abs_diff(key(b))
}

trait Ulps: Real {
    fn ulps(a: Self, b: Self) -> u64;
}
impl Ulps for f64 {
    fn ulps(a: f64, b: f64) -> u64 {
        ulps_f64(a, b)
    }
}
impl Ulps for f32 {
    fn ulps(a: f32, b: f32) -> u64 {
        ulps_f32(a, b)
    }
}

/// One random case: data, weights (about 10% zero), a keep-mask (about 10% dropped).
struct Case<T> {
    pred: Vec<T>,
    target: Vec<T>,
    weight: Vec<T>,
    mask: Vec<u8>,
    cuts: Vec<usize>,
}

fn case<T: Real>(rng: &mut Rng, n: usize) -> Case<T> {
    // One scale per case (six decades), values spread around it.
    let scale = libm::pow(10.0, 6.0 * rng.uniform() - 3.0);
    let val = |rng: &mut Rng| T::from_f64(scale * (4.0 * rng.uniform() - 2.0));
    let pred = (0..n).map(|_| val(rng)).collect();
    let target = (0..n).map(|_| val(rng)).collect();
    let weight = (0..n)
        .map(|_| {
            if rng.below(10) == 0 {
                T::zero()
            } else {
                T::from_f64(3.0 * rng.uniform())
            }
        })
        .collect();
    let mask = (0..n).map(|_| u8::from(rng.below(10) != 0)).collect();
    let shards = 2 + rng.below(6);
    let mut cuts: Vec<usize> = (1..shards).map(|_| rng.below(n + 1)).collect();
    cuts.push(0);
    cuts.push(n);
    cuts.sort_unstable();
    Case {
        pred,
        target,
        weight,
        mask,
        cuts,
    }
}

type Loss<T> = fn(
    &[T],
    &[T],
    &Options<'_, T>,
    Option<&mut [T]>,
    Option<&mut [T]>,
) -> Result<Reduced<T>, Error>;

/// The worst distances of one case: (mean with `Partial::merge`, gradient with its
/// weight, mean with plain adds of the rounded pair against the single call's rounded
/// pair's quotient (the mean before the low parts existed), gradient with that weight).
fn measure<T: Ulps>(loss: Loss<T>, c: &Case<T>, weighted: bool, masked: bool) -> [u64; 4] {
    let n = c.pred.len();
    let opts = |a: usize, b: usize| {
        let mut o = Options::default();
        if weighted {
            o = o.with_weights(&c.weight[a..b]);
        }
        if masked {
            o = o.with_mask(&c.mask[a..b]);
        }
        o
    };
    let mut g_one = vec![T::zero(); n];
    let one = loss(&c.pred, &c.target, &opts(0, n), None, Some(&mut g_one)).unwrap();

    let parts: Vec<Partial> = c
        .cuts
        .windows(2)
        .map(|w| {
            let o = opts(w[0], w[1]).with_reduction(Reduction::Partial);
            loss(&c.pred[w[0]..w[1]], &c.target[w[0]..w[1]], &o, None, None)
                .unwrap()
                .partial
        })
        .collect();
    // Merged in order, in reverse order, and as a tree: all must agree within 1 ulp.
    let forward = parts
        .iter()
        .fold(Partial::default(), |acc, p| acc.merge(*p));
    let backward = parts
        .iter()
        .rev()
        .fold(Partial::default(), |acc, p| p.merge(acc));
    let tree = tree_merge(&parts);
    // MPI_SUM over {sum, weight}: the rounded fields alone, added in rank order.
    let (mut s, mut w) = (0.0f64, 0.0f64);
    for p in &parts {
        s += p.sum;
        w += p.weight;
    }
    let naive = Partial::new(s, w);

    let gradient = |weight: f64| {
        let scale = if weight > 0.0 { 1.0 / weight } else { 0.0 };
        let mut g = vec![T::zero(); n];
        for win in c.cuts.windows(2) {
            let (a, b) = (win[0], win[1]);
            let o = opts(a, b)
                .with_reduction(Reduction::Partial)
                .with_grad_scale(T::from_f64(scale));
            loss(&c.pred[a..b], &c.target[a..b], &o, None, Some(&mut g[a..b])).unwrap();
        }
        g.iter()
            .zip(&g_one)
            .map(|(x, y)| T::ulps(*x, *y))
            .max()
            .unwrap_or(0)
    };
    let mean = |p: Partial| T::ulps(T::from_f64(p.mean(EmptyPolicy::Zero).unwrap()), one.value);
    let merged = [forward, backward, tree]
        .into_iter()
        .map(mean)
        .max()
        .unwrap();
    assert_eq!(forward.weight, backward.weight);
    assert_eq!(forward.weight, tree.weight);
    // Before the low parts existed, the single call's mean was sum / weight of its
    // rounded pair.
    let old_one = T::from_f64(
        Partial::new(one.partial.sum, one.partial.weight)
            .mean(EmptyPolicy::Zero)
            .unwrap(),
    );
    [
        merged,
        gradient(forward.weight),
        T::ulps(T::from_f64(naive.mean(EmptyPolicy::Zero).unwrap()), old_one),
        gradient(naive.weight),
    ]
}

fn tree_merge(p: &[Partial]) -> Partial {
    match p.len() {
        0 => Partial::default(),
        1 => p[0],
        k => tree_merge(&p[..k / 2]).merge(tree_merge(&p[k / 2..])),
    }
}

const SIZES: [usize; 9] = [1, 3, 8, 255, 256, 257, 1031, 4099, 20011];

/// Histograms (0, 1, 2, 3, 4+ ulp) of the four measures over every case.
fn run<T: Ulps>(name: &str, losses: &[(&str, Loss<T>)], seed: u64) -> [[usize; 5]; 4] {
    let mut hist = [[0usize; 5]; 4];
    let mut rng = Rng(seed);
    let mut cases = 0;
    for &(loss_name, loss) in losses {
        for round in 0..12 {
            for &n in &SIZES {
                let c = case::<T>(&mut rng, n);
                for (weighted, masked) in [(false, false), (true, false), (true, true)] {
                    let d = measure(loss, &c, weighted, masked);
                    for k in 0..4 {
                        hist[k][(d[k] as usize).min(4)] += 1;
                    }
                    cases += 1;
                    assert!(
                        d[0] <= 1 && d[1] <= 1,
                        "{name} {loss_name} n={n} round {round} weighted={weighted} \
                         masked={masked} cuts={:?}: merged mean {} ulp, gradient {} ulp",
                        c.cuts,
                        d[0],
                        d[1]
                    );
                }
            }
        }
    }
    let labels = [
        "merge mean",
        "merge gradient",
        "plain-add mean",
        "plain-add gradient",
    ];
    for (label, h) in labels.iter().zip(&hist) {
        println!("{name} {label}: {cases} cases, 0/1/2/3/4+ ulp = {h:?}");
    }
    hist
}

#[test]
fn merged_shards_give_the_single_call_mean_and_gradient_f64() {
    let losses: [(&str, Loss<f64>); 3] = [
        ("mse", regression::mse),
        ("log_cosh", regression::log_cosh),
        ("mean_error", regression::mean_error),
    ];
    let hist = run("f64", &losses, 11);
    // The plain merge of the rounded pair is worse: the test can tell the two apart.
    let plain_over_1: usize = hist[2][2..].iter().sum();
    assert!(
        plain_over_1 > 0,
        "adding the rounded pairs never lost more than 1 ulp: the data are too easy"
    );
}

#[test]
fn merged_shards_give_the_single_call_mean_and_gradient_f32() {
    let losses: [(&str, Loss<f32>); 3] = [
        ("mse", regression::mse),
        ("log_cosh", regression::log_cosh),
        ("mean_error", regression::mean_error),
    ];
    run("f32", &losses, 12);
}

/// The double-double merge keeps what the rounded pair loses: shards whose sums are far
/// apart in magnitude, the low parts of each, and the exact result written here.
#[test]
fn merge_keeps_the_low_parts() {
    // 1 + 2^-60 + 2^-70 is not a double; kept as (1, 2^-60 + 2^-70).
    let a = Partial {
        sum: 1.0,
        weight: 3.0,
        sum_lo: libm::ldexp(1.0, -60),
        weight_lo: 0.0,
    };
    let b = Partial {
        sum: libm::ldexp(1.0, -70),
        weight: 1.0,
        sum_lo: 0.0,
        weight_lo: libm::ldexp(1.0, -80),
    };
    let m = a.merge(b);
    assert_eq!(m.sum, 1.0);
    assert_eq!(m.sum_lo, libm::ldexp(1.0, -60) + libm::ldexp(1.0, -70));
    assert_eq!(m.weight, 4.0);
    assert_eq!(m.weight_lo, libm::ldexp(1.0, -80));
    // Commutative, bit for bit.
    assert_eq!(b.merge(a), m);
    // Cancellation: the high parts cancel, the low parts survive.
    let c = Partial::new(-1.0, 0.0);
    let d = m.merge(c);
    assert_eq!(d.sum, libm::ldexp(1.0, -60) + libm::ldexp(1.0, -70));
    assert_eq!(d.sum_lo, 0.0);
    // The mean rounds the quotient of the double-doubles once: (1 + 2^-53) / (1 − 2^-60)
    // is just above the midpoint 1 + 2^-53, so it rounds to 1 + 2^-52; the rounded pair
    // (1, 1) gives 1.
    let e = Partial {
        sum: 1.0,
        weight: 1.0,
        sum_lo: libm::ldexp(1.0, -53),
        weight_lo: -libm::ldexp(1.0, -60),
    };
    assert_eq!(e.mean(EmptyPolicy::Error), Ok(1.0 + f64::EPSILON));
    assert_eq!(
        Partial::new(e.sum, e.weight).mean(EmptyPolicy::Error),
        Ok(1.0)
    );
    // Infinite sums have no remainder; NaN stays NaN.
    let inf = Partial::new(f64::INFINITY, 1.0).merge(a);
    assert_eq!((inf.sum, inf.sum_lo), (f64::INFINITY, 0.0));
    assert_eq!(inf.mean(EmptyPolicy::Error), Ok(f64::INFINITY));
    let big = Partial::new(f64::MAX, 1.0).merge(Partial::new(f64::MAX, 1.0));
    assert_eq!((big.sum, big.sum_lo), (f64::INFINITY, 0.0));
    let nan = Partial::new(f64::NAN, 1.0).merge(a);
    assert!(nan.sum.is_nan() && nan.mean(EmptyPolicy::Zero).unwrap().is_nan());
    // Near the overflow threshold the correction cannot be formed: the plain quotient, not
    // NaN.
    let h = Partial {
        sum: 1.5e308,
        weight: 3.0,
        sum_lo: 1e291,
        weight_lo: 0.0,
    };
    let hm = h.mean(EmptyPolicy::Error).unwrap();
    assert!(ulps_f64(hm, 5e307) <= 1, "{hm:e}");
    // The empty policy applies to a merged weight of 0.
    let z = Partial::default().merge(Partial::default());
    assert_eq!(z, Partial::default());
    assert_eq!(z.mean(EmptyPolicy::Zero), Ok(0.0));
    assert_eq!(z.mean(EmptyPolicy::Error), Err(Error::EmptyMean));
}

/// `Reduction::Partial` fills the low parts from the compensated sums: a sum that is not a
/// double (1 + 2^-60, as 1 and 2^-60 in two elements) keeps its remainder.
#[test]
fn partial_carries_the_remainder_of_the_sum() {
    let p = [0.0f64, 0.0];
    let y = [1.0, libm::ldexp(1.0, -60)];
    let o = Options::default().with_reduction(Reduction::Partial);
    let r = regression::mean_error(&p, &y, &o, None, None).unwrap();
    assert_eq!(r.partial.sum, 1.0);
    assert_eq!(r.partial.sum_lo, libm::ldexp(1.0, -60));
    assert_eq!(r.partial.weight, 2.0);
    assert_eq!(r.partial.weight_lo, 0.0);
    // Weights 1 and 2^-60: the weight keeps its remainder too.
    let w = [1.0, libm::ldexp(1.0, -60)];
    let o = o.with_weights(&w);
    let r = regression::mean_error(&p, &y, &o, None, None).unwrap();
    assert_eq!(r.partial.weight, 1.0);
    assert_eq!(r.partial.weight_lo, libm::ldexp(1.0, -60));
    assert_eq!(r.partial.sum_lo, libm::ldexp(1.0, -120));
}
