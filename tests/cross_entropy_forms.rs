//! Cross-entropy computes the same thing in each of its forms: the value alone, with the
//! gradient overwriting a buffer (evaluated in blocks of rows), accumulating into a buffer
//! (row by row), and in place. Values and gradients must agree exactly, for row counts that
//! are not multiples of the block, short and long rows, ignored, masked and weighted rows,
//! label smoothing, class weights and z-loss, and every reduction.

use losskit::rowwise::{cross_entropy, cross_entropy_in_place, CrossEntropy};
use losskit::{GradMode, Options, Real, Reduction};

/// Deterministic pseudo-random numbers in [−6, 6).
fn data<T: Real>(n: usize, seed: u64) -> Vec<T> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            T::from_f64(((s >> 11) as f64 / (1u64 << 53) as f64) * 12.0 - 6.0)
        })
        .collect()
}

fn check<T: Real + core::fmt::Debug>(rows: usize, classes: usize) {
    let x: Vec<T> = data(rows * classes, (rows * 31 + classes) as u64);
    let y: Vec<i64> = (0..rows)
        .map(|r| {
            if r % 7 == 3 {
                -100
            } else {
                ((r * 5 + 1) % classes) as i64
            }
        })
        .collect();
    let mask: Vec<u8> = (0..rows).map(|r| (r % 5 != 2) as u8).collect();
    let weights: Vec<T> = (0..rows)
        .map(|r| T::from_f64(0.5 + (r % 3) as f64))
        .collect();
    let cw: Vec<T> = (0..classes)
        .map(|k| {
            T::from_f64(if k % 4 == 1 {
                0.0
            } else {
                0.25 + k as f64 / 8.0
            })
        })
        .collect();
    let plain = CrossEntropy::default();
    let rich = CrossEntropy {
        class_weights: Some(&cw),
        label_smoothing: T::from_f64(0.1),
        z_loss: T::from_f64(1e-3),
        ..CrossEntropy::default()
    };
    for params in [plain, rich] {
        for reduction in [Reduction::Mean, Reduction::Sum, Reduction::None] {
            let base = Options::default()
                .with_reduction(reduction)
                .with_grad_scale(T::from_f64(0.75));
            for opts in [base, base.with_mask(&mask).with_weights(&weights)] {
                let none = reduction == Reduction::None;
                let mut v0 = vec![T::zero(); rows];
                let a = cross_entropy(
                    &x,
                    &y,
                    classes,
                    &params,
                    &opts,
                    none.then_some(&mut v0[..]),
                    None,
                )
                .unwrap();
                let mut v1 = vec![T::zero(); rows];
                let mut g1 = vec![T::from_f64(9.0); x.len()];
                let b = cross_entropy(
                    &x,
                    &y,
                    classes,
                    &params,
                    &opts,
                    none.then_some(&mut v1[..]),
                    Some(&mut g1),
                )
                .unwrap();
                let acc = opts.with_grad_mode(GradMode::Accumulate);
                let mut v2 = vec![T::zero(); rows];
                let mut g2 = vec![T::zero(); x.len()];
                let c = cross_entropy(
                    &x,
                    &y,
                    classes,
                    &params,
                    &acc,
                    none.then_some(&mut v2[..]),
                    Some(&mut g2),
                )
                .unwrap();
                let mut v3 = vec![T::zero(); rows];
                let mut g3 = x.clone();
                let d = cross_entropy_in_place(
                    &mut g3,
                    &y,
                    classes,
                    &params,
                    &opts,
                    none.then_some(&mut v3[..]),
                )
                .unwrap();
                let what = format!("{rows}x{classes} {reduction:?}");
                assert_eq!(a, b, "{what}: value alone vs with gradient");
                assert_eq!(a, c, "{what}: value alone vs accumulating");
                assert_eq!(a, d, "{what}: value alone vs in place");
                assert_eq!(v0, v1, "{what}");
                assert_eq!(v0, v2, "{what}");
                assert_eq!(v0, v3, "{what}");
                assert_eq!(g1, g2, "{what}: overwrite vs accumulate onto 0");
                assert_eq!(g1, g3, "{what}: overwrite vs in place");
                assert!(g1.iter().all(|g| g.is_finite()), "{what}");
            }
        }
    }
}

#[test]
fn every_form_agrees_f32() {
    for (rows, classes) in [
        (1, 1),
        (37, 2),
        (37, 10),
        (19, 31),
        (19, 32),
        (5, 40),
        (70, 10),
        (9, 127),
        (9, 128),
        (9, 161),
        (3, 1000),
    ] {
        check::<f32>(rows, classes);
    }
}

#[test]
fn every_form_agrees_f64() {
    for (rows, classes) in [
        (1, 1),
        (37, 3),
        (37, 10),
        (19, 31),
        (19, 33),
        (9, 130),
        (3, 1000),
    ] {
        check::<f64>(rows, classes);
    }
}
