//! The probabilistic family over the C ABI (`lk_<loss>_f32` / `lk_<loss>_f64`): Gaussian and
//! Poisson NLL, astroNN's robust_mse, KL divergences and the free energy, inferno's
//! variance-reduced losses and variance helper, astroNN's Bayesian cross-entropies.
//!
//! Shared contract (as for the regression family): `weight` NULL or finite >= 0 values;
//! `opts` NULL for lk_options_default(); `out` 1 value, or with LK_REDUCTION_NONE one value
//! per element (per row for the row-wise losses, per row of row_len with row_len);
//! gradient buffers NULL or one value per input element, receiving grad_scale * dL/dinput,
//! overwritten or added (opts.grad_accumulate). Nothing is written unless LK_OK.
//! Row-wise losses (lk_cross_entropy_vr, lk_robust_*_crossentropy) take one weight and one
//! mask byte (opts.mask) per ROW, and require opts.row_len = 0.

use crate::boundary::{
    input_slice, optional_input, optional_output, output_slice, pointwise, reduced_outputs, run,
    write_reduced, Checked,
};
use crate::options::{lk_options, translate};
use crate::status::*;
use losskit_core::probabilistic::gaussian::PoissonNll;
use losskit_core::probabilistic::kl::KlDiv;
use losskit_core::probabilistic::{
    self as prob, GaussianPrior, KlWeight, MonteCarlo, NormalDraws, Param,
};
use losskit_core::{GradMode, Real, Reduction};

/// a * b, or a LENGTH_MISMATCH failure when it overflows.
fn product(a: usize, b: usize, what: &'static str) -> Result<usize, Failure> {
    a.checked_mul(b)
        .ok_or_else(|| Failure::new(LK_ERR_LENGTH_MISMATCH, format_args!("`{what}` overflows")))
}

#[allow(clippy::too_many_arguments)]
unsafe fn gaussian_nll<T: Real>(
    pred: *const T,
    var: *const T,
    target: *const T,
    weight: *const T,
    n: usize,
    full: u8,
    eps: T,
    opts: *const lk_options,
    out: *mut T,
    grad: *mut T,
    grad_var: *mut T,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY (all below): the caller's contract on the pointers.
        let pred = unsafe { input_slice(pred, n, "pred", &mut c)? };
        let var = unsafe { input_slice(var, n, "var", &mut c)? };
        let target = unsafe { input_slice(target, n, "target", &mut c)? };
        let weights = unsafe { optional_input(weight, n, "weight", &mut c)? };
        let t = unsafe { translate(opts, weights, n, &mut c)? };
        let (values, scalar) = unsafe {
            reduced_outputs(out, t.out_len, t.opts.reduction == Reduction::None, &mut c)?
        };
        let grad = unsafe { optional_output(grad, n, "grad", &mut c)? };
        let grad_var = unsafe { optional_output(grad_var, n, "grad_var", &mut c)? };
        let r = prob::gaussian_nll(
            pred,
            var,
            target,
            full != 0,
            eps,
            &t.opts,
            values,
            grad,
            grad_var,
        )?;
        write_reduced(r, scalar, t.partial);
        Ok(())
    })
}

#[allow(clippy::too_many_arguments)]
unsafe fn robust_mse<T: Real>(
    pred: *const T,
    logvar: *const T,
    labels_err: *const T,
    target: *const T,
    weight: *const T,
    n: usize,
    opts: *const lk_options,
    out: *mut T,
    grad_pred: *mut T,
    grad_logvar: *mut T,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY (all below): the caller's contract on the pointers.
        let pred = unsafe { input_slice(pred, n, "pred", &mut c)? };
        let logvar = unsafe { input_slice(logvar, n, "logvar", &mut c)? };
        let err = unsafe { input_slice(labels_err, n, "labels_err", &mut c)? };
        let target = unsafe { input_slice(target, n, "target", &mut c)? };
        let weights = unsafe { optional_input(weight, n, "weight", &mut c)? };
        let t = unsafe { translate(opts, weights, n, &mut c)? };
        let (values, scalar) = unsafe {
            reduced_outputs(out, t.out_len, t.opts.reduction == Reduction::None, &mut c)?
        };
        let gp = unsafe { optional_output(grad_pred, n, "grad_pred", &mut c)? };
        let gs = unsafe { optional_output(grad_logvar, n, "grad_logvar", &mut c)? };
        let r = prob::robust_mse(pred, logvar, err, target, &t.opts, values, gp, gs)?;
        write_reduced(r, scalar, t.partial);
        Ok(())
    })
}

/// The prior of the Gaussian KL: per-parameter arrays where given, else the scalars.
///
/// # Safety
/// Non-NULL arrays hold n values.
unsafe fn prior<'a, T: Real>(
    loc: *const T,
    scale: *const T,
    loc_value: f64,
    scale_value: f64,
    n: usize,
    c: &mut Checked,
) -> Result<GaussianPrior<'a, T>, Failure> {
    // SAFETY: forwarded.
    let l = unsafe { optional_input(loc, n, "prior_loc", c)? };
    let s = unsafe { optional_input(scale, n, "prior_scale", c)? };
    Ok(GaussianPrior {
        loc: l.map_or(Param::All(T::from_f64(loc_value)), Param::Each),
        scale: s.map_or(Param::All(T::from_f64(scale_value)), Param::Each),
    })
}

