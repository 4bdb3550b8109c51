//! Finite-difference checks of every regression loss's gradient, in f64.
//!
//! Central differences with h = 1e-6·max(1, |pᵢ|), at points kept away from every kink
//! (|p − y| ≥ 0.1, ||p − y| − δ| ≥ 0.05 for Huber / scale-free Huber / smooth L1, MSLE's
//! prediction above its clip). Agreement: |g − fd| ≤ 1e-6·(|g| + |fd|) plus the
//! difference quotient's own rounding, 1e-15·(|L| + 1)/h. Masked elements must have a
//! gradient of exactly 0 and a difference quotient of exactly 0.

use losskit::{regression, EmptyPolicy, Error, GradMode, Options, Reduced, Reduction};

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }
}

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

const ALL: [Loss; 14] = [
    Loss::Mse,
    Loss::Mae,
    Loss::Rmse,
    Loss::MeanError,
    Loss::Msle,
    Loss::Mape,
    Loss::Mpe,
    Loss::Huber(0.5),
    Loss::Huber(2.0),
    Loss::ScaleFreeHuber(0.5),
    Loss::ScaleFreeHuber(1.3),
    Loss::SmoothL1(0.0),
    Loss::SmoothL1(0.8),
    Loss::LogCosh,
];

fn call(
    loss: Loss,
    p: &[f64],
    y: &[f64],
    o: &Options<'_, f64>,
    values: Option<&mut [f64]>,
    grad: Option<&mut [f64]>,
) -> Result<Reduced<f64>, Error> {
    match loss {
        Loss::Mse => regression::mse(p, y, o, values, grad),
        Loss::Mae => regression::mae(p, y, o, values, grad),
        Loss::Rmse => regression::rmse(p, y, o, values, grad),
        Loss::MeanError => regression::mean_error(p, y, o, values, grad),
        Loss::Msle => regression::msle(p, y, o, values, grad),
        Loss::Mape => regression::mape(p, y, o, values, grad),
        Loss::Mpe => regression::mpe(p, y, o, values, grad),
        Loss::Huber(d) => regression::huber(p, y, d, o, values, grad),
        Loss::ScaleFreeHuber(d) => regression::scale_free_huber(p, y, d, o, values, grad),
        Loss::SmoothL1(b) => regression::smooth_l1(p, y, b, o, values, grad),
        Loss::LogCosh => regression::log_cosh(p, y, o, values, grad),
    }
}

/// The scalar whose gradient the buffer holds: the returned value (for `None`, the sum of
/// the values, which is also what is returned).
fn scalar(loss: Loss, p: &[f64], y: &[f64], o: &Options<'_, f64>, rows: usize) -> f64 {
    if o.reduction == Reduction::None {
        let mut v = vec![0.0; rows];
        call(loss, p, y, o, Some(&mut v), None).unwrap();
        v.iter().sum()
    } else {
        call(loss, p, y, o, None, None).unwrap().value
    }
}

/// Random (p, y) away from the loss's kinks.
fn point(loss: Loss, rng: &mut Rng) -> (f64, f64) {
    loop {
        let (p, y) = match loss {
            Loss::Msle => (rng.range(0.1, 4.0), rng.range(-0.5, 4.0)),
            Loss::Mape | Loss::Mpe => {
                let y = if rng.uniform() < 0.15 {
                    0.0
                } else {
                    rng.range(0.2, 3.0) * if rng.uniform() < 0.5 { -1.0 } else { 1.0 }
                };
                (rng.range(-3.0, 3.0), y)
            }
            _ => (rng.range(-3.0, 3.0), rng.range(-3.0, 3.0)),
        };
        let a = (p - y).abs();
        let kink = match loss {
            Loss::Huber(k) | Loss::ScaleFreeHuber(k) | Loss::SmoothL1(k) => (a - k).abs() < 0.05,
            _ => false,
        };
        if a >= 0.1 && !kink {
            return (p, y);
        }
    }
}

