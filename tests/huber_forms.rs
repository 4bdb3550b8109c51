//! The branch-free Huber, and smooth-L1 / scale-free Huber run as Huber times an exact
//! reciprocal, give the same bits as the textbook piecewise formulas written here (values
//! and gradients, f32 and f64, thresholds that are and are not powers of two, special
//! inputs). Also `Real::signum0` and `Real::copy_sign`, and the MAE gradient.

use losskit::{regression, Options, Real, Reduction};

/// Inputs d = p − y (y = 0): random, and the special values.
fn inputs<T: Real>(n: usize) -> Vec<T> {
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    let mut v: Vec<T> = (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let u = (s >> 11) as f64 / (1u64 << 53) as f64 * 8.0 - 4.0;
            T::from_f64(u)
        })
        .collect();
    for x in [
        0.0,
        -0.0,
        1e-40,
        -1e-40,
        1e-300,
        0.25,
        -0.25,
        0.5,
        -0.5,
        1.0,
        -1.0,
        2.0,
        -2.0,
        1e30,
        -1e30,
        3e38,
        -3e38,
        1e300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ] {
        v.push(T::from_f64(x));
    }
    v
}

/// The textbook forms (what losskit computed before the branch-free rewrite).
fn huber_ref<T: Real>(d: T, delta: T) -> (T, T) {
    let half = T::from_f64(0.5);
    let a = d.abs();
    if a < delta {
        (half * d * d, d)
    } else {
        (delta * (a - half * delta), delta * sign_ref(d))
    }
}
fn smooth_ref<T: Real>(d: T, beta: T) -> (T, T) {
    let half = T::from_f64(0.5);
    let a = d.abs();
    if a < beta {
        (half * d * d / beta, d / beta)
    } else {
        (a - half * beta, sign_ref(d))
    }
}
fn sign_ref<T: Real>(d: T) -> T {
    if d.is_nan() {
        d
    } else if d > T::zero() {
        T::one()
    } else if d < T::zero() {
        -T::one()
    } else {
        T::zero()
    }
}

fn same<T: Real>(a: T, b: T) -> bool {
    (a.is_nan() && b.is_nan()) || format!("{:?}", a) == format!("{:?}", b) && a == b
}

type Loss<T> = fn(
    &[T],
    &[T],
    T,
    &Options<'_, T>,
    Option<&mut [T]>,
    Option<&mut [T]>,
) -> Result<losskit::Reduced<T>, losskit::Error>;

fn check<T: Real>(name: &str, f: Loss<T>, r: fn(T, T) -> (T, T), params: &[f64]) {
    let d = inputs::<T>(5000);
    let y = vec![T::zero(); d.len()];
    let opts = Options::default().with_reduction(Reduction::None);
    for &t in params {
        let t = T::from_f64(t);
        let mut v = vec![T::zero(); d.len()];
        let mut g = vec![T::zero(); d.len()];
        f(&d, &y, t, &opts, Some(&mut v), Some(&mut g)).unwrap();
        for i in 0..d.len() {
            let (lv, lg) = r(d[i], t);
            assert!(
                same(v[i], lv),
                "{name} {} t={t} d={:?}: ℓ {:?} vs {:?}",
                T::NAME,
                d[i],
                v[i],
                lv
            );
            assert!(
                same(g[i], lg),
                "{name} {} t={t} d={:?}: g {:?} vs {:?}",
                T::NAME,
                d[i],
                g[i],
                lg
            );
            // Signs of zeros too.
            if lv == T::zero() {
                assert_eq!(
                    format!("{:?}", v[i]),
                    format!("{:?}", lv),
                    "{name} d={:?}",
                    d[i]
                );
            }
            if lg == T::zero() {
                assert_eq!(
                    format!("{:?}", g[i]),
                    format!("{:?}", lg),
                    "{name} d={:?}",
                    d[i]
                );
            }
        }
    }
}

const THRESHOLDS: [f64; 9] = [0.125, 0.25, 0.3, 0.5, 1.0, 2.0, 3.0, 1e-20, 1024.0];

#[test]
fn huber_matches_the_piecewise_formula() {
    check::<f32>("huber", regression::huber, huber_ref, &THRESHOLDS);
    check::<f64>("huber", regression::huber, huber_ref, &THRESHOLDS);
}

#[test]
fn smooth_l1_matches_the_divided_formula() {
    let mut t = THRESHOLDS.to_vec();
    t.push(0.0);
    check::<f32>("smooth_l1", regression::smooth_l1, smooth_ref, &t);
    check::<f64>("smooth_l1", regression::smooth_l1, smooth_ref, &t);
}

#[test]
fn scale_free_huber_matches_the_divided_formula() {
    check::<f32>(
        "scale_free_huber",
        regression::scale_free_huber,
        smooth_ref,
        &THRESHOLDS,
    );
    check::<f64>(
        "scale_free_huber",
        regression::scale_free_huber,
        smooth_ref,
        &THRESHOLDS,
    );
}

#[test]
fn signum0_and_copy_sign() {
    for (x, s) in [
        (3.5f64, 1.0f64),
        (-3.5, -1.0),
        (f64::INFINITY, 1.0),
        (f64::NEG_INFINITY, -1.0),
        (1e-310, 1.0),
        (-1e-310, -1.0),
    ] {
        assert_eq!(x.signum0(), s);
        if (x as f32) != 0.0 {
            assert_eq!((x as f32).signum0(), s as f32);
        }
    }
    assert_eq!(0.0f64.signum0().to_bits(), 0.0f64.to_bits());
    assert_eq!((-0.0f64).signum0().to_bits(), 0.0f64.to_bits());
    assert_eq!((-0.0f32).signum0().to_bits(), 0.0f32.to_bits());
    assert!(f64::NAN.signum0().is_nan());
    assert!(f32::NAN.signum0().is_nan());
    assert_eq!(2.0f64.copy_sign(-0.0), -2.0);
    assert_eq!((-2.0f32).copy_sign(1.0), 2.0);
    assert_eq!(0.0f32.copy_sign(-1.0).to_bits(), (-0.0f32).to_bits());
}

#[test]
fn mae_gradient_is_the_sign() {
    let d = inputs::<f32>(1000);
    let y = vec![0.0f32; d.len()];
    let mut g = vec![0.0f32; d.len()];
    let opts = Options::default().with_reduction(Reduction::Sum);
    regression::mae(&d, &y, &opts, None, Some(&mut g)).unwrap();
    for (x, g) in d.iter().zip(&g) {
        assert!(same(*g, sign_ref(*x)), "d={x:?}: {g:?}");
    }
}
