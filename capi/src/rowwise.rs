//! The generic bodies of the classification entry points: the row-wise ones (rows × classes)
//! and the binary cross-entropy with logits (whose `pos_weight` is an extra input).

use crate::boundary::{
    input_slice, optional_input, optional_output, output_slice, reduced_outputs, run,
    write_reduced, Checked,
};
use crate::options::{lk_options, translate};
use crate::status::*;
use losskit_core::binary::BceWithLogits;
use losskit_core::pointwise::evaluate;
use losskit_core::rowwise::{self, CrossEntropy, Focal, Nll, ProbCrossEntropy};
use losskit_core::{Options, Real, Reduced, Reduction};

/// rows·classes, refused if it overflows.
fn elements(rows: usize, classes: usize) -> Result<usize, Failure> {
    rows.checked_mul(classes).ok_or_else(|| {
        Failure::new(
            LK_ERR_LENGTH_MISMATCH,
            format_args!("rows * classes = {rows} * {classes} overflows"),
        )
    })
}

/// The inputs a row-wise body hands to its loss.
pub(crate) struct RowCall<'a, 'o, T> {
    pub checked: &'a mut Checked,
    /// rows·classes.
    pub n: usize,
    pub opts: &'a Options<'o, T>,
    pub values: Option<&'a mut [T]>,
    pub grad: Option<&'a mut [T]>,
}

/// The body shared by the row-wise entry points: checks rows × classes, the options (mask and
/// `sample_weight` per row), `out` and `grad` (rows × classes, may be NULL), then lets `eval`
/// check its own inputs and compute; writes the scalar result and the partial on success.
///
/// # Safety
/// The pointers must satisfy the contract in `include/losskit.h`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn rowwise_body<T: Real>(
    rows: usize,
    classes: usize,
    sample_weight: *const T,
    opts: *const lk_options,
    out: *mut T,
    grad: *mut T,
    eval: impl FnOnce(RowCall<'_, '_, T>) -> Result<Reduced<T>, Failure>,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        let n = elements(rows, classes)?;
        // SAFETY (all calls below): the caller's contract on the pointers.
        let sw = unsafe { optional_input(sample_weight, rows, "sample_weight", &mut c)? };
        let t = unsafe { translate(opts, sw, rows, &mut c)? };
        let per_row = t.opts.reduction == Reduction::None;
        let (values, scalar) = unsafe { reduced_outputs(out, t.out_len, per_row, &mut c)? };
        let grad = unsafe { optional_output(grad, n, "grad", &mut c)? };
        let r = eval(RowCall {
            checked: &mut c,
            n,
            opts: &t.opts,
            values,
            grad,
        })?;
        write_reduced(r, scalar, t.partial);
        Ok(())
    })
}

/// `lk_cross_entropy_*`.
///
/// # Safety
/// The pointers must satisfy the contract in `include/losskit.h`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn cross_entropy<T: Real>(
    logits: *const T,
    target: *const i64,
    rows: usize,
    classes: usize,
    class_weight: *const T,
    ignore_index: i64,
    label_smoothing: T,
    z_loss: T,
    sample_weight: *const T,
    opts: *const lk_options,
    out: *mut T,
    grad: *mut T,
) -> lk_status {
    // SAFETY: forwarded.
    unsafe {
        rowwise_body(rows, classes, sample_weight, opts, out, grad, |call| {
            let c = call.checked;
            let x = input_slice(logits, call.n, "logits", c)?;
            let y = input_slice(target, rows, "target", c)?;
            let cw = optional_input(class_weight, classes, "class_weight", c)?;
            let p = CrossEntropy {
                class_weights: cw,
                ignore_index: Some(ignore_index),
                label_smoothing,
                z_loss,
            };
            Ok(rowwise::cross_entropy(
                x,
                y,
                classes,
                &p,
                call.opts,
                call.values,
                call.grad,
            )?)
        })
    }
}

