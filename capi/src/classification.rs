//! The classification family over the C ABI (`lk_<loss>_f32` / `lk_<loss>_f64`).
//!
//! Elementwise (binary) functions take the arguments of every elementwise loss (see the note
//! before `lk_mse_f32`). Row-wise functions take `rows x classes` inputs, row-major (row r is
//! `x[r*classes .. (r+1)*classes]`; a Fortran array `x(classes, rows)` has this layout),
//! class indices as `int64_t`, and per-row options: `opts->mask` and `sample_weight` hold one
//! entry per row, `opts->row_len` must be 0. Nothing is written unless the status is `LK_OK`.

use crate::boundary::pointwise;
use crate::options::lk_options;
use crate::rowwise;
use crate::status::lk_status;
use losskit_core::binary::{AstroBce, Bce, BinaryAccuracy, BinaryFocal};

#[cfg(test)]
mod tests;

/// Binary cross-entropy on probabilities (PyTorch binary_cross_entropy), pred in [0, 1]:
/// loss_i = -(t log p + (1 - t) log(1 - p)) with each log clamped at -100;
/// d/dpred = (p - t) / max(p (1 - p), 1e-12). Arguments as for every elementwise loss.
/// PyTorch's `weight` with reduction "mean" divides by n, not by the sum of weights: use
/// LK_REDUCTION_SUM with grad_scale = 1/n and divide `out` by n to match it.
///
/// `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_bce_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe { pointwise(|| Ok(Bce), pred, target, weight, n, opts, out, grad) }
}

/// Binary cross-entropy on probabilities (PyTorch binary_cross_entropy), pred in [0, 1]:
/// loss_i = -(t log p + (1 - t) log(1 - p)) with each log clamped at -100;
/// d/dpred = (p - t) / max(p (1 - p), 1e-12). Arguments as for every elementwise loss.
/// PyTorch's `weight` with reduction "mean" divides by n, not by the sum of weights: use
/// LK_REDUCTION_SUM with grad_scale = 1/n and divide `out` by n to match it.
///
/// `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_bce_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe { pointwise(|| Ok(Bce), pred, target, weight, n, opts, out, grad) }
}

/// Binary cross-entropy with logits (PyTorch binary_cross_entropy_with_logits):
/// loss_i = pw_j t softplus(-z) + (1 - t) softplus(z), softplus(x) = log(1 + e^x);
/// d/dlogit = (1 - t) sigmoid(z) - pw_j t sigmoid(-z). `pos_weight`: NULL (pw = 1), or `cols`
/// values (finite, >= 0) indexed by column j = i mod cols of data laid out as rows of `cols`
/// (n must be a multiple of cols). Other arguments as for every elementwise loss.
///
/// `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_bce_with_logits_f32(
    logits: *const f32,
    target: *const f32,
    weight: *const f32,
    pos_weight: *const f32,
    cols: usize,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::bce_with_logits(logits, target, weight, pos_weight, cols, n, opts, out, grad)
    }
}

/// Binary cross-entropy with logits (PyTorch binary_cross_entropy_with_logits):
/// loss_i = pw_j t softplus(-z) + (1 - t) softplus(z), softplus(x) = log(1 + e^x);
/// d/dlogit = (1 - t) sigmoid(z) - pw_j t sigmoid(-z). `pos_weight`: NULL (pw = 1), or `cols`
/// values (finite, >= 0) indexed by column j = i mod cols of data laid out as rows of `cols`
/// (n must be a multiple of cols). Other arguments as for every elementwise loss.
///
/// `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_bce_with_logits_f64(
    logits: *const f64,
    target: *const f64,
    weight: *const f64,
    pos_weight: *const f64,
    cols: usize,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::bce_with_logits(logits, target, weight, pos_weight, cols, n, opts, out, grad)
    }
}

/// Binary focal loss on logits, gamma >= 0 (torchvision sigmoid_focal_loss without alpha):
/// loss_i = q^gamma b, b = the BCE with logits, q = 1 - p_t = t sigmoid(-z) + (1 - t) sigmoid(z);
/// gamma = 0 is the BCE with logits. Soft targets allowed. Arguments as for every elementwise
/// loss, with `pred` = logits.
///
/// `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_binary_focal_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    gamma: f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || BinaryFocal::new(gamma),
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

