//! PyTorch reference vectors (tests/data/torch_probabilistic.txt, written by
//! scripts/torch_reference.py): `gaussian_nll_loss` (elementwise var, `full` on and off,
//! ε = 1e-6, including variances below ε), `poisson_nll_loss` (`log_input` on and off,
//! `full` on and off, ε = 1e-8, edge inputs) and `kl_div` (`log_target` on and off, exact
//! zero targets), f32 and f64, reductions mean / sum / none.
//!
//! torch's `grad` (and `grad_var`) is the gradient of `value.sum()`, which is what losskit's
//! gradient buffers hold for every reduction.
//!
//! Tolerances are relative to the magnitude of the terms that make up each number (so that
//! a result that cancels, such as 1 − t/(x + ε) near x = t, is judged against the size of
//! its parts, not of itself): 1e-14 in f64 and 1e-6 (≈ 8 ulps) in f32 per element; reduced
//! values 1e-13 in f64 and 1e-5 in f32 (torch sums f32 in f32, losskit in f64).
//! Cases named `quirk` (log_target with t = −∞, where torch gives NaN from 0·∞) are
//! checked separately: losskit returns the limit 0 there and torch's gradient.

use losskit::probabilistic::{gaussian_nll, kl_div, poisson_nll};
use losskit::{Options, Real, Reduction};
use std::collections::BTreeMap;

#[derive(Debug, Default)]
struct Case {
    name: String,
    dtype: String,
    params: BTreeMap<String, String>,
    vecs: BTreeMap<String, Vec<f64>>,
}

fn num(tok: &str) -> f64 {
    match tok {
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        "nan" => f64::NAN,
        t => t
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("bad number {t:?}")),
    }
}

/// The line format of scripts/read_reference.py.
fn parse(text: &str) -> Vec<Case> {
    let mut cases = vec![];
    let mut cur: Option<Case> = None;
    for (lineno, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let tok: Vec<&str> = line.split_whitespace().collect();
        let bad = || panic!("line {}: {line:?}", lineno + 1);
        match tok[0] {
            "case" => {
                if cur.is_some() || tok.len() != 2 {
                    bad();
                }
                cur = Some(Case {
                    name: tok[1].to_string(),
                    ..Case::default()
                });
            }
            kw => {
                let Some(c) = cur.as_mut() else { bad() };
                match kw {
                    "dtype" if tok.len() == 2 && (tok[1] == "f32" || tok[1] == "f64") => {
                        c.dtype = tok[1].to_string()
                    }
                    "param" if tok.len() == 3 => {
                        assert!(c
                            .params
                            .insert(tok[1].to_string(), tok[2].to_string())
                            .is_none());
                    }
                    "shape" if tok.len() == 3 => {}
                    "vec" if tok.len() >= 3 => {
                        let v = tok[2..].iter().map(|t| num(t)).collect();
                        assert!(c.vecs.insert(tok[1].to_string(), v).is_none());
                    }
                    "end" if tok.len() == 1 => {
                        let c = cur.take().unwrap();
                        assert!(!c.dtype.is_empty() && c.vecs.contains_key("value"));
                        cases.push(c);
                    }
                    _ => bad(),
                }
            }
        }
    }
    assert!(cur.is_none(), "unterminated case");
    cases
}

fn reduction(c: &Case) -> Reduction {
    match c.params["reduction"].as_str() {
        "mean" => Reduction::Mean,
        "sum" => Reduction::Sum,
        "none" => Reduction::None,
        r => panic!("{}: reduction {r}", c.name),
    }
}

fn flag(c: &Case, k: &str) -> bool {
    c.params[k] == "1"
}

