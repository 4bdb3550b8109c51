//! The computations compared bit for bit between the host and every target.
//!
//! One line per result: a name, then each float as its raw bits
//! (`{:016x}` of `f64::to_bits`, `{:08x}` of `f32::to_bits`). Inputs go through
//! `black_box` so the target really computes them instead of the compiler.
//! Use only `core` and `libm` here (no std float methods): the firmware build
//! enforces that, so host and targets run the same code.
use core::fmt::{self, Write};
use core::hint::black_box;

pub fn run(out: &mut dyn Write) {
    cases(out).expect("write to output failed");
}

fn cases(out: &mut dyn Write) -> fmt::Result {
    let x = black_box(0.5f64);
    let xf = black_box(0.5f32);
    writeln!(out, "exp_f64 bits=0x{:016x}", libm::exp(x).to_bits())?;
    writeln!(out, "exp_f32 bits=0x{:08x}", libm::expf(xf).to_bits())?;
    writeln!(
        out,
        "log1p_f64 bits=0x{:016x}",
        libm::log1p(x / 1e3).to_bits()
    )?;
    writeln!(
        out,
        "log1p_f32 bits=0x{:08x}",
        libm::log1pf(xf / 1e3).to_bits()
    )?;
    writeln!(
        out,
        "tanh_f64 bits=0x{:016x}",
        libm::tanh(-3.0 * x).to_bits()
    )?;

    // Plain arithmetic: sum of 1/i^2 and of sin(i/10), in order.
    let n = black_box(1000u32);
    let (mut s64, mut s32) = (0.0f64, 0.0f32);
    for i in 1..=n {
        s64 += 1.0 / (i as f64 * i as f64) + libm::sin(i as f64 / 10.0);
        s32 += 1.0 / (i as f32 * i as f32) + libm::sinf(i as f32 / 10.0);
    }
    writeln!(out, "sum_f64 bits=0x{:016x}", s64.to_bits())?;
    writeln!(out, "sum_f32 bits=0x{:08x}", s32.to_bits())?;

    #[cfg(feature = "regression")]
    {
        regression::<f64>(out)?;
        regression::<f32>(out)?;
    }
    #[cfg(feature = "atomistic")]
    {
        atomistic::<f64>(out)?;
        atomistic::<f32>(out)?;
    }
    #[cfg(feature = "classification")]
    {
        classification::<f64>(out)?;
        classification::<f32>(out)?;
    }
    #[cfg(feature = "spectra")]
    {
        spectra::<f64>(out)?;
        spectra::<f32>(out)?;
    }
    #[cfg(feature = "probabilistic")]
    {
        probabilistic::<f64>(out)?;
        probabilistic::<f32>(out)?;
    }
    Ok(())
}

#[cfg(feature = "atomistic")]
/// graph-pes: per-atom energy and forces over a ragged batch, combined in a weighted total
/// whose gradients accumulate; plus per-species forces MAE.
fn atomistic<T: Bits>(out: &mut dyn Write) -> fmt::Result {
    use losskit::segment::{Batch, Metric, Property, PropertyLoss};
    use losskit::Options;
    let ptr: [i64; 5] = [0, 3, 4, 9, 16];
    let (p, y, _) = inputs::<T>();
    let e_pred = &p[..4];
    let e_true: [T; 4] = core::array::from_fn(|k| p[k] + T::from_f64(0.3 * k as f64 - 0.4));
    let f_pred = &p[..48];
    let clean: [T; N] = core::array::from_fn(|i| if i % 7 == 3 { T::one() } else { y[i] });
    let Ok(batch) = Batch::<T>::new(&ptr[..], 16) else {
        return writeln!(out, "atomistic_{} batch error", T::NAME);
    };
    let mut e_grad = [T::zero(); 4];
    let mut f_grad = [T::zero(); 48];
    let mut total = losskit::total::Total::<2>::new();
    let energy = PropertyLoss::new(Property::PerAtomEnergy, Metric::Rmse);
    let forces = PropertyLoss::new(Property::Forces, Metric::Huber(T::from_f64(0.5)));
    let opts = Options::default();
    let r1 = total.term("energy", 1.0, |g| {
        energy.evaluate(
            e_pred,
            &e_true,
            &batch,
            &g.apply(opts),
            None,
            Some(&mut e_grad),
        )
    });
    let r2 = total.term("forces", 10.0, |g| {
        forces.evaluate(
            f_pred,
            &clean,
            &batch,
            &g.apply(opts),
            None,
            Some(&mut f_grad),
        )
    });
    writeln!(
        out,
        "total_{} ok={} value={:016x} e_grad={:016x} f_grad={:016x}",
        T::NAME,
        r1.is_ok() && r2.is_ok(),
        total.value().to_bits(),
        fingerprint(&e_grad),
        fingerprint(&f_grad)
    )?;
    Ok(())
}

