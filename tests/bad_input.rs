//! Bad input to every regression loss gives the right `Error` and leaves every output
//! buffer (gradient, values) exactly as it was: each buffer is filled with a sentinel
//! before the call and compared bit for bit afterwards, in f32 and f64, in overwrite and
//! accumulate mode.

use losskit::{regression, EmptyPolicy, Error, GradMode, Options, Real, Reduced, Reduction};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Loss {
    Mse,
    Mae,
    Rmse,
    MeanError,
    Msle,
    Mape,
    Mpe,
    Huber(f64),
    ScaleFreeHuber(f64),
    SmoothL1(f64),
    LogCosh,
}

const ALL: [Loss; 11] = [
    Loss::Mse,
    Loss::Mae,
    Loss::Rmse,
    Loss::MeanError,
    Loss::Msle,
    Loss::Mape,
    Loss::Mpe,
    Loss::Huber(1.0),
    Loss::ScaleFreeHuber(0.5),
    Loss::SmoothL1(0.5),
    Loss::LogCosh,
];

fn call<T: Real>(
    loss: Loss,
    p: &[T],
    y: &[T],
    o: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    let c = T::from_f64;
    match loss {
        Loss::Mse => regression::mse(p, y, o, values, grad),
        Loss::Mae => regression::mae(p, y, o, values, grad),
        Loss::Rmse => regression::rmse(p, y, o, values, grad),
        Loss::MeanError => regression::mean_error(p, y, o, values, grad),
        Loss::Msle => regression::msle(p, y, o, values, grad),
        Loss::Mape => regression::mape(p, y, o, values, grad),
        Loss::Mpe => regression::mpe(p, y, o, values, grad),
        Loss::Huber(d) => regression::huber(p, y, c(d), o, values, grad),
        Loss::ScaleFreeHuber(d) => regression::scale_free_huber(p, y, c(d), o, values, grad),
        Loss::SmoothL1(b) => regression::smooth_l1(p, y, c(b), o, values, grad),
        Loss::LogCosh => regression::log_cosh(p, y, o, values, grad),
    }
}

const SENTINEL: f64 = -7777.25;

/// Calls with sentinel-filled buffers of the given lengths, expects `want`, and checks that
/// neither buffer changed.
#[allow(clippy::too_many_arguments)]
fn expect_err<T: Real>(
    loss: Loss,
    p: &[T],
    y: &[T],
    o: &Options<'_, T>,
    nvalues: Option<usize>,
    ngrad: Option<usize>,
    want: Error,
    what: &str,
) {
    for mode in [GradMode::Overwrite, GradMode::Accumulate] {
        let o = o.with_grad_mode(mode);
        let mut values = vec![T::from_f64(SENTINEL); nvalues.unwrap_or(0)];
        let mut grad = vec![T::from_f64(SENTINEL); ngrad.unwrap_or(0)];
        let r = call(
            loss,
            p,
            y,
            &o,
            nvalues.map(|_| &mut values[..]),
            ngrad.map(|_| &mut grad[..]),
        );
        assert_eq!(r, Err(want), "{what} {loss:?} {} {mode:?}", T::NAME);
        let untouched = |b: &[T]| b.iter().all(|x| x.to_f64() == SENTINEL);
        assert!(untouched(&values), "{what} {loss:?}: values written");
        assert!(untouched(&grad), "{what} {loss:?}: grad written");
        assert_ne!(want.code(), 0);
    }
}

fn base<T: Real>(n: usize) -> (Vec<T>, Vec<T>) {
    let p = (0..n).map(|i| T::from_f64(0.5 + i as f64)).collect();
    let y = (0..n).map(|i| T::from_f64(1.25 * i as f64 - 1.0)).collect();
    (p, y)
}

