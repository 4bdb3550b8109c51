//! Bad input to every probabilistic function gives the right `Error` and leaves every
//! output buffer exactly as it was (sentinels compared bit for bit), in overwrite and
//! accumulate mode.

use losskit::probabilistic::{
    bce_with_logits_vr, cross_entropy_vr, free_energy, gaussian_kl, gaussian_nll, kl_div, mse_vr,
    poisson_nll, robust_binary_crossentropy, robust_categorical_crossentropy, robust_mse,
    vr_variance, GaussianPrior, KlWeight, MonteCarlo, Param,
};
use losskit::{EmptyPolicy, Error, GradMode, Options, Reduction};

const S: f64 = 12345.678;

/// Output buffers full of sentinels.
struct Out {
    a: Vec<f64>,
    b: Vec<f64>,
    v: Vec<f64>,
}

impl Out {
    fn new(n: usize) -> Self {
        Out {
            a: vec![S; n],
            b: vec![S; n],
            v: vec![S; n],
        }
    }
    #[track_caller]
    fn untouched(&self) {
        for x in self.a.iter().chain(&self.b).chain(&self.v) {
            assert_eq!(x.to_bits(), S.to_bits(), "an output was written");
        }
    }
}

fn is_len(e: Error) -> bool {
    matches!(e, Error::LengthMismatch { .. })
}

fn is_param(e: Error, what: &str) -> bool {
    matches!(e, Error::BadParameter { what: w } if w.starts_with(what))
}

fn modes() -> [Options<'static, f64>; 2] {
    [
        Options::default().with_reduction(Reduction::None),
        Options::default()
            .with_reduction(Reduction::None)
            .with_grad_mode(GradMode::Accumulate),
    ]
}

#[test]
fn gaussian_and_poisson_nll() {
    let x = [0.5, 1.0, -1.0];
    for o in modes() {
        let mut out = Out::new(3);
        let call = |var: &[f64], eps: f64, out: &mut Out| {
            gaussian_nll(
                &x,
                var,
                &x,
                false,
                eps,
                &o,
                Some(&mut out.v),
                Some(&mut out.a),
                Some(&mut out.b),
            )
            .unwrap_err()
        };
        assert!(
            is_param(call(&[1.0, -0.1, 1.0], 1e-6, &mut out), "var"),
            "negative variance"
        );
        assert!(
            is_param(call(&[1.0, f64::NAN, 1.0], 1e-6, &mut out), "var"),
            "NaN variance"
        );
        assert!(is_param(call(&[1.0; 3], 0.0, &mut out), "eps"), "eps = 0");
        assert!(is_param(call(&[1.0; 3], f64::INFINITY, &mut out), "eps"));
        assert!(is_len(call(&[1.0; 2], 1e-6, &mut out)), "mismatched var");
        out.untouched();
        let e = gaussian_nll(
            &x,
            &[1.0; 3],
            &x,
            false,
            1e-6,
            &o,
            Some(&mut out.v),
            Some(&mut out.a),
            Some(&mut [0.0; 2]),
        )
        .unwrap_err();
        assert!(is_len(e));
        let e = poisson_nll(
            &x,
            &x,
            false,
            true,
            -1e-8,
            &o,
            Some(&mut out.v),
            Some(&mut out.a),
        )
        .unwrap_err();
        assert!(is_param(e, "eps"));
        let e = poisson_nll(
            &x,
            &x[..2],
            true,
            true,
            1e-8,
            &o,
            Some(&mut out.v),
            Some(&mut out.a),
        )
        .unwrap_err();
        assert!(is_len(e));
        out.untouched();
    }
}