/// Binary focal loss on logits, gamma >= 0 (torchvision sigmoid_focal_loss without alpha):
/// loss_i = q^gamma b, b = the BCE with logits, q = 1 - p_t = t sigmoid(-z) + (1 - t) sigmoid(z);
/// gamma = 0 is the BCE with logits. Soft targets allowed. Arguments as for every elementwise
/// loss, with `pred` = logits.
///
/// `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_binary_focal_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    gamma: f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || BinaryFocal::new(gamma),
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

/// astroNN binary_crossentropy: with `from_logits` != 0, the BCE with logits; otherwise pred is
/// clipped to [1e-7, 1 - 1e-7] and turned into the logit log(p / (1 - p)) first (gradient 0 where
/// clipped). For astroNN's reduction set opts->use_magic = 1 (magic -9999, NaN also masked) and
/// opts->row_len = labels per sample; astroNN's nll is this with LK_REDUCTION_SUM.
///
/// `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_astronn_bce_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    from_logits: u8,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || {
                Ok(AstroBce {
                    from_logits: from_logits != 0,
                })
            },
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

/// astroNN binary_crossentropy: with `from_logits` != 0, the BCE with logits; otherwise pred is
/// clipped to [1e-7, 1 - 1e-7] and turned into the logit log(p / (1 - p)) first (gradient 0 where
/// clipped). For astroNN's reduction set opts->use_magic = 1 (magic -9999, NaN also masked) and
/// opts->row_len = labels per sample; astroNN's nll is this with LK_REDUCTION_SUM.
///
/// `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_astronn_bce_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    from_logits: u8,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || {
                Ok(AstroBce {
                    from_logits: from_logits != 0,
                })
            },
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

/// Binary accuracy (astroNN): loss_i = 1 if target_i == round(p_i) else 0, round half to even,
/// p = pred, or sigmoid(pred) with `from_logits` != 0; NaN pred gives NaN. No gradient. Use
/// opts->use_magic and opts->row_len for astroNN's per-sample mean over valid labels.
///
/// `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_binary_accuracy_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    from_logits: u8,
    opts: *const lk_options,
    out: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || {
                Ok(BinaryAccuracy {
                    from_logits: from_logits != 0,
                })
            },
            pred,
            target,
            weight,
            n,
            opts,
            out,
            core::ptr::null_mut(),
        )
    }
}

/// Binary accuracy (astroNN): loss_i = 1 if target_i == round(p_i) else 0, round half to even,
/// p = pred, or sigmoid(pred) with `from_logits` != 0; NaN pred gives NaN. No gradient. Use
/// opts->use_magic and opts->row_len for astroNN's per-sample mean over valid labels.
///
/// `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_binary_accuracy_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    from_logits: u8,
    opts: *const lk_options,
    out: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        pointwise(
            || {
                Ok(BinaryAccuracy {
                    from_logits: from_logits != 0,
                })
            },
            pred,
            target,
            weight,
            n,
            opts,
            out,
            core::ptr::null_mut(),
        )
    }
}

/// Softmax cross-entropy with class-index targets (PyTorch cross_entropy with weight,
/// ignore_index, label_smoothing), plus an optional z-loss:
/// loss_r = (1 - eps) w_y (-log p_y) + (eps / C) sum_k w_k (-log p_k) + z_loss w_y lse^2,
/// p = softmax(logits_r), lse = log sum_k exp(logits_rk); mean = sum loss / sum w_y over rows
/// not ignored (PyTorch's weighted mean); d/dlogit_k = p_k A - (1 - eps) w_y [k == y] - (eps/C) w_k,
/// A = (1 - eps) w_y + (eps/C) sum w + 2 z_loss w_y lse.
/// `logits`: rows x classes; `target`: rows class indices in [0, classes), or `ignore_index`
/// (PyTorch's default -100) to leave a row out; `class_weight`: NULL or `classes` weights
/// (finite, >= 0); `sample_weight`: NULL or `rows` weights; `opts`: NULL for the defaults (mask
/// per row); `out`: 1 value, or `rows` values with LK_REDUCTION_NONE; `grad`: NULL or rows x
/// classes values receiving grad_scale * dL/dlogits. A class index out of range fails with
/// LK_ERR_INDEX_OUT_OF_RANGE (the message names the row).
///
/// `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_cross_entropy_f32(
    logits: *const f32,
    target: *const i64,
    rows: usize,
    classes: usize,
    class_weight: *const f32,
    ignore_index: i64,
    label_smoothing: f32,
    z_loss: f32,
    sample_weight: *const f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::cross_entropy(
            logits,
            target,
            rows,
            classes,
            class_weight,
            ignore_index,
            label_smoothing,
            z_loss,
            sample_weight,
            opts,
            out,
            grad,
        )
    }
}

