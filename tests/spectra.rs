//! DRDMannTurb's spectra-fitting terms: SPEC §6.1/§6.6 values, an independent f64
//! reference on random log-spaced and non-uniform grids (both norms, f32 and f64), central
//! finite-difference gradients, the aggregate's switches, the NaN report, and bad input.

use losskit::grad::GradOut;
use losskit::spectra::*;
use losskit::{Error, GradMode};

// ---------------------------------------------------------------- independent reference

/// The reference grid: x = ln k, h1, mid-points, h2 as DRDMannTurb builds them.
struct RefGrid {
    x: Vec<f64>,
    h1: Vec<f64>,
    h2: Vec<f64>,
    zref: f64,
}

fn ref_grid(k: &[f64], zref: f64) -> RefGrid {
    let x: Vec<f64> = k.iter().map(|k| k.ln()).collect();
    let h1: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
    let mid: Vec<f64> = x.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect();
    let h2: Vec<f64> = mid.windows(2).map(|w| w[1] - w[0]).collect();
    RefGrid { x, h1, h2, zref }
}

fn relu(x: f64) -> f64 {
    x.max(0.0)
}

fn ref_d1(g: &RefGrid, row: &[f64]) -> Vec<f64> {
    let l: Vec<f64> = row.iter().map(|y| y.abs().ln()).collect();
    (0..g.h1.len())
        .map(|j| (l[j + 1] - l[j]) / g.h1[j])
        .collect()
}

fn ref_d2(g: &RefGrid, row: &[f64]) -> Vec<f64> {
    let d1 = ref_d1(g, row);
    (0..g.h2.len())
        .map(|j| (d1[j + 1] - d1[j]) / g.h2[j])
        .collect()
}

fn ref_mse(model: &[f64], data: &[f64]) -> f64 {
    let s: f64 = model
        .iter()
        .zip(data)
        .map(|(m, d)| (m / d).abs().ln().powi(2))
        .sum();
    s / model.len() as f64
}

/// Trapezoid weights over node positions p, normalised by the span (1 for one node).
fn trap_weights(p: &[f64]) -> Vec<f64> {
    let n = p.len();
    if n == 1 {
        return vec![1.0];
    }
    let span = p[n - 1] - p[0];
    (0..n)
        .map(|j| {
            let left = if j > 0 { p[j] - p[j - 1] } else { 0.0 };
            let right = if j + 1 < n { p[j + 1] - p[j] } else { 0.0 };
            0.5 * (left + right) / span
        })
        .collect()
}

/// Mean (or trapezoid average) over rows and nodes of ReLU(d)², d from `deriv`.
fn ref_pen(
    g: &RefGrid,
    model: &[f64],
    order: usize,
    trapezoid: bool,
    deriv: fn(&RefGrid, &[f64]) -> Vec<f64>,
) -> f64 {
    let l = g.x.len();
    let c = model.len() / l;
    let nodes: Vec<f64> = if order == 1 {
        g.x.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect()
    } else {
        g.x[1..l - 1].to_vec()
    };
    let w = trap_weights(&nodes);
    let mut total = 0.0;
    for i in 0..c {
        let d = deriv(g, &model[i * l..(i + 1) * l]);
        for (j, dj) in d.iter().enumerate() {
            let v = relu(*dj).powi(2);
            total += if trapezoid { w[j] * v } else { v };
        }
    }
    if trapezoid {
        total / c as f64
    } else {
        total / (c * nodes.len()) as f64
    }
}

fn ref_pen1(g: &RefGrid, model: &[f64], alpha: f64, trapezoid: bool) -> f64 {
    alpha * ref_pen(g, model, 1, trapezoid, ref_d1) / g.zref
}

fn ref_pen2(g: &RefGrid, model: &[f64], alpha: f64, trapezoid: bool) -> f64 {
    alpha * ref_pen(g, model, 2, trapezoid, ref_d2) / (g.zref * g.zref)
}

fn ref_reg(theta: &[f64], beta: f64) -> f64 {
    beta * theta.iter().map(|t| t * t).sum::<f64>() / theta.len() as f64
}

fn ref_coh(m: &[f64], d: &[f64], gamma: f64) -> f64 {
    let k = m.len() / 3;
    let block = |b: usize| {
        (0..k)
            .map(|i| (m[b * k + i] - d[b * k + i]).powi(2))
            .sum::<f64>()
            / k as f64
    };
    gamma * (block(0) + block(1) + block(2)) / 3.0
}

// ---------------------------------------------------------------- helpers

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300) || a == b
}

macro_rules! assert_close {
    ($a:expr, $b:expr, $rel:expr) => {{
        let (a, b): (f64, f64) = ($a, $b);
        assert!(
            close(a, b, $rel),
            "{} = {a:e}, expected {b:e} (rel {})",
            stringify!($a),
            $rel
        );
    }};
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.next()
    }
}

