//! Every regression loss, in f32 and f64, against independent f64 formulas written here.
//!
//! The reference computes each element's loss and derivative with its own formula (std
//! f64 math, not losskit's), then reduces them with a plain compensated sum written here,
//! following the semantics documented in `losskit::pointwise` (weights, keep-mask, magic
//! number incl. NaN targets, reductions None/Sum/Mean/Partial, astroNN per-row means,
//! the empty policy, grad_scale and Accumulate mode).
//!
//! Tolerances: f64 results agree within 1e-12 relative, f32 within 1e-5 relative. "Relative"
//! is measured against the magnitude of what is summed (Σ|wℓ|, not |Σwℓ|, so a signed
//! sum that cancels is not held to an impossible bound) and, for MSLE, against the size of
//! the two logarithms whose difference is squared (its inherent conditioning).

use losskit::{regression, EmptyPolicy, Error, GradMode, Options, Real, Reduced, Reduction};

// ----------------------------------------------------------------------------- RNG

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }
    fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }
}

// ----------------------------------------------------------------------------- losses

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

fn sign0(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// ln cosh(d), written independently: ln(1 + 2 sinh²(d/2)) (no cancellation for small d),
/// and |d| − ln 2 + ln(1 + e^(−2|d|)) for large |d|.
fn ref_log_cosh(d: f64) -> f64 {
    let a = d.abs();
    if a < 20.0 {
        let s = (0.5 * a).sinh();
        (2.0 * s * s).ln_1p()
    } else {
        a - core::f64::consts::LN_2 + (-2.0 * a).exp().ln_1p()
    }
}

/// One element: (ℓ, ∂ℓ/∂p, scale of ℓ, scale of ∂ℓ/∂p). The scales bound the rounding
/// error a correct implementation can make (they are |ℓ| and |∂ℓ/∂p| except for MSLE).
/// `eps` is astroNN's 1e-7 rounded to the data type.
fn elem(loss: Loss, p: f64, y: f64, eps: f64) -> (f64, f64, f64, f64) {
    let d = p - y;
    let a = d.abs();
    let (l, g) = match loss {
        Loss::Mse | Loss::Rmse => (d * d, 2.0 * d),
        Loss::Mae => (a, sign0(d)),
        Loss::MeanError => (y - p, -1.0),
        Loss::Msle => {
            let pc = p.max(eps);
            let yc = y.max(eps);
            let (lp, ly) = (pc.ln_1p(), yc.ln_1p());
            let e = lp - ly;
            let g = if p < eps { 0.0 } else { 2.0 * e / (1.0 + p) };
            let cond = lp.abs() + ly.abs();
            return (
                e * e,
                g,
                e * e + 2.0 * e.abs() * cond + cond * cond * 1e-6,
                2.0 * (e.abs() + cond) / (1.0 + pc),
            );
        }
        Loss::Mape => {
            let den = y.abs().max(eps);
            (100.0 * a / den, 100.0 * sign0(d) / den)
        }
        Loss::Mpe => {
            let yt = if y.abs() >= eps {
                y
            } else if y < 0.0 {
                -eps
            } else {
                eps
            };
            (100.0 * (y - p) / yt, -100.0 / yt)
        }
        Loss::Huber(delta) => {
            if a < delta {
                (0.5 * d * d, d)
            } else {
                (delta * (a - 0.5 * delta), delta * sign0(d))
            }
        }
        Loss::ScaleFreeHuber(delta) => {
            if a < delta {
                (0.5 * d * d / delta, d / delta)
            } else {
                (a - 0.5 * delta, sign0(d))
            }
        }
        Loss::SmoothL1(beta) => {
            if a < beta {
                (0.5 * d * d / beta, d / beta)
            } else {
                (a - 0.5 * beta, sign0(d))
            }
        }
        Loss::LogCosh => (ref_log_cosh(d), d.tanh()),
    };
    (l, g, l.abs(), g.abs())
}

// ----------------------------------------------------------------------------- reference reduction

/// Neumaier's compensated sum (written here, not losskit's).
#[derive(Default)]
struct Acc {
    s: f64,
    c: f64,
}

impl Acc {
    fn add(&mut self, x: f64) {
        let t = self.s + x;
        if self.s.abs() >= x.abs() {
            self.c += (self.s - t) + x;
        } else {
            self.c += (x - t) + self.s;
        }
        self.s = t;
    }
    fn get(&self) -> f64 {
        self.s + self.c
    }
}

#[derive(Clone, Debug)]
struct Setup {
    reduction: Reduction,
    empty: EmptyPolicy,
    mask: Option<Vec<u8>>,
    magic: Option<f64>,
    weights: Option<Vec<f64>>,
    row_len: usize,
    scale: f64,
    acc: bool,
}

#[derive(Debug)]
struct Expect {
    /// Err(e) if the call must fail.
    value: Result<f64, Error>,
    vscale: f64,
    /// Per-element (or per-row) values for Reduction::None: (value, scale).
    values: Vec<(f64, f64)>,
    /// Per-element gradient contribution: None = element masked (0 or untouched),
    /// Some((g, scale)) = s · ∂L/∂p.
    grad: Vec<Option<(f64, f64)>>,
    partial: (f64, f64),
}

fn reference(loss: Loss, p: &[f64], y: &[f64], s: &Setup, eps: f64) -> Expect {
    let n = p.len();
    let w: Vec<f64> = (0..n)
        .map(|i| {
            let masked = s.mask.as_ref().is_some_and(|m| m[i] == 0)
                || s.magic.is_some_and(|m| y[i] == m || y[i].is_nan());
            if masked {
                0.0
            } else {
                s.weights.as_ref().map_or(1.0, |w| w[i])
            }
        })
        .collect();
    let el: Vec<(f64, f64, f64, f64)> = (0..n)
        .map(|i| {
            if w[i] > 0.0 {
                elem(loss, p[i], y[i], eps)
            } else {
                (0.0, 0.0, 0.0, 0.0)
            }
        })
        .collect();
    let sqrt = loss == Loss::Rmse;
    if sqrt && s.reduction == Reduction::None {
        return Expect {
            value: Err(Error::BadParameter { what: "reduction" }),
            vscale: 0.0,
            values: vec![],
            grad: vec![],
            partial: (0.0, 0.0),
        };
    }
    let empty_value = |policy: EmptyPolicy| match policy {
        EmptyPolicy::Zero => Ok(0.0),
        EmptyPolicy::Nan => Ok(f64::NAN),
        EmptyPolicy::Error => Err(Error::EmptyMean),
    };
    // Groups: the whole data, or the rows.
    let d = if s.row_len == 0 { n.max(1) } else { s.row_len };
    let groups = if s.row_len == 0 { 1 } else { n / d };
    // Per group: (weight, Σwℓ, Σw·scale(ℓ)) and the group value m.
    let mut gw = vec![0.0; groups];
    let mut gs = vec![0.0; groups];
    let mut ga = vec![0.0; groups];
    for r in 0..groups {
        let (mut wsum, mut lsum, mut asum) = (Acc::default(), Acc::default(), Acc::default());
        for i in r * d..((r + 1) * d).min(n) {
            wsum.add(w[i]);
            lsum.add(w[i] * el[i].0);
            asum.add(w[i] * el[i].2);
        }
        gw[r] = wsum.get();
        gs[r] = lsum.get();
        ga[r] = asum.get();
    }
    let mut grad: Vec<Option<(f64, f64)>> = vec![None; n];
    if s.row_len == 0 {
        let (wt, sum, abs) = (gw[0], gs[0], ga[0]);
        let partial = (sum, wt);
        if s.reduction == Reduction::Mean && wt == 0.0 {
            // An empty mean: the policy's value, gradient 0 (overwrite) / untouched.
            return Expect {
                value: empty_value(s.empty),
                vscale: 0.0,
                values: vec![],
                grad,
                partial: (0.0, 0.0),
            };
        }
        let norm = if s.reduction == Reduction::Mean {
            wt
        } else {
            1.0
        };
        let reduced = sum / norm;
        let (value, vscale, outer) = if sqrt {
            match s.reduction {
                Reduction::Partial => (sum, abs, 1.0),
                _ => {
                    let v = reduced.sqrt();
                    let outer = if reduced > 0.0 { 0.5 / v } else { 0.0 };
                    (v, v, outer)
                }
            }
        } else {
            (reduced, abs / norm, 1.0)
        };
        for i in 0..n {
            if w[i] > 0.0 {
                let f = s.scale * w[i] / norm * outer;
                grad[i] = Some((f * el[i].1, (f * el[i].3).abs()));
            }
        }
        let values = if s.reduction == Reduction::None {
            (0..n).map(|i| (w[i] * el[i].0, w[i] * el[i].2)).collect()
        } else {
            vec![]
        };
        Expect {
            value: Ok(value),
            vscale,
            values,
            grad,
            partial,
        }
    } else {
        let mut counted = 0usize;
        let mut m = vec![0.0; groups];
        let mut mabs = vec![0.0; groups];
        for r in 0..groups {
            if gw[r] > 0.0 {
                m[r] = gs[r] / gw[r];
                mabs[r] = ga[r] / gw[r];
                counted += 1;
            } else {
                match s.empty {
                    EmptyPolicy::Error => {
                        return Expect {
                            value: Err(Error::EmptyMean),
                            vscale: 0.0,
                            values: vec![],
                            grad,
                            partial: (0.0, 0.0),
                        }
                    }
                    EmptyPolicy::Nan => {
                        m[r] = f64::NAN;
                        counted += 1;
                    }
                    EmptyPolicy::Zero => m[r] = 0.0,
                }
            }
        }
        let mut total = Acc::default();
        let mut tabs = Acc::default();
        for r in 0..groups {
            total.add(m[r]);
            tabs.add(mabs[r]);
        }
        let (total, tabs) = (total.get(), tabs.get());
        let partial = (total, counted as f64);
        let (reduced, rabs, batch) = match s.reduction {
            Reduction::Mean if counted > 0 => (
                total / counted as f64,
                tabs / counted as f64,
                1.0 / counted as f64,
            ),
            Reduction::Mean => match empty_value(s.empty) {
                Ok(v) => (v, 0.0, 0.0),
                Err(e) => {
                    return Expect {
                        value: Err(e),
                        vscale: 0.0,
                        values: vec![],
                        grad,
                        partial,
                    }
                }
            },
            _ => (total, tabs, 1.0),
        };
        let (value, vscale, outer) = if sqrt {
            match s.reduction {
                Reduction::Partial => (total, tabs, 1.0),
                _ => {
                    let v = reduced.sqrt();
                    let outer = if reduced > 0.0 { 0.5 / v } else { 0.0 };
                    (v, v, outer)
                }
            }
        } else {
            (reduced, rabs, 1.0)
        };
        for i in 0..n {
            let r = i / d;
            if w[i] > 0.0 {
                let f = s.scale * batch * outer * w[i] / gw[r];
                grad[i] = Some((f * el[i].1, (f * el[i].3).abs()));
            }
        }
        let values = if s.reduction == Reduction::None {
            (0..groups).map(|r| (m[r], mabs[r])).collect()
        } else {
            vec![]
        };
        Expect {
            value: Ok(value),
            vscale,
            values,
            grad,
            partial,
        }
    }
}

// ----------------------------------------------------------------------------- checking

fn rtol<T: Real>() -> f64 {
    if T::NAME == "f32" {
        1e-5
    } else {
        1e-12
    }
}

fn close(got: f64, want: f64, scale: f64, rtol: f64) -> bool {
    if want.is_nan() {
        return got.is_nan();
    }
    if want.is_infinite() {
        return got == want;
    }
    (got - want).abs() <= rtol * scale.max(want.abs()) + f64::MIN_POSITIVE
}

const SENTINEL: f64 = 12345.678;

/// Runs one case with gradient and values buffers and checks everything.
fn check<T: Real>(loss: Loss, p: &[T], y: &[T], s: &Setup, what: &str) {
    let n = p.len();
    let pf: Vec<f64> = p.iter().map(|x| x.to_f64()).collect();
    let yf: Vec<f64> = y.iter().map(|x| x.to_f64()).collect();
    let eps = T::from_f64(1e-7).to_f64();
    let wt: Option<Vec<T>> = s
        .weights
        .as_ref()
        .map(|w| w.iter().map(|&x| T::from_f64(x)).collect());
    // The setup as the code sees it (weights and magic rounded to T).
    let mut sref = s.clone();
    sref.weights = wt.as_ref().map(|w| w.iter().map(|x| x.to_f64()).collect());
    sref.magic = s.magic.map(|m| T::from_f64(m).to_f64());
    let exp = reference(loss, &pf, &yf, &sref, eps);

    let mut opts = Options::<T>::default()
        .with_reduction(s.reduction)
        .with_empty(s.empty)
        .with_row_len(s.row_len)
        .with_grad_scale(T::from_f64(s.scale))
        .with_grad_mode(if s.acc {
            GradMode::Accumulate
        } else {
            GradMode::Overwrite
        });
    if let Some(m) = &s.mask {
        opts = opts.with_mask(m);
    }
    if let Some(m) = s.magic {
        opts = opts.with_magic(T::from_f64(m));
    }
    if let Some(w) = &wt {
        opts = opts.with_weights(w);
    }
    let rows = n.checked_div(s.row_len).unwrap_or(n);
    let nvals = if s.reduction == Reduction::None {
        rows
    } else {
        3
    };
    let g0: Vec<T> = (0..n)
        .map(|i| T::from_f64(0.25 * (i % 7) as f64 - 0.5))
        .collect();
    let mut grad = g0.clone();
    let mut values = vec![T::from_f64(SENTINEL); nvals];
    let tag = format!("{what} {loss:?} {} {s:?}", T::NAME);
    let res = call(loss, p, y, &opts, Some(&mut values), Some(&mut grad));
    let rt = rtol::<T>();
    match (&exp.value, &res) {
        (Err(e), Err(g)) => {
            assert_eq!(e, g, "{tag}");
            assert!(
                grad.iter()
                    .zip(&g0)
                    .all(|(a, b)| a.to_f64().to_bits() == b.to_f64().to_bits()),
                "{tag}: grad written on error"
            );
            assert!(
                values
                    .iter()
                    .all(|v| v.to_f64() == T::from_f64(SENTINEL).to_f64()),
                "{tag}: values written on error"
            );
            return;
        }
        (Ok(_), Ok(_)) => {}
        _ => panic!("{tag}: expected {:?}, got {:?}", exp.value, res),
    }
    let r = res.unwrap();
    let want = *exp.value.as_ref().unwrap();
    assert!(
        close(r.value.to_f64(), want, exp.vscale, rt),
        "{tag}: value {} want {want} (scale {})",
        r.value,
        exp.vscale
    );
    // Partial (Σwℓ, Σw) is returned whatever the reduction (an empty global mean gives (0, 0)).
    let (ps, pw) = exp.partial;
    assert!(
        close(r.partial.weight, pw, pw, 1e-14),
        "{tag}: partial weight {} want {pw}",
        r.partial.weight
    );
    let sc = if loss == Loss::Rmse {
        ps.abs()
    } else if s.reduction == Reduction::Mean {
        exp.vscale * pw
    } else {
        exp.vscale
    };
    assert!(
        close(r.partial.sum, ps, sc, rt),
        "{tag}: partial sum {} want {ps}",
        r.partial.sum
    );
    // Values: written only for Reduction::None.
    if s.reduction == Reduction::None {
        for (k, (&v, &(wv, sc))) in values.iter().zip(&exp.values).enumerate() {
            assert!(
                close(v.to_f64(), wv, sc, rt),
                "{tag}: values[{k}] = {v}, want {wv}"
            );
        }
    } else {
        assert!(
            values
                .iter()
                .all(|v| v.to_f64() == T::from_f64(SENTINEL).to_f64()),
            "{tag}: values buffer written under {:?}",
            s.reduction
        );
    }
    // Gradient.
    for i in 0..n {
        let got = grad[i].to_f64();
        let base = if s.acc { g0[i].to_f64() } else { 0.0 };
        match exp.grad[i] {
            None => assert_eq!(got, base, "{tag}: masked grad[{i}]"),
            Some((g, sc)) => {
                let want = base + g;
                let sc = sc + if s.acc { base.abs() } else { 0.0 };
                assert!(
                    close(got, want, sc, rt),
                    "{tag}: grad[{i}] = {got}, want {want} (p {} y {})",
                    pf[i],
                    yf[i]
                );
            }
        }
    }
    // The value does not depend on whether a gradient or values are asked for (bit for bit).
    let r2 = if s.reduction == Reduction::None {
        let mut v2 = vec![T::zero(); rows];
        let r2 = call(loss, p, y, &opts, Some(&mut v2), None).unwrap();
        assert!(
            v2.iter()
                .zip(&values)
                .all(|(a, b)| a.to_f64().to_bits() == b.to_f64().to_bits()),
            "{tag}: values differ without grad"
        );
        r2
    } else {
        call(loss, p, y, &opts, None, None).unwrap()
    };
    assert_eq!(
        r2.value.to_f64().to_bits(),
        r.value.to_f64().to_bits(),
        "{tag}: value differs without grad"
    );
}

// ----------------------------------------------------------------------------- drivers

/// Random inputs suited to the loss (MSLE also gets negative values to exercise its clip,
/// MAPE/MPE get some targets below ε).
fn inputs<T: Real>(loss: Loss, n: usize, rng: &mut Rng) -> (Vec<T>, Vec<T>) {
    let mut p = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let (a, b) = match loss {
            Loss::Msle => (rng.range(-0.5, 4.0), rng.range(-0.5, 4.0)),
            Loss::Mape | Loss::Mpe => {
                let yy = if rng.chance(0.1) {
                    [0.0, 3e-8, -3e-8][(rng.next_u64() % 3) as usize]
                } else {
                    rng.range(0.2, 3.0) * if rng.chance(0.5) { 1.0 } else { -1.0 }
                };
                (rng.range(-3.0, 3.0), yy)
            }
            _ => (rng.range(-3.0, 3.0), rng.range(-3.0, 3.0)),
        };
        p.push(T::from_f64(a));
        y.push(T::from_f64(b));
    }
    // Some exact zero differences.
    for i in (0..n).step_by(9) {
        y[i] = p[i];
    }
    (p, y)
}