#[test]
fn robust_mse_bad_input() {
    let x = [0.5, 1.0, -1.0, 2.0];
    let y = [0.5, -9999.0, -1.0, 2.0];
    for o in modes() {
        let o = o.with_magic(-9999.0);
        let mut out = Out::new(4);
        // A NaN label error where the target is kept is refused …
        let e = robust_mse(
            &x,
            &x,
            &[0.1, 0.1, f64::INFINITY, 0.1],
            &y,
            &o,
            Some(&mut out.v),
            Some(&mut out.a),
            Some(&mut out.b),
        )
        .unwrap_err();
        assert!(is_param(e, "labels_err"));
        for (what, p, s, err, t) in [
            ("logvar", &x[..], &x[..3], &x[..], &y[..]),
            ("labels_err", &x[..], &x[..], &x[..3], &y[..]),
            ("target", &x[..], &x[..], &x[..], &y[..3]),
        ] {
            let e = robust_mse(
                p,
                s,
                err,
                t,
                &o,
                Some(&mut out.v),
                Some(&mut out.a),
                Some(&mut out.b),
            )
            .unwrap_err();
            assert!(is_len(e), "{what}");
        }
        // row_len that does not divide n.
        let e = robust_mse(
            &x,
            &x,
            &x,
            &y,
            &o.with_row_len(3),
            Some(&mut out.v),
            Some(&mut out.a),
            None,
        )
        .unwrap_err();
        assert!(is_len(e));
        out.untouched();
        // … and accepted where the target is the magic number (astroNN zeroes it there).
        robust_mse(
            &x,
            &x,
            &[0.1, f64::NAN, 0.1, 0.1],
            &y,
            &o,
            Some(&mut out.v),
            None,
            None,
        )
        .unwrap();
    }
}

#[test]
fn kl_bad_input() {
    let m = [0.5, 1.0, -1.0];
    for o in modes() {
        let mut out = Out::new(3);
        assert!(is_len(
            kl_div(&m, &m[..2], false, &o, Some(&mut out.v), Some(&mut out.a)).unwrap_err()
        ));
        for s0 in [0.0, -1.0, f64::INFINITY, f64::NAN] {
            let prior = GaussianPrior {
                loc: Param::All(0.0),
                scale: Param::All(s0),
            };
            let e = gaussian_kl(
                &m,
                &m,
                &prior,
                &o,
                Some(&mut out.v),
                Some(&mut out.a),
                Some(&mut out.b),
            )
            .unwrap_err();
            assert!(is_param(e, "prior scale"), "zero or bad prior scale {s0}");
        }
        let each = [1.0, 0.0, 1.0];
        let prior = GaussianPrior {
            loc: Param::All(0.0),
            scale: Param::Each(&each),
        };
        let e =
            gaussian_kl(&m, &m, &prior, &o, Some(&mut out.v), Some(&mut out.a), None).unwrap_err();
        assert!(is_param(e, "prior scale"));
        let short = [1.0; 2];
        let prior = GaussianPrior {
            loc: Param::Each(&short),
            scale: Param::All(1.0),
        };
        assert!(is_len(
            gaussian_kl(&m, &m, &prior, &o, Some(&mut out.v), None, None).unwrap_err()
        ));
        let e = gaussian_kl(
            &m,
            &m[..2],
            &GaussianPrior::default(),
            &o,
            Some(&mut out.v),
            None,
            None,
        )
        .unwrap_err();
        assert!(is_len(e));
        let e = gaussian_kl(
            &m,
            &m,
            &GaussianPrior::default(),
            &o.with_magic(0.0),
            Some(&mut out.v),
            None,
            None,
        )
        .unwrap_err();
        assert!(is_param(e, "magic"));
        out.untouched();
        for w in [KlWeight::Value(-1.0), KlWeight::Value(f64::NAN)] {
            let e = free_energy(
                1.0,
                &m,
                &m,
                &GaussianPrior::default(),
                w,
                1.0,
                o.grad_mode,
                Some(&mut out.a),
                Some(&mut out.b),
            )
            .unwrap_err();
            assert!(is_param(e, "kl_weight"));
        }
        let e = free_energy(
            1.0,
            &[],
            &[],
            &GaussianPrior::default(),
            KlWeight::Auto,
            1.0,
            o.grad_mode,
            None,
            None,
        )
        .unwrap_err();
        assert!(is_param(e, "kl_weight"));
        let e = free_energy(
            1.0,
            &m,
            &m,
            &GaussianPrior::default(),
            KlWeight::Auto,
            f64::NAN,
            o.grad_mode,
            Some(&mut out.a),
            None,
        )
        .unwrap_err();
        assert!(is_param(e, "grad_scale"));
        out.untouched();
    }
}

