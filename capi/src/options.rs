//! `lk_options`: the options every loss takes, and their translation to `losskit::Options`.

use crate::boundary::{input_slice, Checked};
use crate::status::*;
use losskit_core::{EmptyPolicy, GradMode, Options, Real, Reduction};

/// Per-element losses; `out` receives n values (or one per row with `row_len`).
pub const LK_REDUCTION_NONE: i32 = 0;
/// L = sum of w*loss over kept elements; `out` receives 1 value.
pub const LK_REDUCTION_SUM: i32 = 1;
/// L = sum(w*loss) / sum(w) over kept elements (the default); `out` receives 1 value.
pub const LK_REDUCTION_MEAN: i32 = 2;
/// Like SUM, and `options.partial` (required) receives {sum(w*loss), sum(w)} in double, to
/// be merged across threads/ranks; pass the global 1/sum(w) as `grad_scale` to get the
/// gradient of the global mean.
pub const LK_REDUCTION_PARTIAL: i32 = 3;

/// A mean over nothing is 0, with gradient 0 (the default).
pub const LK_EMPTY_ZERO: i32 = 0;
/// A mean over nothing is NaN (PyTorch), with gradient 0.
pub const LK_EMPTY_NAN: i32 = 1;
/// A mean over nothing fails with `LK_ERR_EMPTY_MEAN`.
pub const LK_EMPTY_ERROR: i32 = 2;

/// astroNN's default magic number.
pub const LK_ASTRONN_MAGIC: f64 = -9999.0;

/// A mergeable partial result: the weighted sum of losses and the sum of weights.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct lk_partial {
    /// Sum of w*loss over kept elements (of row means with `row_len`).
    pub sum: f64,
    /// Sum of w over kept elements (number of rows counted with `row_len`).
    pub weight: f64,
}

/// Options shared by every loss. Get the defaults from `lk_options_default()`; a NULL
/// `const lk_options *` also means the defaults.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct lk_options {
    /// `LK_REDUCTION_*`.
    pub reduction: i32,
    /// `LK_EMPTY_*`: what a mean over nothing gives.
    pub empty: i32,
    /// NULL, or one byte per element: nonzero keeps the element.
    pub mask: *const u8,
    /// Nonzero: a target equal to `magic`, or NaN, is masked (astroNN).
    pub use_magic: u8,
    /// The magic number (default -9999.0), compared after rounding to the data type.
    pub magic: f64,
    /// 0, or D > 0: the data are rows of length D; each row's masked mean is taken first,
    /// then the rows are reduced (astroNN's per-sample mean).
    pub row_len: usize,
    /// The gradient written is `grad_scale * dL/dpred` (default 1).
    pub grad_scale: f64,
    /// 0: overwrite the gradient buffer; nonzero: add to it.
    pub grad_accumulate: u8,
    /// NULL, or where to write {sum, weight} on success (required with PARTIAL).
    pub partial: *mut lk_partial,
}

/// The default options: mean, empty mean = 0, no mask, no magic, grad_scale 1, overwrite.
#[no_mangle]
pub extern "C" fn lk_options_default() -> lk_options {
    lk_options {
        reduction: LK_REDUCTION_MEAN,
        empty: LK_EMPTY_ZERO,
        mask: core::ptr::null(),
        use_magic: 0,
        magic: LK_ASTRONN_MAGIC,
        row_len: 0,
        grad_scale: 1.0,
        grad_accumulate: 0,
        partial: core::ptr::null_mut(),
    }
}

/// `lk_options` checked and translated, for data of `n` elements.
pub(crate) struct Translated<'a, T> {
    pub opts: Options<'a, T>,
    pub partial: *mut lk_partial,
    /// Length of `out`: 1, or n (rows) for NONE.
    pub out_len: usize,
}

/// Reads `*opts` (or the defaults), checks its enums and pointers, and builds the Rust
/// options over `weights` and the mask.
///
/// # Safety
/// `opts` is NULL or points to a valid `lk_options`; its `mask` is NULL or holds n bytes.
pub(crate) unsafe fn translate<'a, T: Real>(
    opts: *const lk_options,
    weights: Option<&'a [T]>,
    n: usize,
    checked: &mut Checked,
) -> Result<Translated<'a, T>, Failure> {
    let o = if opts.is_null() {
        lk_options_default()
    } else {
        // SAFETY: the caller passes a valid pointer; alignment is checked first.
        checked.aligned(opts, "opts")?;
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
    // SAFETY: the caller promises the mask holds n bytes.
    let mask = if o.mask.is_null() {
        None
    } else {
        Some(unsafe { input_slice(o.mask, n, "options.mask", checked)? })
    };
    if reduction == Reduction::Partial && o.partial.is_null() {
        return Err(Failure::new(
            LK_ERR_NULL_POINTER,
            format_args!("options.partial is NULL with LK_REDUCTION_PARTIAL"),
        ));
    }
    if !o.partial.is_null() {
        checked.output(o.partial, 1, "options.partial")?;
    }
    let rows = n.checked_div(o.row_len).unwrap_or(n);
    Ok(Translated {
        opts: Options {
            reduction,
            empty,
            mask,
            magic: (o.use_magic != 0).then(|| T::from_f64(o.magic)),
            weights,
            row_len: o.row_len,
            grad_scale: T::from_f64(o.grad_scale),
            grad_mode: if o.grad_accumulate != 0 {
                GradMode::Accumulate
            } else {
                GradMode::Overwrite
            },
        },
        partial: o.partial,
        out_len: if reduction == Reduction::None {
            rows
        } else {
            1
        },
    })
}