fn eval_f64(
    k1: &[f64],
    zref: f64,
    params: SpectraParams,
    input: &SpectraInput<'_, f64>,
) -> Result<SpectraTerms, Error> {
    let mut work = vec![0.0; SpectraGrid::workspace_len(k1.len())];
    let grid = SpectraGrid::new(k1, zref, &mut work)?;
    let loss = SpectraLoss::new(grid, params)?;
    let mut t = SpectraTerms::default();
    loss.eval(input, SpectraGrads::default(), &mut t)?;
    Ok(t)
}

fn params(a1: f64, a2: f64, beta: f64) -> SpectraParams {
    SpectraParams {
        alpha_pen1: a1,
        alpha_pen2: a2,
        beta_reg: beta,
        ..Default::default()
    }
}

// ---------------------------------------------------------------- SPEC §6.6 values

#[test]
fn spec_single_component() {
    let k1 = [1.0, 10.0, 100.0];
    let (y, t) = ([1.0, 2.0, 8.0], [1.0, 1.0, 1.0]);
    let input = SpectraInput::new(&y, &t);
    let r = eval_f64(&k1, 1.0, params(1.0, 1.0, 0.0), &input).unwrap();
    assert_close!(r.mse, 1.6015100464, 1e-10);
    assert_close!(r.pen1, 0.2265476457, 1e-8);
    assert_close!(r.pen2, 0.0170918144, 1e-8);
    assert_eq!(r.total, r.mse + r.pen1 + r.pen2);
    assert_eq!((r.reg, r.coherence), (0.0, 0.0));
    // The closed form of the MSE: (ln²2 + ln²8)/3.
    assert_close!(r.mse, (2f64.ln().powi(2) + 8f64.ln().powi(2)) / 3.0, 1e-15);
    let r2 = eval_f64(&k1, 2.0, params(1.0, 1.0, 0.0), &input).unwrap();
    assert_close!(r2.pen1, 0.1132738229, 1e-8);
    assert_close!(r2.pen2, 0.0042729536, 3e-8);
    assert_close!(r2.mse, r.mse, 0.0);

    // The single-term functions agree.
    let mut work = [0.0; SpectraGrid::workspace_len(3)];
    let grid = SpectraGrid::new(&k1, 2.0, &mut work).unwrap();
    assert_close!(log_mse(&grid, &y, &t, None).unwrap(), r.mse, 1e-15);
    assert_close!(
        slope_penalty(&grid, &y, 1.0, PenaltyNorm::NodeMean, None).unwrap(),
        0.1132738229,
        1e-8
    );
    assert_close!(
        curvature_penalty(&grid, &y, 1.0, PenaltyNorm::NodeMean, None).unwrap(),
        0.0042729536,
        3e-8
    );
    // f32 through the same path.
    let (yf, tf) = ([1.0f32, 2.0, 8.0], [1.0f32; 3]);
    let mut workf = [0.0; 6];
    let gridf = SpectraGrid::new(&[1.0f32, 10.0, 100.0], 1.0f32, &mut workf).unwrap();
    let loss = SpectraLoss::new(gridf, params(1.0, 1.0, 0.0)).unwrap();
    let mut tt = SpectraTerms::default();
    loss.eval(
        &SpectraInput::new(&yf, &tf),
        SpectraGrads::default(),
        &mut tt,
    )
    .unwrap();
    assert_close!(tt.mse, 1.6015100464, 1e-7);
    assert_close!(tt.pen1, 0.2265476457, 1e-7);
    assert_close!(tt.pen2, 0.0170918144, 1e-6);
}

const NU_K1: [f64; 4] = [0.1, 0.2, 0.5, 1.0];
const NU_Y: [f64; 8] = [4.0, 3.0, 2.5, 1.0, -0.5, -0.4, -0.45, -0.1];
const NU_T: [f64; 8] = [3.0, 3.0, 2.0, 1.5, -0.6, -0.3, -0.4, -0.2];
const NU_THETA: [f64; 3] = [0.5, -1.0, 2.0];

#[test]
fn spec_nonuniform_two_components() {
    let input = SpectraInput::new(&NU_Y, &NU_T).with_theta(&NU_THETA);
    let a = eval_f64(&NU_K1, 90.0, params(1.0, 1.0, 1e-5), &input).unwrap();
    assert_close!(a.mse, 0.1134104944, 1e-9);
    assert_close!(a.pen1, 3.05988524e-5, 1e-8);
    assert_close!(a.pen2, 1.18965761e-5, 1e-8);
    assert_close!(a.reg, 1.75e-5, 1e-12);
    assert_close!(a.total, 0.1134704899, 1e-9);
    let b = eval_f64(&NU_K1, 1.0, params(1e-5, 1.0, 2e-4), &input).unwrap();
    assert_close!(b.pen1, 2.75389672e-8, 1e-8);
    assert_close!(b.pen2, 0.0963622661, 1e-9);
    assert_close!(b.reg, 3.5e-4, 1e-12);
    assert_close!(b.total, 0.2101227881, 1e-9);
    assert_close!(b.mse, a.mse, 0.0);
    // The reference implementation gives the same.
    let g = ref_grid(&NU_K1, 1.0);
    assert_close!(b.pen2, ref_pen2(&g, &NU_Y, 1.0, false), 1e-13);
    assert_close!(b.mse, ref_mse(&NU_Y, &NU_T), 1e-14);
}

