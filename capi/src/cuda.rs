//! The CUDA path over the C ABI (`lk_cuda_*`, feature `cuda` of losskit-capi).
//!
//! Declared in include/losskit.h under `#ifdef LOSSKIT_CUDA` (define it before including
//! the header when linking a library built with `--features cuda`).
//!
//! Conventions of every `lk_cuda_*` loss, on top of the header's general ones:
//! * every data pointer (inputs, `weight`, `opts->mask`, `out`, `grad`, `opts->partial`,
//!   the workspace) is a DEVICE pointer of the stream's context; `opts` itself is a host
//!   pointer (NULL for the defaults) and `opts->row_len` must be 0;
//! * `workspace` is caller-provided device memory, 8-byte aligned, of at least
//!   `lk_cuda_elementwise_workspace_size(n)` bytes (cross-entropy:
//!   `lk_cuda_cross_entropy_workspace_size(rows, classes)`), used by one call at a time;
//! * `stream` is the caller's CUstream (NULL: the legacy default stream of the current
//!   context). The call enqueues its kernels there and returns without waiting: `out`
//!   (1 value; n with LK_REDUCTION_NONE), `grad` and `opts->partial` are written in stream
//!   order;
//! * the status says whether the call was accepted: host-side checks (NULL pointers,
//!   misalignment, overlapping outputs, parameters, enums, the workspace size) and
//!   LK_ERR_NO_DEVICE when CUDA cannot run (no libcuda, no GPU), LK_ERR_CUDA when a driver
//!   call fails. What only the device can check (negative or non-finite weights, class
//!   indices, an empty mean under LK_EMPTY_ERROR) is checked by the call's first kernel;
//!   if it fails, no output is written and `lk_cuda_workspace_status` reports the error.

use crate::boundary::{run, Checked};
use crate::options::*;
use crate::status::*;
use core::ffi::c_void;
use losskit_core::cuda::raw::{self, Elementwise};
use losskit_core::{EmptyPolicy, Real, Reduction};

/// `*opts` (or the defaults) checked and translated for a device call over n elements
/// (`mask_len` mask bytes).
struct DeviceOpts {
    reduce: raw::Reduce,
    mask: u64,
    magic: Option<f64>,
    partial: u64,
}

/// # Safety
/// `opts` is NULL or points to a valid `lk_options` (host memory).
unsafe fn device_options(
    opts: *const lk_options,
    mask_len: usize,
    c: &mut Checked,
) -> Result<DeviceOpts, Failure> {
    let o = if opts.is_null() {
        lk_options_default()
    } else {
        c.aligned(opts, "opts")?;
        // SAFETY: non-NULL and aligned; validity is the caller's promise.
        unsafe { *opts }
    };
    let reduction = match o.reduction {
        LK_REDUCTION_NONE => Reduction::None,
        LK_REDUCTION_SUM => Reduction::Sum,
        LK_REDUCTION_MEAN => Reduction::Mean,
        LK_REDUCTION_PARTIAL => Reduction::Partial,
        r => {
            return Err(Failure::new(
                LK_ERR_BAD_ENUM,
                format_args!("options.reduction = {r} is not an LK_REDUCTION_* value"),
            ))
        }
    };
    let empty = match o.empty {
        LK_EMPTY_ZERO => EmptyPolicy::Zero,
        LK_EMPTY_NAN => EmptyPolicy::Nan,
        LK_EMPTY_ERROR => EmptyPolicy::Error,
        e => {
            return Err(Failure::new(
                LK_ERR_BAD_ENUM,
                format_args!("options.empty = {e} is not an LK_EMPTY_* value"),
            ))
        }
    };
    if o.row_len != 0 {
        return Err(Failure::new(
            LK_ERR_BAD_PARAMETER,
            format_args!("options.row_len must be 0 on the CUDA path (no per-row means)"),
        ));
    }
    if !o.mask.is_null() && mask_len > 0 {
        c.input(o.mask, mask_len, "options.mask")?;
    }
    if reduction == Reduction::Partial && o.partial.is_null() {
        return Err(Failure::new(
            LK_ERR_NULL_POINTER,
            format_args!("options.partial is NULL with LK_REDUCTION_PARTIAL"),
        ));
    }
    if !o.partial.is_null() {
        c.output(o.partial, 1, "options.partial")?;
    }
    Ok(DeviceOpts {
        reduce: raw::Reduce {
            reduction,
            empty,
            grad_scale: o.grad_scale,
            accumulate: o.grad_accumulate != 0,
        },
        mask: o.mask as u64,
        magic: (o.use_magic != 0).then_some(o.magic),
        partial: o.partial as u64,
    })
}