const REDUCTIONS: [Reduction; 4] = [
    Reduction::None,
    Reduction::Sum,
    Reduction::Mean,
    Reduction::Partial,
];
const POLICIES: [EmptyPolicy; 3] = [EmptyPolicy::Zero, EmptyPolicy::Nan, EmptyPolicy::Error];
const MAGIC: f64 = -9999.0;

fn sweep<T: Real>(loss: Loss, seed: u64) {
    let mut rng = Rng(seed);
    for &n in &[0usize, 1, 6, 40, 600] {
        let (p, mut y) = inputs::<T>(loss, n, &mut rng);
        // Magic/NaN targets for the magic configurations.
        let mut y_magic = y.clone();
        for v in y_magic.iter_mut() {
            if rng.chance(0.2) {
                *v = T::from_f64(MAGIC);
            } else if rng.chance(0.05) {
                *v = T::NAN;
            }
        }
        let weights: Vec<f64> = (0..n)
            .map(|_| {
                if rng.chance(0.1) {
                    0.0
                } else {
                    rng.range(0.0, 2.0)
                }
            })
            .collect();
        let mask: Vec<u8> = (0..n)
            .map(|_| {
                if rng.chance(0.25) {
                    0
                } else {
                    [1u8, 7, 255][(rng.next_u64() % 3) as usize]
                }
            })
            .collect();
        for &d in &[0usize, 1, 2, 3, 5] {
            if d > 0 && n % d != 0 {
                continue;
            }
            if n == 600 && d > 0 && d < 5 {
                continue;
            }
            // A mask that also empties row 1 entirely (when there is one).
            let mut rmask = mask.clone();
            if d > 0 && n / d >= 2 {
                for v in &mut rmask[d..2 * d] {
                    *v = 0;
                }
            }
            let mut ym = y_magic.clone();
            if d > 0 && n / d >= 3 {
                for v in &mut ym[2 * d..3 * d] {
                    *v = T::from_f64(MAGIC);
                }
            }
            type Config = (
                &'static str,
                Option<Vec<u8>>,
                Option<f64>,
                Option<Vec<f64>>,
                bool,
            );
            let configs: Vec<Config> = vec![
                ("plain", None, None, None, false),
                ("weights", None, None, Some(weights.clone()), false),
                ("mask", Some(rmask.clone()), None, None, false),
                ("magic", None, Some(MAGIC), None, true),
                (
                    "all",
                    Some(rmask.clone()),
                    Some(MAGIC),
                    Some(weights.clone()),
                    true,
                ),
                ("all-masked", Some(vec![0; n]), None, None, false),
                ("all-magic", None, Some(MAGIC), None, false),
            ];
            for (name, m, magic, w, use_ym) in &configs {
                if n == 600 && !matches!(*name, "plain" | "all") {
                    continue;
                }
                let yy: Vec<T> = if *name == "all-magic" {
                    vec![T::from_f64(MAGIC); n]
                } else if *use_ym {
                    ym.clone()
                } else {
                    y.clone()
                };
                for &reduction in &REDUCTIONS {
                    for &empty in &POLICIES {
                        for &(scale, acc) in &[(1.0, false), (-0.37, true)] {
                            let s = Setup {
                                reduction,
                                empty,
                                mask: m.clone(),
                                magic: *magic,
                                weights: w.clone(),
                                row_len: d,
                                scale,
                                acc,
                            };
                            check::<T>(loss, &p, &yy, &s, &format!("n={n} {name}"));
                        }
                    }
                }
            }
        }
        y.clear();
    }
}