// ---------------------------------------------------------------- random grids

/// A log-spaced grid (DRDMannTurb's logspace(-1, 2, L)/zref) or a random non-uniform one.
fn grid_points(rng: &mut Rng, l: usize, uniform: bool, zref: f64) -> Vec<f64> {
    if uniform {
        (0..l)
            .map(|j| 10f64.powf(-1.0 + 3.0 * j as f64 / (l - 1).max(1) as f64) / zref)
            .collect()
    } else {
        let mut k = rng.range(0.01, 1.0);
        (0..l)
            .map(|_| {
                let v = k;
                k *= rng.range(1.05, 2.5);
                v
            })
            .collect()
    }
}

/// Spectra with a sign per row (a negative "uw" row) and a bumpy shape, so some slopes and
/// curvatures are positive and some negative.
fn spectra(rng: &mut Rng, k: &[f64], c: usize) -> Vec<f64> {
    let mut v = Vec::with_capacity(c * k.len());
    for i in 0..c {
        let sign = if i == 3 { -1.0 } else { 1.0 };
        let (a, b) = (rng.range(0.5, 5.0), rng.range(0.5, 40.0));
        for &kk in k {
            let kaimal = a * kk / (1.0 + b * kk).powf(5.0 / 3.0);
            v.push(sign * kaimal * rng.range(0.6, 1.6));
        }
    }
    v
}

#[test]
fn matches_reference_on_random_grids() {
    let mut rng = Rng(7);
    for case in 0..40 {
        let l = [3, 4, 5, 8, 20, 57][case % 6];
        let c = 1 + case % 4;
        let uniform = case % 2 == 0;
        let zref = [1.0, 40.0, 90.0, 2.5][case % 4];
        let k = grid_points(&mut rng, l, uniform, zref);
        let y = spectra(&mut rng, &k, c);
        let t = spectra(&mut rng, &k, c);
        let theta: Vec<f64> = (0..7).map(|_| rng.range(-2.0, 2.0)).collect();
        let cm: Vec<f64> = (0..12).map(|_| rng.range(0.0, 1.0)).collect();
        let cd: Vec<f64> = (0..12).map(|_| rng.range(0.0, 1.0)).collect();
        let g = ref_grid(&k, zref);
        for trapezoid in [false, true] {
            let p = SpectraParams {
                alpha_pen1: 0.7,
                alpha_pen2: 1.3,
                beta_reg: 1e-3,
                gamma_coherence: 0.5,
                norm: if trapezoid {
                    PenaltyNorm::Trapezoid
                } else {
                    PenaltyNorm::NodeMean
                },
            };
            let input = SpectraInput::new(&y, &t)
                .with_theta(&theta)
                .with_coherence(&cm, &cd);
            let r = eval_f64(&k, zref, p, &input).unwrap();
            let (mse, p1, p2) = (
                ref_mse(&y, &t),
                ref_pen1(&g, &y, 0.7, trapezoid),
                ref_pen2(&g, &y, 1.3, trapezoid),
            );
            let (reg, coh) = (ref_reg(&theta, 1e-3), ref_coh(&cm, &cd, 0.5));
            assert_close!(r.mse, mse, 1e-12);
            assert_close!(r.pen1, p1, 1e-10);
            assert_close!(r.pen2, p2, 1e-9);
            assert_close!(r.reg, reg, 1e-13);
            assert_close!(r.coherence, coh, 1e-13);
            assert_close!(r.total, mse + coh + p1 + p2 + reg, 1e-10);

            // f32 data: the same formulas on the f32-rounded inputs.
            let kf: Vec<f32> = k.iter().map(|&v| v as f32).collect();
            let yf: Vec<f32> = y.iter().map(|&v| v as f32).collect();
            let tf: Vec<f32> = t.iter().map(|&v| v as f32).collect();
            let gf = ref_grid(
                &kf.iter().map(|&v| v as f64).collect::<Vec<_>>(),
                zref as f32 as f64,
            );
            let y64: Vec<f64> = yf.iter().map(|&v| v as f64).collect();
            let t64: Vec<f64> = tf.iter().map(|&v| v as f64).collect();
            let mut work = vec![0.0; SpectraGrid::workspace_len(l)];
            let grid = SpectraGrid::new(&kf, zref as f32, &mut work).unwrap();
            let loss = SpectraLoss::new(grid, p).unwrap();
            let mut tt = SpectraTerms::default();
            let mut grad = vec![0f32; yf.len()];
            let grads = SpectraGrads {
                model: Some(&mut grad),
                ..Default::default()
            };
            loss.eval(&SpectraInput::new(&yf, &tf), grads, &mut tt)
                .unwrap();
            // Computed in f64 internally: only the inputs are rounded.
            assert_close!(tt.mse, ref_mse(&y64, &t64), 1e-12);
            assert_close!(tt.pen1, ref_pen1(&gf, &y64, 0.7, trapezoid), 1e-9);
            assert_close!(tt.pen2, ref_pen2(&gf, &y64, 1.3, trapezoid), 1e-8);
        }
    }
}

