//! The binary family: PyTorch parity (tests/data/torch_binary.txt), finite-difference
//! gradients, SPEC §6 values (astroNN, inferno) and bad input.

use losskit::binary::*;
use losskit::{Error, Options, Real, Reduction, ASTRONN_MAGIC};
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

/// Tolerances. PyTorch evaluates other (and in places cancelling) formulas, e.g.
/// (1 − t)z + softplus(−z) for t = 0, z ≪ 0, so a difference is allowed relative to the
/// value and, absolutely, to the size of the terms combined: a few ulps of (1 + |z|)·w·(1 + w₊)
/// per element (and of their sum for the reductions). The relative part is 1e-12 in f64 and
/// 1e-5 in f32.
fn tol(dtype: &str) -> (f64, f64) {
    if dtype == "f64" {
        (1e-12, 8.0 * f64::EPSILON)
    } else {
        (1e-5, 8.0 * f32::EPSILON as f64)
    }
}

fn run_case<T: Real>(c: &Case) -> usize {
    let input = c.vecs.get("pred").or(c.vecs.get("logits")).unwrap();
    let n = input.len();
    let x: Vec<T> = cast(input);
    let t: Vec<T> = cast(&c.vecs["target"]);
    let w: Option<Vec<T>> = c.vecs.get("weight").map(|v| cast(v));
    let pw: Option<Vec<T>> = c.vecs.get("pos_weight").map(|v| cast(v));
    let red = c.params["reduction"].as_str();
    // PyTorch's `weight` rescales the elements and its mean divides by n (not by Σw):
    // that is Sum with the value and gradient divided by n.
    let weighted_mean = red == "mean" && w.is_some();
    let mut opts = Options::default().with_reduction(match red {
        "mean" if !weighted_mean => Reduction::Mean,
        "mean" | "sum" => Reduction::Sum,
        _ => Reduction::None,
    });
    if weighted_mean {
        opts = opts.with_grad_scale(T::from_f64(1.0 / n as f64));
    }
    if let Some(w) = &w {
        opts = opts.with_weights(w);
    }
    let mut values = vec![T::from_f64(-7.0); n];
    let mut grad = vec![T::from_f64(-7.0); n];
    let v = (red == "none").then_some(&mut values[..]);
    let r = if c.name.starts_with("bcel_") {
        bce_with_logits(&x, &t, pw.as_deref(), &opts, v, Some(&mut grad))
    } else if c.name.starts_with("bce_") {
        bce(&x, &t, &opts, v, Some(&mut grad))
    } else {
        let gamma: f64 = c.params["gamma"].parse().unwrap();
        binary_focal(&x, &t, T::from_f64(gamma), &opts, v, Some(&mut grad))
    }
    .unwrap_or_else(|e| panic!("{}: {e}", c.name));
    let (rel, eps) = tol(&c.dtype);
    let logits = !c.name.starts_with("bce_");
    let cols = pw.as_ref().map_or(1, |p| p.len());
    // Per element: the size of the terms of the gradient (w·(1 + w₊)) and of the value
    // (that times 1 + |z| for logits).
    let gscale: Vec<f64> = (0..n)
        .map(|i| {
            let w = w.as_ref().map_or(1.0, |w| w[i].to_f64());
            let p = pw.as_ref().map_or(1.0, |p| p[i % cols].to_f64());
            w * (1.0 + p)
        })
        .collect();
    let vscale: Vec<f64> = (0..n)
        .map(|i| gscale[i] * if logits { 1.0 + input[i].abs() } else { 1.0 })
        .collect();
    let norm = if red == "mean" { 1.0 / n as f64 } else { 1.0 };
    let want = &c.vecs["value"];
    let mut bad = 0;
    let got: Vec<f64> = if red == "none" {
        values.iter().map(|v| v.to_f64()).collect()
    } else if weighted_mean {
        vec![r.value.to_f64() / n as f64]
    } else {
        vec![r.value.to_f64()]
    };
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let abs = if red == "none" {
            eps * vscale[i]
        } else {
            eps * vscale.iter().sum::<f64>() * norm
        };
        if !close(g, w, rel, abs) {
            eprintln!("{}: value[{i}] = {g:e}, torch {w:e}", c.name);
            bad += 1;
        }
    }
    let quirk = c.name.contains("quirk");
    for (i, (g, &w)) in grad.iter().zip(&c.vecs["grad"]).enumerate() {
        let g = g.to_f64();
        let ok = if quirk && !w.is_finite() {
            // torch's autograd gives NaN at a saturated logit; the limit is 0.
            g.is_finite() && g.abs() < 1e-20
        } else {
            close(g, w, rel, eps * gscale[i] * norm)
        };
        if !ok {
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
        "/tests/data/torch_binary.txt"
    ));
    assert!(cases.len() > 250, "{} cases", cases.len());
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