/// Checks grad (with grad_scale `scale`) against central differences of the scalar.
fn fd_check(loss: Loss, p: &[f64], y: &[f64], o: &Options<'_, f64>, rows: usize, what: &str) {
    let n = p.len();
    let mut grad = vec![f64::NAN; n];
    let mut vals = vec![0.0; rows];
    let v = if o.reduction == Reduction::None {
        Some(&mut vals[..])
    } else {
        None
    };
    call(loss, p, y, o, v, Some(&mut grad)).unwrap();
    let l0 = scalar(loss, p, y, o, rows);
    assert!(l0.is_finite(), "{what} {loss:?}: L = {l0}");
    let scale = o.grad_scale;
    let mut q = p.to_vec();
    for i in 0..n {
        let h = 1e-6 * p[i].abs().max(1.0);
        q[i] = p[i] + h;
        let lp = scalar(loss, &q, y, o, rows);
        q[i] = p[i] - h;
        let lm = scalar(loss, &q, y, o, rows);
        q[i] = p[i];
        let fd = scale * (lp - lm) / (2.0 * h);
        let g = grad[i];
        let tol = 1e-6 * (g.abs() + fd.abs()) + scale.abs() * 1e-15 * (l0.abs() + 1.0) / h;
        assert!(
            (g - fd).abs() <= tol,
            "{what} {loss:?}: grad[{i}] = {g}, finite difference {fd} (p {} y {})",
            p[i],
            y[i]
        );
        if fd == 0.0 && lp == lm {
            assert_eq!(g, 0.0, "{what} {loss:?}: grad[{i}] of a masked element");
        }
    }
}

struct Data {
    p: Vec<f64>,
    y: Vec<f64>,
    w: Vec<f64>,
    mask: Vec<u8>,
}

fn data(loss: Loss, n: usize, seed: u64) -> Data {
    let mut rng = Rng(seed);
    let (mut p, mut y) = (vec![], vec![]);
    for _ in 0..n {
        let (a, b) = point(loss, &mut rng);
        p.push(a);
        y.push(b);
    }
    let w = (0..n).map(|_| rng.range(0.1, 2.0)).collect();
    let mask = (0..n).map(|_| u8::from(rng.uniform() >= 0.2)).collect();
    Data { p, y, w, mask }
}

#[test]
fn mean_with_weights_mask_and_magic() {
    for (k, &loss) in ALL.iter().enumerate() {
        let mut d = data(loss, 23, 11 + k as u64);
        d.y[4] = -9999.0;
        d.y[9] = f64::NAN;
        let o = Options::default()
            .with_weights(&d.w)
            .with_mask(&d.mask)
            .with_magic(-9999.0);
        fd_check(loss, &d.p, &d.y, &o, 1, "mean+w+mask+magic");
        let o = o.with_grad_scale(-0.3);
        fd_check(loss, &d.p, &d.y, &o, 1, "mean scaled");
    }
}

#[test]
fn sum_and_partial() {
    for (k, &loss) in ALL.iter().enumerate() {
        let d = data(loss, 17, 101 + k as u64);
        let o = Options::default().with_reduction(Reduction::Sum);
        fd_check(loss, &d.p, &d.y, &o, 1, "sum");
        let o = o.with_weights(&d.w).with_mask(&d.mask);
        fd_check(loss, &d.p, &d.y, &o, 1, "sum+w+mask");
        if loss != Loss::Rmse {
            // Partial: the gradient of Σwℓ, scaled (the caller's global 1/Σw).
            let o = o.with_reduction(Reduction::Partial).with_grad_scale(0.125);
            fd_check(loss, &d.p, &d.y, &o, 1, "partial");
            let o = o.with_reduction(Reduction::None);
            fd_check(loss, &d.p, &d.y, &o, 17, "none");
        }
    }
}

#[test]
fn per_row_means() {
    for (k, &loss) in ALL.iter().enumerate() {
        let (rows, dlen) = (6, 4);
        let mut d = data(loss, rows * dlen, 201 + k as u64);
        // Row 2 entirely masked (left out of the batch under the Zero policy), row 4 partly
        // magic.
        for m in &mut d.mask[2 * dlen..3 * dlen] {
            *m = 0;
        }
        d.y[4 * dlen + 1] = -9999.0;
        for reduction in [Reduction::Mean, Reduction::Sum, Reduction::None] {
            if loss == Loss::Rmse && reduction == Reduction::None {
                continue;
            }
            let o = Options::default()
                .with_reduction(reduction)
                .with_row_len(dlen)
                .with_weights(&d.w)
                .with_mask(&d.mask)
                .with_magic(-9999.0)
                .with_empty(EmptyPolicy::Zero);
            let nvals = if reduction == Reduction::None {
                rows
            } else {
                1
            };
            fd_check(loss, &d.p, &d.y, &o, nvals, "rows");
        }
    }
}