#[allow(clippy::too_many_arguments)]
unsafe fn gaussian_kl<T: Real>(
    mean: *const T,
    scale: *const T,
    prior_loc: *const T,
    prior_scale: *const T,
    prior_loc_value: f64,
    prior_scale_value: f64,
    weight: *const T,
    n: usize,
    opts: *const lk_options,
    out: *mut T,
    grad_mean: *mut T,
    grad_scale: *mut T,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY (all below): the caller's contract on the pointers.
        let mean = unsafe { input_slice(mean, n, "mean", &mut c)? };
        let scale = unsafe { input_slice(scale, n, "scale", &mut c)? };
        let p = unsafe {
            prior(
                prior_loc,
                prior_scale,
                prior_loc_value,
                prior_scale_value,
                n,
                &mut c,
            )?
        };
        let weights = unsafe { optional_input(weight, n, "weight", &mut c)? };
        let t = unsafe { translate(opts, weights, n, &mut c)? };
        let (values, scalar) = unsafe {
            reduced_outputs(out, t.out_len, t.opts.reduction == Reduction::None, &mut c)?
        };
        let gm = unsafe { optional_output(grad_mean, n, "grad_mean", &mut c)? };
        let gs = unsafe { optional_output(grad_scale, n, "grad_scale", &mut c)? };
        let r = prob::gaussian_kl(mean, scale, &p, &t.opts, values, gm, gs)?;
        write_reduced(r, scalar, t.partial);
        Ok(())
    })
}

#[allow(clippy::too_many_arguments)]
unsafe fn free_energy<T: Real>(
    nll: T,
    mean: *const T,
    scale: *const T,
    prior_loc: *const T,
    prior_scale: *const T,
    prior_loc_value: f64,
    prior_scale_value: f64,
    n: usize,
    kl_weight: f64,
    kl_weight_auto: u8,
    grad_scale_factor: f64,
    grad_accumulate: u8,
    out: *mut T,
    grad_mean: *mut T,
    grad_scale: *mut T,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY (all below): the caller's contract on the pointers.
        let mean = unsafe { input_slice(mean, n, "mean", &mut c)? };
        let scale = unsafe { input_slice(scale, n, "scale", &mut c)? };
        let p = unsafe {
            prior(
                prior_loc,
                prior_scale,
                prior_loc_value,
                prior_scale_value,
                n,
                &mut c,
            )?
        };
        let out = unsafe { output_slice(out, 3, "out", &mut c)? };
        let gm = unsafe { optional_output(grad_mean, n, "grad_mean", &mut c)? };
        let gs = unsafe { optional_output(grad_scale, n, "grad_scale", &mut c)? };
        let w = if kl_weight_auto != 0 {
            KlWeight::Auto
        } else {
            KlWeight::Value(T::from_f64(kl_weight))
        };
        let mode = if grad_accumulate != 0 {
            GradMode::Accumulate
        } else {
            GradMode::Overwrite
        };
        let fe = prob::free_energy(
            nll,
            mean,
            scale,
            &p,
            w,
            T::from_f64(grad_scale_factor),
            mode,
            gm,
            gs,
        )?;
        out.copy_from_slice(&[fe.value, fe.kl, fe.kl_weight]);
        Ok(())
    })
}

/// MSE-VR and BCE-VR: elementwise, with a target repeated over samples.
#[allow(clippy::too_many_arguments)]
unsafe fn repeated<T: Real>(
    bce: bool,
    mean: *const T,
    var: *const T,
    target: *const T,
    weight: *const T,
    n: usize,
    n_target: usize,
    opts: *const lk_options,
    out: *mut T,
    grad_mean: *mut T,
    grad_var: *mut T,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY (all below): the caller's contract on the pointers.
        let mean = unsafe { input_slice(mean, n, "mean", &mut c)? };
        let var = unsafe { input_slice(var, n, "var", &mut c)? };
        let target = unsafe { input_slice(target, n_target, "target", &mut c)? };
        let weights = unsafe { optional_input(weight, n, "weight", &mut c)? };
        let t = unsafe { translate(opts, weights, n, &mut c)? };
        let (values, scalar) = unsafe {
            reduced_outputs(out, t.out_len, t.opts.reduction == Reduction::None, &mut c)?
        };
        let gm = unsafe { optional_output(grad_mean, n, "grad_mean", &mut c)? };
        let gv = unsafe { optional_output(grad_var, n, "grad_var", &mut c)? };
        let f = if bce {
            prob::bce_with_logits_vr
        } else {
            prob::mse_vr
        };
        let r = f(mean, var, target, &t.opts, values, gm, gv)?;
        write_reduced(r, scalar, t.partial);
        Ok(())
    })
}