// ------------------------------------------------------------------ finite differences

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

#[test]
fn gradients_match_finite_differences() {
    let p = [0.1, 0.35, 0.5, 0.72, 0.97, 0.2];
    let z = [-3.0, -0.7, 0.2, 1.1, 4.0, -9.0];
    let t = [0.0, 1.0, 0.3, 1.0, 0.0, 0.6];
    let w = [1.0, 0.5, 2.0, 0.0, 1.5, 1.0];
    let pw = [2.0, 0.5, 3.0];
    let mask = [1u8, 1, 0, 1, 1, 1];
    let opts = Options::default().with_weights(&w).with_mask(&mask);
    fd_check("bce", &p, &|x, g| bce(x, &t, &opts, None, g).unwrap().value);
    fd_check("bce_with_logits", &z, &|x, g| {
        bce_with_logits(x, &t, None, &opts, None, g).unwrap().value
    });
    fd_check("bce_with_logits pos_weight", &z, &|x, g| {
        bce_with_logits(x, &t, Some(&pw), &opts, None, g)
            .unwrap()
            .value
    });
    for gamma in [0.0, 0.5, 1.0, 2.0, 3.5] {
        fd_check(&format!("binary_focal γ={gamma}"), &z, &|x, g| {
            binary_focal(x, &t, gamma, &opts, None, g).unwrap().value
        });
    }
    let astro = Options::default().with_magic(ASTRONN_MAGIC).with_row_len(3);
    let ta = [1.0, ASTRONN_MAGIC, 0.0, 0.4, 1.0, ASTRONN_MAGIC];
    fd_check("astronn_bce logits", &z, &|x, g| {
        astronn_bce(x, &ta, true, &astro, None, g).unwrap().value
    });
    fd_check("astronn_bce probabilities", &p, &|x, g| {
        astronn_bce(x, &ta, false, &astro, None, g).unwrap().value
    });
}

#[test]
fn binary_accuracy_has_zero_gradient_and_half_even_rounding() {
    let p = [0.5f64, 0.51, 0.49, 1.5, 2.5, -0.2];
    let t = [0.0, 1.0, 0.0, 2.0, 2.0, 0.0];
    let mut v = [9.0; 6];
    let r = binary_accuracy(
        &p,
        &t,
        false,
        &Options::default().with_reduction(Reduction::None),
        Some(&mut v),
    )
    .unwrap();
    assert_eq!(v, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]); // round(0.5) = 0, round(2.5) = 2, round(-0.2) = -0
    assert_eq!(r.value, 6.0);
    // From logits: σ(0) = 0.5 rounds to 0.
    let z = [0.0f32, 0.1, -0.1, f32::NAN];
    let t = [0.0, 1.0, 0.0, 1.0];
    let mut v = [9.0; 4];
    binary_accuracy(
        &z,
        &t,
        true,
        &Options::default().with_reduction(Reduction::None),
        Some(&mut v),
    )
    .unwrap();
    assert_eq!(&v[..3], &[1.0, 1.0, 1.0]);
    assert!(v[3].is_nan());
}

// ------------------------------------------------------------------ SPEC §6 values

const M: f64 = ASTRONN_MAGIC;

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

