//! The row-wise family: PyTorch parity (tests/data/torch_multiclass.txt), the in-place
//! cross-entropy, finite-difference gradients, SPEC §6 values (astroNN, inferno), limits at
//! infinite logits, the empty policy and bad input.

use losskit::rowwise::*;
use losskit::{EmptyPolicy, Error, GradMode, Options, Real, Reduction, ASTRONN_MAGIC};
use std::collections::BTreeMap;

// ------------------------------------------------------------------ reference file reader

#[derive(Debug, Default)]
struct Case {
    name: String,
    dtype: String,
    params: BTreeMap<String, String>,
    shape: Option<(usize, usize)>,
    vecs: BTreeMap<String, Vec<f64>>,
}

fn parse(path: &str) -> Vec<Case> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut cases = Vec::new();
    let mut cur: Option<Case> = None;
    for line in text.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let tok: Vec<&str> = line.split_whitespace().collect();
        match tok[0] {
            "case" => {
                cur = Some(Case {
                    name: tok[1].to_string(),
                    ..Case::default()
                })
            }
            "dtype" => cur.as_mut().unwrap().dtype = tok[1].to_string(),
            "param" => {
                cur.as_mut()
                    .unwrap()
                    .params
                    .insert(tok[1].to_string(), tok[2].to_string());
            }
            "shape" => {
                cur.as_mut().unwrap().shape =
                    Some((tok[1].parse().unwrap(), tok[2].parse().unwrap()))
            }
            "vec" => {
                let v = tok[2..].iter().map(|t| t.parse::<f64>().unwrap()).collect();
                cur.as_mut().unwrap().vecs.insert(tok[1].to_string(), v);
            }
            "end" => cases.push(cur.take().unwrap()),
            k => panic!("unknown keyword {k}"),
        }
    }
    cases
}

fn cast<T: Real>(v: &[f64]) -> Vec<T> {
    v.iter().map(|&x| T::from_f64(x)).collect()
}

/// |a − b| ≤ abs + rel·max(|a|, |b|), with matching infinities and NaNs.
fn close(a: f64, b: f64, rel: f64, abs: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a.is_infinite() || b.is_infinite() {
        return a == b;
    }
    (a - b).abs() <= abs + rel * a.abs().max(b.abs())
}

fn param(c: &Case, k: &str) -> f64 {
    c.params.get(k).map_or(0.0, |v| v.parse().unwrap())
}