/// Edge inputs: zeros, huge values, length 1, and a NaN/magic target with a mask.
fn edges<T: Real>(loss: Loss) {
    let huge = if T::NAME == "f32" { 1e18 } else { 1e30 };
    let c = |v: &[f64]| v.iter().map(|&x| T::from_f64(x)).collect::<Vec<T>>();
    let sets: Vec<(&str, Vec<T>, Vec<T>)> = vec![
        ("zeros", c(&[0.0; 5]), c(&[0.0; 5])),
        (
            "huge",
            c(&[huge, -huge, huge, 0.0, -huge, 1.0]),
            c(&[-huge, huge, 0.0, huge, -huge, 2.0]),
        ),
        ("one", c(&[0.75]), c(&[-1.25])),
        ("one-equal", c(&[2.5]), c(&[2.5])),
        (
            "signed-zeros",
            c(&[0.0, -0.0, 0.0, 1.5, -2.25, 3.0]),
            c(&[0.0, 0.0, -0.0, 1.5, -2.25, 2.0]),
        ),
    ];
    for (name, p, y) in &sets {
        let n = p.len();
        for &reduction in &REDUCTIONS {
            for &empty in &POLICIES {
                for &(scale, acc) in &[(1.0, false), (2.5, true)] {
                    for d in [0, n] {
                        let s = Setup {
                            reduction,
                            empty,
                            mask: None,
                            magic: None,
                            weights: None,
                            row_len: d,
                            scale,
                            acc,
                        };
                        check::<T>(loss, p, y, &s, name);
                    }
                }
            }
        }
    }
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
    Loss::Huber(1.5),
    Loss::ScaleFreeHuber(0.5),
    Loss::SmoothL1(0.0),
    Loss::SmoothL1(0.75),
    Loss::LogCosh,
    Loss::ScaleFreeHuber(2.0),
];