#[allow(clippy::too_many_arguments)]
unsafe fn cross_entropy_vr<T: Real>(
    mean: *const T,
    var: *const T,
    target: *const i64,
    row_weight: *const T,
    rows: usize,
    classes: usize,
    n_target: usize,
    opts: *const lk_options,
    out: *mut T,
    grad_mean: *mut T,
    grad_var: *mut T,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        let n = product(rows, classes, "rows * classes")?;
        // SAFETY (all below): the caller's contract on the pointers.
        let mean = unsafe { input_slice(mean, n, "mean", &mut c)? };
        let var = unsafe { input_slice(var, n, "var", &mut c)? };
        let target = unsafe { input_slice(target, n_target, "target", &mut c)? };
        let weights = unsafe { optional_input(row_weight, rows, "row_weight", &mut c)? };
        let t = unsafe { translate(opts, weights, rows, &mut c)? };
        let (values, scalar) = unsafe {
            reduced_outputs(out, t.out_len, t.opts.reduction == Reduction::None, &mut c)?
        };
        let gm = unsafe { optional_output(grad_mean, n, "grad_mean", &mut c)? };
        let gv = unsafe { optional_output(grad_var, n, "grad_var", &mut c)? };
        let r = prob::cross_entropy_vr(mean, var, target, classes, &t.opts, values, gm, gv)?;
        write_reduced(r, scalar, t.partial);
        Ok(())
    })
}

#[allow(clippy::too_many_arguments)]
unsafe fn vr_variance<T: Real>(
    phi: *const T,
    rows: usize,
    features: usize,
    factor_weight: *const T,
    factor_bias: *const T,
    outputs: usize,
    rank: usize,
    out_var: *mut T,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        let n_phi = product(rows, features, "rows * features")?;
        let n_w = product(
            product(outputs, features, "outputs * features")?,
            rank,
            "factor_weight",
        )?;
        let n_b = product(outputs, rank, "outputs * rank")?;
        let n_out = product(rows, outputs, "rows * outputs")?;
        // SAFETY (all below): the caller's contract on the pointers.
        let phi = unsafe { input_slice(phi, n_phi, "phi", &mut c)? };
        let fw = unsafe { input_slice(factor_weight, n_w, "factor_weight", &mut c)? };
        let fb = unsafe { optional_input(factor_bias, n_b, "factor_bias", &mut c)? };
        let out = unsafe { output_slice(out_var, n_out, "out_var", &mut c)? };
        prob::vr_variance(phi, features, fw, fb, outputs, rank, out)?;
        Ok(())
    })
}

#[allow(clippy::too_many_arguments)]
unsafe fn bayesian<T: Real>(
    binary: bool,
    y_true: *const T,
    logits: *const T,
    logit_var: *const T,
    sample_weight: *const T,
    rows: usize,
    classes: usize,
    draws: usize,
    seed: u64,
    opts: *const lk_options,
    out: *mut T,
    grad_logits: *mut T,
    grad_logit_var: *mut T,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        let n = product(rows, classes, "rows * classes")?;
        // SAFETY (all below): the caller's contract on the pointers.
        let y = unsafe { input_slice(y_true, n, "y_true", &mut c)? };
        let z = unsafe { input_slice(logits, n, "logits", &mut c)? };
        let s = unsafe { input_slice(logit_var, n, "logit_var", &mut c)? };
        let weights = unsafe { optional_input(sample_weight, rows, "sample_weight", &mut c)? };
        let t = unsafe { translate(opts, weights, rows, &mut c)? };
        let (values, scalar) = unsafe {
            reduced_outputs(out, t.out_len, t.opts.reduction == Reduction::None, &mut c)?
        };
        let gz = unsafe { optional_output(grad_logits, n, "grad_logits", &mut c)? };
        let gs = unsafe { optional_output(grad_logit_var, n, "grad_logit_var", &mut c)? };
        let mc = MonteCarlo {
            draws,
            normals: NormalDraws::new(seed),
        };
        let f = if binary {
            prob::robust_binary_crossentropy
        } else {
            prob::robust_categorical_crossentropy
        };
        let r = f(y, z, s, classes, mc, &t.opts, values, gz, gs)?;
        write_reduced(r, scalar, t.partial);
        Ok(())
    })
}

/// astroNN's number of Monte-Carlo draws (the `draws` argument of lk_robust_*_crossentropy).
pub const LK_ASTRONN_DRAWS: usize = 25;

/// The standard normal number that draw `draw` of entry (`row`, `cls`) gets under `seed` in
/// lk_robust_categorical_crossentropy / lk_robust_binary_crossentropy (a counter-based
/// SplitMix64 hash of the four words, then Box-Muller), to reproduce their distortion.
#[no_mangle]
pub extern "C" fn lk_normal_draw(seed: u64, row: u64, cls: u64, draw: u64) -> f64 {
    NormalDraws::new(seed).normal(row, cls, draw)
}

/// PyTorch gaussian_nll_loss with an elementwise variance: loss_i = 0.5 (ln v_i + (pred_i - target_i)^2 / v_i) [+ 0.5 ln(2 pi) if full], v_i = max(var_i, eps).
///
/// `pred`, `var`, `target`: n values; every var_i >= 0 (else LK_ERR_BAD_PARAMETER); eps > 0
/// (PyTorch's default 1e-6). `grad` receives grad_scale * dL/dpred ((pred - target)/v),
/// `grad_var` grad_scale * dL/dvar (0.5 (1/v - (pred - target)^2/v^2), taken at the clamped
/// v as PyTorch does). Other arguments as for lk_mse_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_gaussian_nll_f32(
    pred: *const f32,
    var: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    full: u8,
    eps: f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
    grad_var: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        gaussian_nll(
            pred, var, target, weight, n, full, eps, opts, out, grad, grad_var,
        )
    }
}