#[test]
fn spec_astronn_binary_accuracy() {
    // §6.4: y = [[1,M,1],[0,M,1]], ŷ = [[1,0,0],[1,0,0]] → [0.5, 0].
    let y = [1.0, M, 1.0, 0.0, M, 1.0];
    let p = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
    let opts = Options::default()
        .with_magic(M)
        .with_row_len(3)
        .with_reduction(Reduction::None);
    let mut v = [9.0; 2];
    binary_accuracy(&p, &y, false, &opts, Some(&mut v)).unwrap();
    assert_eq!(v, [0.5, 0.0]);
}

#[test]
fn spec_astronn_bce() {
    let opts = Options::default()
        .with_magic(M)
        .with_row_len(3)
        .with_reduction(Reduction::None);
    // §6.6: BCE from logits.
    let y = [1.0, M, 1.0, 1.0, M, 0.0];
    let z = [0.5, 0.0, 1.0, 2.0, 0.0, -1.0];
    let mut v = [0.0; 2];
    astronn_bce(&z, &y, true, &opts, Some(&mut v), None).unwrap();
    assert!((v[0] - 0.3936693358).abs() < 1e-10, "{}", v[0]);
    assert!((v[1] - 0.2200948493).abs() < 1e-10, "{}", v[1]);
    // §6.4: bce(y, σ(z)) ≈ bce(y, z, logits), and the masked slot of z does not matter.
    let p: Vec<f64> = z.iter().map(|&z| sigmoid(z)).collect();
    let mut vp = [0.0; 2];
    astronn_bce(&p, &y, false, &opts, Some(&mut vp), None).unwrap();
    assert!((vp[0] - v[0]).abs() < 1e-3 && (vp[1] - v[1]).abs() < 1e-3);
    let z2 = [0.5, 2.0, 1.0, 2.0, 2.0, -1.0];
    let mut v2 = [0.0; 2];
    let mut g = [0.0; 6];
    astronn_bce(&z2, &y, true, &opts, Some(&mut v2), Some(&mut g)).unwrap();
    assert_eq!(v, v2);
    assert_eq!((g[1], g[4]), (0.0, 0.0));
    // §6.4: nll(y, ŷ) = Σ over the batch of the probability BCE = 0.34657377.
    let sum = Options::default()
        .with_magic(M)
        .with_row_len(3)
        .with_reduction(Reduction::Sum);
    let nll = astronn_bce(&z, &y, false, &sum, None, None).unwrap().value;
    assert!((nll - 0.34657377).abs() < 5e-8, "{nll}");
    // The same in f32 (Keras computes in f32).
    let yf: Vec<f32> = y.iter().map(|&v| v as f32).collect();
    let zf: Vec<f32> = z.iter().map(|&v| v as f32).collect();
    let sumf = Options::default()
        .with_magic(M as f32)
        .with_row_len(3)
        .with_reduction(Reduction::Sum);
    let nllf = astronn_bce(&zf, &yf, false, &sumf, None, None)
        .unwrap()
        .value;
    assert!((nllf - 0.34657377).abs() < 1e-6, "{nllf}");
}

#[test]
fn spec_inferno_binary_focal() {
    // §6.6: z = 0, t = 1, γ = 2 → 0.25·ln 2.
    let v = binary_focal(&[0.0f64], &[1.0], 2.0, &Options::default(), None, None)
        .unwrap()
        .value;
    assert!((v - 0.1732867951).abs() < 1e-10, "{v}");
    // γ = 0 is the BCE with logits exactly.
    let z = [-3.0f64, 0.5, 7.0, -0.25];
    let t = [0.0, 1.0, 0.3, 1.0];
    let (mut g1, mut g2) = ([0.0; 4], [0.0; 4]);
    let a = binary_focal(&z, &t, 0.0, &Options::default(), None, Some(&mut g1)).unwrap();
    let b = bce_with_logits(&z, &t, None, &Options::default(), None, Some(&mut g2)).unwrap();
    assert_eq!(a, b);
    assert_eq!(g1, g2);
}