/// `lk_cross_entropy_in_place_*`.
///
/// # Safety
/// The pointers must satisfy the contract in `include/losskit.h`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn cross_entropy_in_place<T: Real>(
    logits: *mut T,
    target: *const i64,
    rows: usize,
    classes: usize,
    class_weight: *const T,
    ignore_index: i64,
    label_smoothing: T,
    z_loss: T,
    sample_weight: *const T,
    opts: *const lk_options,
    out: *mut T,
) -> lk_status {
    // SAFETY: forwarded.
    unsafe {
        rowwise_body(
            rows,
            classes,
            sample_weight,
            opts,
            out,
            core::ptr::null_mut(),
            |call| {
                let c = call.checked;
                let y = input_slice(target, rows, "target", c)?;
                let cw = optional_input(class_weight, classes, "class_weight", c)?;
                if logits.is_null() && call.n > 0 {
                    return Err(Failure::new(
                        LK_ERR_NULL_POINTER,
                        format_args!("`logits` is NULL"),
                    ));
                }
                let x = output_slice(logits, call.n, "logits", c)?;
                let p = CrossEntropy {
                    class_weights: cw,
                    ignore_index: Some(ignore_index),
                    label_smoothing,
                    z_loss,
                };
                Ok(rowwise::cross_entropy_in_place(
                    x,
                    y,
                    classes,
                    &p,
                    call.opts,
                    call.values,
                )?)
            },
        )
    }
}

/// `lk_cross_entropy_probs_*`.
///
/// # Safety
/// The pointers must satisfy the contract in `include/losskit.h`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn cross_entropy_probs<T: Real>(
    logits: *const T,
    target: *const T,
    rows: usize,
    classes: usize,
    class_weight: *const T,
    label_smoothing: T,
    sample_weight: *const T,
    opts: *const lk_options,
    out: *mut T,
    grad: *mut T,
) -> lk_status {
    // SAFETY: forwarded.
    unsafe {
        rowwise_body(rows, classes, sample_weight, opts, out, grad, |call| {
            let c = call.checked;
            let x = input_slice(logits, call.n, "logits", c)?;
            let y = input_slice(target, call.n, "target", c)?;
            let cw = optional_input(class_weight, classes, "class_weight", c)?;
            let p = ProbCrossEntropy {
                class_weights: cw,
                label_smoothing,
            };
            Ok(rowwise::cross_entropy_probs(
                x,
                y,
                classes,
                &p,
                call.opts,
                call.values,
                call.grad,
            )?)
        })
    }
}

/// `lk_nll_*`.
///
/// # Safety
/// The pointers must satisfy the contract in `include/losskit.h`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn nll<T: Real>(
    log_probs: *const T,
    target: *const i64,
    rows: usize,
    classes: usize,
    class_weight: *const T,
    ignore_index: i64,
    sample_weight: *const T,
    opts: *const lk_options,
    out: *mut T,
    grad: *mut T,
) -> lk_status {
    // SAFETY: forwarded.
    unsafe {
        rowwise_body(rows, classes, sample_weight, opts, out, grad, |call| {
            let c = call.checked;
            let x = input_slice(log_probs, call.n, "log_probs", c)?;
            let y = input_slice(target, rows, "target", c)?;
            let cw = optional_input(class_weight, classes, "class_weight", c)?;
            let p = Nll {
                class_weights: cw,
                ignore_index: Some(ignore_index),
            };
            Ok(rowwise::nll(
                x,
                y,
                classes,
                &p,
                call.opts,
                call.values,
                call.grad,
            )?)
        })
    }
}

/// `lk_focal_*`.
///
/// # Safety
/// The pointers must satisfy the contract in `include/losskit.h`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn focal<T: Real>(
    logits: *const T,
    target: *const i64,
    rows: usize,
    classes: usize,
    class_weight: *const T,
    ignore_index: i64,
    gamma: T,
    weight_in_probability: u8,
    sample_weight: *const T,
    opts: *const lk_options,
    out: *mut T,
    grad: *mut T,
) -> lk_status {
    // SAFETY: forwarded.
    unsafe {
        rowwise_body(rows, classes, sample_weight, opts, out, grad, |call| {
            let c = call.checked;
            let x = input_slice(logits, call.n, "logits", c)?;
            let y = input_slice(target, rows, "target", c)?;
            let cw = optional_input(class_weight, classes, "class_weight", c)?;
            let p = Focal {
                gamma,
                class_weights: cw,
                ignore_index: Some(ignore_index),
                weight_in_probability: weight_in_probability != 0,
            };
            Ok(rowwise::focal(
                x,
                y,
                classes,
                &p,
                call.opts,
                call.values,
                call.grad,
            )?)
        })
    }
}