#[test]
fn vr_bad_input() {
    let mu = [0.5, 1.0, -1.0, 2.0, 0.0, 1.0];
    let v = [0.1; 6];
    for o in modes() {
        let mut out = Out::new(6);
        type Vr = fn(
            &[f64],
            &[f64],
            &[f64],
            &Options<'_, f64>,
            Option<&mut [f64]>,
            Option<&mut [f64]>,
            Option<&mut [f64]>,
        ) -> Result<losskit::Reduced<f64>, Error>;
        for f in [mse_vr as Vr, bce_with_logits_vr] {
            let mut run = |mu: &[f64], v: &[f64], t: &[f64], o: &Options<'_, f64>| {
                f(
                    mu,
                    v,
                    t,
                    o,
                    Some(&mut out.v[..mu.len()]),
                    Some(&mut out.a[..mu.len()]),
                    Some(&mut out.b[..mu.len()]),
                )
                .unwrap_err()
            };
            assert!(
                is_param(
                    run(&mu, &[0.1, 0.1, -0.1, 0.1, 0.1, 0.1], &[0.0; 3], &o),
                    "var"
                ),
                "negative variance"
            );
            assert!(
                is_len(run(&mu, &v, &[0.0; 4], &o)),
                "6 is not a multiple of 4"
            );
            assert!(is_len(run(&mu, &v, &[], &o)), "no target for data");
            assert!(is_len(run(&mu, &v[..5], &[0.0; 3], &o)));
            assert!(is_param(
                run(&mu, &v, &[0.0; 3], &o.with_magic(-1.0)),
                "magic"
            ));
        }
        // CE-VR: 3 rows of 2 classes, 3 targets.
        let ce =
            |mu: &[f64], v: &[f64], y: &[i64], c: usize, o: &Options<'_, f64>, out: &mut Out| {
                cross_entropy_vr(
                    mu,
                    v,
                    y,
                    c,
                    o,
                    Some(&mut out.v[..3]),
                    Some(&mut out.a),
                    Some(&mut out.b),
                )
                .unwrap_err()
            };
        assert_eq!(
            ce(&mu, &v, &[0, 2, 1], 2, &o, &mut out),
            Error::IndexOutOfRange { row: 1, index: 2 }
        );
        assert_eq!(
            ce(&mu, &v, &[0, -1, 1], 2, &o, &mut out),
            Error::IndexOutOfRange { row: 1, index: -1 }
        );
        assert!(is_param(
            ce(&mu, &v, &[0, 1, 1], 0, &o, &mut out),
            "classes"
        ));
        assert!(
            is_len(ce(&mu, &v, &[0, 1, 1], 4, &o, &mut out)),
            "6 is not rows of 4"
        );
        assert!(
            is_len(ce(&mu, &v, &[0, 1], 2, &o, &mut out)),
            "3 rows are not samples of 2"
        );
        assert!(is_param(
            ce(
                &mu,
                &[0.1, -1.0, 0.1, 0.1, 0.1, 0.1],
                &[0, 1, 1],
                2,
                &o,
                &mut out
            ),
            "var"
        ));
        assert!(is_param(
            ce(&mu, &v, &[0, 1, 1], 2, &o.with_magic(0.0), &mut out),
            "magic"
        ));
        assert!(is_param(
            ce(&mu, &v, &[0, 1, 1], 2, &o.with_row_len(2), &mut out),
            "row_len"
        ));
        let w6 = [1.0; 6];
        assert!(
            is_len(ce(&mu, &v, &[0, 1, 1], 2, &o.with_weights(&w6), &mut out)),
            "weights are per row"
        );
        out.untouched();
        // The variance helper.
        let mut vo = [S; 4];
        let fw = [0.5; 2 * 3 * 2];
        let fb = [0.5; 2 * 2];
        let phi = [1.0; 6];
        assert!(is_param(
            vr_variance(&phi, 0, &fw, None, 2, 2, &mut vo).unwrap_err(),
            "features"
        ));
        assert!(is_len(
            vr_variance(&phi[..5], 3, &fw, None, 2, 2, &mut vo).unwrap_err()
        ));
        assert!(is_len(
            vr_variance(&phi, 3, &fw[..11], None, 2, 2, &mut vo).unwrap_err()
        ));
        assert!(is_len(
            vr_variance(&phi, 3, &fw, Some(&fb[..3]), 2, 2, &mut vo).unwrap_err()
        ));
        assert!(is_len(
            vr_variance(&phi, 3, &fw, Some(&fb), 2, 2, &mut vo[..3]).unwrap_err()
        ));
        assert!(
            is_len(vr_variance(&phi, 3, &fw, None, usize::MAX, 2, &mut vo).unwrap_err()),
            "overflow"
        );
        assert!(vo.iter().all(|x| x.to_bits() == S.to_bits()));
    }
}