/// PyTorch gaussian_nll_loss with an elementwise variance: loss_i = 0.5 (ln v_i + (pred_i - target_i)^2 / v_i) [+ 0.5 ln(2 pi) if full], v_i = max(var_i, eps).
///
/// `f64` data; as lk_gaussian_nll_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_gaussian_nll_f64(
    pred: *const f64,
    var: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    full: u8,
    eps: f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
    grad_var: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        gaussian_nll(
            pred, var, target, weight, n, full, eps, opts, out, grad, grad_var,
        )
    }
}

/// PyTorch poisson_nll_loss: with log_input, loss_i = exp(x_i) - t_i x_i (d/dx = exp(x) - t); else loss_i = x_i - t_i ln(x_i + eps) (d/dx = 1 - t/(x + eps)); full adds Stirling's t ln t - t + 0.5 ln(2 pi t) where t > 1.
///
/// `pred` is the input x (log-rate with log_input, else rate), `target` the counts t;
/// eps >= 0 (PyTorch's default 1e-8). Other arguments as for lk_mse_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_poisson_nll_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    log_input: u8,
    full: u8,
    eps: f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || PoissonNll::new(log_input != 0, full != 0, eps),
            pred,
            target,
            weight,
            n,
            opts,
            out,
            grad,
        )
    }
}

/// PyTorch poisson_nll_loss: with log_input, loss_i = exp(x_i) - t_i x_i (d/dx = exp(x) - t); else loss_i = x_i - t_i ln(x_i + eps) (d/dx = 1 - t/(x + eps)); full adds Stirling's t ln t - t + 0.5 ln(2 pi t) where t > 1.
///
/// `f64` data; as lk_poisson_nll_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_poisson_nll_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    log_input: u8,
    full: u8,
    eps: f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || PoissonNll::new(log_input != 0, full != 0, eps),
            pred,
            target,
            weight,
            n,
            opts,
            out,
            grad,
        )
    }
}

/// PyTorch kl_div (input = log-probabilities x): loss_i = t_i (ln t_i - x_i), 0 where t_i = 0 (d/dx = -t); with log_target, loss_i = exp(t_i) (t_i - x_i) (d/dx = -exp(t)), 0 at t = -inf.
///
/// PyTorch's reduction "mean" is LK_REDUCTION_MEAN; "batchmean" is LK_REDUCTION_SUM divided
/// by the batch size (and grad_scale = 1/batch). Other arguments as for lk_mse_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_kl_div_f32(
    input: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    log_target: u8,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || {
                Ok(KlDiv {
                    log_target: log_target != 0,
                })
            },
            input,
            target,
            weight,
            n,
            opts,
            out,
            grad,
        )
    }
}

/// PyTorch kl_div (input = log-probabilities x): loss_i = t_i (ln t_i - x_i), 0 where t_i = 0 (d/dx = -t); with log_target, loss_i = exp(t_i) (t_i - x_i) (d/dx = -exp(t)), 0 at t = -inf.
///
/// `f64` data; as lk_kl_div_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_kl_div_f64(
    input: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    log_target: u8,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || {
                Ok(KlDiv {
                    log_target: log_target != 0,
                })
            },
            input,
            target,
            weight,
            n,
            opts,
            out,
            grad,
        )
    }
}

/// astroNN robust_mse: loss_i = 0.5 ((pred_i - target_i)^2 / V_i + ln V_i), V_i = exp(logvar_i) + labels_err_i^2.
///
/// `pred`, `logvar`, `labels_err`, `target`: n values (labels_err finite where the element
/// is kept). `grad_pred` receives grad_scale * dL/dpred ((pred - target)/V), `grad_logvar`
/// grad_scale * dL/dlogvar (0.5 exp(logvar)/V (1 - (pred - target)^2/V)). astroNN's own
/// reduction: opts.use_magic = 1 (magic -9999) and opts.row_len = D labels per sample.
/// Other arguments as for lk_mse_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_robust_mse_f32(
    pred: *const f32,
    logvar: *const f32,
    labels_err: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad_pred: *mut f32,
    grad_logvar: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        robust_mse(
            pred,
            logvar,
            labels_err,
            target,
            weight,
            n,
            opts,
            out,
            grad_pred,
            grad_logvar,
        )
    }
}

/// astroNN robust_mse: loss_i = 0.5 ((pred_i - target_i)^2 / V_i + ln V_i), V_i = exp(logvar_i) + labels_err_i^2.
///
/// `f64` data; as lk_robust_mse_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_robust_mse_f64(
    pred: *const f64,
    logvar: *const f64,
    labels_err: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad_pred: *mut f64,
    grad_logvar: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        robust_mse(
            pred,
            logvar,
            labels_err,
            target,
            weight,
            n,
            opts,
            out,
            grad_pred,
            grad_logvar,
        )
    }
}