fn all_checks<T: Real>() {
    let n = 6;
    let (p, y) = base::<T>(n);
    let def = Options::<T>::default();
    let mismatch = |what, expected, got| Error::LengthMismatch {
        what,
        expected,
        got,
    };
    for loss in ALL {
        // Target length.
        for m in [n - 1, n + 1, 0] {
            expect_err(
                loss,
                &p,
                &(0..m).map(|i| y[i % n]).collect::<Vec<T>>(),
                &def,
                None,
                Some(n),
                mismatch("target", n, m),
                "target",
            );
        }
        // Gradient length.
        for m in [n - 1, n + 1] {
            expect_err(
                loss,
                &p,
                &y,
                &def,
                None,
                Some(m),
                mismatch("grad", n, m),
                "grad",
            );
        }
        // Weights: length, negative, NaN, infinite.
        let wshort = vec![T::one(); n - 1];
        expect_err(
            loss,
            &p,
            &y,
            &def.with_weights(&wshort),
            None,
            Some(n),
            mismatch("weights", n, n - 1),
            "weights len",
        );
        for bad in [-1.0, -1e-30, f64::NAN, f64::INFINITY] {
            let mut w = vec![T::one(); n];
            w[3] = T::from_f64(bad);
            expect_err(
                loss,
                &p,
                &y,
                &def.with_weights(&w),
                None,
                Some(n),
                Error::BadParameter { what: "weights" },
                "weights value",
            );
        }
        // Mask length.
        let mlong = vec![1u8; n + 2];
        expect_err(
            loss,
            &p,
            &y,
            &def.with_mask(&mlong),
            None,
            Some(n),
            mismatch("mask", n, n + 2),
            "mask len",
        );
        // row_len not dividing n.
        for d in [4, 5, 7] {
            let r = call(loss, &p, &y, &def.with_row_len(d), None, None);
            assert!(
                matches!(r, Err(Error::LengthMismatch { got, .. }) if got == n),
                "{loss:?} row_len {d}: {r:?}"
            );
            expect_err(
                loss,
                &p,
                &y,
                &def.with_row_len(d),
                None,
                Some(n),
                r.unwrap_err(),
                "row_len",
            );
        }
        // grad_scale NaN / infinite.
        for s in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            expect_err(
                loss,
                &p,
                &y,
                &def.with_grad_scale(T::from_f64(s)),
                None,
                Some(n),
                Error::BadParameter { what: "grad_scale" },
                "grad_scale",
            );
        }
        // Reduction::None without a values buffer, and with a wrong-length one.
        let none = def.with_reduction(Reduction::None);
        expect_err(
            loss,
            &p,
            &y,
            &none,
            None,
            Some(n),
            Error::BadParameter { what: "values" },
            "no values",
        );
        if loss != Loss::Rmse {
            for m in [n - 1, n + 1] {
                expect_err(
                    loss,
                    &p,
                    &y,
                    &none,
                    Some(m),
                    Some(n),
                    mismatch("values", n, m),
                    "values len",
                );
            }
            // Per-row: one value per row.
            expect_err(
                loss,
                &p,
                &y,
                &none.with_row_len(3),
                Some(n),
                Some(n),
                mismatch("values", 2, n),
                "values rows",
            );
        } else {
            // RMSE has no per-element values.
            for rl in [0, 3] {
                let rows = n.checked_div(rl).unwrap_or(n);
                expect_err(
                    loss,
                    &p,
                    &y,
                    &none.with_row_len(rl),
                    Some(rows),
                    Some(n),
                    Error::BadParameter { what: "reduction" },
                    "rmse none",
                );
            }
        }
        // Empty means under EmptyPolicy::Error: everything masked, n = 0, an empty row.
        let err = def.with_empty(EmptyPolicy::Error);
        let zeros = vec![0u8; n];
        expect_err(
            loss,
            &p,
            &y,
            &err.with_mask(&zeros),
            None,
            Some(n),
            Error::EmptyMean,
            "all masked",
        );
        let zw = vec![T::zero(); n];
        expect_err(
            loss,
            &p,
            &y,
            &err.with_weights(&zw),
            None,
            Some(n),
            Error::EmptyMean,
            "zero weights",
        );
        let magic_y = vec![T::from_f64(-9999.0); n];
        expect_err(
            loss,
            &p,
            &magic_y,
            &err.with_magic(T::from_f64(-9999.0)),
            None,
            Some(n),
            Error::EmptyMean,
            "all magic",
        );
        expect_err(loss, &[], &[], &err, None, Some(0), Error::EmptyMean, "n=0");
        // One empty row (row 1 of 2) fails under every reduction, before anything is written.
        let mut rowmask = vec![1u8; n];
        for m in &mut rowmask[3..] {
            *m = 0;
        }
        for red in [
            Reduction::Mean,
            Reduction::Sum,
            Reduction::Partial,
            Reduction::None,
        ] {
            if loss == Loss::Rmse && red == Reduction::None {
                continue;
            }
            let nv = (red == Reduction::None).then_some(2);
            expect_err(
                loss,
                &p,
                &y,
                &err.with_mask(&rowmask).with_row_len(3).with_reduction(red),
                nv,
                Some(n),
                Error::EmptyMean,
                "empty row",
            );
        }
    }
    // The loss parameters.
    for d in [0.0, -0.5, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        for loss in [Loss::Huber(d), Loss::ScaleFreeHuber(d)] {
            expect_err(
                loss,
                &p,
                &y,
                &def,
                None,
                Some(n),
                Error::BadParameter { what: "delta" },
                "delta",
            );
        }
    }
    for b in [-1.0, -1e-300, f64::NAN, f64::INFINITY] {
        if T::from_f64(b) == T::zero() {
            continue; // -1e-300 rounds to -0.0 in f32, which is a valid β = 0
        }
        expect_err(
            Loss::SmoothL1(b),
            &p,
            &y,
            &def,
            None,
            Some(n),
            Error::BadParameter { what: "beta" },
            "beta",
        );
    }
    // β = 0 (the L1 loss) is valid.
    assert!(call(Loss::SmoothL1(0.0), &p, &y, &def, None, None).is_ok());
}

#[test]
fn bad_input_f64() {
    all_checks::<f64>();
}

#[test]
fn bad_input_f32() {
    all_checks::<f32>();
}

#[test]
fn constructors_validate() {
    use losskit::regression::{Huber, ScaleFreeHuber, SmoothL1};
    assert!(Huber::new(0.5f64).is_ok());
    assert_eq!(
        Huber::new(0.0f32).unwrap_err(),
        Error::BadParameter { what: "delta" }
    );
    assert!(ScaleFreeHuber::new(f64::NAN).is_err());
    assert!(SmoothL1::new(0.0f64).is_ok());
    assert_eq!(
        SmoothL1::new(-0.1f64).unwrap_err(),
        Error::BadParameter { what: "beta" }
    );
}

/// Bad values in the data (not in the parameters) are not errors: they propagate.
#[test]
fn nan_predictions_propagate() {
    let p = [1.0, f64::NAN, 3.0];
    let y = [1.0, 2.0, 3.0];
    let mut g = [0.0; 3];
    let r = regression::mse(&p, &y, &Options::default(), None, Some(&mut g)).unwrap();
    assert!(r.value.is_nan());
    assert!(g[1].is_nan());
    assert_eq!((g[0], g[2]), (0.0, 0.0));
}