fn run(loss: Loss, seed: u64) {
    sweep::<f64>(loss, seed);
    sweep::<f32>(loss, seed ^ 0xABCD);
    edges::<f64>(loss);
    edges::<f32>(loss);
}

#[test]
fn mse_matches_reference() {
    run(Loss::Mse, 1);
}
#[test]
fn mae_matches_reference() {
    run(Loss::Mae, 2);
}
#[test]
fn rmse_matches_reference() {
    run(Loss::Rmse, 3);
}
#[test]
fn mean_error_matches_reference() {
    run(Loss::MeanError, 4);
}
#[test]
fn msle_matches_reference() {
    run(Loss::Msle, 5);
}
#[test]
fn mape_matches_reference() {
    run(Loss::Mape, 6);
}
#[test]
fn mpe_matches_reference() {
    run(Loss::Mpe, 7);
}
#[test]
fn huber_matches_reference() {
    run(Loss::Huber(0.5), 8);
    run(Loss::Huber(1.5), 9);
}
#[test]
fn scale_free_huber_matches_reference() {
    run(Loss::ScaleFreeHuber(0.5), 10);
    run(Loss::ScaleFreeHuber(2.0), 11);
}
#[test]
fn smooth_l1_matches_reference() {
    run(Loss::SmoothL1(0.0), 12);
    run(Loss::SmoothL1(0.75), 13);
}
#[test]
fn log_cosh_matches_reference() {
    run(Loss::LogCosh, 14);
}