/// (value magnitude, gradient magnitudes) of element i: the sizes of the terms that make
/// up ℓᵢ and ∂ℓᵢ (written independently of the code under test).
fn magnitudes(c: &Case, i: usize) -> (f64, f64, f64) {
    let v = &c.vecs;
    let (x, t) = (v["input"][i], v["target"][i]);
    if c.name.starts_with("gnll") {
        let var = v["var"][i].max(1e-6);
        let d2 = (x - t) * (x - t);
        let full = if flag(c, "full") { 0.92 } else { 0.0 };
        (
            0.5 * (var.ln().abs() + d2 / var) + full,
            ((x - t) / var).abs(),
            0.5 * (1.0 / var + d2 / (var * var)),
        )
    } else if c.name.starts_with("pnll") {
        let stirling = if flag(c, "full") && t > 1.0 {
            (t * t.ln()).abs() + t + 0.5 * (2.0 * std::f64::consts::PI * t).ln().abs()
        } else {
            0.0
        };
        if flag(c, "log_input") {
            (x.exp() + (t * x).abs() + stirling, x.exp() + t.abs(), 0.0)
        } else {
            let xe = x + 1e-8;
            (
                x.abs() + (t * xe.ln()).abs() + stirling,
                1.0 + (t / xe).abs(),
                0.0,
            )
        }
    } else if flag(c, "log_target") {
        let e = t.exp();
        (e * (t.abs() + x.abs()), e, 0.0)
    } else if t == 0.0 {
        (0.0, 0.0, 0.0)
    } else {
        ((t * t.ln()).abs() + (t * x).abs(), t.abs(), 0.0)
    }
}

fn close(got: f64, want: f64, tol: f64) -> bool {
    got == want || (got.is_nan() && want.is_nan()) || (got - want).abs() <= tol
}

/// Runs one case in type T; returns the number of checks made.
fn run_case<T: Real>(c: &Case) -> usize {
    let conv = |k: &str| -> Vec<T> { c.vecs[k].iter().map(|&x| T::from_f64(x)).collect() };
    let (x, y) = (conv("input"), conv("target"));
    let n = x.len();
    let red = reduction(c);
    let o = Options::<T>::default().with_reduction(red);
    let mut values = vec![T::NAN; n];
    let mut grad = vec![T::NAN; n];
    let mut grad_var = vec![T::NAN; n];
    let vals = (red == Reduction::None).then_some(&mut values[..]);
    let param = |k: &str| T::from_f64(c.params[k].parse::<f64>().unwrap());
    let r = if c.name.starts_with("gnll") {
        let var = conv("var");
        gaussian_nll(
            &x,
            &var,
            &y,
            flag(c, "full"),
            param("eps"),
            &o,
            vals,
            Some(&mut grad),
            Some(&mut grad_var),
        )
    } else if c.name.starts_with("pnll") {
        poisson_nll(
            &x,
            &y,
            flag(c, "log_input"),
            flag(c, "full"),
            param("eps"),
            &o,
            vals,
            Some(&mut grad),
        )
    } else if c.name.starts_with("kl") {
        kl_div(&x, &y, flag(c, "log_target"), &o, vals, Some(&mut grad))
    } else {
        panic!("unknown case {}", c.name)
    }
    .unwrap_or_else(|e| panic!("{}: {e}", c.name));
    let f32 = T::NAME == "f32";
    let (rel, rel_sum) = if f32 { (1e-6, 1e-5) } else { (1e-14, 1e-13) };
    let name = &c.name;
    let mags: Vec<_> = (0..n).map(|i| magnitudes(c, i)).collect();
    let scale = if red == Reduction::Mean {
        1.0 / n as f64
    } else {
        1.0
    };
    let mut checks = 0;
    let want_v = &c.vecs["value"];
    if red == Reduction::None {
        assert_eq!(want_v.len(), n, "{name}");
        for i in 0..n {
            let (got, want) = (values[i].to_f64(), want_v[i]);
            let tol = rel * mags[i].0 + 1e-300;
            assert!(
                close(got, want, tol),
                "{name}: value[{i}] = {got:e}, torch {want:e}"
            );
            checks += 1;
        }
    } else {
        let total: f64 = mags.iter().map(|m| m.0).sum::<f64>() * scale;
        let (got, want) = (r.value.to_f64(), want_v[0]);
        assert!(
            close(got, want, rel_sum * total + 1e-300),
            "{name}: value {got:e}, torch {want:e}"
        );
        checks += 1;
    }
    for (k, buf, pick) in [("grad", &grad, 1usize), ("grad_var", &grad_var, 2)] {
        let Some(want_g) = c.vecs.get(k) else {
            continue;
        };
        assert_eq!(want_g.len(), n, "{name}");
        for i in 0..n {
            let m = if pick == 1 { mags[i].1 } else { mags[i].2 };
            let (got, want) = (buf[i].to_f64(), want_g[i]);
            // torch rounds the 1/n of a mean in another place: one more ulp of slack.
            let tol = (rel * m + if f32 { 1.2e-7 } else { 2.3e-16 } * want.abs()) * scale;
            assert!(
                close(got, want, tol + 1e-300),
                "{name}: {k}[{i}] = {got:e}, torch {want:e}"
            );
            checks += 1;
        }
    }
    checks
}