fn run_case<T: Real>(c: &Case) -> usize {
    let (rows, classes) = c.shape.unwrap();
    let input = c.vecs.get("logits").or(c.vecs.get("input")).unwrap();
    let x: Vec<T> = cast(input);
    let cw: Option<Vec<T>> = c.vecs.get("class_weight").map(|v| cast(v));
    let red = c.params["reduction"].as_str();
    // Torch's mean over nothing is NaN.
    let opts = Options::default()
        .with_empty(EmptyPolicy::Nan)
        .with_reduction(match red {
            "mean" => Reduction::Mean,
            "sum" => Reduction::Sum,
            _ => Reduction::None,
        });
    let ls = T::from_f64(param(c, "label_smoothing"));
    let mut values = vec![T::from_f64(-7.0); rows];
    let mut grad = vec![T::from_f64(-7.0); rows * classes];
    let v = (red == "none").then_some(&mut values[..]);
    let index = || -> Vec<i64> { c.vecs["target"].iter().map(|&t| t as i64).collect() };
    let g = Some(&mut grad[..]);
    let r = if c.name.starts_with("ce_prob") {
        let tp: Vec<T> = cast(&c.vecs["target"]);
        let p = ProbCrossEntropy {
            class_weights: cw.as_deref(),
            label_smoothing: ls,
        };
        cross_entropy_probs(&x, &tp, classes, &p, &opts, v, g)
    } else if c.name.starts_with("ce_") || c.name.starts_with("zloss") {
        let p = CrossEntropy {
            class_weights: cw.as_deref(),
            label_smoothing: ls,
            z_loss: T::from_f64(param(c, "lam")),
            ..CrossEntropy::default()
        };
        cross_entropy(&x, &index(), classes, &p, &opts, v, g)
    } else if c.name.starts_with("nll") {
        let p = Nll {
            class_weights: cw.as_deref(),
            ..Nll::default()
        };
        nll(&x, &index(), classes, &p, &opts, v, g)
    } else {
        assert!(c.name.starts_with("mfocal"), "{}", c.name);
        let p = Focal {
            gamma: T::from_f64(param(c, "gamma")),
            class_weights: cw.as_deref(),
            ..Focal::default()
        };
        focal(&x, &index(), classes, &p, &opts, v, g)
    }
    .unwrap_or_else(|e| panic!("{}: {e}", c.name));
    let got: Vec<f64> = if red == "none" {
        values.iter().map(|v| v.to_f64()).collect()
    } else {
        vec![r.value.to_f64()]
    };
    // f64 tight, f32 within a few ulps of PyTorch's own f32 evaluation; absolute slack of a
    // few ulps of the largest entry for values and gradients (p_y − 1 cancels near p_y = 1).
    let (rel, eps) = if c.dtype == "f64" {
        (1e-12, f64::EPSILON)
    } else {
        (1e-5, f32::EPSILON as f64)
    };
    let top = |v: &[f64]| {
        v.iter()
            .filter(|x| x.is_finite())
            .fold(1.0f64, |a, &b| a.max(b.abs()))
    };
    let mut bad = 0;
    let want = &c.vecs["value"];
    let vabs = 16.0 * eps * top(want);
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        if !close(g, w, rel, vabs) {
            eprintln!("{}: value[{i}] = {g:e}, torch {w:e}", c.name);
            bad += 1;
        }
    }
    let wg = &c.vecs["grad"];
    let gabs = 16.0 * eps * top(wg);
    for (i, (g, &w)) in grad.iter().zip(wg).enumerate() {
        let g = g.to_f64();
        if !close(g, w, rel, gabs) {
            eprintln!("{}: grad[{i}] = {g:e}, torch {w:e}", c.name);
            bad += 1;
        }
    }
    bad
}

#[test]
fn torch_parity() {
    let cases = parse(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/torch_multiclass.txt"
    ));
    assert!(cases.len() > 300, "{} cases", cases.len());
    let mut bad = 0;
    for c in &cases {
        bad += if c.dtype == "f64" {
            run_case::<f64>(c)
        } else {
            run_case::<f32>(c)
        };
    }
    assert_eq!(bad, 0, "{bad} mismatches with PyTorch (see stderr)");
}

// ------------------------------------------------------------------ independent references

/// log_softmax of one row, written directly in f64.
fn log_softmax(x: &[f64]) -> Vec<f64> {
    let m = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let lse = m + x.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
    x.iter().map(|v| v - lse).collect()
}

/// Checks `grad` of the reduced value of `f` against central differences.
/// A reduced loss of x that writes its gradient when asked.
type Reduced<'a> = &'a dyn Fn(&[f64], Option<&mut [f64]>) -> f64;

fn fd_check(name: &str, x: &[f64], f: Reduced<'_>) {
    let mut grad = vec![0.0; x.len()];
    let v0 = f(x, Some(&mut grad));
    assert!(v0.is_finite(), "{name}: value {v0}");
    for i in 0..x.len() {
        let h = 1e-6 * x[i].abs().max(1.0);
        let mut xp = x.to_vec();
        xp[i] += h;
        let mut xm = x.to_vec();
        xm[i] -= h;
        let fd = (f(&xp, None) - f(&xm, None)) / (2.0 * h);
        assert!(
            (fd - grad[i]).abs() <= 1e-6 * fd.abs().max(1.0),
            "{name}: d/dx[{i}] = {}, finite difference {fd}",
            grad[i]
        );
    }
}