/// Checks a device input of n elements (NULL allowed when n = 0).
fn input<T>(c: &mut Checked, p: *const T, n: usize, what: &'static str) -> Result<u64, Failure> {
    if n > 0 {
        c.input(p, n, what)?;
    }
    Ok(p as u64)
}

/// Checks an optional device input (NULL = absent).
fn optional<T>(c: &mut Checked, p: *const T, n: usize, what: &'static str) -> Result<u64, Failure> {
    if !p.is_null() && n > 0 {
        c.input(p, n, what)?;
    }
    Ok(p as u64)
}

/// Checks an optional device output (NULL = not wanted).
fn output<T>(c: &mut Checked, p: *mut T, n: usize, what: &'static str) -> Result<u64, Failure> {
    if !p.is_null() && n > 0 {
        c.output(p, n, what)?;
    }
    Ok(p as u64)
}

/// Checks the workspace: non-NULL, 8-byte aligned, not overlapping anything.
fn workspace(c: &mut Checked, p: *mut c_void, bytes: usize) -> Result<u64, Failure> {
    if p.is_null() {
        return Err(Failure::new(
            LK_ERR_NULL_POINTER,
            format_args!("`workspace` is NULL"),
        ));
    }
    c.output(p.cast::<u64>(), bytes / 8, "workspace")?;
    Ok(p as u64)
}

/// The body of every elementwise `lk_cuda_*` loss.
///
/// # Safety
/// The pointer contract in the module docs.
#[allow(clippy::too_many_arguments)]
unsafe fn elementwise<T: Real>(
    loss: Elementwise<T>,
    pred: *const T,
    target: *const T,
    weight: *const T,
    pos_weight: *const T,
    classes: usize,
    n: usize,
    opts: *const lk_options,
    out: *mut T,
    grad: *mut T,
    ws: *mut c_void,
    ws_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        let pred = input(&mut c, pred, n, "pred")?;
        let target = input(&mut c, target, n, "target")?;
        let weight = optional(&mut c, weight, n, "weight")?;
        let pos_weight = optional(&mut c, pos_weight, classes, "pos_weight")?;
        // SAFETY: the caller's promise on `opts`.
        let o = unsafe { device_options(opts, n, &mut c)? };
        let per_element = o.reduce.reduction == Reduction::None;
        let out_len = if per_element { n } else { 1 };
        if out.is_null() && out_len > 0 {
            return Err(Failure::new(
                LK_ERR_NULL_POINTER,
                format_args!("`out` is NULL"),
            ));
        }
        let out = output(&mut c, out, out_len, "out")?;
        let grad = output(&mut c, grad, n, "grad")?;
        let workspace = workspace(&mut c, ws, ws_bytes)?;
        let call = raw::ElementwiseCall {
            pred,
            target,
            weight,
            mask: o.mask,
            pos_weight,
            classes,
            n,
            magic: o.magic,
            values: if per_element { out } else { 0 },
            grad,
            out: if per_element { 0 } else { out },
            partial: o.partial,
            workspace,
            workspace_bytes: ws_bytes,
        };
        // SAFETY: the caller's contract on the device pointers and the stream.
        unsafe { raw::elementwise::<T>(&loss, &call, &o.reduce, stream.cast())? };
        Ok(())
    })
}

