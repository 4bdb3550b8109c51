//! `lk_options`: the options every loss takes, and their translation to `losskit::Options`.

use crate::atomistic::empty_of;
use crate::boundary::{input_slice, output_slice, run, Checked};
use crate::status::*;
use losskit_core::{EmptyPolicy, GradMode, Options, Real, Reduction};

/// Per-element losses; `out` receives n values (or one per row with `row_len`).
pub const LK_REDUCTION_NONE: i32 = 0;
/// L = sum of w*loss over kept elements; `out` receives 1 value.
pub const LK_REDUCTION_SUM: i32 = 1;
/// L = sum(w*loss) / sum(w) over kept elements (the default); `out` receives 1 value.
pub const LK_REDUCTION_MEAN: i32 = 2;
/// Like SUM, and `options.partial` (required) receives {sum(w*loss), sum(w)} in double (with
/// their remainders, see `lk_partial`), to be merged across threads/ranks with
/// `lk_partial_merge` and finished with `lk_partial_mean`; pass the global 1/sum(w)
/// (1 / merged.weight) as `grad_scale` to get the gradient of the global mean.
pub const LK_REDUCTION_PARTIAL: i32 = 3;

/// A mean over nothing is 0, with gradient 0 (the default).
pub const LK_EMPTY_ZERO: i32 = 0;
/// A mean over nothing is NaN (PyTorch), with gradient 0.
pub const LK_EMPTY_NAN: i32 = 1;
/// A mean over nothing fails with `LK_ERR_EMPTY_MEAN`.
pub const LK_EMPTY_ERROR: i32 = 2;

/// astroNN's default magic number.
pub const LK_ASTRONN_MAGIC: f64 = -9999.0;

/// A mergeable partial result: the weighted sum of losses and the sum of weights, each as
/// a rounded double and its remainder (four doubles, in this order).
///
/// `sum` and `weight` hold the rounded values; `sum + sum_lo` and `weight + weight_lo` are
/// the sums before rounding (the remainders are at most half a unit in the last place of
/// `sum` and `weight`). Zero-initialise it (`lk_partial p = {0};`); `{sum, weight}` with the
/// remainders 0 is a valid partial. Merge partials with `lk_partial_merge`, which keeps
/// the remainders (adding only `sum` and `weight`, as a plain `MPI_SUM` does, can lose a few
/// units in the last place in double precision), and finish with `lk_partial_mean`.
///
/// MPI: merge over ranks with a user operation on a contiguous type of 4 doubles:
///
/// ```c
/// static void merge_op(void *in, void *inout, int *len, MPI_Datatype *type) {
///     for (int i = 0; i < *len; i++)
///         lk_partial_merge((lk_partial *)inout + i, (const lk_partial *)in + i);
/// }
/// MPI_Datatype t; MPI_Op op;
/// MPI_Type_contiguous(4, MPI_DOUBLE, &t); MPI_Type_commit(&t);
/// MPI_Op_create(merge_op, 1, &op);             /* 1: commutative */
/// MPI_Allreduce(MPI_IN_PLACE, &mine, 1, t, op, comm);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct lk_partial {
    /// Sum of w*loss over kept elements (of row means with `row_len`), rounded to double.
    pub sum: f64,
    /// Sum of w over kept elements (number of rows counted with `row_len`), rounded.
    pub weight: f64,
    /// What rounding left out of `sum`: the sum is `sum + sum_lo`.
    pub sum_lo: f64,
    /// What rounding left out of `weight`: the sum of weights is `weight + weight_lo`.
    pub weight_lo: f64,
}

impl From<losskit_core::Partial> for lk_partial {
    fn from(p: losskit_core::Partial) -> Self {
        lk_partial {
            sum: p.sum,
            weight: p.weight,
            sum_lo: p.sum_lo,
            weight_lo: p.weight_lo,
        }
    }
}

impl From<lk_partial> for losskit_core::Partial {
    fn from(p: lk_partial) -> Self {
        losskit_core::Partial {
            sum: p.sum,
            weight: p.weight,
            sum_lo: p.sum_lo,
            weight_lo: p.weight_lo,
        }
    }
}

/// Adds the partial `*from` into `*into`: each of the sum and the weight is added with its
/// remainder, as a double-double (error-free addition of the rounded values, remainders
/// added, renormalised), so that merging shards loses (almost) nothing and the merged mean
/// equals the mean of one call on all the data to within one unit in the last place. The
/// operation is commutative (same bits either way round); `into` may equal `from`.
/// Errors: LK_ERR_NULL_POINTER, LK_ERR_MISALIGNED (then `*into` is unchanged).
#[no_mangle]
pub unsafe extern "C" fn lk_partial_merge(
    into: *mut lk_partial,
    from: *const lk_partial,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        c.aligned(into.cast_const(), "into")?;
        c.aligned(from, "from")?;
        // SAFETY: both checked non-NULL and aligned; valid by the caller's contract. Read by
        // value first, so `into == from` is fine.
        let (a, b) = unsafe { (core::ptr::read(into), core::ptr::read(from)) };
        let merged = losskit_core::Partial::from(a).merge(b.into());
        unsafe { core::ptr::write(into, merged.into()) };
        Ok(())
    })
}

/// The mean (sum + sum_lo) / (weight + weight_lo) of a (merged) partial into `*out`,
/// rounded once; or, when the weight is not > 0, what `empty` (LK_EMPTY_*) says: 0, NaN,
/// or LK_ERR_EMPTY_MEAN. For the gradient of this mean, evaluate each shard again with
/// `grad_scale = 1 / p->weight`. Errors: LK_ERR_NULL_POINTER, LK_ERR_MISALIGNED,
/// LK_ERR_BAD_ENUM, LK_ERR_EMPTY_MEAN (`*out` unchanged).
#[no_mangle]
pub unsafe extern "C" fn lk_partial_mean(
    p: *const lk_partial,
    empty: i32,
    out: *mut f64,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY: the caller's contract on the pointers.
        let p = unsafe { input_slice(p, 1, "p", &mut c)? }[0];
        let empty = empty_of(empty)?;
        let out = unsafe { output_slice(out, 1, "out", &mut c)? };
        out[0] = losskit_core::Partial::from(p).mean(empty)?;
        Ok(())
    })
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
    /// NULL, or where to write the partial {sum, weight, sum_lo, weight_lo} on success
    /// (required with PARTIAL).
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