const C: usize = 4;
const X: [f64; 16] = [
    0.3, -1.2, 2.0, 0.1, //
    -0.5, 0.0, 0.25, 1.5, //
    3.0, 2.5, -2.0, 0.7, //
    -1.0, 1.0, 0.2, -0.3,
];
const Y: [i64; 4] = [2, IGNORE_INDEX, 0, 3];
const CW: [f64; 4] = [0.5, 2.0, 1.25, 0.8];
const SW: [f64; 4] = [1.0, 2.0, 0.5, 1.5];

#[test]
fn gradients_match_finite_differences() {
    let mask = [1u8, 1, 1, 0];
    let opts = Options::default().with_weights(&SW);
    let masked = opts.with_mask(&mask);
    for o in [&opts, &masked] {
        for (eps, lam) in [(0.0, 0.0), (0.1, 0.0), (0.0, 0.05), (0.2, 0.01)] {
            for cw in [None, Some(&CW[..])] {
                let p = CrossEntropy {
                    class_weights: cw,
                    label_smoothing: eps,
                    z_loss: lam,
                    ..CrossEntropy::default()
                };
                fd_check(&format!("ce ε={eps} λ={lam}"), &X, &|x, g| {
                    cross_entropy(x, &Y, C, &p, o, None, g).unwrap().value
                });
            }
        }
        let tp: Vec<f64> = [
            0.1, 0.2, 0.3, 0.4, 0.0, 0.0, 1.0, 0.0, 0.5, 0.5, 0.0, 0.0, 0.25, 0.25, 0.25, 0.25,
        ]
        .to_vec();
        for eps in [0.0, 0.1] {
            let p = ProbCrossEntropy {
                class_weights: Some(&CW),
                label_smoothing: eps,
            };
            fd_check("ce probs", &X, &|x, g| {
                cross_entropy_probs(x, &tp, C, &p, o, None, g)
                    .unwrap()
                    .value
            });
        }
        fd_check("nll", &X, &|x, g| {
            nll(
                x,
                &Y,
                C,
                &Nll {
                    class_weights: Some(&CW),
                    ..Nll::default()
                },
                o,
                None,
                g,
            )
            .unwrap()
            .value
        });
        for gamma in [0.0, 0.5, 2.0] {
            for quirk in [false, true] {
                let p = Focal {
                    gamma,
                    class_weights: Some(&CW),
                    weight_in_probability: quirk,
                    ..Focal::default()
                };
                fd_check(&format!("focal γ={gamma} quirk={quirk}"), &X, &|x, g| {
                    focal(x, &Y, C, &p, o, None, g).unwrap().value
                });
            }
        }
    }
    let m = ASTRONN_MAGIC;
    let ta = [
        1.0, m, 0.0, 0.0, 0.0, 1.0, m, 0.0, 0.3, 0.3, 0.4, m, m, m, 0.0, 1.0,
    ];
    let astro = Options::default().with_magic(m);
    for from_logits in [true, false] {
        // Probabilities must be positive: shift the logits.
        let x: Vec<f64> = X
            .iter()
            .map(|v| if from_logits { *v } else { v + 3.5 })
            .collect();
        fd_check(&format!("astronn cce logits={from_logits}"), &x, &|x, g| {
            astronn_categorical_crossentropy(x, &ta, C, from_logits, &astro, None, g)
                .unwrap()
                .value
        });
    }
}

#[test]
fn cross_entropy_matches_an_independent_formula() {
    // Rows of 700 classes (several online chunks) with a maximum that rises along the row.
    let classes = 700;
    let x: Vec<f64> = (0..3 * classes)
        .map(|i| ((i * 7919 % 1009) as f64) * 0.01 + (i % classes) as f64 * 0.02)
        .collect();
    let y = [5i64, 699, 350];
    let mut grad = vec![0.0; x.len()];
    let r = cross_entropy(
        &x,
        &y,
        classes,
        &CrossEntropy::default(),
        &Options::default(),
        None,
        Some(&mut grad),
    )
    .unwrap();
    let mut want = 0.0;
    for (row, &yr) in y.iter().enumerate() {
        let ls = log_softmax(&x[row * classes..(row + 1) * classes]);
        want -= ls[yr as usize] / 3.0;
        for k in 0..classes {
            let g = (ls[k].exp() - if k == yr as usize { 1.0 } else { 0.0 }) / 3.0;
            assert!((grad[row * classes + k] - g).abs() < 1e-15);
        }
    }
    assert!((r.value - want).abs() < 1e-12 * want, "{} {want}", r.value);
    // f32 data: within a few ulps.
    let xf: Vec<f32> = x.iter().map(|&v| v as f32).collect();
    let rf = cross_entropy(
        &xf,
        &y,
        classes,
        &CrossEntropy::default(),
        &Options::default(),
        None,
        None,
    )
    .unwrap();
    assert!(((rf.value as f64) - want).abs() < 1e-5 * want);
}