#[test]
fn infinite_logits_give_finite_limits() {
    let z = [
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    let t = [1.0, 0.0, 0.0, 1.0];
    let none = Options::default().with_reduction(Reduction::None);
    let (mut v, mut g) = ([0.0; 4], [0.0; 4]);
    bce_with_logits(&z, &t, None, &none, Some(&mut v), Some(&mut g)).unwrap();
    assert_eq!(v, [0.0, 0.0, f64::INFINITY, f64::INFINITY]);
    assert_eq!(g, [0.0, 0.0, 1.0, -1.0]);
    for gamma in [0.0, 0.5, 2.0] {
        binary_focal(
            &z[..2],
            &t[..2],
            gamma,
            &none,
            Some(&mut v[..2]),
            Some(&mut g[..2]),
        )
        .unwrap();
        assert_eq!(&v[..2], &[0.0, 0.0]);
        assert_eq!(&g[..2], &[0.0, 0.0], "γ = {gamma}");
    }
    // NaN logits propagate.
    let r = bce_with_logits(
        &[f32::NAN, 0.0],
        &[1.0, 1.0],
        None,
        &Options::default(),
        None,
        None,
    )
    .unwrap();
    assert!(r.value.is_nan());
}

// ------------------------------------------------------------------ bad input

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let z = [0.5f64, -1.0, 2.0, 0.0];
    let t = [1.0, 0.0, 1.0, 0.0];
    let opts = Options::default().with_reduction(Reduction::None);
    let mut v = [7.0; 4];
    let mut g = [7.0; 4];
    assert_eq!(
        binary_focal(&z, &t, -1.0, &opts, Some(&mut v), Some(&mut g)),
        Err(Error::BadParameter { what: "gamma" })
    );
    assert_eq!(
        binary_focal(&z, &t, f64::NAN, &opts, Some(&mut v), Some(&mut g)),
        Err(Error::BadParameter { what: "gamma" })
    );
    for pw in [&[1.0, -1.0][..], &[f64::NAN, 1.0], &[]] {
        assert_eq!(
            bce_with_logits(&z, &t, Some(pw), &opts, Some(&mut v), Some(&mut g)),
            Err(Error::BadParameter { what: "pos_weight" })
        );
    }
    // pos_weight of 3 columns does not divide 4 elements.
    assert!(matches!(
        bce_with_logits(&z, &t, Some(&[1.0; 3]), &opts, Some(&mut v), Some(&mut g)),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        bce(&z, &t[..3], &opts, Some(&mut v), Some(&mut g)),
        Err(Error::LengthMismatch { what: "target", .. })
    ));
    assert!(matches!(
        astronn_bce(&z, &t, true, &opts, Some(&mut v), Some(&mut g[..3])),
        Err(Error::LengthMismatch { what: "grad", .. })
    ));
    assert_eq!(v, [7.0; 4]);
    assert_eq!(g, [7.0; 4]);
}

#[test]
fn pos_weight_is_indexed_by_column_even_with_masks() {
    // rows × cols = 3 × 2; masking an element must not shift the columns of the others.
    let z = [0.3f64, -0.2, 1.5, 0.7, -2.0, 0.1];
    let t = [1.0, 1.0, 0.5, 1.0, 1.0, 0.0];
    let pw = [3.0, 0.5];
    let mask = [1u8, 0, 1, 1, 0, 1];
    let opts = Options::default()
        .with_mask(&mask)
        .with_reduction(Reduction::None);
    let mut v = [0.0; 6];
    bce_with_logits(&z, &t, Some(&pw), &opts, Some(&mut v), None).unwrap();
    let sp = |x: f64| (1.0 + x.exp()).ln();
    for i in 0..6 {
        let want = if mask[i] == 0 {
            0.0
        } else {
            pw[i % 2] * t[i] * sp(-z[i]) + (1.0 - t[i]) * sp(z[i])
        };
        assert!((v[i] - want).abs() < 1e-14, "{i}: {} vs {want}", v[i]);
    }
}
