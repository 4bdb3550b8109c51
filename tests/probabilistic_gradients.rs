//! Finite-difference checks of every analytic gradient of the probabilistic family (both
//! inputs where there are two), in f64 with central differences, on generic points (away
//! from kinks and clamps), under weighted means, masks and per-row means.

use losskit::probabilistic::{
    bce_with_logits_vr, cross_entropy_vr, free_energy, gaussian_kl, gaussian_nll, kl_div, mse_vr,
    poisson_nll, robust_binary_crossentropy, robust_categorical_crossentropy, robust_mse,
    GaussianPrior, KlWeight, MonteCarlo, NormalDraws, Param,
};
use losskit::{GradMode, Options, Reduction, ASTRONN_MAGIC};

const M: f64 = ASTRONN_MAGIC;

fn data(n: usize, mut s: u64) -> Vec<f64> {
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
        .collect()
}

/// Checks `grad` against central differences of `f` at `x` (each coordinate moved by h·max(1, |x|)).
#[track_caller]
fn check(what: &str, x: &[f64], grad: &[f64], f: impl Fn(&[f64]) -> f64) {
    let mut xp = x.to_vec();
    for i in 0..x.len() {
        let h = 1e-6 * x[i].abs().max(1.0);
        xp[i] = x[i] + h;
        let up = f(&xp);
        xp[i] = x[i] - h;
        let down = f(&xp);
        xp[i] = x[i];
        let fd = (up - down) / (2.0 * h);
        let tol = 1e-6 * fd.abs().max(1.0);
        assert!(
            (grad[i] - fd).abs() <= tol,
            "{what}[{i}]: analytic {:e}, finite difference {fd:e}",
            grad[i]
        );
    }
}

#[test]
fn gaussian_nll_gradients() {
    let n = 9;
    let p = data(n, 1);
    let y = data(n, 2);
    let v: Vec<f64> = data(n, 3).iter().map(|x| 0.2 + x * x).collect();
    let w: Vec<f64> = data(n, 4).iter().map(|x| x.abs()).collect();
    let o = Options::default().with_weights(&w);
    for full in [false, true] {
        let mut gp = vec![0.0; n];
        let mut gv = vec![0.0; n];
        gaussian_nll(
            &p,
            &v,
            &y,
            full,
            1e-6,
            &o,
            None,
            Some(&mut gp),
            Some(&mut gv),
        )
        .unwrap();
        check("d/dpred", &p, &gp, |q| {
            gaussian_nll(q, &v, &y, full, 1e-6, &o, None, None, None)
                .unwrap()
                .value
        });
        check("d/dvar", &v, &gv, |q| {
            gaussian_nll(&p, q, &y, full, 1e-6, &o, None, None, None)
                .unwrap()
                .value
        });
    }
}

#[test]
fn poisson_nll_gradients() {
    let n = 8;
    let t: Vec<f64> = (0..n).map(|i| (i % 4) as f64).collect();
    let o = Options::default().with_reduction(Reduction::Sum);
    for log_input in [true, false] {
        let x: Vec<f64> = if log_input {
            data(n, 5)
        } else {
            data(n, 5).iter().map(|x| 0.5 + x.abs()).collect()
        };
        let mut g = vec![0.0; n];
        poisson_nll(&x, &t, log_input, true, 1e-8, &o, None, Some(&mut g)).unwrap();
        check("poisson", &x, &g, |q| {
            poisson_nll(q, &t, log_input, true, 1e-8, &o, None, None)
                .unwrap()
                .value
        });
    }
}

#[test]
fn robust_mse_gradients() {
    let (rows, d) = (3, 4);
    let n = rows * d;
    let mut y = data(n, 6);
    y[1] = M;
    y[6] = M;
    let p = data(n, 7);
    let s = data(n, 8);
    let e: Vec<f64> = data(n, 9).iter().map(|x| 0.5 * x).collect();
    for o in [
        Options::default().with_magic(M).with_row_len(d),
        Options::default().with_magic(M),
    ] {
        let mut gp = vec![0.0; n];
        let mut gs = vec![0.0; n];
        robust_mse(&p, &s, &e, &y, &o, None, Some(&mut gp), Some(&mut gs)).unwrap();
        assert_eq!((gp[1], gs[6]), (0.0, 0.0), "masked elements get 0");
        check("d/dpred", &p, &gp, |q| {
            robust_mse(q, &s, &e, &y, &o, None, None, None)
                .unwrap()
                .value
        });
        check("d/dlogvar", &s, &gs, |q| {
            robust_mse(&p, q, &e, &y, &o, None, None, None)
                .unwrap()
                .value
        });
    }
}