/// KL divergence between diagonal Gaussians N(mean, scale^2) and the prior N(m0, s0^2), per parameter, with inferno's eps = 1e-6: KL_k = 0.5 (vp/vq + (mean - m0)^2/vq - 1 - ln(vp/vq)), vp = scale^2 + eps, vq = s0^2 + eps.
///
/// `prior_loc`, `prior_scale`: NULL for the scalars `prior_loc_value` (inferno: 0) and
/// `prior_scale_value` (inferno: 1), or n values; every s0 finite and > 0 (else
/// LK_ERR_BAD_PARAMETER). `grad_mean` receives grad_scale * dL/dmean ((mean - m0)/vq),
/// `grad_scale` grad_scale * dL/dscale (scale (1/vq - 1/vp)). inferno's KL is the SUM over
/// parameters: use LK_REDUCTION_SUM. opts.use_magic is refused. Other arguments as for
/// lk_mse_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_gaussian_kl_f32(
    mean: *const f32,
    scale: *const f32,
    prior_loc: *const f32,
    prior_scale: *const f32,
    prior_loc_value: f64,
    prior_scale_value: f64,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad_mean: *mut f32,
    grad_scale: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        gaussian_kl(
            mean,
            scale,
            prior_loc,
            prior_scale,
            prior_loc_value,
            prior_scale_value,
            weight,
            n,
            opts,
            out,
            grad_mean,
            grad_scale,
        )
    }
}

/// KL divergence between diagonal Gaussians N(mean, scale^2) and the prior N(m0, s0^2), per parameter, with inferno's eps = 1e-6: KL_k = 0.5 (vp/vq + (mean - m0)^2/vq - 1 - ln(vp/vq)), vp = scale^2 + eps, vq = s0^2 + eps.
///
/// `f64` data; as lk_gaussian_kl_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_gaussian_kl_f64(
    mean: *const f64,
    scale: *const f64,
    prior_loc: *const f64,
    prior_scale: *const f64,
    prior_loc_value: f64,
    prior_scale_value: f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad_mean: *mut f64,
    grad_scale: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        gaussian_kl(
            mean,
            scale,
            prior_loc,
            prior_scale,
            prior_loc_value,
            prior_scale_value,
            weight,
            n,
            opts,
            out,
            grad_mean,
            grad_scale,
        )
    }
}

/// inferno VariationalFreeEnergy (negative ELBO): nll + kl_weight * KL, KL = the sum over the n parameters of lk_gaussian_kl's terms.
///
/// `nll`: the value of the caller's NLL loss (its gradient comes from that loss's own call).
/// `kl_weight` (finite, >= 0; inferno's default 1.0), or with `kl_weight_auto` nonzero 1/n.
/// Prior as in lk_gaussian_kl. `out`: 3 values {free energy, KL, kl_weight used}.
/// `grad_mean`, `grad_scale` (NULL or n values) receive grad_scale_factor * kl_weight *
/// dKL/dmean and dKL/dscale, overwritten or (grad_accumulate nonzero) added to the
/// gradient the NLL's back-propagation put there.
#[no_mangle]
pub unsafe extern "C" fn lk_free_energy_f32(
    nll: f32,
    mean: *const f32,
    scale: *const f32,
    prior_loc: *const f32,
    prior_scale: *const f32,
    prior_loc_value: f64,
    prior_scale_value: f64,
    n: usize,
    kl_weight: f64,
    kl_weight_auto: u8,
    grad_scale_factor: f64,
    grad_accumulate: u8,
    out: *mut f32,
    grad_mean: *mut f32,
    grad_scale: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        free_energy(
            nll,
            mean,
            scale,
            prior_loc,
            prior_scale,
            prior_loc_value,
            prior_scale_value,
            n,
            kl_weight,
            kl_weight_auto,
            grad_scale_factor,
            grad_accumulate,
            out,
            grad_mean,
            grad_scale,
        )
    }
}

/// inferno VariationalFreeEnergy (negative ELBO): nll + kl_weight * KL, KL = the sum over the n parameters of lk_gaussian_kl's terms.
///
/// `f64` data; as lk_free_energy_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_free_energy_f64(
    nll: f64,
    mean: *const f64,
    scale: *const f64,
    prior_loc: *const f64,
    prior_scale: *const f64,
    prior_loc_value: f64,
    prior_scale_value: f64,
    n: usize,
    kl_weight: f64,
    kl_weight_auto: u8,
    grad_scale_factor: f64,
    grad_accumulate: u8,
    out: *mut f64,
    grad_mean: *mut f64,
    grad_scale: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        free_energy(
            nll,
            mean,
            scale,
            prior_loc,
            prior_scale,
            prior_loc_value,
            prior_scale_value,
            n,
            kl_weight,
            kl_weight_auto,
            grad_scale_factor,
            grad_accumulate,
            out,
            grad_mean,
            grad_scale,
        )
    }
}

/// inferno MSELossVR: loss_i = (mean_i - y_i)^2 + var_i (the exact expected squared error under a Gaussian output with that mean and variance).
///
/// `mean`, `var` (>= 0): n = S*B*O values, sample-major (S samples of B rows of O outputs);
/// `target`: n_target = B*O values, repeated over the S samples (n must be a multiple of
/// n_target; opts.use_magic only when n_target = n). The mean runs over samples x batch x
/// outputs. `grad_mean` receives grad_scale * dL/dmean (2 (mean - y)), `grad_var` dL/dvar
/// (1). Other arguments as for lk_mse_f32 (weight and mask: n values).
#[no_mangle]
pub unsafe extern "C" fn lk_mse_vr_f32(
    mean: *const f32,
    var: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    n_target: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad_mean: *mut f32,
    grad_var: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        repeated(
            false, mean, var, target, weight, n, n_target, opts, out, grad_mean, grad_var,
        )
    }
}