/// Softmax cross-entropy with class-index targets (PyTorch cross_entropy with weight,
/// ignore_index, label_smoothing), plus an optional z-loss:
/// loss_r = (1 - eps) w_y (-log p_y) + (eps / C) sum_k w_k (-log p_k) + z_loss w_y lse^2,
/// p = softmax(logits_r), lse = log sum_k exp(logits_rk); mean = sum loss / sum w_y over rows
/// not ignored (PyTorch's weighted mean); d/dlogit_k = p_k A - (1 - eps) w_y [k == y] - (eps/C) w_k,
/// A = (1 - eps) w_y + (eps/C) sum w + 2 z_loss w_y lse.
/// `logits`: rows x classes; `target`: rows class indices in [0, classes), or `ignore_index`
/// (PyTorch's default -100) to leave a row out; `class_weight`: NULL or `classes` weights
/// (finite, >= 0); `sample_weight`: NULL or `rows` weights; `opts`: NULL for the defaults (mask
/// per row); `out`: 1 value, or `rows` values with LK_REDUCTION_NONE; `grad`: NULL or rows x
/// classes values receiving grad_scale * dL/dlogits. A class index out of range fails with
/// LK_ERR_INDEX_OUT_OF_RANGE (the message names the row).
///
/// `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_cross_entropy_f64(
    logits: *const f64,
    target: *const i64,
    rows: usize,
    classes: usize,
    class_weight: *const f64,
    ignore_index: i64,
    label_smoothing: f64,
    z_loss: f64,
    sample_weight: *const f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::cross_entropy(
            logits,
            target,
            rows,
            classes,
            class_weight,
            ignore_index,
            label_smoothing,
            z_loss,
            sample_weight,
            opts,
            out,
            grad,
        )
    }
}

/// lk_cross_entropy that overwrites `logits` with grad_scale * dL/dlogits (rows left out get 0),
/// row by row, so no second rows x classes buffer is needed. Arguments as for lk_cross_entropy
/// without `grad`; `logits` may not overlap any other buffer; opts->grad_accumulate must be 0.
/// On failure `logits` is untouched.
///
/// `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_cross_entropy_in_place_f32(
    logits: *mut f32,
    target: *const i64,
    rows: usize,
    classes: usize,
    class_weight: *const f32,
    ignore_index: i64,
    label_smoothing: f32,
    z_loss: f32,
    sample_weight: *const f32,
    opts: *const lk_options,
    out: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::cross_entropy_in_place(
            logits,
            target,
            rows,
            classes,
            class_weight,
            ignore_index,
            label_smoothing,
            z_loss,
            sample_weight,
            opts,
            out,
        )
    }
}

/// lk_cross_entropy that overwrites `logits` with grad_scale * dL/dlogits (rows left out get 0),
/// row by row, so no second rows x classes buffer is needed. Arguments as for lk_cross_entropy
/// without `grad`; `logits` may not overlap any other buffer; opts->grad_accumulate must be 0.
/// On failure `logits` is untouched.
///
/// `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_cross_entropy_in_place_f64(
    logits: *mut f64,
    target: *const i64,
    rows: usize,
    classes: usize,
    class_weight: *const f64,
    ignore_index: i64,
    label_smoothing: f64,
    z_loss: f64,
    sample_weight: *const f64,
    opts: *const lk_options,
    out: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::cross_entropy_in_place(
            logits,
            target,
            rows,
            classes,
            class_weight,
            ignore_index,
            label_smoothing,
            z_loss,
            sample_weight,
            opts,
            out,
        )
    }
}

/// Softmax cross-entropy with probability targets (PyTorch cross_entropy with a float target):
/// loss_r = -sum_k w_k t'_k log p_k, t' = (1 - eps) t + eps / C; the mean divides by the number of
/// rows; d/dlogit_k = (sum_j w_j t'_j) p_k - w_k t'_k. `target`: rows x classes. Other arguments
/// as for lk_cross_entropy.
///
/// `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_cross_entropy_probs_f32(
    logits: *const f32,
    target: *const f32,
    rows: usize,
    classes: usize,
    class_weight: *const f32,
    label_smoothing: f32,
    sample_weight: *const f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::cross_entropy_probs(
            logits,
            target,
            rows,
            classes,
            class_weight,
            label_smoothing,
            sample_weight,
            opts,
            out,
            grad,
        )
    }
}