#[test]
fn bayesian_bad_input() {
    let z = [0.5, 1.0, -1.0, 2.0, 0.0, 1.0];
    let y = [1.0, 0.0, 0.0, 1.0, -9999.0, -9999.0];
    for o in modes() {
        let o = o.with_magic(-9999.0);
        let mut out = Out::new(6);
        type Rb = fn(
            &[f64],
            &[f64],
            &[f64],
            usize,
            MonteCarlo,
            &Options<'_, f64>,
            Option<&mut [f64]>,
            Option<&mut [f64]>,
            Option<&mut [f64]>,
        ) -> Result<losskit::Reduced<f64>, Error>;
        for f in [
            robust_categorical_crossentropy as Rb,
            robust_binary_crossentropy,
        ] {
            let mut run = |y: &[f64], s: &[f64], c: usize, mc: MonteCarlo, o: &Options<'_, f64>| {
                f(
                    y,
                    &z,
                    s,
                    c,
                    mc,
                    o,
                    Some(&mut out.v[..3]),
                    Some(&mut out.a),
                    Some(&mut out.b),
                )
                .unwrap_err()
            };
            let mc = MonteCarlo::default();
            assert!(is_param(
                run(&y, &z, 2, MonteCarlo { draws: 0, ..mc }, &o),
                "draws"
            ));
            assert!(is_param(run(&y, &z, 0, mc, &o), "classes"));
            assert!(is_len(run(&y, &z, 4, mc, &o)), "not rows of 4");
            assert!(is_len(run(&y[..5], &z, 2, mc, &o)));
            assert!(is_len(run(&y, &z[..5], 2, mc, &o)));
            assert!(is_param(run(&y, &z, 2, mc, &o.with_row_len(2)), "row_len"));
            assert!(
                is_len(run(&y, &z, 2, mc, &o.with_weights(&[1.0; 6]))),
                "sample weights are per row"
            );
            assert!(is_param(
                run(&y, &z, 2, mc, &o.with_weights(&[1.0, -1.0, 1.0])),
                "weights"
            ));
            // Row 2 is all magic: an error under EmptyPolicy::Error, before any output.
            assert_eq!(
                run(&y, &z, 2, mc, &o.with_empty(EmptyPolicy::Error)),
                Error::EmptyMean
            );
        }
        out.untouched();
    }
}