/// inferno MSELossVR: loss_i = (mean_i - y_i)^2 + var_i (the exact expected squared error under a Gaussian output with that mean and variance).
///
/// `f64` data; as lk_mse_vr_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_mse_vr_f64(
    mean: *const f64,
    var: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    n_target: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad_mean: *mut f64,
    grad_var: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        repeated(
            false, mean, var, target, weight, n, n_target, opts, out, grad_mean, grad_var,
        )
    }
}

/// inferno BCEWithLogitsLossVR: loss_i = t_i softplus(-mean_i + var_i/2) + (1 - t_i) softplus(mean_i + var_i/2), an upper bound on the expected BCE with logits (equal to it when var = 0).
///
/// Arguments as for lk_mse_vr_f32 (one output: n = S*B logits, n_target = B targets in
/// [0, 1]). `grad_mean` receives grad_scale * dL/dmean (-t s(-mean + var/2) + (1 - t)
/// s(mean + var/2), s the sigmoid), `grad_var` dL/dvar (half the two sigmoid terms added).
#[no_mangle]
pub unsafe extern "C" fn lk_bce_with_logits_vr_f32(
    mean: *const f32,
    var: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    n_target: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad_mean: *mut f32,
    grad_var: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        repeated(
            true, mean, var, target, weight, n, n_target, opts, out, grad_mean, grad_var,
        )
    }
}

/// inferno BCEWithLogitsLossVR: loss_i = t_i softplus(-mean_i + var_i/2) + (1 - t_i) softplus(mean_i + var_i/2), an upper bound on the expected BCE with logits (equal to it when var = 0).
///
/// `f64` data; as lk_bce_with_logits_vr_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_bce_with_logits_vr_f64(
    mean: *const f64,
    var: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    n_target: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad_mean: *mut f64,
    grad_var: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        repeated(
            true, mean, var, target, weight, n, n_target, opts, out, grad_mean, grad_var,
        )
    }
}

/// inferno CrossEntropyLossVR, per row r: loss_r = -mean[r, y] + ln sum_c exp(mean[r, c] + var[r, c]/2), an upper bound on the expected cross-entropy.
///
/// `mean`, `var` (>= 0): rows x classes values, row-major, rows = S*B (sample-major);
/// `target`: n_target = B class indices (int64_t, 0 <= y < classes, else
/// LK_ERR_INDEX_OUT_OF_RANGE), repeated over the S samples (row r uses target[r % B]);
/// `row_weight` and opts.mask: NULL or one per row; `out`: 1 value, or rows values with
/// LK_REDUCTION_NONE. `grad_mean` receives grad_scale * dL/dmean (p - onehot(y)),
/// `grad_var` dL/dvar (p/2), p = softmax(mean + var/2). opts.row_len must be 0 and
/// opts.use_magic 0.
#[no_mangle]
pub unsafe extern "C" fn lk_cross_entropy_vr_f32(
    mean: *const f32,
    var: *const f32,
    target: *const i64,
    row_weight: *const f32,
    rows: usize,
    classes: usize,
    n_target: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad_mean: *mut f32,
    grad_var: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        cross_entropy_vr(
            mean, var, target, row_weight, rows, classes, n_target, opts, out, grad_mean, grad_var,
        )
    }
}

/// inferno CrossEntropyLossVR, per row r: loss_r = -mean[r, y] + ln sum_c exp(mean[r, c] + var[r, c]/2), an upper bound on the expected cross-entropy.
///
/// `f64` data; as lk_cross_entropy_vr_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_cross_entropy_vr_f64(
    mean: *const f64,
    var: *const f64,
    target: *const i64,
    row_weight: *const f64,
    rows: usize,
    classes: usize,
    n_target: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad_mean: *mut f64,
    grad_var: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        cross_entropy_vr(
            mean, var, target, row_weight, rows, classes, n_target, opts, out, grad_mean, grad_var,
        )
    }
}

/// The logit variances of a Bayesian linear layer with a low-rank covariance factor: out_var[i, o] = sum_r (sum_f phi[i, f] W[o, f, r] + b[o, r])^2.
///
/// `phi`: rows x features (row-major); `factor_weight`: outputs x features x rank (inferno's
/// factor["weight"]); `factor_bias`: NULL (no bias) or outputs x rank (factor["bias"]);
/// `out_var`: rows x outputs, overwritten. Nothing is allocated.
#[no_mangle]
pub unsafe extern "C" fn lk_vr_variance_f32(
    phi: *const f32,
    rows: usize,
    features: usize,
    factor_weight: *const f32,
    factor_bias: *const f32,
    outputs: usize,
    rank: usize,
    out_var: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        vr_variance(
            phi,
            rows,
            features,
            factor_weight,
            factor_bias,
            outputs,
            rank,
            out_var,
        )
    }
}