#[test]
fn in_place_equals_separate_gradient_bit_for_bit() {
    for (eps, lam, cw) in [
        (0.0f32, 0.0f32, None),
        (0.1, 0.01, Some(&[0.5f32, 2.0, 1.25, 0.8][..])),
    ] {
        let x: Vec<f32> = X.iter().map(|&v| v as f32).collect();
        let p = CrossEntropy {
            class_weights: cw,
            label_smoothing: eps,
            z_loss: lam,
            ..CrossEntropy::default()
        };
        let mask = [1u8, 1, 1, 0];
        for opts in [
            Options::default(),
            Options::default().with_mask(&mask).with_grad_scale(0.5),
            Options::default().with_reduction(Reduction::Sum),
        ] {
            let mut grad = vec![9.0f32; 16];
            let a = cross_entropy(&x, &Y, C, &p, &opts, None, Some(&mut grad)).unwrap();
            let mut inplace = x.clone();
            let b = cross_entropy_in_place(&mut inplace, &Y, C, &p, &opts, None).unwrap();
            assert_eq!(a, b);
            assert_eq!(grad, inplace);
        }
    }
    // Refused in accumulate mode; nothing written on error.
    let mut x = X.to_vec();
    let acc = Options::default().with_grad_mode(GradMode::Accumulate);
    assert_eq!(
        cross_entropy_in_place(&mut x, &Y, C, &CrossEntropy::default(), &acc, None),
        Err(Error::BadParameter { what: "grad_mode" })
    );
    let bad = [2i64, 7, 0, 3];
    assert_eq!(
        cross_entropy_in_place(
            &mut x,
            &bad,
            C,
            &CrossEntropy::default(),
            &Options::default(),
            None
        ),
        Err(Error::IndexOutOfRange { row: 1, index: 7 })
    );
    assert_eq!(x, X.to_vec());
}

#[test]
fn accumulate_adds_and_grad_scale_scales() {
    let p = CrossEntropy::default();
    let mut g1 = vec![0.0; 16];
    cross_entropy(&X, &Y, C, &p, &Options::default(), None, Some(&mut g1)).unwrap();
    let mut g2 = vec![1.0; 16];
    let acc = Options::default()
        .with_grad_mode(GradMode::Accumulate)
        .with_grad_scale(2.0);
    cross_entropy(&X, &Y, C, &p, &acc, None, Some(&mut g2)).unwrap();
    for (a, b) in g1.iter().zip(&g2) {
        assert!((1.0 + 2.0 * a - b).abs() < 1e-15);
    }
    // The ignored row is left alone when accumulating.
    assert_eq!(&g2[4..8], &[1.0; 4]);
}

// ------------------------------------------------------------------ SPEC §6 values

const M: f64 = ASTRONN_MAGIC;

#[test]
fn spec_astronn_categorical_accuracy() {
    // §6.4: y = [[1,M,1],[0,M,1]], ŷ = [[1,0,0],[1,0,0]] → [1, 0].
    let y = [1.0, M, 1.0, 0.0, M, 1.0];
    let p = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
    let opts = Options::default()
        .with_magic(M)
        .with_reduction(Reduction::None);
    let mut v = [9.0; 2];
    astronn_categorical_accuracy(&p, &y, 3, &opts, Some(&mut v)).unwrap();
    assert_eq!(v, [1.0, 0.0]);
}