/// FNV-1a over the bit patterns of a whole buffer: one number that changes if any bit
/// of any element differs.
fn fingerprint<T: Bits>(x: &[T]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for v in x {
        h ^= v.bits();
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

trait Bits: losskit::Real {
    fn bits(self) -> u64;
}
impl Bits for f32 {
    fn bits(self) -> u64 {
        self.to_bits() as u64
    }
}
impl Bits for f64 {
    fn bits(self) -> u64 {
        self.to_bits()
    }
}

const N: usize = 48;

/// Deterministic inputs: predictions, targets (every 7th one missing: -9999), weights.
fn inputs<T: losskit::Real>() -> ([T; N], [T; N], [T; N]) {
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut p = [T::zero(); N];
    let mut y = [T::zero(); N];
    let mut w = [T::zero(); N];
    for i in 0..N {
        let yi = 0.5 + 4.0 * next();
        y[i] = T::from_f64(if i % 7 == 3 {
            losskit::ASTRONN_MAGIC
        } else {
            yi
        });
        p[i] = T::from_f64(yi + 2.0 * (next() - 0.5));
        w[i] = T::from_f64(0.25 + next());
    }
    (black_box(p), black_box(y), black_box(w))
}

#[cfg(feature = "regression")]
type Loss<T> = fn(
    &[T],
    &[T],
    &losskit::Options<'_, T>,
    Option<&mut [T]>,
    Option<&mut [T]>,
) -> Result<losskit::Reduced<T>, losskit::Error>;

#[cfg(feature = "regression")]
/// A representative set of regression losses, plain mean with gradient and astroNN's per-row masked mean with
/// weights: the value's bits and the fingerprint of the gradient.
fn regression<T: Bits>(out: &mut dyn Write) -> fmt::Result {
    use losskit::{regression as r, Options};
    let (p, y, w) = inputs::<T>();
    let clean: [T; N] = core::array::from_fn(|i| if i % 7 == 3 { T::one() } else { y[i] });
    // A representative set: every engine path (plain mean, astroNN rows with magic and
    // weights, the parameterised losses), not every loss in every mode, so the firmware
    // fits the Cortex-M0's 256 KiB of flash.
    let losses: [(&str, Loss<T>); 4] = [
        ("mse", r::mse),
        ("rmse", r::rmse),
        ("mape", r::mape),
        ("log_cosh", r::log_cosh),
    ];
    let astro = Options::default()
        .with_magic(T::from_f64(losskit::ASTRONN_MAGIC))
        .with_weights(&w)
        .with_row_len(8);
    let mut g = [T::zero(); N];
    let mut report =
        |name: &str, which: &str, res: Result<losskit::Reduced<T>, losskit::Error>, g: &[T]| {
            match res {
                Ok(v) => writeln!(
                    out,
                    "{name}_{} {which} value={:016x} grad={:016x}",
                    T::NAME,
                    v.value.bits(),
                    fingerprint(g)
                ),
                Err(e) => writeln!(out, "{name}_{} {which} error={e}", T::NAME),
            }
        };
    for (name, f) in losses {
        let res = f(&p, &clean, &Options::default(), None, Some(&mut g));
        report(name, "mean", res, &g)?;
    }
    let res = r::mae(&p, &y, &astro, None, Some(&mut g));
    report("mae", "astro", res, &g)?;
    let res = r::msle(&p, &y, &astro, None, Some(&mut g));
    report("msle", "astro", res, &g)?;
    let half = T::from_f64(0.5);
    let res = r::huber(&p, &clean, half, &Options::default(), None, Some(&mut g));
    report("huber", "mean", res, &g)?;
    let res = r::smooth_l1(&p, &y, half, &astro, None, Some(&mut g));
    report("smooth_l1", "astro", res, &g)?;
    Ok(())
}

#[cfg(feature = "classification")]
/// Binary and softmax losses: BCE with logits (per-column pos_weight), binary focal,
/// cross-entropy with class weights, an ignored row, label smoothing and z-loss, and the
/// astroNN categorical cross-entropy with a magic number.
fn classification<T: Bits>(out: &mut dyn Write) -> fmt::Result {
    use losskit::rowwise::{self, CrossEntropy};
    use losskit::{binary, Options};
    let (p, _, _) = inputs::<T>();
    let logits: [T; N] = core::array::from_fn(|i| T::from_f64(3.0) * (p[i] - T::from_f64(2.5)));
    let labels: [T; N] = core::array::from_fn(|i| T::from_f64(((i * 7) % 3 == 0) as u8 as f64));
    let pos_weight = [
        T::from_f64(0.5),
        T::from_f64(1.0),
        T::from_f64(2.0),
        T::from_f64(4.0),
    ];
    let opts = Options::default();
    let mut g = [T::zero(); N];
    let mut line = |name: &str, res: Result<losskit::Reduced<T>, losskit::Error>, g: &[T]| match res
    {
        Ok(v) => writeln!(
            out,
            "{name}_{} value={:016x} grad={:016x}",
            T::NAME,
            v.value.bits(),
            fingerprint(g)
        ),
        Err(e) => writeln!(out, "{name}_{} error={e}", T::NAME),
    };
    let res = binary::bce_with_logits(
        &logits,
        &labels,
        Some(&pos_weight),
        &opts,
        None,
        Some(&mut g),
    );
    line("bce_with_logits", res, &g)?;
    let res = binary::binary_focal(
        &logits,
        &labels,
        T::from_f64(2.0),
        &opts,
        None,
        Some(&mut g),
    );
    line("binary_focal", res, &g)?;
    let targets: [i64; 12] =
        core::array::from_fn(|r| if r == 5 { -100 } else { (r * 3 % 4) as i64 });
    let class_weights = [
        T::from_f64(1.0),
        T::from_f64(2.0),
        T::from_f64(0.5),
        T::from_f64(1.5),
    ];
    let ce = CrossEntropy {
        class_weights: Some(&class_weights),
        label_smoothing: T::from_f64(0.1),
        z_loss: T::from_f64(1e-4),
        ..CrossEntropy::default()
    };
    let res = rowwise::cross_entropy(&logits, &targets, 4, &ce, &opts, None, Some(&mut g));
    line("cross_entropy", res, &g)?;
    let magic = T::from_f64(losskit::ASTRONN_MAGIC);
    let onehot: [T; N] = core::array::from_fn(|i| {
        if i % 11 == 2 {
            magic
        } else {
            T::from_f64((i % 4 == (i / 4) % 4) as u8 as f64)
        }
    });
    let astro = Options::default().with_magic(magic);
    let res = rowwise::astronn_categorical_crossentropy(
        &logits,
        &onehot,
        4,
        true,
        &astro,
        None,
        Some(&mut g),
    );
    line("astronn_cce_logits", res, &g)
}

#[cfg(feature = "spectra")]
/// DRDMannTurb's aggregate (log-ratio MSE, slope and curvature penalties, regulariser,
/// coherence) on a non-uniform grid, and Rockpool's boundary penalties.
fn spectra<T: Bits>(out: &mut dyn Write) -> fmt::Result {
    use losskit::grad::GradOut;
    use losskit::penalty::{bounds_cost, summed_exp_boundary_loss, Bound, BoundsGroup};
    use losskit::spectra::{
        SpectraGrads, SpectraGrid, SpectraInput, SpectraLoss, SpectraParams, SpectraTerms,
    };
    use losskit::GradMode;
    const L: usize = 12;
    const C: usize = 3;
    let (p, y, _) = inputs::<T>();
    // A non-uniform, increasing grid and positive spectra (the uw row negative, as a
    // co-spectrum is).
    let k1: [T; L] =
        core::array::from_fn(|j| T::from_f64(0.05 * (1.0 + j as f64) * (1.0 + j as f64)));
    let model: [T; C * L] = core::array::from_fn(|i| {
        let v = p[i % N].abs() + T::from_f64(0.1);
        if i / L == 2 {
            -v
        } else {
            v
        }
    });
    let data: [T; C * L] = core::array::from_fn(|i| {
        let v = y[(i + 5) % N].abs().min_nan(T::from_f64(9.0)) + T::from_f64(0.2);
        if i / L == 2 {
            -v
        } else {
            v
        }
    });
    let theta: [T; 6] = core::array::from_fn(|i| p[i] - T::from_f64(2.0));
    let coh_model: [T; 8] = core::array::from_fn(|i| p[i + 10] / T::from_f64(5.0));
    let coh_data: [T; 8] = core::array::from_fn(|i| p[i + 20] / T::from_f64(5.0));
    let mut work = [0.0f64; 4 * L];
    let mut g_model = [T::zero(); C * L];
    let mut g_theta = [T::zero(); 6];
    let mut g_coh = [T::zero(); 8];
    let mut terms = SpectraTerms::default();
    let res = SpectraGrid::new(&k1, T::from_f64(40.0), &mut work).and_then(|grid| {
        let params = SpectraParams {
            alpha_pen1: 1e-3,
            alpha_pen2: 1.0,
            beta_reg: 1e-4,
            gamma_coherence: 0.5,
            ..SpectraParams::default()
        };
        let loss = SpectraLoss::new(grid, params)?;
        let input = SpectraInput::new(&model, &data)
            .with_theta(&theta)
            .with_coherence(&coh_model, &coh_data);
        let grads = SpectraGrads {
            model: Some(&mut g_model),
            theta: Some(&mut g_theta),
            coherence: Some(&mut g_coh),
            ..SpectraGrads::default()
        };
        loss.eval(&input, grads, &mut terms)
    });
    writeln!(
        out,
        "spectra_{} ok={} total={:016x} mse={:016x} pen1={:016x} pen2={:016x} reg={:016x} coh={:016x}",
        T::NAME,
        res.is_ok(),
        terms.total.to_bits(),
        terms.mse.to_bits(),
        terms.pen1.to_bits(),
        terms.pen2.to_bits(),
        terms.reg.to_bits(),
        terms.coherence.to_bits()
    )?;
    writeln!(
        out,
        "spectra_grads_{} model={:016x} theta={:016x} coh={:016x}",
        T::NAME,
        fingerprint(&g_model),
        fingerprint(&g_theta),
        fingerprint(&g_coh)
    )?;
    let mut g = [T::zero(); N];
    let shifted: [T; N] = core::array::from_fn(|i| p[i] - T::from_f64(2.5));
    let res = summed_exp_boundary_loss(
        &shifted,
        Some(T::from_f64(-1.0)),
        Some(T::zero()),
        Some(GradOut::new(&mut g)),
    );
    match res {
        Ok(v) => writeln!(
            out,
            "boundary_{} value={:016x} grad={:016x}",
            T::NAME,
            v.bits(),
            fingerprint(&g)
        )?,
        Err(e) => writeln!(out, "boundary_{} error={e}", T::NAME)?,
    }
    let upper: [T; 16] = core::array::from_fn(|i| T::from_f64(0.1 * i as f64));
    let mut ga = [T::zero(); 16];
    let mut gb = [T::zero(); 16];
    let mut groups = [
        BoundsGroup::new(&shifted[..16])
            .with_lower(Bound::Scalar(T::from_f64(-0.5)))
            .with_grad(&mut ga),
        BoundsGroup::new(&shifted[16..32])
            .with_upper(Bound::Each(&upper))
            .with_grad(&mut gb),
    ];
    let res = bounds_cost(&mut groups, T::one(), GradMode::Overwrite);
    match res {
        Ok(v) => writeln!(
            out,
            "bounds_cost_{} value={:016x} grad={:016x}{:016x}",
            T::NAME,
            v.bits(),
            fingerprint(&ga),
            fingerprint(&gb)
        ),
        Err(e) => writeln!(out, "bounds_cost_{} error={e}", T::NAME),
    }
}

#[cfg(feature = "probabilistic")]
/// Two-input losses (Gaussian NLL, astroNN's robust MSE), a variance-reduced loss, and
/// astroNN's Bayesian categorical cross-entropy with seeded Monte-Carlo draws.
fn probabilistic<T: Bits>(out: &mut dyn Write) -> fmt::Result {
    use losskit::probabilistic::{
        cross_entropy_vr, gaussian_nll, robust_categorical_crossentropy, robust_mse, MonteCarlo,
        NormalDraws,
    };
    use losskit::Options;
    let (p, y, w) = inputs::<T>();
    let clean: [T; N] = core::array::from_fn(|i| if i % 7 == 3 { T::one() } else { y[i] });
    let var: [T; N] = core::array::from_fn(|i| w[i] * w[i] + T::from_f64(0.01));
    let logvar: [T; N] = core::array::from_fn(|i| w[i] - T::from_f64(0.6));
    let err: [T; N] = core::array::from_fn(|i| T::from_f64(0.05 * (i % 3) as f64));
    let mut g1 = [T::zero(); N];
    let mut g2 = [T::zero(); N];
    let mut line = |name: &str,
                    res: Result<losskit::Reduced<T>, losskit::Error>,
                    a: &[T],
                    b: &[T]| match res {
        Ok(v) => writeln!(
            out,
            "{name}_{} value={:016x} grad={:016x}{:016x}",
            T::NAME,
            v.value.bits(),
            fingerprint(a),
            fingerprint(b)
        ),
        Err(e) => writeln!(out, "{name}_{} error={e}", T::NAME),
    };
    let opts = Options::default();
    let res = gaussian_nll(
        &p,
        &var,
        &clean,
        true,
        T::from_f64(1e-6),
        &opts,
        None,
        Some(&mut g1),
        Some(&mut g2),
    );
    line("gaussian_nll", res, &g1, &g2)?;
    let astro = Options::default()
        .with_magic(T::from_f64(losskit::ASTRONN_MAGIC))
        .with_row_len(8);
    let res = robust_mse(
        &p,
        &logvar,
        &err,
        &y,
        &astro,
        None,
        Some(&mut g1),
        Some(&mut g2),
    );
    line("robust_mse", res, &g1, &g2)?;
    let targets: [i64; 12] = core::array::from_fn(|r| (r * 3 % 4) as i64);
    let logits: [T; N] = core::array::from_fn(|i| p[i] - T::from_f64(2.5));
    let res = cross_entropy_vr(
        &logits,
        &var,
        &targets,
        4,
        &opts,
        None,
        Some(&mut g1),
        Some(&mut g2),
    );
    line("cross_entropy_vr", res, &g1, &g2)?;
    let onehot: [T; N] = core::array::from_fn(|i| T::from_f64((i % 4 == (i / 4) % 4) as u8 as f64));
    let mc = MonteCarlo {
        draws: 5,
        normals: NormalDraws::new(42),
    };
    let res = robust_categorical_crossentropy(
        &onehot,
        &logits,
        &logvar,
        4,
        mc,
        &opts,
        None,
        Some(&mut g1),
        Some(&mut g2),
    );
    line("robust_cce", res, &g1, &g2)
}