/// The body of `lk_cuda_cross_entropy_*`.
///
/// # Safety
/// The pointer contract in the module docs.
#[allow(clippy::too_many_arguments)]
unsafe fn cross_entropy<T: Real>(
    logits: *const T,
    target: *const i64,
    class_weight: *const T,
    rows: usize,
    classes: usize,
    ignore_index: i64,
    label_smoothing: f64,
    z_loss: f64,
    opts: *const lk_options,
    out: *mut T,
    grad: *mut T,
    ws: *mut c_void,
    ws_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        let n = rows.checked_mul(classes).ok_or_else(|| {
            Failure::new(
                LK_ERR_LENGTH_MISMATCH,
                format_args!("rows x classes overflows"),
            )
        })?;
        let in_place = !grad.is_null() && grad.cast_const() == logits;
        let logits_p = if in_place {
            // The gradient overwrites the logits: checked once, as an output.
            output(&mut c, grad, n, "logits (= grad, in place)")?
        } else {
            input(&mut c, logits, n, "logits")?
        };
        let target = input(&mut c, target, rows, "target")?;
        let class_weight = optional(&mut c, class_weight, classes, "class_weight")?;
        // SAFETY: the caller's promise on `opts`.
        let o = unsafe { device_options(opts, rows, &mut c)? };
        if o.magic.is_some() {
            return Err(Failure::new(
                LK_ERR_BAD_PARAMETER,
                format_args!(
                    "options.use_magic: cross-entropy has class-index targets (use ignore_index)"
                ),
            ));
        }
        let per_row = o.reduce.reduction == Reduction::None;
        let out_len = if per_row { rows } else { 1 };
        if out.is_null() && out_len > 0 {
            return Err(Failure::new(
                LK_ERR_NULL_POINTER,
                format_args!("`out` is NULL"),
            ));
        }
        let out = output(&mut c, out, out_len, "out")?;
        let grad = if in_place {
            logits_p
        } else {
            output(&mut c, grad, n, "grad")?
        };
        let workspace = workspace(&mut c, ws, ws_bytes)?;
        let call = raw::CrossEntropyCall {
            logits: logits_p,
            target,
            class_weight,
            mask: o.mask,
            rows,
            classes,
            ignore_index,
            label_smoothing,
            z_loss,
            values: if per_row { out } else { 0 },
            grad,
            out: if per_row { 0 } else { out },
            partial: o.partial,
            workspace,
            workspace_bytes: ws_bytes,
        };
        // SAFETY: the caller's contract on the device pointers and the stream.
        unsafe { raw::cross_entropy::<T>(&call, &o.reduce, stream.cast())? };
        Ok(())
    })
}

/// LK_OK when the CUDA path can run here (the driver library loads and finds a GPU),
/// LK_ERR_NO_DEVICE when it cannot, LK_ERR_CUDA when cuInit fails otherwise.
#[no_mangle]
pub extern "C" fn lk_cuda_available() -> lk_status {
    run(|| Ok(losskit_core::cuda::available()?))
}

/// Bytes of device workspace an elementwise lk_cuda_* loss over n elements needs (every
/// elementwise loss needs the same). Small: at most 49,280 bytes whatever n.
#[no_mangle]
pub extern "C" fn lk_cuda_elementwise_workspace_size(n: usize) -> usize {
    raw::elementwise_workspace_size(n)
}

/// Bytes of device workspace lk_cuda_cross_entropy_* over rows x classes needs. Small: at
/// most 49,280 bytes whatever the shape.
#[no_mangle]
pub extern "C" fn lk_cuda_cross_entropy_workspace_size(rows: usize, classes: usize) -> usize {
    raw::cross_entropy_workspace_size(rows, classes)
}