/// Softmax cross-entropy with probability targets (PyTorch cross_entropy with a float target):
/// loss_r = -sum_k w_k t'_k log p_k, t' = (1 - eps) t + eps / C; the mean divides by the number of
/// rows; d/dlogit_k = (sum_j w_j t'_j) p_k - w_k t'_k. `target`: rows x classes. Other arguments
/// as for lk_cross_entropy.
///
/// `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_cross_entropy_probs_f64(
    logits: *const f64,
    target: *const f64,
    rows: usize,
    classes: usize,
    class_weight: *const f64,
    label_smoothing: f64,
    sample_weight: *const f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::cross_entropy_probs(
            logits,
            target,
            rows,
            classes,
            class_weight,
            label_smoothing,
            sample_weight,
            opts,
            out,
            grad,
        )
    }
}

/// Negative log-likelihood on log-probabilities (PyTorch nll_loss): loss_r = -w_y log_probs_ry;
/// mean = sum loss / sum w_y over rows not ignored; d/dlog_probs_k = -w_y [k == y]. Arguments as
/// for lk_cross_entropy with `log_probs` in place of `logits`.
///
/// `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_nll_f32(
    log_probs: *const f32,
    target: *const i64,
    rows: usize,
    classes: usize,
    class_weight: *const f32,
    ignore_index: i64,
    sample_weight: *const f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::nll(
            log_probs,
            target,
            rows,
            classes,
            class_weight,
            ignore_index,
            sample_weight,
            opts,
            out,
            grad,
        )
    }
}

/// Negative log-likelihood on log-probabilities (PyTorch nll_loss): loss_r = -w_y log_probs_ry;
/// mean = sum loss / sum w_y over rows not ignored; d/dlog_probs_k = -w_y [k == y]. Arguments as
/// for lk_cross_entropy with `log_probs` in place of `logits`.
///
/// `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_nll_f64(
    log_probs: *const f64,
    target: *const i64,
    rows: usize,
    classes: usize,
    class_weight: *const f64,
    ignore_index: i64,
    sample_weight: *const f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::nll(
            log_probs,
            target,
            rows,
            classes,
            class_weight,
            ignore_index,
            sample_weight,
            opts,
            out,
            grad,
        )
    }
}

/// Multiclass focal loss on logits, gamma >= 0: loss_r = w_y (1 - p_y)^gamma (-log p_y),
/// mean = sum loss / sum w_y. With `weight_in_probability` != 0, inferno's variant
/// (1 - p_y^w_y)^gamma w_y (-log p_y). gamma = 0 is lk_cross_entropy. Other arguments as for
/// lk_cross_entropy.
///
/// `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_focal_f32(
    logits: *const f32,
    target: *const i64,
    rows: usize,
    classes: usize,
    class_weight: *const f32,
    ignore_index: i64,
    gamma: f32,
    weight_in_probability: u8,
    sample_weight: *const f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::focal(
            logits,
            target,
            rows,
            classes,
            class_weight,
            ignore_index,
            gamma,
            weight_in_probability,
            sample_weight,
            opts,
            out,
            grad,
        )
    }
}

/// Multiclass focal loss on logits, gamma >= 0: loss_r = w_y (1 - p_y)^gamma (-log p_y),
/// mean = sum loss / sum w_y. With `weight_in_probability` != 0, inferno's variant
/// (1 - p_y^w_y)^gamma w_y (-log p_y). gamma = 0 is lk_cross_entropy. Other arguments as for
/// lk_cross_entropy.
///
/// `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_focal_f64(
    logits: *const f64,
    target: *const i64,
    rows: usize,
    classes: usize,
    class_weight: *const f64,
    ignore_index: i64,
    gamma: f64,
    weight_in_probability: u8,
    sample_weight: *const f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::focal(
            logits,
            target,
            rows,
            classes,
            class_weight,
            ignore_index,
            gamma,
            weight_in_probability,
            sample_weight,
            opts,
            out,
            grad,
        )
    }
}