/// The logit variances of a Bayesian linear layer with a low-rank covariance factor: out_var[i, o] = sum_r (sum_f phi[i, f] W[o, f, r] + b[o, r])^2.
///
/// `f64` data; as lk_vr_variance_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_vr_variance_f64(
    phi: *const f64,
    rows: usize,
    features: usize,
    factor_weight: *const f64,
    factor_bias: *const f64,
    outputs: usize,
    rank: usize,
    out_var: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        vr_variance(
            phi,
            rows,
            features,
            factor_weight,
            factor_bias,
            outputs,
            rank,
            out_var,
        )
    }
}

/// astroNN robust_categorical_crossentropy with its Monte-Carlo distortion, the magic correction and the sample weight applied once: loss_i = u_i mean_m(-elu(u_i - d_mi)) + u_i + dep.
///
/// u_i = F_i sum_c -t_ic ln softmax(z_i)_c (F_i = classes / unmasked classes; a target equal
/// to the magic number, with opts.use_magic, is masked); d_mi = the same at the distorted
/// logits z_i + eps_mi * logit_var_i with eps = lk_normal_draw(seed, i, c, m), m < draws
/// (astroNN: LK_ASTRONN_DRAWS); dep = mean over all rows x classes of (exp(logit_var) - 1).
/// `y_true`, `logits`, `logit_var`: rows x classes, row-major; `sample_weight` and
/// opts.mask: NULL or one per row (the weight multiplies the row once, in the reduction);
/// `out`: 1 value, or rows values with LK_REDUCTION_NONE. `grad_logits`, `grad_logit_var`
/// (NULL or rows x classes) receive grad_scale * dL/dlogits and dL/dlogit_var for these
/// draws. A row with nothing unmasked follows opts.empty. opts.row_len must be 0.
#[no_mangle]
pub unsafe extern "C" fn lk_robust_categorical_crossentropy_f32(
    y_true: *const f32,
    logits: *const f32,
    logit_var: *const f32,
    sample_weight: *const f32,
    rows: usize,
    classes: usize,
    draws: usize,
    seed: u64,
    opts: *const lk_options,
    out: *mut f32,
    grad_logits: *mut f32,
    grad_logit_var: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        bayesian(
            false,
            y_true,
            logits,
            logit_var,
            sample_weight,
            rows,
            classes,
            draws,
            seed,
            opts,
            out,
            grad_logits,
            grad_logit_var,
        )
    }
}

/// astroNN robust_categorical_crossentropy with its Monte-Carlo distortion, the magic correction and the sample weight applied once: loss_i = u_i mean_m(-elu(u_i - d_mi)) + u_i + dep.
///
/// `f64` data; as lk_robust_categorical_crossentropy_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_robust_categorical_crossentropy_f64(
    y_true: *const f64,
    logits: *const f64,
    logit_var: *const f64,
    sample_weight: *const f64,
    rows: usize,
    classes: usize,
    draws: usize,
    seed: u64,
    opts: *const lk_options,
    out: *mut f64,
    grad_logits: *mut f64,
    grad_logit_var: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        bayesian(
            false,
            y_true,
            logits,
            logit_var,
            sample_weight,
            rows,
            classes,
            draws,
            seed,
            opts,
            out,
            grad_logits,
            grad_logit_var,
        )
    }
}

/// astroNN robust_binary_crossentropy with its Monte-Carlo distortion, the corrections applied once: loss_i = u_i mean_m(-elu(u_i - d_mi)) + u_i + dep, u_i = the masked mean over the labels of softplus(z) - z t.
///
/// Arguments as for lk_robust_categorical_crossentropy_f32 (`classes` = labels per row).
#[no_mangle]
pub unsafe extern "C" fn lk_robust_binary_crossentropy_f32(
    y_true: *const f32,
    logits: *const f32,
    logit_var: *const f32,
    sample_weight: *const f32,
    rows: usize,
    classes: usize,
    draws: usize,
    seed: u64,
    opts: *const lk_options,
    out: *mut f32,
    grad_logits: *mut f32,
    grad_logit_var: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        bayesian(
            true,
            y_true,
            logits,
            logit_var,
            sample_weight,
            rows,
            classes,
            draws,
            seed,
            opts,
            out,
            grad_logits,
            grad_logit_var,
        )
    }
}