#[test]
fn spec_astronn_categorical_crossentropy() {
    let opts = Options::default()
        .with_magic(M)
        .with_reduction(Reduction::None);
    // §6.6: from logits.
    let y = [1.0, M, 1.0, 1.0, M, 0.0];
    let z = [1.0, 0.0, 1.0, 2.0, 1.0, 0.0];
    let mut v = [0.0; 2];
    astronn_categorical_crossentropy(&z, &y, 3, true, &opts, Some(&mut v), None).unwrap();
    assert!((v[0] - 2.5859844122).abs() < 1e-9, "{}", v[0]);
    assert!((v[1] - 0.6114089467).abs() < 1e-9, "{}", v[1]);
    // §6.4: cce(y, softmax(z)) ≈ cce(y, z, from_logits) to 3 decimals.
    let mut p = z;
    for row in p.chunks_mut(3) {
        let ls = log_softmax(row);
        for (v, l) in row.iter_mut().zip(ls) {
            *v = l.exp();
        }
    }
    let mut vp = [0.0; 2];
    astronn_categorical_crossentropy(&p, &y, 3, false, &opts, Some(&mut vp), None).unwrap();
    assert!(
        (vp[0] - v[0]).abs() < 5e-4 && (vp[1] - v[1]).abs() < 5e-4,
        "{vp:?} {v:?}"
    );
    // A row with every label missing: NaN with the Nan policy (astroNN), left out with Zero.
    let y2 = [M, M, M, 1.0, M, 0.0];
    let mut v2 = [0.0; 2];
    let mut g = [5.0; 6];
    astronn_categorical_crossentropy(
        &z,
        &y2,
        3,
        true,
        &opts.with_empty(EmptyPolicy::Nan),
        Some(&mut v2),
        Some(&mut g),
    )
    .unwrap();
    assert!(v2[0].is_nan() && v2[1] == v[1]);
    assert_eq!(&g[..3], &[0.0; 3]);
    let mean = Options::default().with_magic(M);
    let r = astronn_categorical_crossentropy(&z, &y2, 3, true, &mean, None, None).unwrap();
    assert!((r.value - v[1]).abs() < 1e-15);
    assert_eq!(
        astronn_categorical_crossentropy(
            &z,
            &y2,
            3,
            true,
            &mean.with_empty(EmptyPolicy::Error),
            None,
            None
        ),
        Err(Error::EmptyMean)
    );
}

#[test]
fn spec_inferno_focal() {
    // §6.6: z = [2, 0.5, −1], y = 0, γ = 2: CE = 0.2413112967, focal = 0.0110927501.
    let z = [2.0, 0.5, -1.0];
    let sum = Options::default().with_reduction(Reduction::Sum);
    let ce = cross_entropy(&z, &[0], 3, &CrossEntropy::default(), &sum, None, None)
        .unwrap()
        .value;
    assert!((ce - 0.2413112967).abs() < 1e-10, "{ce}");
    let f = |w: Option<&[f64]>, quirk: bool| {
        let p = Focal {
            gamma: 2.0,
            class_weights: w,
            weight_in_probability: quirk,
            ..Focal::default()
        };
        focal(&z, &[0], 3, &p, &sum, None, None).unwrap().value
    };
    assert!((f(None, false) - 0.0110927501).abs() < 1e-10);
    // Class weight w₀ = 2: the project's definition w·(1 − p)²·CE, and inferno's quirk
    // (1 − e^(−2·CE))²·2·CE.
    let w = [2.0, 1.0, 1.0];
    assert!((f(Some(&w), false) - 0.0221855002).abs() < 1e-10);
    assert!((f(Some(&w), true) - 0.0707352897).abs() < 1e-10);
    // The weighted mean divides by Σ w_y.
    let p = Focal {
        gamma: 2.0,
        class_weights: Some(&w),
        ..Focal::default()
    };
    let mean = focal(&z, &[0], 3, &p, &Options::default(), None, None)
        .unwrap()
        .value;
    assert!((mean - 0.0110927501).abs() < 1e-10);
    // γ = 0 is the cross-entropy, gradient included.
    let mut g1 = [0.0; 16];
    let mut g2 = [0.0; 16];
    let p0 = Focal {
        gamma: 0.0,
        class_weights: Some(&CW),
        ..Focal::default()
    };
    let pc = CrossEntropy {
        class_weights: Some(&CW),
        ..CrossEntropy::default()
    };
    let a = focal(&X, &Y, C, &p0, &Options::default(), None, Some(&mut g1)).unwrap();
    let b = cross_entropy(&X, &Y, C, &pc, &Options::default(), None, Some(&mut g2)).unwrap();
    assert!((a.value - b.value).abs() < 1e-15);
    for (x, y) in g1.iter().zip(&g2) {
        assert!((x - y).abs() < 1e-15);
    }
}