/// log-cosh keeps its relative accuracy for small differences, where ln cosh d ≈ d²/2
/// (a naive |d| + ln(1 + e^(−2|d|)) − ln 2 loses it to cancellation).
#[test]
fn log_cosh_small_differences_are_accurate() {
    for &d in &[1e-1, 1e-2, 1e-3, 1e-5, 1e-8, 1e-12, 3e-20] {
        let want = ref_log_cosh(d);
        let o = Options::default().with_reduction(Reduction::Sum);
        let got64 = regression::log_cosh(&[d], &[0.0f64], &o, None, None)
            .unwrap()
            .value;
        assert!(
            (got64 - want).abs() <= 1e-14 * want,
            "f64 d={d}: {got64} vs {want}"
        );
        let df = d as f32;
        if (df as f64) * (df as f64) < 1e-36 {
            continue; // d²/2 is subnormal in f32: no relative accuracy is possible
        }
        let want32 = ref_log_cosh(df as f64);
        let got32 = regression::log_cosh(&[df], &[0.0f32], &Options::default(), None, None)
            .unwrap()
            .value as f64;
        assert!(
            (got32 - want32).abs() <= 1e-6 * want32,
            "f32 d={d}: {got32} vs {want32}"
        );
    }
}

/// Every loss is covered by the sweep.
#[test]
fn all_losses_listed() {
    assert_eq!(ALL.len(), 14);
    for l in ALL {
        let o = Options::<f64>::default();
        assert!(call(l, &[1.0], &[0.5], &o, None, None).is_ok());
    }
}