#[test]
fn trapezoid_on_a_uniform_grid_is_the_textbook_rule() {
    // On a uniform log grid the slope nodes are equally spaced: weights 1/2,1,…,1,1/2
    // over (n − 1) intervals.
    let k: Vec<f64> = (0..6).map(|j| 2f64.powi(j)).collect();
    let y = [1.0f64, 3.0, 4.0, 9.0, 10.0, 30.0];
    let mut work = vec![0.0; SpectraGrid::workspace_len(6)];
    let grid = SpectraGrid::new(&k, 1.0, &mut work).unwrap();
    let h = 2f64.ln();
    let d1: Vec<f64> = y.windows(2).map(|w| (w[1] / w[0]).ln() / h).collect();
    let n = d1.len();
    let mut trap = 0.0;
    for (j, d) in d1.iter().enumerate() {
        let w = if j == 0 || j == n - 1 { 0.5 } else { 1.0 };
        trap += w * d.max(0.0).powi(2);
    }
    trap /= (n - 1) as f64;
    let v = slope_penalty(&grid, &y[..], 1.0, PenaltyNorm::Trapezoid, None).unwrap();
    assert_close!(v, trap, 1e-13);
    let mean = d1.iter().map(|d| d.max(0.0).powi(2)).sum::<f64>() / n as f64;
    let v = slope_penalty(&grid, &y[..], 1.0, PenaltyNorm::NodeMean, None).unwrap();
    assert_close!(v, mean, 1e-13);
}

// ---------------------------------------------------------------- gradients

/// Smallest |d1|, |d2| of the rows, to keep finite differences away from ReLU kinks.
fn kink_margin(g: &RefGrid, y: &[f64]) -> f64 {
    let l = g.x.len();
    let mut m = f64::INFINITY;
    for row in y.chunks(l) {
        for d in ref_d1(g, row).into_iter().chain(ref_d2(g, row)) {
            m = m.min(d.abs());
        }
    }
    m
}