/// Waits for `stream`, then returns the device-side verdict of the last lk_cuda_* call that
/// used `workspace` on it: LK_OK, or the error its first kernel found (LK_ERR_BAD_PARAMETER
/// for a negative or non-finite weight, LK_ERR_INDEX_OUT_OF_RANGE for a class index
/// outside [0, classes) — the message names the first such row —, LK_ERR_EMPTY_MEAN under
/// LK_EMPTY_ERROR), in which case that call wrote no output. Also LK_ERR_NO_DEVICE /
/// LK_ERR_CUDA as every lk_cuda_* function.
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_workspace_status(
    workspace: *const c_void,
    stream: *mut c_void,
) -> lk_status {
    run(|| {
        if workspace.is_null() {
            return Err(Failure::new(
                LK_ERR_NULL_POINTER,
                format_args!("`workspace` is NULL"),
            ));
        }
        // SAFETY: the caller's device workspace and stream.
        unsafe { raw::read_status(workspace as u64, stream.cast())? };
        Ok(())
    })
}

// Keeps `lk_partial` referenced (opts->partial is a device `lk_partial *`).
#[allow(dead_code)]
type DevicePartial = *mut lk_partial;

/// Mean squared error on the GPU: loss_i = (pred_i - target_i)^2, d/dpred = 2 (pred_i - target_i).
///
/// Every elementwise lk_cuda_* loss takes: `pred`, `target` (n device values each), `weight`
/// (NULL or n device weights, finite and >= 0), the loss's own parameter if any, `opts`
/// (host; NULL for the defaults; its mask and partial are device pointers), `out` (device:
/// 1 value, n with LK_REDUCTION_NONE), `grad` (NULL or n device values receiving
/// grad_scale * dL/dpred), the device `workspace` and its size in bytes, and the `stream`
/// (CUstream). Asynchronous: see lk_cuda_workspace_status for device-side errors.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_mse_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::Mse,
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Mean squared error on the GPU: loss_i = (pred_i - target_i)^2, d/dpred = 2 (pred_i - target_i).
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_mse_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::Mse,
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Mean absolute error on the GPU: loss_i = |pred_i - target_i|, d/dpred = sign(pred_i - target_i) with sign(0) = 0.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_mae_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::Mae,
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Mean absolute error on the GPU: loss_i = |pred_i - target_i|, d/dpred = sign(pred_i - target_i) with sign(0) = 0.
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_mae_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::Mae,
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Root mean squared error on the GPU: L = sqrt(reduced (pred - target)^2); gradient 0 where L = 0; LK_REDUCTION_NONE is refused.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_rmse_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::Rmse,
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Root mean squared error on the GPU: L = sqrt(reduced (pred - target)^2); gradient 0 where L = 0; LK_REDUCTION_NONE is refused.
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_rmse_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::Rmse,
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Mean error (astroNN) on the GPU: loss_i = target_i - pred_i, d/dpred = -1.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_mean_error_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::MeanError,
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Mean error (astroNN) on the GPU: loss_i = target_i - pred_i, d/dpred = -1.
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_mean_error_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::MeanError,
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Mean squared logarithmic error (astroNN's clip at 1e-7) on the GPU: loss_i = (ln(max(pred_i, 1e-7) + 1) - ln(max(target_i, 1e-7) + 1))^2.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_msle_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::Msle,
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Mean squared logarithmic error (astroNN's clip at 1e-7) on the GPU: loss_i = (ln(max(pred_i, 1e-7) + 1) - ln(max(target_i, 1e-7) + 1))^2.
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_msle_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::Msle,
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Mean absolute percentage error (astroNN) on the GPU: loss_i = 100 |target_i - pred_i| / max(|target_i|, 1e-7).
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_mape_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::Mape,
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Mean absolute percentage error (astroNN) on the GPU: loss_i = 100 |target_i - pred_i| / max(|target_i|, 1e-7).
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_mape_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::Mape,
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Mean percentage error on the GPU: loss_i = 100 (target_i - pred_i) / target_i, |target_i| raised to at least 1e-7 keeping its sign.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_mpe_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::Mpe,
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Mean percentage error on the GPU: loss_i = 100 (target_i - pred_i) / target_i, |target_i| raised to at least 1e-7 keeping its sign.
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_mpe_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::Mpe,
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Huber loss on the GPU, delta > 0: loss_i = d^2/2 if |d| < delta else delta (|d| - delta/2), d = pred_i - target_i.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_huber_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    delta: f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::Huber { delta },
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Huber loss on the GPU, delta > 0: loss_i = d^2/2 if |d| < delta else delta (|d| - delta/2), d = pred_i - target_i.
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_huber_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    delta: f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::Huber { delta },
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Scale-free Huber (graph-pes) on the GPU, delta > 0: Huber_delta / delta.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_scale_free_huber_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    delta: f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::ScaleFreeHuber { delta },
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Scale-free Huber (graph-pes) on the GPU, delta > 0: Huber_delta / delta.
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_scale_free_huber_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    delta: f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::ScaleFreeHuber { delta },
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Smooth L1 on the GPU, beta >= 0: loss_i = d^2/(2 beta) if |d| < beta else |d| - beta/2.
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_smooth_l1_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    beta: f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::SmoothL1 { beta },
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Smooth L1 on the GPU, beta >= 0: loss_i = d^2/(2 beta) if |d| < beta else |d| - beta/2.
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_smooth_l1_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    beta: f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::SmoothL1 { beta },
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Log-cosh loss on the GPU: loss_i = ln cosh(pred_i - target_i), d/dpred = tanh(pred_i - target_i).
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_log_cosh_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::LogCosh,
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Log-cosh loss on the GPU: loss_i = ln cosh(pred_i - target_i), d/dpred = tanh(pred_i - target_i).
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_log_cosh_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::LogCosh,
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Binary focal loss on logits on the GPU, gamma >= 0: p = sigmoid(z), q = p (1 - t) + (1 - p) t, loss_i = q^gamma * BCEwithlogits(z, t); `pred` holds the logits z, `target` t in [0, 1].
///
/// `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_binary_focal_f32(
    pred: *const f32,
    target: *const f32,
    weight: *const f32,
    n: usize,
    gamma: f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::BinaryFocal { gamma },
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Binary focal loss on logits on the GPU, gamma >= 0: p = sigmoid(z), q = p (1 - t) + (1 - p) t, loss_i = q^gamma * BCEwithlogits(z, t); `pred` holds the logits z, `target` t in [0, 1].
///
/// `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_binary_focal_f64(
    pred: *const f64,
    target: *const f64,
    weight: *const f64,
    n: usize,
    gamma: f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::BinaryFocal { gamma },
            pred,
            target,
            weight,
            core::ptr::null(),
            0,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Binary cross-entropy with logits on the GPU: loss_i = pw_c t_i softplus(-z_i) + (1 - t_i)
/// softplus(z_i), d/dz = (1 - t_i) sigmoid(z_i) - pw_c t_i sigmoid(-z_i), computed stably
/// (z = +-inf with t in {0, 1} gives the finite limit).
///
/// `logits` z and `target` t: n device values (t in [0, 1]); `weight`: NULL or n per-element
/// weights; `pos_weight`: NULL, or `classes` device values pw_c, the data being rows of
/// `classes` values (element i has class i % classes; n a multiple of classes); other
/// arguments as for every elementwise lk_cuda_* loss (see the note before lk_cuda_mse_f32).
/// `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_bce_with_logits_f32(
    logits: *const f32,
    target: *const f32,
    weight: *const f32,
    pos_weight: *const f32,
    n: usize,
    classes: usize,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::BceWithLogits,
            logits,
            target,
            weight,
            pos_weight,
            classes,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Binary cross-entropy with logits on the GPU: loss_i = pw_c t_i softplus(-z_i) + (1 - t_i)
/// softplus(z_i), d/dz = (1 - t_i) sigmoid(z_i) - pw_c t_i sigmoid(-z_i), computed stably
/// (z = +-inf with t in {0, 1} gives the finite limit).
///
/// `logits` z and `target` t: n device values (t in [0, 1]); `weight`: NULL or n per-element
/// weights; `pos_weight`: NULL, or `classes` device values pw_c, the data being rows of
/// `classes` values (element i has class i % classes; n a multiple of classes); other
/// arguments as for every elementwise lk_cuda_* loss (see the note before lk_cuda_mse_f32).
/// `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_bce_with_logits_f64(
    logits: *const f64,
    target: *const f64,
    weight: *const f64,
    pos_weight: *const f64,
    n: usize,
    classes: usize,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        elementwise(
            Elementwise::BceWithLogits,
            logits,
            target,
            weight,
            pos_weight,
            classes,
            n,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Softmax cross-entropy with class-index targets on the GPU, value and gradient fused.
///
/// Row r (logits z = `logits[r*classes ..]`, target y = `target[r]`, class weights w, 1 when
/// `class_weight` is NULL; eps = `label_smoothing` in [0, 1]; lambda = `z_loss` >= 0;
/// lse = ln sum_c exp(z_c)):
/// loss_r = (1 - eps) w_y (lse - z_y) + eps/C sum_c w_c (lse - z_c) + lambda lse^2.
/// A row is dropped when y == `ignore_index` (PyTorch's default: -100) or its mask byte
/// (`opts->mask`, one per row, device) is 0; LK_REDUCTION_MEAN divides by the sum of w_y over
/// kept rows (PyTorch's weighted mean, label smoothing included). A kept row's y must be in
/// [0, classes) (checked on the device, see lk_cuda_workspace_status).
/// `grad`: NULL, rows*classes device values receiving grad_scale * dL/dlogits, or equal to
/// `logits` to overwrite the logits with their gradient (not with grad_accumulate).
/// `out`: 1 value (rows with LK_REDUCTION_NONE). `opts->use_magic` and `opts->row_len` must
/// be 0. `target`: rows int64 device values. Workspace:
/// lk_cuda_cross_entropy_workspace_size(rows, classes) bytes. `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_cross_entropy_f32(
    logits: *const f32,
    target: *const i64,
    class_weight: *const f32,
    rows: usize,
    classes: usize,
    ignore_index: i64,
    label_smoothing: f32,
    z_loss: f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        cross_entropy(
            logits,
            target,
            class_weight,
            rows,
            classes,
            ignore_index,
            label_smoothing as f64,
            z_loss as f64,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}

/// Softmax cross-entropy with class-index targets on the GPU, value and gradient fused.
///
/// Row r (logits z = `logits[r*classes ..]`, target y = `target[r]`, class weights w, 1 when
/// `class_weight` is NULL; eps = `label_smoothing` in [0, 1]; lambda = `z_loss` >= 0;
/// lse = ln sum_c exp(z_c)):
/// loss_r = (1 - eps) w_y (lse - z_y) + eps/C sum_c w_c (lse - z_c) + lambda lse^2.
/// A row is dropped when y == `ignore_index` (PyTorch's default: -100) or its mask byte
/// (`opts->mask`, one per row, device) is 0; LK_REDUCTION_MEAN divides by the sum of w_y over
/// kept rows (PyTorch's weighted mean, label smoothing included). A kept row's y must be in
/// [0, classes) (checked on the device, see lk_cuda_workspace_status).
/// `grad`: NULL, rows*classes device values receiving grad_scale * dL/dlogits, or equal to
/// `logits` to overwrite the logits with their gradient (not with grad_accumulate).
/// `out`: 1 value (rows with LK_REDUCTION_NONE). `opts->use_magic` and `opts->row_len` must
/// be 0. `target`: rows int64 device values. Workspace:
/// lk_cuda_cross_entropy_workspace_size(rows, classes) bytes. `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_cuda_cross_entropy_f64(
    logits: *const f64,
    target: *const i64,
    class_weight: *const f64,
    rows: usize,
    classes: usize,
    ignore_index: i64,
    label_smoothing: f64,
    z_loss: f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
    workspace: *mut c_void,
    workspace_bytes: usize,
    stream: *mut c_void,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        cross_entropy(
            logits,
            target,
            class_weight,
            rows,
            classes,
            ignore_index,
            label_smoothing,
            z_loss,
            opts,
            out,
            grad,
            workspace,
            workspace_bytes,
            stream,
        )
    }
}