#[test]
fn categorical_accuracy_ties_and_nan() {
    let x = [
        1.0f32,
        3.0,
        3.0,
        0.0,
        2.0,
        2.0,
        2.0,
        2.0,
        0.0,
        f32::NAN,
        1.0,
        0.5,
    ];
    let y = [1i64, 0, 2];
    let mut v = [9.0f32; 3];
    let none = Options::default().with_reduction(Reduction::None);
    categorical_accuracy(&x, &y, 4, None, &none, Some(&mut v)).unwrap();
    assert_eq!(&v[..2], &[1.0, 1.0]); // ties go to the first index
    assert!(v[2].is_nan());
    let y = [1i64, IGNORE_INDEX, 0];
    let r = categorical_accuracy(
        &x[..8],
        &y[..2],
        4,
        Some(IGNORE_INDEX),
        &Options::default(),
        None,
    )
    .unwrap();
    assert_eq!(r.value, 1.0);
}

// ------------------------------------------------------------------ limits and policies

#[test]
fn infinite_logits_give_finite_limits() {
    let inf = f64::INFINITY;
    // A +∞ logit at the target: loss 0, gradient 0. Two +∞: ln 2 and p = ½ each.
    // −∞ elsewhere contributes nothing.
    let x = [inf, 0.0, -inf, 1.0, 0.0, inf, inf, -inf, 0.0, -inf];
    let y = [0i64, 1];
    let none = Options::default().with_reduction(Reduction::None);
    let mut v = [0.0; 2];
    let mut g = [9.0; 10];
    cross_entropy(
        &x,
        &y,
        5,
        &CrossEntropy::default(),
        &none,
        Some(&mut v),
        Some(&mut g),
    )
    .unwrap();
    assert_eq!(v[0], 0.0);
    assert_eq!(v[1], core::f64::consts::LN_2);
    assert_eq!(&g[..5], &[0.0; 5]);
    assert_eq!(&g[5..], &[0.5, -0.5, 0.0, 0.0, 0.0]);
    // A sum over rows with an infinite loss is +∞ (not NaN from the compensation term).
    let sum = Options::default().with_reduction(Reduction::Sum);
    let r = cross_entropy(&x, &[2, 1], 5, &CrossEntropy::default(), &sum, None, None).unwrap();
    assert_eq!(r.value, inf);
    // A target with a −∞ logit: the loss is +∞.
    cross_entropy(
        &x,
        &[2, 1],
        5,
        &CrossEntropy::default(),
        &none,
        Some(&mut v),
        None,
    )
    .unwrap();
    assert_eq!(v[0], inf);
    // Focal at p_y = 1: 0 and gradient 0 (no NaN from 0^(γ−1)).
    for gamma in [0.0, 0.5, 2.0] {
        let p = Focal {
            gamma,
            ..Focal::default()
        };
        focal(&x, &y, 5, &p, &none, Some(&mut v), Some(&mut g)).unwrap();
        assert_eq!(v[0], 0.0);
        assert_eq!(&g[..5], &[0.0; 5], "γ = {gamma}");
    }
    // NaN logits propagate to their row only.
    let xn = [f32::NAN, 0.0, 1.0, 0.0, 1.0, 2.0];
    let mut vn = [0.0f32; 2];
    let mut gn = [0.0f32; 6];
    cross_entropy(
        &xn,
        &[1, 1],
        3,
        &CrossEntropy::default(),
        &Options::default().with_reduction(Reduction::None),
        Some(&mut vn),
        Some(&mut gn),
    )
    .unwrap();
    assert!(vn[0].is_nan() && vn[1].is_finite());
    assert!(gn[..3].iter().all(|g| g.is_nan()) && gn[3..].iter().all(|g| g.is_finite()));
}

