//! PyTorch reference vectors (tests/data/torch_regression.txt, written by
//! scripts/torch_reference.py): mse_loss, l1_loss, huber_loss(δ) and smooth_l1_loss(β) in
//! f32 and f64, reductions mean / sum / none, on random data (n = 1, 7, 64, with exact zero
//! differences), zeros, signed zeros, differences exactly at the δ/β switch points, and
//! huge values (1e18 in f32, 1e30 in f64).
//!
//! torch's `grad` is the gradient of `value.sum()`, which is what losskit's gradient buffer
//! holds for every reduction (for `none`, the gradient of the sum of the values).
//!
//! Tolerances:
//! * per-element values (`none`) and the gradients of `sum` / `none`: bit-exact (the same
//!   formula in the same precision: d², |d|, ½d², δ(|d| − ½δ), d/β, ...);
//! * reduced values (`mean`, `sum`): 1e-12 relative in f64; 1e-6 relative in f32, because
//!   torch sums f32 in f32 while losskit accumulates in f64 (losskit is the more accurate);
//! * gradients of `mean`: 1e-12 relative in f64, 2 ulps in f32 (the factor 1/n is rounded
//!   in a different place).

use losskit::{regression, Options, Real, Reduction};
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

fn ulps_apart(a: f32, b: f32) -> u32 {
    if a == b {
        return 0;
    }
    if a.is_nan() || b.is_nan() || (a < 0.0) != (b < 0.0) {
        return u32::MAX;
    }
    a.abs().to_bits().abs_diff(b.abs().to_bits())
}

/// Runs one case in type T; returns the number of checks made.
fn run_case<T: Real>(c: &Case) -> usize {
    let conv = |k: &str| -> Vec<T> { c.vecs[k].iter().map(|&x| T::from_f64(x)).collect() };
    let (p, y) = (conv("pred"), conv("target"));
    let want_v = &c.vecs["value"];
    let want_g = &c.vecs["grad"];
    let n = p.len();
    let red = match c.params["reduction"].as_str() {
        "mean" => Reduction::Mean,
        "sum" => Reduction::Sum,
        "none" => Reduction::None,
        r => panic!("{}: reduction {r}", c.name),
    };
    let o = Options::<T>::default().with_reduction(red);
    let mut values = vec![T::NAN; n];
    let mut grad = vec![T::NAN; n];
    let vals = (red == Reduction::None).then_some(&mut values[..]);
    let g = Some(&mut grad[..]);
    let param = |k: &str| T::from_f64(c.params[k].parse::<f64>().unwrap());
    let r = if c.name.starts_with("mse_") {
        regression::mse(&p, &y, &o, vals, g)
    } else if c.name.starts_with("l1_") {
        regression::mae(&p, &y, &o, vals, g)
    } else if c.name.starts_with("huber_") {
        regression::huber(&p, &y, param("delta"), &o, vals, g)
    } else if c.name.starts_with("smooth_l1_") {
        regression::smooth_l1(&p, &y, param("beta"), &o, vals, g)
    } else {
        panic!("unknown case {}", c.name)
    }
    .unwrap_or_else(|e| panic!("{}: {e}", c.name));
    let f32 = T::NAME == "f32";
    let name = &c.name;
    let mut checks = 0;
    // Values.
    if red == Reduction::None {
        assert_eq!(want_v.len(), n, "{name}");
        for i in 0..n {
            let (got, want) = (values[i].to_f64(), want_v[i]);
            assert!(
                got == want || (got.is_nan() && want.is_nan()),
                "{name}: value[{i}] = {got:e}, torch {want:e}"
            );
            checks += 1;
        }
    } else {
        assert_eq!(want_v.len(), 1, "{name}");
        let (got, want) = (r.value.to_f64(), want_v[0]);
        let tol = if f32 { 1e-6 } else { 1e-12 } * want.abs();
        assert!(
            (got - want).abs() <= tol,
            "{name}: value {got:e}, torch {want:e}"
        );
        checks += 1;
    }
    // Gradients.
    assert_eq!(want_g.len(), n, "{name}");
    for i in 0..n {
        let (got, want) = (grad[i].to_f64(), want_g[i]);
        let ok = if red != Reduction::Mean {
            got == want
        } else if f32 {
            ulps_apart(got as f32, want as f32) <= 2
        } else {
            (got - want).abs() <= 1e-12 * want.abs()
        };
        assert!(ok, "{name}: grad[{i}] = {got:e}, torch {want:e}");
        checks += 1;
    }
    checks
}

#[test]
fn torch_regression_reference_vectors() {
    let text = include_str!("data/torch_regression.txt");
    let cases = parse(text);
    assert_eq!(cases.len(), 336, "the file has 336 cases");
    let mut checks = 0;
    let mut seen = BTreeMap::new();
    for c in &cases {
        if c.name.contains("quirk") {
            continue; // none in this file; torch's NaN artefacts are documented there
        }
        checks += match c.dtype.as_str() {
            "f32" => run_case::<f32>(c),
            _ => run_case::<f64>(c),
        };
        let family = c.name.split("_f").next().unwrap().to_string();
        *seen.entry(family).or_insert(0) += 1;
    }
    // mse, l1, huber δ ∈ {0.5, 1, 2}, smooth_l1 β ∈ {0, 0.5, 1}: 24 cases each.
    assert_eq!(seen.len(), 8, "{seen:?}");
    assert!(seen.values().all(|&k| k == 42), "{seen:?}");
    assert!(checks > 5000, "{checks}");
}

#[test]
fn parser_reads_special_numbers() {
    let cases = parse(
        "# header\ncase x\ndtype f64\nparam reduction none\nvec pred inf -inf nan 1.5\n\
         vec value 1\nvec grad 0 0 0 0\nend\n",
    );
    assert_eq!(cases.len(), 1);
    let p = &cases[0].vecs["pred"];
    assert_eq!(p[0], f64::INFINITY);
    assert_eq!(p[1], f64::NEG_INFINITY);
    assert!(p[2].is_nan());
    assert_eq!(p[3], 1.5);
}