/// RMSE's chain rule written out: ∂/∂pᵢ √(Σwd²/Σw) = wᵢdᵢ/(Σw·L).
#[test]
fn rmse_chain_rule() {
    let p = [1.0, 2.0, 4.0, -1.0];
    let y = [0.5, 2.5, 1.0, 0.0];
    let w = [1.0, 2.0, 0.5, 3.0];
    let o = Options::default().with_weights(&w);
    let mut g = [0.0; 4];
    let r = regression::rmse(&p, &y, &o, None, Some(&mut g)).unwrap();
    let sw: f64 = w.iter().sum();
    let ms: f64 = (0..4).map(|i| w[i] * (p[i] - y[i]).powi(2)).sum::<f64>() / sw;
    let l = ms.sqrt();
    assert!((r.value - l).abs() <= 1e-15 * l);
    for i in 0..4 {
        let want = w[i] * (p[i] - y[i]) / (sw * l);
        assert!(
            (g[i] - want).abs() <= 1e-15 * want.abs(),
            "{i}: {} {want}",
            g[i]
        );
    }
    // Sum: L = √(Σwd²), ∂L/∂pᵢ = wᵢdᵢ/L.
    let o = o.with_reduction(Reduction::Sum);
    let r = regression::rmse(&p, &y, &o, None, Some(&mut g)).unwrap();
    let l = (ms * sw).sqrt();
    assert!((r.value - l).abs() <= 1e-15 * l);
    for i in 0..4 {
        let want = w[i] * (p[i] - y[i]) / l;
        assert!(
            (g[i] - want).abs() <= 1e-15 * want.abs(),
            "{i}: {} {want}",
            g[i]
        );
    }
}

/// RMSE at zero error: value 0 and gradient 0 (not NaN), in every reduction and mode.
#[test]
fn rmse_gradient_is_zero_at_zero_error() {
    let p = [1.5, -2.0, 3.25, 0.0, 7.0, 1.0];
    for reduction in [Reduction::Mean, Reduction::Sum, Reduction::Partial] {
        for row_len in [0, 2, 3] {
            let o = Options::default()
                .with_reduction(reduction)
                .with_row_len(row_len)
                .with_grad_scale(2.0);
            let mut g = [f64::NAN; 6];
            let r = regression::rmse(&p, &p, &o, None, Some(&mut g)).unwrap();
            assert_eq!(r.value, 0.0);
            assert!(
                g.iter().all(|&x| x == 0.0),
                "{reduction:?} {row_len}: {g:?}"
            );
            let mut g = [1.0; 6];
            let o = o.with_grad_mode(GradMode::Accumulate);
            regression::rmse(&p, &p, &o, None, Some(&mut g)).unwrap();
            assert_eq!(g, [1.0; 6]);
        }
    }
    // A masked mismatch does not count: the kept part has zero error.
    let y = [1.5, -2.0, 3.25, 0.0, 7.0, 9.0];
    let mask = [1, 1, 1, 1, 1, 0];
    let o = Options::default().with_mask(&mask);
    let mut g = [f64::NAN; 6];
    let r = regression::rmse(&p, &y, &o, None, Some(&mut g)).unwrap();
    assert_eq!(r.value, 0.0);
    assert_eq!(g, [0.0; 6]);
}

/// The gradient check can fail: a wrong gradient is caught (a sanity check of fd_check's
/// tolerance, using MSE's gradient halved as a stand-in).
#[test]
fn finite_differences_detect_a_wrong_gradient() {
    let d = data(Loss::Mse, 9, 5);
    let o = Options::default();
    let mut g = vec![0.0; 9];
    regression::mse(&d.p, &d.y, &o, None, Some(&mut g)).unwrap();
    let h = 1e-6;
    let mut q = d.p.clone();
    q[0] += h;
    let lp = regression::mse(&q, &d.y, &o, None, None).unwrap().value;
    q[0] -= 2.0 * h;
    let lm = regression::mse(&q, &d.y, &o, None, None).unwrap().value;
    let fd = (lp - lm) / (2.0 * h);
    let tol = 1e-6 * (g[0].abs() + fd.abs()) + 1e-15 * 2.0 / h;
    assert!((g[0] - fd).abs() <= tol);
    assert!((0.5 * g[0] - fd).abs() > tol);
}