#[test]
fn torch_probabilistic_reference_vectors() {
    let text = include_str!("data/torch_probabilistic.txt");
    let cases = parse(text);
    assert_eq!(cases.len(), 198, "the file has 198 cases");
    let mut checks = 0;
    let mut seen = BTreeMap::new();
    for c in cases.iter().filter(|c| !c.name.contains("quirk")) {
        checks += match c.dtype.as_str() {
            "f32" => run_case::<f32>(c),
            _ => run_case::<f64>(c),
        };
        let family = c
            .name
            .split(&format!("_{}", c.dtype))
            .next()
            .unwrap()
            .to_string();
        *seen.entry(family).or_insert(0) += 1;
    }
    // gnll, gnll_full: 24 cases each; pnll × (log, lin) × (full or not): 24 each;
    // kl: 24; kl_logt: 24 (+ 6 quirk cases, skipped here).
    assert_eq!(seen.len(), 8, "{seen:?}");
    assert!(seen.values().all(|&k| k == 24), "{seen:?}");
    assert!(checks > 3000, "{checks}");
}

/// log_target with t = −∞: torch's value is NaN (0·∞), losskit gives the limit 0; the
/// gradient −eᵗ agrees (−0).
#[test]
fn torch_kl_log_target_quirk() {
    let text = include_str!("data/torch_probabilistic.txt");
    let cases = parse(text);
    let quirks: Vec<_> = cases.iter().filter(|c| c.name.contains("quirk")).collect();
    assert_eq!(quirks.len(), 6);
    for c in quirks {
        if reduction(c) != Reduction::None {
            continue;
        }
        let x = &c.vecs["input"];
        let t = &c.vecs["target"];
        // Computed in f64 from the (f32-exact) inputs: within an f32 ulp of torch's f32.
        let rel = if c.dtype == "f32" { 1.2e-7 } else { 1e-15 };
        let mut values = vec![f64::NAN; x.len()];
        let mut grad = vec![f64::NAN; x.len()];
        let o = Options::default().with_reduction(Reduction::None);
        kl_div(x, t, true, &o, Some(&mut values), Some(&mut grad)).unwrap();
        for i in 0..x.len() {
            let want_v = c.vecs["value"][i];
            if t[i] == f64::NEG_INFINITY {
                assert!(want_v.is_nan(), "{}: torch's quirk", c.name);
                assert_eq!(values[i].to_bits(), 0f64.to_bits(), "{}[{i}]", c.name);
            } else {
                assert!(
                    (values[i] - want_v).abs() <= rel * want_v.abs(),
                    "{}",
                    c.name
                );
            }
            let want_g = c.vecs["grad"][i];
            assert!((grad[i] - want_g).abs() <= rel * want_g.abs(), "{}", c.name);
            assert_eq!(grad[i].is_sign_negative(), want_g.is_sign_negative());
        }
    }
}
