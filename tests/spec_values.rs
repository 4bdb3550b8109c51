//! The regression values of ../shared/SPEC.md §6.4 (astroNN's own test suite), §6.5
//! (graph-pes' test suite) and §6.6 (extra values computed from the formulas).
//!
//! astroNN's losses return one value per sample: a masked mean over the last axis of a
//! (B, D) array. Here that is `Reduction::None` with `row_len = D` and the magic number on;
//! the batch mean Keras applies afterwards is `Reduction::Mean` with the same options.

use losskit::{regression, EmptyPolicy, Options, Reduction, ASTRONN_MAGIC};

const M: f64 = ASTRONN_MAGIC;

type Loss = fn(
    &[f64],
    &[f64],
    &Options<'_, f64>,
    Option<&mut [f64]>,
    Option<&mut [f64]>,
) -> Result<losskit::Reduced<f64>, losskit::Error>;

/// astroNN's per-sample vector of a (rows × d) batch, and the gradient of its sum.
fn per_sample(loss: Loss, y: &[f64], p: &[f64], d: usize) -> (Vec<f64>, Vec<f64>) {
    let o = Options::default()
        .with_reduction(Reduction::None)
        .with_row_len(d)
        .with_magic(M);
    let mut v = vec![f64::NAN; y.len() / d];
    let mut g = vec![f64::NAN; y.len()];
    loss(p, y, &o, Some(&mut v), Some(&mut g)).unwrap();
    (v, g)
}

fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() <= tol, "{what}: got {got:?}, want {want:?}");
    }
}

/// §6.4: y = [[2,M,4],[2,M,4]], ŷ = [[2,3,4],[2,3,7]]: MAE = [0, 1.5], MSE = [0, 4.5],
/// unchanged when only the masked slot of ŷ changes.
#[test]
fn astronn_mae_mse_per_sample() {
    let y = [2.0, M, 4.0, 2.0, M, 4.0];
    for p in [
        [2.0, 3.0, 4.0, 2.0, 3.0, 7.0],
        [2.0, 9.0, 4.0, 2.0, 0.0, 7.0],
    ] {
        let (v, g) = per_sample(regression::mae, &y, &p, 3);
        assert_eq!(v, [0.0, 1.5]);
        // sign(0) = 0 on the exact matches; the masked slot gets no gradient.
        assert_eq!(g, [0.0, 0.0, 0.0, 0.0, 0.0, 0.5]);
        let (v, g) = per_sample(regression::mse, &y, &p, 3);
        assert_eq!(v, [0.0, 4.5]);
        assert_eq!(g, [0.0, 0.0, 0.0, 0.0, 0.0, 3.0]);
    }
    // Keras' batch mean on top: (0 + 1.5)/2 and (0 + 4.5)/2.
    let o = Options::default().with_row_len(3).with_magic(M);
    let p = [2.0, 3.0, 4.0, 2.0, 3.0, 7.0];
    assert_eq!(regression::mae(&p, &y, &o, None, None).unwrap().value, 0.75);
    assert_eq!(regression::mse(&p, &y, &o, None, None).unwrap().value, 2.25);
}

/// §6.4: mean_error, y = [[2,M,3],[2,M,7]], ŷ = [[1,3,4],[2,3,7]] → [0, 0].
#[test]
fn astronn_mean_error() {
    let y = [2.0, M, 3.0, 2.0, M, 7.0];
    let p = [1.0, 3.0, 4.0, 2.0, 3.0, 7.0];
    let (v, g) = per_sample(regression::mean_error, &y, &p, 3);
    assert_eq!(v, [0.0, 0.0]);
    // ℓ = y − ŷ, so ∂/∂ŷ of each row's mean over its 2 kept entries is −1/2.
    assert_eq!(g, [-0.5, 0.0, -0.5, -0.5, 0.0, -0.5]);
}

/// §6.4: y = [[1,M,1],[1,M,1]], ŷ = [[1,0,0],[1,0,0]]: MAPE = MPE = [50, 50],
/// MSLE = [0.24, 0.24] (3 decimals), unchanged when the masked slot of ŷ is 9 or −1.
#[test]
fn astronn_percentage_and_log_errors() {
    let y = [1.0, M, 1.0, 1.0, M, 1.0];
    for masked in [0.0, 9.0, -1.0] {
        let p = [1.0, masked, 0.0, 1.0, masked, 0.0];
        let (v, _) = per_sample(regression::mape, &y, &p, 3);
        assert_close(&v, &[50.0, 50.0], 1e-12, "MAPE");
        let (v, _) = per_sample(regression::mpe, &y, &p, 3);
        assert_close(&v, &[50.0, 50.0], 1e-12, "MPE");
        let (v, _) = per_sample(regression::msle, &y, &p, 3);
        assert_close(&v, &[0.24, 0.24], 0.5e-3, "MSLE");
        // Exactly: (ln 2 − ln(1 + 1e-7))² / 2 (ŷ = 0 is clipped to ε).
        let e = core::f64::consts::LN_2 - 1e-7f64.ln_1p();
        assert_close(&v, &[e * e / 2.0; 2], 1e-15, "MSLE exact");
    }
}

