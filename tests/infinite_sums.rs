//! An infinite sum stays infinite: the compensation term must not turn ∞ into NaN
//! (∞ − ∞ in the error term), and a NaN still propagates.

use losskit::{reduce, regression, Options, Reduction};

#[test]
fn infinite_addends_give_an_infinite_sum() {
    assert_eq!(reduce::sum(&[1.0f64, f64::INFINITY, 2.0]), f64::INFINITY);
    assert_eq!(reduce::sum(&[f64::NEG_INFINITY, -1.0]), f64::NEG_INFINITY);
    assert_eq!(reduce::sum(&[f32::INFINITY, 1.0]), f64::INFINITY);
    assert!(reduce::sum(&[f64::INFINITY, f64::NEG_INFINITY]).is_nan());
    assert!(reduce::sum(&[1.0, f64::NAN, 2.0]).is_nan());
}

#[test]
fn overflowing_sums_give_infinity() {
    // Each square is finite, their sum overflows.
    let x = vec![1e154f64; 1000];
    assert_eq!(
        reduce::sum(&x.iter().map(|v| v * v).collect::<Vec<_>>()),
        f64::INFINITY
    );
    let zeros = vec![0.0f64; 1000];
    for reduction in [Reduction::Sum, Reduction::Mean] {
        let opts = Options::default().with_reduction(reduction);
        let r = regression::mse(&x, &zeros, &opts, None, None).unwrap();
        assert_eq!(r.value, f64::INFINITY, "{reduction:?}");
    }
    // An infinite element loss (f64) is +∞, not NaN.
    let r = regression::mse(
        &[1e200f64, 1.0],
        &[0.0, 0.0],
        &Options::default(),
        None,
        None,
    )
    .unwrap();
    assert_eq!(r.value, f64::INFINITY);
}
