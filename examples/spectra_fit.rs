//! Fitting a Kaimal-type spectrum with DRDMannTurb's loss, using only losskit's values
//! and gradients.
//!
//! Model: k·F(k) = a·k / (1 + b·k)^c with parameters θ = (ln a, ln b, c), fitted to
//! synthetic "measured" spectra (the Kaimal uu spectrum a = 52.5, b = 33, c = 5/3 with
//! ±10 % multiplicative noise) on DRDMannTurb's grid logspace(-1, 2, 20)/zref, in the reduced
//! frequency k = k1·zref/(2π). The loss is DRDMannTurb's "3-term loss": log-ratio MSE +
//! slope penalty (α₁ = 10⁻⁵) + curvature penalty (α₂ = 1) + weight regulariser (β = 2·10⁻⁴
//! on θ). losskit returns ∂loss/∂spectrum and ∂loss/∂θ; the chain rule through
//! the model is written by hand:
//!
//!   ∂y/∂ln a = y,   ∂y/∂ln b = −c·y·bk/(1 + bk),   ∂y/∂c = −y·ln(1 + bk),
//!
//! and Adam takes the steps. Run with `cargo run --release --example spectra_fit`.

use losskit::spectra::{
    SpectraGrads, SpectraGrid, SpectraInput, SpectraLoss, SpectraParams, SpectraTerms,
};

const L: usize = 20;
const ZREF: f64 = 40.0;

fn model(k: &[f64; L], theta: &[f64; 3], y: &mut [f64; L]) {
    let (a, b, c) = (theta[0].exp(), theta[1].exp(), theta[2]);
    for j in 0..L {
        y[j] = a * k[j] / (1.0 + b * k[j]).powf(c);
    }
}

fn main() -> Result<(), losskit::Error> {
    // DRDMannTurb's grid; the Kaimal form is written in the reduced frequency
    // f = k1·zref/(2π).
    let k1: [f64; L] =
        core::array::from_fn(|j| 10f64.powf(-1.0 + 3.0 * j as f64 / (L - 1) as f64) / ZREF);
    let kz: [f64; L] = core::array::from_fn(|j| k1[j] * ZREF / (2.0 * core::f64::consts::PI));
    let mut work = [0.0; SpectraGrid::workspace_len(L)];
    let grid = SpectraGrid::new(&k1, ZREF, &mut work)?;
    // DRDMannTurb's "3-term loss" settings (its example 03).
    let params = SpectraParams {
        alpha_pen1: 1e-5,
        alpha_pen2: 1.0,
        beta_reg: 2e-4,
        ..Default::default()
    };
    let loss = SpectraLoss::new(grid, params)?;

    // Synthetic data: the Kaimal spectrum with deterministic ±10 % noise.
    let truth = [52.5f64.ln(), 33f64.ln(), 5.0 / 3.0];
    let mut data = [0.0; L];
    model(&kz, &truth, &mut data);
    let mut state = 12345u64;
    for d in data.iter_mut() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let u = (state >> 11) as f64 / (1u64 << 53) as f64;
        *d *= 1.0 + 0.2 * (u - 0.5);
    }

    // Adam on θ = (ln a, ln b, c).
    let mut theta = [10f64.ln(), 5f64.ln(), 1.2];
    let (lr, b1, b2, eps) = (0.05, 0.9, 0.999, 1e-12);
    let (mut m, mut v) = ([0.0; 3], [0.0; 3]);
    let mut y = [0.0; L];
    let mut terms = SpectraTerms::default();
    println!(
        "{:>5} {:>11} {:>11} {:>11} {:>11} {:>11}   {:>7} {:>7} {:>6}",
        "iter", "total", "mse", "pen1", "pen2", "reg", "a", "b", "c"
    );
    let iterations = 1500;
    for it in 0..=iterations {
        model(&kz, &theta, &mut y);
        let (mut gy, mut gtheta) = ([0.0; L], [0.0; 3]);
        let grads = SpectraGrads {
            model: Some(&mut gy),
            theta: Some(&mut gtheta),
            ..Default::default()
        };
        loss.eval(
            &SpectraInput::new(&y, &data).with_theta(&theta),
            grads,
            &mut terms,
        )?;
        if it % 150 == 0 {
            println!(
                "{it:>5} {:>11.5e} {:>11.5e} {:>11.5e} {:>11.5e} {:>11.5e}   {:>7.3} {:>7.3} {:>6.3}",
                terms.total,
                terms.mse,
                terms.pen1,
                terms.pen2,
                terms.reg,
                theta[0].exp(),
                theta[1].exp(),
                theta[2]
            );
        }
        if it == iterations {
            break;
        }
        // Chain rule through the model: ∂total/∂θ = Σⱼ ∂total/∂yⱼ · ∂yⱼ/∂θ + ∂Reg/∂θ.
        let (b, c) = (theta[1].exp(), theta[2]);
        let mut g = gtheta;
        for j in 0..L {
            let bk = b * kz[j];
            g[0] += gy[j] * y[j];
            g[1] += gy[j] * (-c * y[j] * bk / (1.0 + bk));
            g[2] += gy[j] * (-y[j] * (1.0 + bk).ln());
        }
        let t = it + 1;
        for p in 0..3 {
            m[p] = b1 * m[p] + (1.0 - b1) * g[p];
            v[p] = b2 * v[p] + (1.0 - b2) * g[p] * g[p];
            let mh = m[p] / (1.0 - b1.powi(t));
            let vh = v[p] / (1.0 - b2.powi(t));
            theta[p] -= lr * mh / (vh.sqrt() + eps);
        }
    }
    println!(
        "fitted a = {:.2}, b = {:.2}, c = {:.3} (data: a = 52.5, b = 33, c = 5/3, with noise; \
         the regulariser pulls θ = (ln a, ln b, c) towards 0)",
        theta[0].exp(),
        theta[1].exp(),
        theta[2]
    );
    Ok(())
}