/// `lk_categorical_accuracy_*`.
///
/// # Safety
/// The pointers must satisfy the contract in `include/losskit.h`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn categorical_accuracy<T: Real>(
    pred: *const T,
    target: *const i64,
    rows: usize,
    classes: usize,
    ignore_index: i64,
    sample_weight: *const T,
    opts: *const lk_options,
    out: *mut T,
) -> lk_status {
    // SAFETY: forwarded.
    unsafe {
        rowwise_body(
            rows,
            classes,
            sample_weight,
            opts,
            out,
            core::ptr::null_mut(),
            |call| {
                let c = call.checked;
                let x = input_slice(pred, call.n, "pred", c)?;
                let y = input_slice(target, rows, "target", c)?;
                Ok(rowwise::categorical_accuracy(
                    x,
                    y,
                    classes,
                    Some(ignore_index),
                    call.opts,
                    call.values,
                )?)
            },
        )
    }
}

/// `lk_astronn_cce_*`.
///
/// # Safety
/// The pointers must satisfy the contract in `include/losskit.h`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn astronn_cce<T: Real>(
    pred: *const T,
    target: *const T,
    rows: usize,
    classes: usize,
    from_logits: u8,
    sample_weight: *const T,
    opts: *const lk_options,
    out: *mut T,
    grad: *mut T,
) -> lk_status {
    // SAFETY: forwarded.
    unsafe {
        rowwise_body(rows, classes, sample_weight, opts, out, grad, |call| {
            let c = call.checked;
            let x = input_slice(pred, call.n, "pred", c)?;
            let y = input_slice(target, call.n, "target", c)?;
            Ok(rowwise::astronn_categorical_crossentropy(
                x,
                y,
                classes,
                from_logits != 0,
                call.opts,
                call.values,
                call.grad,
            )?)
        })
    }
}

/// `lk_astronn_categorical_accuracy_*`.
///
/// # Safety
/// The pointers must satisfy the contract in `include/losskit.h`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn astronn_categorical_accuracy<T: Real>(
    pred: *const T,
    target: *const T,
    rows: usize,
    classes: usize,
    sample_weight: *const T,
    opts: *const lk_options,
    out: *mut T,
) -> lk_status {
    // SAFETY: forwarded.
    unsafe {
        rowwise_body(
            rows,
            classes,
            sample_weight,
            opts,
            out,
            core::ptr::null_mut(),
            |call| {
                let c = call.checked;
                let x = input_slice(pred, call.n, "pred", c)?;
                let y = input_slice(target, call.n, "target", c)?;
                Ok(rowwise::astronn_categorical_accuracy(
                    x,
                    y,
                    classes,
                    call.opts,
                    call.values,
                )?)
            },
        )
    }
}

/// `lk_bce_with_logits_*`: the elementwise body with the extra `pos_weight` input.
///
/// # Safety
/// The pointers must satisfy the contract in `include/losskit.h`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn bce_with_logits<T: Real>(
    logits: *const T,
    target: *const T,
    weight: *const T,
    pos_weight: *const T,
    cols: usize,
    n: usize,
    opts: *const lk_options,
    out: *mut T,
    grad: *mut T,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY (all calls below): the caller's contract on the pointers.
        let x = unsafe { input_slice(logits, n, "logits", &mut c)? };
        let y = unsafe { input_slice(target, n, "target", &mut c)? };
        let w = unsafe { optional_input(weight, n, "weight", &mut c)? };
        let pw = unsafe { optional_input(pos_weight, cols, "pos_weight", &mut c)? };
        let t = unsafe { translate(opts, w, n, &mut c)? };
        let loss = BceWithLogits::new(pw)?;
        let per_element = t.opts.reduction == Reduction::None;
        let (values, scalar) = unsafe { reduced_outputs(out, t.out_len, per_element, &mut c)? };
        let grad = unsafe { optional_output(grad, n, "grad", &mut c)? };
        let r = evaluate(&loss, x, y, &t.opts, values, grad)?;
        write_reduced(r, scalar, t.partial);
        Ok(())
    })
}
