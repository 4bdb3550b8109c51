//! The regression family over the C ABI (`lk_<loss>_f32` / `lk_<loss>_f64`).
//!
//! Every function has the same contract, written once here and in the header:
//! `pred`, `target` (n values each, non-NULL unless n = 0), `weight` (NULL or n values,
//! each finite and >= 0), the loss's own parameter if it has one, `opts` (NULL for the
//! defaults), `out` (1 value; n values, or n/row_len, with `LK_REDUCTION_NONE`), `grad`
//! (NULL, or n values receiving `grad_scale * dL/dpred`). Outputs may not overlap any other
//! buffer. Nothing is written unless the status is `LK_OK`.

use crate::boundary::pointwise;
use crate::options::lk_options;
use crate::status::lk_status;
use losskit_core::pointwise::regression::*;

/// Mean squared error: loss_i = (pred_i - target_i)^2, d/dpred = 2 (pred_i - target_i).
///
/// Every elementwise loss (lk_mse, lk_mae, lk_rmse, lk_mean_error, lk_msle, lk_mape,
/// lk_mpe, lk_huber, lk_scale_free_huber, lk_smooth_l1, lk_log_cosh) takes:
/// `pred`, `target`: n values each (may be NULL only if n = 0);
/// `weight`: NULL, or n weights, each finite and >= 0;
/// the loss's own parameter, if any (delta, beta);
/// `opts`: NULL for lk_options_default();
/// `out`: 1 value, or with LK_REDUCTION_NONE n values (n / row_len with row_len);
/// `grad`: NULL, or n values receiving grad_scale * dL/dpred.
/// Masked elements (mask byte 0, magic target, weight 0) add nothing to the sum, the
/// normaliser or the gradient.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_mse_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || Ok(SquaredError),
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

/// Mean squared error: loss_i = (pred_i - target_i)^2, d/dpred = 2 (pred_i - target_i).
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_mse_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || Ok(SquaredError),
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

/// Mean absolute error (L1): loss_i = |pred_i - target_i|, d/dpred = sign(pred_i - target_i) with sign(0) = 0.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_mae_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || Ok(AbsoluteError),
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

/// Mean absolute error (L1): loss_i = |pred_i - target_i|, d/dpred = sign(pred_i - target_i) with sign(0) = 0.
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_mae_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || Ok(AbsoluteError),
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

/// Root mean squared error: L = sqrt(sum w (pred - target)^2 / sum w); gradient 0 where L = 0. Reduction NONE is refused (LK_ERR_BAD_PARAMETER); PARTIAL gives the pair of the squares.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_rmse_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || Ok(RootSquaredError),
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

/// Root mean squared error: L = sqrt(sum w (pred - target)^2 / sum w); gradient 0 where L = 0. Reduction NONE is refused (LK_ERR_BAD_PARAMETER); PARTIAL gives the pair of the squares.
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_rmse_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || Ok(RootSquaredError),
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

/// Mean error (bias), astroNN: loss_i = target_i - pred_i, d/dpred = -1.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_mean_error_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe { pointwise(|| Ok(SignedError), pred, target, weight, n, opts, out, grad) }
}

/// Mean error (bias), astroNN: loss_i = target_i - pred_i, d/dpred = -1.
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_mean_error_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe { pointwise(|| Ok(SignedError), pred, target, weight, n, opts, out, grad) }
}

/// Mean squared logarithmic error, astroNN: loss_i = (ln(max(pred_i, 1e-7) + 1) - ln(max(target_i, 1e-7) + 1))^2; gradient 0 where pred is clipped.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_msle_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || Ok(SquaredLogError),
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

/// Mean squared logarithmic error, astroNN: loss_i = (ln(max(pred_i, 1e-7) + 1) - ln(max(target_i, 1e-7) + 1))^2; gradient 0 where pred is clipped.
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_msle_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || Ok(SquaredLogError),
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

/// Mean absolute percentage error, astroNN: loss_i = 100 |target_i - pred_i| / max(|target_i|, 1e-7).
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_mape_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || Ok(AbsolutePercentageError),
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

/// Mean absolute percentage error, astroNN: loss_i = 100 |target_i - pred_i| / max(|target_i|, 1e-7).
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_mape_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || Ok(AbsolutePercentageError),
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

/// Mean percentage error (astroNN's intended formula): loss_i = 100 (target_i - pred_i) / target_i, with |target_i| raised to at least 1e-7 keeping its sign. astroNN's code has an operator-precedence bug (target - pred/target); this is the documented formula.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_mpe_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || Ok(PercentageError),
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

/// Mean percentage error (astroNN's intended formula): loss_i = 100 (target_i - pred_i) / target_i, with |target_i| raised to at least 1e-7 keeping its sign. astroNN's code has an operator-precedence bug (target - pred/target); this is the documented formula.
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_mpe_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || Ok(PercentageError),
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

/// Huber loss (PyTorch huber_loss), delta > 0: loss_i = d^2/2 if |d| < delta else delta (|d| - delta/2), d = pred_i - target_i; d/dpred = d or delta sign(d).
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_huber_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    delta: f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || Huber::new(delta),
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

/// Huber loss (PyTorch huber_loss), delta > 0: loss_i = d^2/2 if |d| < delta else delta (|d| - delta/2), d = pred_i - target_i; d/dpred = d or delta sign(d).
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_huber_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    delta: f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || Huber::new(delta),
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

/// graph-pes scale-free Huber loss, delta > 0: Huber_delta(d) / delta.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_scale_free_huber_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    delta: f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || ScaleFreeHuber::new(delta),
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

/// graph-pes scale-free Huber loss, delta > 0: Huber_delta(d) / delta.
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_scale_free_huber_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    delta: f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || ScaleFreeHuber::new(delta),
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

/// Smooth L1 loss (PyTorch smooth_l1_loss), beta >= 0: loss_i = d^2/(2 beta) if |d| < beta else |d| - beta/2; beta = 0 is L1.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_smooth_l1_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    beta: f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || SmoothL1::new(beta),
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

/// Smooth L1 loss (PyTorch smooth_l1_loss), beta >= 0: loss_i = d^2/(2 beta) if |d| < beta else |d| - beta/2; beta = 0 is L1.
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_smooth_l1_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    beta: f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || SmoothL1::new(beta),
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

/// Log-cosh loss: loss_i = ln cosh(pred_i - target_i), d/dpred = tanh(pred_i - target_i).
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_log_cosh_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe { pointwise(|| Ok(LogCosh), pred, target, weight, n, opts, out, grad) }
}

/// Log-cosh loss: loss_i = ln cosh(pred_i - target_i), d/dpred = tanh(pred_i - target_i).
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_log_cosh_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe { pointwise(|| Ok(LogCosh), pred, target, weight, n, opts, out, grad) }
}