#[test]
fn kl_gradients() {
    let n = 7;
    let x = data(n, 10);
    let t: Vec<f64> = data(n, 11).iter().map(|v| v.abs()).collect();
    let o = Options::default();
    for log_target in [false, true] {
        let mut g = vec![0.0; n];
        kl_div(&x, &t, log_target, &o, None, Some(&mut g)).unwrap();
        check("kl_div", &x, &g, |q| {
            kl_div(q, &t, log_target, &o, None, None).unwrap().value
        });
    }
    let m = data(n, 12);
    let s = data(n, 13);
    let m0 = data(n, 14);
    let s0: Vec<f64> = data(n, 15).iter().map(|v| 0.3 + v.abs()).collect();
    let prior = GaussianPrior {
        loc: Param::Each(&m0),
        scale: Param::Each(&s0),
    };
    let o = Options::default().with_reduction(Reduction::Sum);
    let mut gm = vec![0.0; n];
    let mut gs = vec![0.0; n];
    gaussian_kl(&m, &s, &prior, &o, None, Some(&mut gm), Some(&mut gs)).unwrap();
    check("kl d/dm", &m, &gm, |q| {
        gaussian_kl(q, &s, &prior, &o, None, None, None)
            .unwrap()
            .value
    });
    check("kl d/ds", &s, &gs, |q| {
        gaussian_kl(&m, q, &prior, &o, None, None, None)
            .unwrap()
            .value
    });
    // The free energy's KL part, auto weight.
    let fe = |mm: &[f64], ss: &[f64]| {
        free_energy(
            1.5,
            mm,
            ss,
            &prior,
            KlWeight::Auto,
            1.0,
            GradMode::Overwrite,
            None,
            None,
        )
        .unwrap()
        .value
    };
    free_energy(
        1.5,
        &m,
        &s,
        &prior,
        KlWeight::Auto,
        1.0,
        GradMode::Overwrite,
        Some(&mut gm),
        Some(&mut gs),
    )
    .unwrap();
    check("free energy d/dm", &m, &gm, |q| fe(q, &s));
    check("free energy d/ds", &s, &gs, |q| fe(&m, q));
}

#[test]
fn vr_gradients() {
    let (samples, b, c) = (2, 3, 4);
    let mu = data(samples * b * c, 16);
    let v: Vec<f64> = data(samples * b * c, 17)
        .iter()
        .map(|x| 0.1 + x * x)
        .collect();
    let y = data(b * c, 18);
    let o = Options::default();
    let mut gm = vec![0.0; mu.len()];
    let mut gv = vec![0.0; mu.len()];
    mse_vr(&mu, &v, &y, &o, None, Some(&mut gm), Some(&mut gv)).unwrap();
    check("mse_vr d/dmu", &mu, &gm, |q| {
        mse_vr(q, &v, &y, &o, None, None, None).unwrap().value
    });
    check("mse_vr d/dv", &v, &gv, |q| {
        mse_vr(&mu, q, &y, &o, None, None, None).unwrap().value
    });
    let t: Vec<f64> = data(b * c, 19).iter().map(|x| 0.5 * (x + 1.0)).collect();
    bce_with_logits_vr(&mu, &v, &t, &o, None, Some(&mut gm), Some(&mut gv)).unwrap();
    check("bce_vr d/dmu", &mu, &gm, |q| {
        bce_with_logits_vr(q, &v, &t, &o, None, None, None)
            .unwrap()
            .value
    });
    check("bce_vr d/dv", &v, &gv, |q| {
        bce_with_logits_vr(&mu, q, &t, &o, None, None, None)
            .unwrap()
            .value
    });
    let idx = [3i64, 0, 2];
    let w: Vec<f64> = (0..samples * b).map(|r| 0.5 + r as f64).collect();
    let ow = Options::default().with_weights(&w);
    cross_entropy_vr(&mu, &v, &idx, c, &ow, None, Some(&mut gm), Some(&mut gv)).unwrap();
    check("ce_vr d/dmu", &mu, &gm, |q| {
        cross_entropy_vr(q, &v, &idx, c, &ow, None, None, None)
            .unwrap()
            .value
    });
    check("ce_vr d/dv", &v, &gv, |q| {
        cross_entropy_vr(&mu, q, &idx, c, &ow, None, None, None)
            .unwrap()
            .value
    });
}

#[test]
fn bayesian_gradients_for_fixed_draws() {
    let (b, c) = (4, 3);
    let z: Vec<f64> = data(b * c, 20).iter().map(|x| 2.0 * x).collect();
    let s: Vec<f64> = data(b * c, 21)
        .iter()
        .map(|x| 0.3 + 0.7 * x.abs())
        .collect();
    let mut y = vec![0.0; b * c];
    for r in 0..b {
        y[r * c + r % c] = 1.0;
    }
    y[4] = M;
    let yb: Vec<f64> = (0..b * c)
        .map(|k| if k == 5 { M } else { (k % 2) as f64 })
        .collect();
    let w = [1.0, 0.5, 2.0, 1.5];
    let o = Options::default().with_magic(M).with_weights(&w);
    // M = 25 uses the stored draws; M = 70 the chunked recomputation.
    for draws in [25, 70] {
        let mc = MonteCarlo {
            draws,
            normals: NormalDraws::new(99),
        };
        for (categorical, yy) in [(true, &y), (false, &yb)] {
            let f = if categorical {
                robust_categorical_crossentropy::<f64>
            } else {
                robust_binary_crossentropy::<f64>
            };
            let mut gz = vec![0.0; b * c];
            let mut gs = vec![0.0; b * c];
            f(yy, &z, &s, c, mc, &o, None, Some(&mut gz), Some(&mut gs)).unwrap();
            check("d/dlogits", &z, &gz, |q| {
                f(yy, q, &s, c, mc, &o, None, None, None).unwrap().value
            });
            check("d/dlogit_var", &s, &gs, |q| {
                f(yy, &z, q, c, mc, &o, None, None, None).unwrap().value
            });
        }
    }
}