#[test]
fn ignored_masked_and_zero_weight_rows_are_left_out() {
    let cw = [0.0, 1.0, 1.0, 1.0];
    let p = CrossEntropy {
        class_weights: Some(&cw),
        ..CrossEntropy::default()
    };
    // Row 2 has target 0 of weight 0 and a −∞ logit there; row 1 is ignored.
    let mut x = X;
    x[8] = f64::NEG_INFINITY;
    let mut g = [9.0; 16];
    let r = cross_entropy(&x, &Y, C, &p, &Options::default(), None, Some(&mut g)).unwrap();
    let want = -(log_softmax(&x[..4])[2] + log_softmax(&x[12..])[3]) / 2.0;
    assert!((r.value - want).abs() < 1e-15);
    assert_eq!(r.partial.weight, 2.0);
    assert_eq!(&g[4..12], &[0.0; 8]);
    // Every row ignored: the empty policy.
    let all = [IGNORE_INDEX; 4];
    for (policy, want) in [(EmptyPolicy::Zero, Some(0.0)), (EmptyPolicy::Nan, None)] {
        let mut g = [9.0; 16];
        let r = cross_entropy(
            &X,
            &all,
            C,
            &CrossEntropy::default(),
            &Options::default().with_empty(policy),
            None,
            Some(&mut g),
        )
        .unwrap();
        match want {
            Some(w) => assert_eq!(r.value, w),
            None => assert!(r.value.is_nan()),
        }
        assert_eq!(g, [0.0; 16]);
    }
    let mut g = [9.0; 16];
    assert_eq!(
        cross_entropy(
            &X,
            &all,
            C,
            &CrossEntropy::default(),
            &Options::default().with_empty(EmptyPolicy::Error),
            None,
            Some(&mut g)
        ),
        Err(Error::EmptyMean)
    );
    assert_eq!(g, [9.0; 16]);
}