/// astroNN robust_binary_crossentropy with its Monte-Carlo distortion, the corrections applied once: loss_i = u_i mean_m(-elu(u_i - d_mi)) + u_i + dep, u_i = the masked mean over the labels of softplus(z) - z t.
///
/// `f64` data; as lk_robust_binary_crossentropy_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_robust_binary_crossentropy_f64(
    y_true: *const f64,
    logits: *const f64,
    logit_var: *const f64,
    sample_weight: *const f64,
    rows: usize,
    classes: usize,
    draws: usize,
    seed: u64,
    opts: *const lk_options,
    out: *mut f64,
    grad_logits: *mut f64,
    grad_logit_var: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        bayesian(
            true,
            y_true,
            logits,
            logit_var,
            sample_weight,
            rows,
            classes,
            draws,
            seed,
            opts,
            out,
            grad_logits,
            grad_logit_var,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::no_alloc_tests::allocations;
    use crate::options::lk_options_default;
    use core::ptr::{null, null_mut};

    #[test]
    fn probabilistic_entry_points_do_not_allocate() {
        let x = [0.5f64, -1.0, 2.0, 0.25, 1.0, 0.0];
        let v = [0.5f64, 0.1, 2.0, 0.3, 1.0, 0.2];
        let y = [1.0f64, 0.0, 0.0, 1.0, 0.0, 1.0];
        let idx = [1i64, 0, 2];
        let mut out = [0.0f64; 6];
        let mut g1 = [0.0f64; 6];
        let mut g2 = [0.0f64; 6];
        let o = lk_options_default();
        let mut ok = 0;
        let n = allocations(|| unsafe {
            let st = [
                lk_gaussian_nll_f64(
                    x.as_ptr(),
                    v.as_ptr(),
                    y.as_ptr(),
                    null(),
                    6,
                    1,
                    1e-6,
                    &o,
                    out.as_mut_ptr(),
                    g1.as_mut_ptr(),
                    g2.as_mut_ptr(),
                ),
                lk_poisson_nll_f64(
                    x.as_ptr(),
                    y.as_ptr(),
                    null(),
                    6,
                    1,
                    1,
                    1e-8,
                    &o,
                    out.as_mut_ptr(),
                    g1.as_mut_ptr(),
                ),
                lk_kl_div_f64(
                    x.as_ptr(),
                    v.as_ptr(),
                    null(),
                    6,
                    0,
                    &o,
                    out.as_mut_ptr(),
                    g1.as_mut_ptr(),
                ),
                lk_robust_mse_f64(
                    x.as_ptr(),
                    x.as_ptr(),
                    v.as_ptr(),
                    y.as_ptr(),
                    null(),
                    6,
                    &o,
                    out.as_mut_ptr(),
                    g1.as_mut_ptr(),
                    g2.as_mut_ptr(),
                ),
                lk_gaussian_kl_f64(
                    x.as_ptr(),
                    v.as_ptr(),
                    null(),
                    null(),
                    0.0,
                    1.0,
                    null(),
                    6,
                    &o,
                    out.as_mut_ptr(),
                    g1.as_mut_ptr(),
                    g2.as_mut_ptr(),
                ),
                lk_free_energy_f64(
                    1.0,
                    x.as_ptr(),
                    v.as_ptr(),
                    null(),
                    null(),
                    0.0,
                    1.0,
                    6,
                    0.0,
                    1,
                    1.0,
                    1,
                    out.as_mut_ptr(),
                    g1.as_mut_ptr(),
                    g2.as_mut_ptr(),
                ),
                lk_mse_vr_f64(
                    x.as_ptr(),
                    v.as_ptr(),
                    y.as_ptr(),
                    null(),
                    6,
                    3,
                    &o,
                    out.as_mut_ptr(),
                    g1.as_mut_ptr(),
                    g2.as_mut_ptr(),
                ),
                lk_bce_with_logits_vr_f64(
                    x.as_ptr(),
                    v.as_ptr(),
                    y.as_ptr(),
                    null(),
                    6,
                    2,
                    &o,
                    out.as_mut_ptr(),
                    g1.as_mut_ptr(),
                    g2.as_mut_ptr(),
                ),
                lk_cross_entropy_vr_f64(
                    x.as_ptr(),
                    v.as_ptr(),
                    idx.as_ptr(),
                    null(),
                    2,
                    3,
                    1,
                    &o,
                    out.as_mut_ptr(),
                    g1.as_mut_ptr(),
                    g2.as_mut_ptr(),
                ),
                lk_vr_variance_f64(x.as_ptr(), 2, 3, v.as_ptr(), null(), 1, 2, out.as_mut_ptr()),
                lk_robust_categorical_crossentropy_f64(
                    y.as_ptr(),
                    x.as_ptr(),
                    v.as_ptr(),
                    null(),
                    2,
                    3,
                    40,
                    7,
                    &o,
                    out.as_mut_ptr(),
                    g1.as_mut_ptr(),
                    g2.as_mut_ptr(),
                ),
                lk_robust_binary_crossentropy_f64(
                    y.as_ptr(),
                    x.as_ptr(),
                    v.as_ptr(),
                    null(),
                    2,
                    3,
                    25,
                    7,
                    &o,
                    out.as_mut_ptr(),
                    g1.as_mut_ptr(),
                    g2.as_mut_ptr(),
                ),
            ];
            ok = st.iter().filter(|&&s| s == LK_OK).count();
            // Failures: a bad index, a negative variance, a NULL output.
            let _ = lk_cross_entropy_vr_f64(
                x.as_ptr(),
                v.as_ptr(),
                [5i64].as_ptr(),
                null(),
                2,
                3,
                1,
                &o,
                out.as_mut_ptr(),
                null_mut(),
                null_mut(),
            );
            let _ = lk_gaussian_nll_f64(
                x.as_ptr(),
                x.as_ptr(),
                y.as_ptr(),
                null(),
                6,
                0,
                1e-6,
                &o,
                out.as_mut_ptr(),
                null_mut(),
                null_mut(),
            );
            let _ = lk_robust_mse_f64(
                x.as_ptr(),
                x.as_ptr(),
                v.as_ptr(),
                y.as_ptr(),
                null(),
                6,
                &o,
                null_mut(),
                null_mut(),
                null_mut(),
            );
        });
        assert_eq!(n, 0);
        assert_eq!(ok, 12);
    }
}