/// Categorical accuracy: loss_r = 1 if argmax_k pred_rk == target_r else 0 (ties go to the first
/// index; a row holding NaN gives NaN); rows whose target is `ignore_index` are left out. No
/// gradient. Other arguments as for lk_cross_entropy.
///
/// `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_categorical_accuracy_f32(
    pred: *const f32,
    target: *const i64,
    rows: usize,
    classes: usize,
    ignore_index: i64,
    sample_weight: *const f32,
    opts: *const lk_options,
    out: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::categorical_accuracy(
            pred,
            target,
            rows,
            classes,
            ignore_index,
            sample_weight,
            opts,
            out,
        )
    }
}

/// Categorical accuracy: loss_r = 1 if argmax_k pred_rk == target_r else 0 (ties go to the first
/// index; a row holding NaN gives NaN); rows whose target is `ignore_index` are left out. No
/// gradient. Other arguments as for lk_cross_entropy.
///
/// `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_categorical_accuracy_f64(
    pred: *const f64,
    target: *const i64,
    rows: usize,
    classes: usize,
    ignore_index: i64,
    sample_weight: *const f64,
    opts: *const lk_options,
    out: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::categorical_accuracy(
            pred,
            target,
            rows,
            classes,
            ignore_index,
            sample_weight,
            opts,
            out,
        )
    }
}

/// astroNN categorical_crossentropy with one-hot (or probability) targets `target` (rows x
/// classes) in which opts->magic (with opts->use_magic != 0; NaN too) marks a missing label:
/// with t = target with missing entries set to 0 and F = classes / (valid entries of the row),
/// loss_r = -F sum_k t_k log p_k, p = softmax(pred) with `from_logits` != 0, otherwise
/// p = pred / sum(pred) clipped to [1e-7, 1 - 1e-7]. A row without a valid label follows
/// opts->empty (ZERO: left out; NAN: NaN; ERROR: fails). The mean is over rows.
///
/// `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_astronn_cce_f32(
    pred: *const f32,
    target: *const f32,
    rows: usize,
    classes: usize,
    from_logits: u8,
    sample_weight: *const f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::astronn_cce(
            pred,
            target,
            rows,
            classes,
            from_logits,
            sample_weight,
            opts,
            out,
            grad,
        )
    }
}

/// astroNN categorical_crossentropy with one-hot (or probability) targets `target` (rows x
/// classes) in which opts->magic (with opts->use_magic != 0; NaN too) marks a missing label:
/// with t = target with missing entries set to 0 and F = classes / (valid entries of the row),
/// loss_r = -F sum_k t_k log p_k, p = softmax(pred) with `from_logits` != 0, otherwise
/// p = pred / sum(pred) clipped to [1e-7, 1 - 1e-7]. A row without a valid label follows
/// opts->empty (ZERO: left out; NAN: NaN; ERROR: fails). The mean is over rows.
///
/// `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_astronn_cce_f64(
    pred: *const f64,
    target: *const f64,
    rows: usize,
    classes: usize,
    from_logits: u8,
    sample_weight: *const f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::astronn_cce(
            pred,
            target,
            rows,
            classes,
            from_logits,
            sample_weight,
            opts,
            out,
            grad,
        )
    }
}

/// astroNN categorical_accuracy: loss_r = 1 if argmax target_r == argmax pred_r else 0, with
/// missing target entries (opts->magic with opts->use_magic != 0, or NaN) set to 0 first; ties go
/// to the first index. No gradient. `target`: rows x classes.
///
/// `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_astronn_categorical_accuracy_f32(
    pred: *const f32,
    target: *const f32,
    rows: usize,
    classes: usize,
    sample_weight: *const f32,
    opts: *const lk_options,
    out: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::astronn_categorical_accuracy(pred, target, rows, classes, sample_weight, opts, out)
    }
}

/// astroNN categorical_accuracy: loss_r = 1 if argmax target_r == argmax pred_r else 0, with
/// missing target entries (opts->magic with opts->use_magic != 0, or NaN) set to 0 first; ties go
/// to the first index. No gradient. `target`: rows x classes.
///
/// `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_astronn_categorical_accuracy_f64(
    pred: *const f64,
    target: *const f64,
    rows: usize,
    classes: usize,
    sample_weight: *const f64,
    opts: *const lk_options,
    out: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        rowwise::astronn_categorical_accuracy(pred, target, rows, classes, sample_weight, opts, out)
    }
}