/// §6.6: MAPE(y = [2,M,4], ŷ = [1,0,5]) = 37.5; MPE on the same inputs is 12.5 with the
/// intended formula 100·(y − ŷ)/y. astroNN itself returns 212.5 there: its code computes
/// 100·(y − ŷ/y) (an operator-precedence bug; SPEC Part 1 says to implement the intended
/// formula), i.e. 100·((2 − 1/2) + (4 − 5/4))/2 = 212.5.
#[test]
fn astronn_mape_and_intended_mpe() {
    let y = [2.0, M, 4.0];
    let p = [1.0, 0.0, 5.0];
    let (v, _) = per_sample(regression::mape, &y, &p, 3);
    assert_close(&v, &[37.5], 1e-12, "MAPE");
    let (v, g) = per_sample(regression::mpe, &y, &p, 3);
    assert_close(&v, &[12.5], 1e-12, "MPE");
    // ∂/∂ŷ of 100·(y − ŷ)/y averaged over 2 kept entries: −50/y.
    assert_close(&g, &[-25.0, 0.0, -12.5], 1e-12, "MPE grad");
    // The documented astroNN value is different (its bug), not what losskit returns.
    let astronn_bug = 100.0 * ((2.0 - 1.0 / 2.0) + (4.0 - 5.0 / 4.0)) / 2.0;
    assert_eq!(astronn_bug, 212.5);
    assert!((v[0] - astronn_bug).abs() > 1.0);
}

/// §4.1 / §7 astroNN 1: a sample whose entries are all masked is NaN in astroNN (its
/// correction term is D/0). `EmptyPolicy::Nan` reproduces that; `Zero` (the default)
/// gives 0 and leaves the sample out of the batch mean.
#[test]
fn astronn_all_masked_sample() {
    let y = [M, f64::NAN, M, 2.0, M, 4.0];
    let p = [1.0, 2.0, 3.0, 2.0, 3.0, 7.0];
    let o = Options::default()
        .with_reduction(Reduction::None)
        .with_row_len(3)
        .with_magic(M)
        .with_empty(EmptyPolicy::Nan);
    let mut v = [0.0; 2];
    regression::mae(&p, &y, &o, Some(&mut v), None).unwrap();
    assert!(v[0].is_nan());
    assert_eq!(v[1], 1.5);
    let o = o.with_empty(EmptyPolicy::Zero);
    regression::mae(&p, &y, &o, Some(&mut v), None).unwrap();
    assert_eq!(v, [0.0, 1.5]);
    let o = o.with_reduction(Reduction::Mean);
    assert_eq!(regression::mae(&p, &y, &o, None, None).unwrap().value, 1.5);
}

/// §6.5: MAE and RMSE of identical vectors are 0; MAE([1,2,3],[0,0,0]) = 2;
/// RMSE([1,2,3],[0,0,0]) = √(14/3) = 2.1602469.
#[test]
fn graph_pes_mae_rmse() {
    let o = Options::default();
    let a = [1.0, 2.0, 3.0];
    let z = [0.0; 3];
    let mut g = [f64::NAN; 3];
    assert_eq!(
        regression::mae(&a, &a, &o, None, Some(&mut g))
            .unwrap()
            .value,
        0.0
    );
    assert_eq!(g, [0.0; 3]);
    assert_eq!(
        regression::rmse(&a, &a, &o, None, Some(&mut g))
            .unwrap()
            .value,
        0.0
    );
    // graph-pes / torch give NaN here; losskit's decision is 0.
    assert_eq!(g, [0.0; 3]);
    assert_eq!(regression::mae(&a, &z, &o, None, None).unwrap().value, 2.0);
    let r = regression::rmse(&a, &z, &o, None, None).unwrap().value;
    assert!((r - (14.0f64 / 3.0).sqrt()).abs() <= 1e-15);
    assert!((r - 2.1602469).abs() <= 0.5e-7);
    // The same in f32.
    let a32 = [1.0f32, 2.0, 3.0];
    let r32 = regression::rmse(&a32, &[0.0f32; 3], &Options::default(), None, None)
        .unwrap()
        .value;
    assert!((r32 - 2.1602469).abs() <= 2e-7);
}

/// §6.6: graph-pes energies Ê = [10, 20], E = [8, 26], N = [2, 4]: the per-atom RMSE is
/// √(((5−4)² + (5−6.5)²)/2) = 1.2747548784 (the regression RMSE of the per-atom values);
/// the plain energy RMSE is √20 = 4.4721359550.
#[test]
fn graph_pes_energy_rmse() {
    let o = Options::default();
    let r = regression::rmse(&[10.0f64, 20.0], &[8.0, 26.0], &o, None, None)
        .unwrap()
        .value;
    assert!((r - 4.4721359550).abs() <= 0.5e-10, "{r}");
    let per_atom_pred = [10.0f64 / 2.0, 20.0 / 4.0];
    let per_atom_target = [8.0 / 2.0, 26.0 / 4.0];
    let r = regression::rmse(&per_atom_pred, &per_atom_target, &o, None, None)
        .unwrap()
        .value;
    assert!((r - 1.2747548784).abs() <= 0.5e-10, "{r}");
}

/// §6.6: Huber(δ = 0.5) on errors [0.2, 1.0] = (0.02 + 0.375)/2 = 0.1975; ScaleFreeHuber
/// = 0.395.
#[test]
fn graph_pes_huber() {
    let o = Options::default();
    let p = [1.2f64, 3.0];
    let y = [1.0, 2.0];
    let h = regression::huber(&p, &y, 0.5, &o, None, None)
        .unwrap()
        .value;
    assert!((h - 0.1975).abs() <= 1e-15, "{h}");
    let s = regression::scale_free_huber(&p, &y, 0.5, &o, None, None)
        .unwrap()
        .value;
    assert!((s - 0.395).abs() <= 1e-15, "{s}");
    // f32.
    let h32 = regression::huber(
        &[1.2f32, 3.0],
        &[1.0f32, 2.0],
        0.5,
        &Options::default(),
        None,
        None,
    )
    .unwrap()
    .value;
    assert!((h32 - 0.1975).abs() <= 1e-7, "{h32}");
}