#[test]
fn aggregate_gradient_matches_central_differences() {
    let mut rng = Rng(11);
    let mut checked = 0;
    for case in 0..30 {
        let l = [3, 5, 9, 14][case % 4];
        let c = 1 + case % 4;
        let zref = [1.0, 3.0][case % 2];
        let k = grid_points(&mut rng, l, case % 3 == 0, zref);
        let y = spectra(&mut rng, &k, c);
        let t = spectra(&mut rng, &k, c);
        if kink_margin(&ref_grid(&k, zref), &y) < 1e-2 {
            continue;
        }
        let theta: Vec<f64> = (0..5).map(|_| rng.range(-2.0, 2.0)).collect();
        let cm: Vec<f64> = (0..9).map(|_| rng.range(0.0, 1.0)).collect();
        let cd: Vec<f64> = (0..9).map(|_| rng.range(0.0, 1.0)).collect();
        let norm = if case % 2 == 0 {
            PenaltyNorm::NodeMean
        } else {
            PenaltyNorm::Trapezoid
        };
        let p = SpectraParams {
            alpha_pen1: 0.8,
            alpha_pen2: 1.1,
            beta_reg: 0.3,
            gamma_coherence: 0.6,
            norm,
        };
        let mut work = vec![0.0; SpectraGrid::workspace_len(l)];
        let grid = SpectraGrid::new(&k, zref, &mut work).unwrap();
        let loss = SpectraLoss::new(grid, p).unwrap();
        let total = |y: &[f64], theta: &[f64], cm: &[f64]| {
            let mut t_ = SpectraTerms::default();
            let input = SpectraInput::new(y, &t)
                .with_theta(theta)
                .with_coherence(cm, &cd);
            loss.eval(&input, SpectraGrads::default(), &mut t_).unwrap();
            t_.total
        };
        let scale = 2.5;
        let (mut gy, mut gt, mut gc) = (vec![0.0; y.len()], vec![0.0; 5], vec![0.0; 9]);
        let grads = SpectraGrads {
            model: Some(&mut gy),
            theta: Some(&mut gt),
            coherence: Some(&mut gc),
            scale,
            mode: GradMode::Overwrite,
        };
        let mut terms = SpectraTerms::default();
        let input = SpectraInput::new(&y, &t)
            .with_theta(&theta)
            .with_coherence(&cm, &cd);
        loss.eval(&input, grads, &mut terms).unwrap();
        for i in 0..y.len() {
            let h = 1e-5 * y[i].abs();
            let (mut yp, mut ym) = (y.clone(), y.clone());
            yp[i] += h;
            ym[i] -= h;
            let fd = (total(&yp, &theta, &cm) - total(&ym, &theta, &cm)) / (2.0 * h);
            // Central differences: O(h²) truncation, and rounding of about ε·total/h.
            let rounding = 1e-15 * terms.total.abs() / h;
            assert!(
                (gy[i] / scale - fd).abs() <= 1e-6 * fd.abs() + rounding,
                "case {case} model[{i}]: {} vs {fd} (total {}, y {})",
                gy[i] / scale,
                terms.total,
                y[i]
            );
        }
        for i in 0..5 {
            let h = 1e-6;
            let (mut p_, mut m_) = (theta.clone(), theta.clone());
            p_[i] += h;
            m_[i] -= h;
            let fd = (total(&y, &p_, &cm) - total(&y, &m_, &cm)) / (2.0 * h);
            assert!((gt[i] / scale - fd).abs() <= 1e-7, "theta[{i}]");
        }
        for i in 0..9 {
            let h = 1e-6;
            let (mut p_, mut m_) = (cm.clone(), cm.clone());
            p_[i] += h;
            m_[i] -= h;
            let fd = (total(&y, &theta, &p_) - total(&y, &theta, &m_)) / (2.0 * h);
            assert!((gc[i] / scale - fd).abs() <= 1e-7, "coherence[{i}]");
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} cases away from kinks");
}

#[test]
fn single_term_gradients_match_central_differences() {
    let k = [0.05, 0.1, 0.3, 0.35, 0.9, 2.0, 2.2];
    // Alternating bumps: every slope and curvature is clearly non-zero.
    let y = [
        1.0, 2.5, 1.2, 3.0, 0.8, 2.0, 0.5, 0.7, 1.9, 0.6, 2.2, 0.9, 3.1, 1.0,
    ];
    let t = [
        1.1, 2.0, 1.0, 2.5, 1.0, 1.5, 0.6, 0.8, 1.5, 0.7, 2.0, 1.0, 2.5, 1.2,
    ];
    let mut work = [0.0; SpectraGrid::workspace_len(7)];
    let grid = SpectraGrid::new(&k, 1.7, &mut work).unwrap();
    type F = fn(&SpectraGrid<'_>, &[f64], &[f64], Option<GradOut<'_, f64>>) -> f64;
    let fns: [(&str, F); 5] = [
        ("mse", |g, y, t, o| log_mse(g, y, t, o).unwrap()),
        ("pen1", |g, y, _, o| {
            slope_penalty(g, y, 0.9, PenaltyNorm::NodeMean, o).unwrap()
        }),
        ("pen1 trapezoid", |g, y, _, o| {
            slope_penalty(g, y, 0.9, PenaltyNorm::Trapezoid, o).unwrap()
        }),
        ("pen2", |g, y, _, o| {
            curvature_penalty(g, y, 1.4, PenaltyNorm::NodeMean, o).unwrap()
        }),
        ("pen2 trapezoid", |g, y, _, o| {
            curvature_penalty(g, y, 1.4, PenaltyNorm::Trapezoid, o).unwrap()
        }),
    ];
    for (name, f) in fns {
        let mut g = [0.0; 14];
        let v = f(&grid, &y, &t, Some(GradOut::new(&mut g)));
        assert!(v > 0.0, "{name} is zero: the check would be vacuous");
        assert_eq!(v, f(&grid, &y, &t, None), "{name}: value with/without grad");
        for i in 0..14 {
            let h = 1e-6 * y[i];
            let (mut yp, mut ym) = (y, y);
            yp[i] += h;
            ym[i] -= h;
            let fd = (f(&grid, &yp, &t, None) - f(&grid, &ym, &t, None)) / (2.0 * h);
            assert!(
                (g[i] - fd).abs() <= 1e-6 * fd.abs().max(1e-3),
                "{name}[{i}]: {} vs {fd}",
                g[i]
            );
        }
        // Scale and accumulate.
        let mut acc = [1.0; 14];
        f(
            &grid,
            &y,
            &t,
            Some(
                GradOut::new(&mut acc)
                    .with_scale(-3.0)
                    .with_mode(GradMode::Accumulate),
            ),
        );
        for i in 0..14 {
            assert_close!(acc[i], 1.0 - 3.0 * g[i], 1e-14);
        }
    }
    // Regulariser and coherence.
    let th = [0.5, -1.0, 2.0];
    let mut g = [0.0; 3];
    let v = weight_regularizer(&th, 0.1, Some(GradOut::new(&mut g))).unwrap();
    assert_close!(v, 0.1 * 5.25 / 3.0, 1e-15);
    for i in 0..3 {
        assert_close!(g[i], 2.0 * 0.1 * th[i] / 3.0, 1e-15);
    }
    let (m, d) = (
        [0.1, 0.5, 0.9, 0.2, 0.4, 0.6],
        [0.0, 0.5, 1.0, 0.3, 0.3, 0.3],
    );
    let mut g = [0.0; 6];
    let v = coherence_mse(&m, &d, 2.0, Some(GradOut::new(&mut g))).unwrap();
    assert_close!(v, ref_coh(&m, &d, 2.0), 1e-15);
    for i in 0..6 {
        assert_close!(g[i], 2.0 * 2.0 * (m[i] - d[i]) / 6.0, 1e-15);
    }
}

#[test]
fn penalty_gradient_is_zero_where_relu_is_off() {
    // A decreasing, concave-down spectrum in log-log: no penalty, zero gradient.
    let k = [1.0, 2.0, 4.0, 8.0];
    let y = [8.0, 7.0, 5.0, 1.0];
    let mut work = [0.0; SpectraGrid::workspace_len(4)];
    let grid = SpectraGrid::new(&k, 1.0, &mut work).unwrap();
    let mut g = [9.0; 4];
    let v = slope_penalty(
        &grid,
        &y,
        1.0,
        PenaltyNorm::NodeMean,
        Some(GradOut::new(&mut g)),
    );
    assert_eq!(v.unwrap(), 0.0);
    assert_eq!(g, [0.0; 4]);
    let v = curvature_penalty(
        &grid,
        &y,
        1.0,
        PenaltyNorm::NodeMean,
        Some(GradOut::new(&mut g)),
    );
    assert_eq!(v.unwrap(), 0.0);
    assert_eq!(g, [0.0; 4]);
}

// ---------------------------------------------------------------- the aggregate's rules

#[test]
fn switches_missing_theta_and_negative_coefficients() {
    let input = SpectraInput::new(&NU_Y, &NU_T);
    // β > 0 without θ: Reg is 0, and so is its gradient.
    let r = eval_f64(&NU_K1, 1.0, params(0.0, 0.0, 1.0), &input).unwrap();
    assert_eq!(r.reg, 0.0);
    assert_eq!(r.total, r.mse);
    // An empty θ is missing too.
    let r = eval_f64(&NU_K1, 1.0, params(0.0, 0.0, 1.0), &input.with_theta(&[])).unwrap();
    assert_eq!(r.reg, 0.0);
    // Coefficients ≤ 0 switch terms off (DRDMannTurb's "> 0" test).
    let with = input
        .with_theta(&NU_THETA)
        .with_coherence(&[1.0; 3], &[0.0; 3]);
    let p = SpectraParams {
        alpha_pen1: -1.0,
        alpha_pen2: 0.0,
        beta_reg: -2.0,
        gamma_coherence: -1.0,
        norm: PenaltyNorm::NodeMean,
    };
    let r = eval_f64(&NU_K1, 1.0, p, &with).unwrap();
    assert_eq!((r.pen1, r.pen2, r.reg, r.coherence), (0.0, 0.0, 0.0, 0.0));
    assert_eq!(r.total, r.mse);
    // γ > 0 without coherences: 0.
    let p = SpectraParams {
        gamma_coherence: 1.0,
        ..Default::default()
    };
    assert_eq!(eval_f64(&NU_K1, 1.0, p, &input).unwrap().coherence, 0.0);
    // Terms that are off get a zero gradient (overwrite) or are left alone (accumulate).
    let mut work = [0.0; SpectraGrid::workspace_len(4)];
    let grid = SpectraGrid::new(&NU_K1, 1.0, &mut work).unwrap();
    let loss = SpectraLoss::new(grid, SpectraParams::default()).unwrap();
    let (mut gt, mut gc) = ([7.0; 3], [7.0; 3]);
    let mut terms = SpectraTerms::default();
    let grads = SpectraGrads {
        theta: Some(&mut gt),
        coherence: Some(&mut gc),
        ..Default::default()
    };
    loss.eval(&with, grads, &mut terms).unwrap();
    assert_eq!((gt, gc), ([0.0; 3], [0.0; 3]));
    let (mut gt, mut gc) = ([7.0; 3], [7.0; 3]);
    let grads = SpectraGrads {
        theta: Some(&mut gt),
        coherence: Some(&mut gc),
        mode: GradMode::Accumulate,
        ..Default::default()
    };
    loss.eval(&with, grads, &mut terms).unwrap();
    assert_eq!((gt, gc), ([7.0; 3], [7.0; 3]));
}

#[test]
fn nan_total_is_reported_with_terms_and_gradients() {
    let k = [1.0, 10.0, 100.0];
    let (y, t) = ([0.0, 2.0, 8.0], [0.0, 1.0, 1.0]); // 0/0 in the log-ratio
    let mut work = [0.0; SpectraGrid::workspace_len(3)];
    let grid = SpectraGrid::new(&k, 1.0, &mut work).unwrap();
    let loss = SpectraLoss::new(grid, params(0.0, 0.0, 1.0)).unwrap();
    let mut g = [5.0f64; 3];
    let mut gt = [5.0; 2];
    let mut terms = SpectraTerms {
        total: 123.0,
        ..Default::default()
    };
    let grads = SpectraGrads {
        model: Some(&mut g),
        theta: Some(&mut gt),
        ..Default::default()
    };
    let input = SpectraInput::new(&y, &t).with_theta(&[1.0, 3.0]);
    assert_eq!(loss.eval(&input, grads, &mut terms), Err(Error::NotFinite));
    assert!(terms.total.is_nan() && terms.mse.is_nan());
    assert_eq!(terms.reg, 5.0); // the other terms are still there to log
    assert!(g[0].is_nan());
    assert_close!(g[1], 2.0 * 2f64.ln() / (3.0 * 2.0), 1e-15);
    assert_eq!(gt, [1.0, 3.0]);

    // A zero data value gives +inf, which is a value, not an error.
    let (y, t) = ([1.0, 2.0, 8.0], [0.0, 1.0, 1.0]);
    let mut terms = SpectraTerms::default();
    loss.eval(
        &SpectraInput::new(&y, &t),
        SpectraGrads::default(),
        &mut terms,
    )
    .unwrap();
    assert_eq!(terms.total, f64::INFINITY);
}

#[test]
fn repeated_calls_are_bitwise_identical() {
    let mut rng = Rng(3);
    let k = grid_points(&mut rng, 300, false, 1.0);
    let y = spectra(&mut rng, &k, 4);
    let t = spectra(&mut rng, &k, 4);
    let mut work = vec![0.0; SpectraGrid::workspace_len(300)];
    let grid = SpectraGrid::new(&k, 1.0, &mut work).unwrap();
    let loss = SpectraLoss::new(grid, params(1.0, 1.0, 0.0)).unwrap();
    let run = || {
        let mut g = vec![0.0; y.len()];
        let mut t_ = SpectraTerms::default();
        let grads = SpectraGrads {
            model: Some(&mut g),
            ..Default::default()
        };
        loss.eval(&SpectraInput::new(&y, &t), grads, &mut t_)
            .unwrap();
        (
            t_.total.to_bits(),
            g.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(run(), run());
}

// ---------------------------------------------------------------- bad input

#[test]
fn short_grids_are_refused_when_a_penalty_needs_them() {
    for l in 1..3usize {
        let k: Vec<f64> = (0..l).map(|j| 1.0 + j as f64).collect();
        let mut work = vec![0.0; SpectraGrid::workspace_len(l)];
        let grid = SpectraGrid::new(&k, 1.0, &mut work).unwrap();
        let e = SpectraLoss::new(grid, params(0.0, 1.0, 0.0)).unwrap_err();
        assert!(
            matches!(e, Error::BadParameter { what } if what.contains("L >= 3")),
            "{e}"
        );
        let y = vec![1.0; l];
        assert!(matches!(
            curvature_penalty(&grid, &y, 1.0, PenaltyNorm::NodeMean, None),
            Err(Error::BadParameter { .. })
        ));
        // The MSE alone works on any grid; the slope penalty needs L >= 2.
        assert!(SpectraLoss::new(grid, params(0.0, 0.0, 1.0)).is_ok());
        assert_eq!(
            SpectraLoss::new(grid, params(1.0, 0.0, 0.0)).is_ok(),
            l >= 2
        );
        assert_eq!(
            slope_penalty(&grid, &y, 1.0, PenaltyNorm::NodeMean, None).is_ok(),
            l >= 2
        );
    }
    // An α that is off does not need the grid.
    let mut work = [];
    let grid = SpectraGrid::new(&[1.0], 1.0, &mut work).unwrap();
    assert!(SpectraLoss::new(grid, params(-1.0, 0.0, 0.0)).is_ok());
}

#[test]
fn bad_grids_are_refused_and_nothing_is_written() {
    let bad_k: [&[f64]; 7] = [
        &[],
        &[0.0, 1.0, 2.0],
        &[-1.0, 1.0, 2.0],
        &[1.0, f64::NAN, 2.0],
        &[1.0, 2.0, f64::INFINITY],
        &[1.0, 2.0, 2.0],
        &[1.0, 3.0, 2.0],
    ];
    for k in bad_k {
        let mut work = vec![-7.0; SpectraGrid::workspace_len(k.len())];
        let e = SpectraGrid::new(k, 1.0, &mut work).unwrap_err();
        assert!(matches!(e, Error::BadParameter { .. }), "{k:?}: {e}");
        assert!(work.iter().all(|&w| w == -7.0));
    }
    for z in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let mut work = [-7.0; 6];
        let e = SpectraGrid::new(&[1.0, 2.0, 3.0], z, &mut work).unwrap_err();
        assert!(matches!(e, Error::BadParameter { what } if what.starts_with("zref")));
        assert_eq!(work, [-7.0; 6]);
    }
    let mut work = [0.0; 5];
    assert!(matches!(
        SpectraGrid::new(&[1.0, 2.0, 3.0], 1.0, &mut work),
        Err(Error::LengthMismatch {
            what: "work",
            expected: 6,
            got: 5
        })
    ));
    // A workspace that was not filled by new() is refused.
    assert!(SpectraGrid::from_workspace(&[0.5, 0.0, 0.2, 0.3, 0.7, 1.0], 3, 1.0).is_err());
    assert!(SpectraGrid::from_workspace(&[0.5, 0.3, 0.4, 0.3, 0.7, 1.0], 3, 1.0).is_ok());
    // f32 wavenumbers that are distinct in f64 but not increasing as f32 are refused.
    let mut work = [0.0; 2];
    assert!(SpectraGrid::new(&[1.0f32, 1.0f32], 1.0f32, &mut work).is_err());
}

#[test]
fn bad_inputs_are_refused_and_nothing_is_written() {
    let mut work = [0.0; SpectraGrid::workspace_len(4)];
    let grid = SpectraGrid::new(&NU_K1, 1.0, &mut work).unwrap();
    for p in [params(f64::NAN, 0.0, 0.0), params(0.0, f64::INFINITY, 0.0)] {
        assert!(SpectraLoss::new(grid, p).is_err());
    }
    let loss = SpectraLoss::new(grid, params(1.0, 1.0, 1.0)).unwrap();
    let mut g = [9.0; 8];
    let mut gt = [9.0; 3];
    let mut terms = SpectraTerms {
        total: -1.0,
        ..Default::default()
    };
    let mut call = |input: SpectraInput<'_, f64>, gl: usize, tl: usize, scale: f64| {
        let grads = SpectraGrads {
            model: Some(&mut g[..gl]),
            theta: Some(&mut gt[..tl]),
            scale,
            ..Default::default()
        };
        loss.eval(&input, grads, &mut terms)
    };
    let base = SpectraInput::new(&NU_Y, &NU_T).with_theta(&NU_THETA);
    // model not a whole number of rows; empty model; data, grads of the wrong length.
    assert!(matches!(
        call(SpectraInput::new(&NU_Y[..7], &NU_T[..7]), 7, 3, 1.0),
        Err(Error::LengthMismatch { what: "model", .. })
    ));
    assert!(matches!(
        call(SpectraInput::new(&[], &[]), 0, 3, 1.0),
        Err(Error::LengthMismatch { what: "model", .. })
    ));
    assert!(matches!(
        call(SpectraInput::new(&NU_Y, &NU_T[..4]), 8, 3, 1.0),
        Err(Error::LengthMismatch { what: "data", .. })
    ));
    assert!(matches!(
        call(base, 4, 3, 1.0),
        Err(Error::LengthMismatch {
            what: "grad model",
            ..
        })
    ));
    assert!(matches!(
        call(base, 8, 2, 1.0),
        Err(Error::LengthMismatch {
            what: "grad theta",
            ..
        })
    ));
    assert!(matches!(
        call(base.with_coherence(&[1.0; 4], &[1.0; 4]), 8, 3, 1.0),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        call(base.with_coherence(&[1.0; 3], &[1.0; 6]), 8, 3, 1.0),
        Err(Error::LengthMismatch {
            what: "coherence data",
            ..
        })
    ));
    assert!(matches!(
        call(base, 8, 3, f64::NAN),
        Err(Error::BadParameter { what: "grad_scale" })
    ));
    assert_eq!(g, [9.0; 8]);
    assert_eq!(gt, [9.0; 3]);
    assert_eq!(terms.total, -1.0);
    // Single-term functions check their coefficient and lengths too.
    assert!(slope_penalty(&grid, &NU_Y, f64::NAN, PenaltyNorm::NodeMean, None).is_err());
    assert!(weight_regularizer(&NU_THETA, f64::NAN, None).is_err());
    assert!(coherence_mse(&[1.0; 3], &[1.0; 3], f64::INFINITY, None).is_err());
    assert!(log_mse(&grid, &NU_Y, &NU_T[..3], None).is_err());
    let mut short = [0.0; 2];
    assert!(weight_regularizer(&NU_THETA, 1.0, Some(GradOut::new(&mut short))).is_err());
}