// ------------------------------------------------------------------ bad input

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let none = Options::default().with_reduction(Reduction::None);
    let mut v = [7.0; 4];
    let mut g = [7.0; 16];
    let ce = CrossEntropy::default();
    for (y, row, index) in [
        ([2i64, 0, 4, 1], 2, 4),
        ([2, -1, 0, 1], 1, -1),
        ([0, 0, 0, i64::MAX], 3, i64::MAX),
    ] {
        assert_eq!(
            cross_entropy(&X, &y, C, &ce, &none, Some(&mut v), Some(&mut g)),
            Err(Error::IndexOutOfRange { row, index })
        );
        assert_eq!(
            nll(
                &X,
                &y,
                C,
                &Nll::default(),
                &none,
                Some(&mut v),
                Some(&mut g)
            ),
            Err(Error::IndexOutOfRange { row, index })
        );
        assert_eq!(
            focal(
                &X,
                &y,
                C,
                &Focal::default(),
                &none,
                Some(&mut v),
                Some(&mut g)
            ),
            Err(Error::IndexOutOfRange { row, index })
        );
        assert_eq!(
            categorical_accuracy(&X, &y, C, None, &none, Some(&mut v)),
            Err(Error::IndexOutOfRange { row, index })
        );
    }
    // −100 is a class index error when ignore_index is None.
    let p = CrossEntropy {
        ignore_index: None,
        ..ce
    };
    assert_eq!(
        cross_entropy(&X, &Y, C, &p, &none, Some(&mut v), Some(&mut g)),
        Err(Error::IndexOutOfRange {
            row: 1,
            index: -100
        })
    );
    let neg = Focal {
        gamma: -0.5,
        ..Focal::default()
    };
    assert_eq!(
        focal(&X, &Y, C, &neg, &none, Some(&mut v), Some(&mut g)),
        Err(Error::BadParameter { what: "gamma" })
    );
    for (eps, lam) in [
        (-0.1, 0.0),
        (1.5, 0.0),
        (f64::NAN, 0.0),
        (0.0, -1.0),
        (0.0, f64::INFINITY),
    ] {
        let p = CrossEntropy {
            label_smoothing: eps,
            z_loss: lam,
            ..ce
        };
        assert!(matches!(
            cross_entropy(&X, &Y, C, &p, &none, Some(&mut v), Some(&mut g)),
            Err(Error::BadParameter { .. })
        ));
    }
    let short = CrossEntropy {
        class_weights: Some(&[1.0; 3]),
        ..ce
    };
    assert!(matches!(
        cross_entropy(&X, &Y, C, &short, &none, Some(&mut v), Some(&mut g)),
        Err(Error::LengthMismatch {
            what: "class_weights",
            ..
        })
    ));
    let negw = CrossEntropy {
        class_weights: Some(&[1.0, -1.0, 1.0, 1.0]),
        ..ce
    };
    assert_eq!(
        cross_entropy(&X, &Y, C, &negw, &none, Some(&mut v), Some(&mut g)),
        Err(Error::BadParameter {
            what: "class_weights"
        })
    );
    assert_eq!(
        cross_entropy(&X, &Y, 0, &ce, &none, Some(&mut v), Some(&mut g)),
        Err(Error::BadParameter { what: "classes" })
    );
    assert!(matches!(
        cross_entropy(&X, &Y, 3, &ce, &none, Some(&mut v), Some(&mut g)),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        cross_entropy(&X, &Y[..3], C, &ce, &none, Some(&mut v), Some(&mut g)),
        Err(Error::LengthMismatch { what: "target", .. })
    ));
    assert!(matches!(
        cross_entropy(&X, &Y, C, &ce, &none, Some(&mut v[..3]), Some(&mut g)),
        Err(Error::LengthMismatch { what: "values", .. })
    ));
    assert!(matches!(
        cross_entropy(&X, &Y, C, &ce, &none, Some(&mut v), Some(&mut g[..15])),
        Err(Error::LengthMismatch { what: "grad", .. })
    ));
    assert_eq!(
        cross_entropy(
            &X,
            &Y,
            C,
            &ce,
            &none.with_magic(M),
            Some(&mut v),
            Some(&mut g)
        ),
        Err(Error::BadParameter { what: "magic" })
    );
    assert_eq!(
        cross_entropy(
            &X,
            &Y,
            C,
            &ce,
            &none.with_row_len(2),
            Some(&mut v),
            Some(&mut g)
        ),
        Err(Error::BadParameter { what: "row_len" })
    );
    assert!(matches!(
        cross_entropy(
            &X,
            &Y,
            C,
            &ce,
            &none.with_mask(&[1, 1]),
            Some(&mut v),
            Some(&mut g)
        ),
        Err(Error::LengthMismatch { what: "mask", .. })
    ));
    assert_eq!(
        cross_entropy(
            &X,
            &Y,
            C,
            &ce,
            &none.with_weights(&[1.0, f64::NAN, 1.0, 1.0]),
            Some(&mut v),
            Some(&mut g)
        ),
        Err(Error::BadParameter { what: "weights" })
    );
    assert!(matches!(
        cross_entropy_probs(
            &X,
            &X[..12],
            C,
            &ProbCrossEntropy::default(),
            &none,
            Some(&mut v),
            Some(&mut g)
        ),
        Err(Error::LengthMismatch { what: "target", .. })
    ));
    assert!(matches!(
        astronn_categorical_crossentropy(&X, &X[..12], C, true, &none, Some(&mut v), Some(&mut g)),
        Err(Error::LengthMismatch { what: "target", .. })
    ));
    assert_eq!(v, [7.0; 4]);
    assert_eq!(g, [7.0; 16]);
}
