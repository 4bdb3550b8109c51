//! The checks every entry point makes on raw pointers, and the panic boundary.

use crate::options::{lk_options, lk_partial, translate};
use crate::status::*;
use core::mem::{align_of, size_of};
use losskit_core::pointwise::{evaluate, Pointwise};
use losskit_core::{Error, Real};

/// The byte ranges a call reads and writes, to refuse outputs that overlap anything.
pub(crate) struct Checked {
    regions: heapless::Vec<Region, 16>,
}

#[derive(Clone, Copy)]
struct Region {
    start: usize,
    end: usize,
    output: bool,
    what: &'static str,
}

impl Checked {
    pub fn new() -> Self {
        Checked {
            regions: heapless::Vec::new(),
        }
    }

    /// Refuses a NULL or misaligned pointer to one value.
    pub fn aligned<T>(&mut self, p: *const T, what: &'static str) -> Result<(), Failure> {
        if p.is_null() {
            return Err(Failure::new(
                LK_ERR_NULL_POINTER,
                format_args!("`{what}` is NULL"),
            ));
        }
        if !(p as usize).is_multiple_of(align_of::<T>()) {
            return Err(Failure::new(
                LK_ERR_MISALIGNED,
                format_args!("`{what}` is not aligned to {} bytes", align_of::<T>()),
            ));
        }
        Ok(())
    }

    fn record<T>(
        &mut self,
        p: *const T,
        n: usize,
        output: bool,
        what: &'static str,
    ) -> Result<(), Failure> {
        self.aligned(p, what)?;
        let bytes = n
            .checked_mul(size_of::<T>())
            .filter(|&b| b <= isize::MAX as usize)
            .ok_or_else(|| {
                Failure::new(
                    LK_ERR_LENGTH_MISMATCH,
                    format_args!("`{what}`: {n} elements overflow the address space"),
                )
            })?;
        let r = Region {
            start: p as usize,
            end: p as usize + bytes,
            output,
            what,
        };
        for q in &self.regions {
            if (r.output || q.output) && r.start < q.end && q.start < r.end {
                return Err(Failure::new(
                    LK_ERR_ALIASING,
                    format_args!("`{}` overlaps `{}`", r.what, q.what),
                ));
            }
        }
        self.regions
            .push(r)
            .map_err(|_| Failure::new(LK_ERR_PANIC, format_args!("too many buffers in one call")))
    }

    /// Checks an input pointer of `n` elements (no slice is made: device pointers).
    #[cfg_attr(not(feature = "cuda"), allow(dead_code))]
    pub fn input<T>(&mut self, p: *const T, n: usize, what: &'static str) -> Result<(), Failure> {
        self.record(p, n, false, what)
    }

    /// Checks an output pointer of `n` elements (no slice is made).
    pub fn output<T>(&mut self, p: *mut T, n: usize, what: &'static str) -> Result<(), Failure> {
        self.record(p.cast_const(), n, true, what)
    }
}

/// A checked input slice of `n` elements; any pointer (even NULL) is fine when n = 0.
///
/// # Safety
/// A non-NULL `p` must be valid for `n` reads for the duration of the call.
pub(crate) unsafe fn input_slice<'a, T>(
    p: *const T,
    n: usize,
    what: &'static str,
    checked: &mut Checked,
) -> Result<&'a [T], Failure> {
    if n == 0 {
        return Ok(&[]);
    }
    checked.record(p, n, false, what)?;
    // SAFETY: non-NULL, aligned, size checked; validity is the caller's promise.
    Ok(unsafe { core::slice::from_raw_parts(p, n) })
}

/// Like [`input_slice`], but NULL means "absent".
///
/// # Safety
/// As [`input_slice`].
pub(crate) unsafe fn optional_input<'a, T>(
    p: *const T,
    n: usize,
    what: &'static str,
    checked: &mut Checked,
) -> Result<Option<&'a [T]>, Failure> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded.
        unsafe { input_slice(p, n, what, checked).map(Some) }
    }
}

/// A checked output slice of `n` elements, overlapping no other buffer of the call.
///
/// # Safety
/// A non-NULL `p` must be valid for `n` writes for the duration of the call.
pub(crate) unsafe fn output_slice<'a, T>(
    p: *mut T,
    n: usize,
    what: &'static str,
    checked: &mut Checked,
) -> Result<&'a mut [T], Failure> {
    if n == 0 {
        return Ok(&mut []);
    }
    checked.output(p, n, what)?;
    // SAFETY: as input_slice, and no other buffer of the call overlaps it.
    Ok(unsafe { core::slice::from_raw_parts_mut(p, n) })
}

/// Like [`output_slice`], but NULL means "not wanted".
///
/// # Safety
/// As [`output_slice`].
pub(crate) unsafe fn optional_output<'a, T>(
    p: *mut T,
    n: usize,
    what: &'static str,
    checked: &mut Checked,
) -> Result<Option<&'a mut [T]>, Failure> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded.
        unsafe { output_slice(p, n, what, checked).map(Some) }
    }
}

/// Runs an entry point's body: failures are recorded for `lk_last_error_message`, and a
/// panic (a bug) is caught and reported as `LK_ERR_PANIC` instead of unwinding into C.
pub(crate) fn run(body: impl FnOnce() -> Result<(), Failure>) -> lk_status {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(Ok(())) => LK_OK,
        Ok(Err(f)) => {
            record(&f);
            f.status
        }
        Err(_) => {
            record(&Failure::new(
                LK_ERR_PANIC,
                format_args!("internal error (please report)"),
            ));
            LK_ERR_PANIC
        }
    }
}

/// The body shared by every elementwise loss: checks, translation, evaluation, outputs.
///
/// # Safety
/// The pointers must satisfy the contract in `include/losskit.h`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn pointwise<T: Real, L: Pointwise<T>>(
    make_loss: impl FnOnce() -> Result<L, Error>,
    pred: *const T,
    target: *const T,
    weight: *const T,
    n: usize,
    opts: *const lk_options,
    out: *mut T,
    grad: *mut T,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY (all calls below): the caller's contract on the pointers.
        let pred = unsafe { input_slice(pred, n, "pred", &mut c)? };
        let target = unsafe { input_slice(target, n, "target", &mut c)? };
        let weights = unsafe { optional_input(weight, n, "weight", &mut c)? };
        let t = unsafe { translate(opts, weights, n, &mut c)? };
        let loss = make_loss()?;
        let per_element = t.opts.reduction == losskit_core::Reduction::None;
        let (values, scalar) = unsafe { reduced_outputs(out, t.out_len, per_element, &mut c)? };
        let grad = unsafe { optional_output(grad, n, "grad", &mut c)? };
        let r = evaluate(&loss, pred, target, &t.opts, values, grad)?;
        write_reduced(r, scalar, t.partial);
        Ok(())
    })
}

/// `out` as the reduction wants it: `out_len` per-element (or per-row) values when
/// `per_element`, else its one scalar slot. NULL is refused unless `out_len` is 0.
///
/// # Safety
/// A non-NULL `out` must be valid for `out_len` writes for the duration of the call.
#[allow(clippy::type_complexity)]
pub(crate) unsafe fn reduced_outputs<'a, T>(
    out: *mut T,
    out_len: usize,
    per_element: bool,
    c: &mut Checked,
) -> Result<(Option<&'a mut [T]>, Option<&'a mut T>), Failure> {
    if out.is_null() && out_len > 0 {
        return Err(Failure::new(
            LK_ERR_NULL_POINTER,
            format_args!("`out` is NULL"),
        ));
    }
    // SAFETY: forwarded from the caller.
    let out = unsafe { output_slice(out, out_len, "out", c)? };
    Ok(if per_element {
        (Some(out), None)
    } else {
        (None, out.first_mut())
    })
}

/// Writes the outputs of a successful call: the scalar slot (if the reduction has one)
/// and the partial result (if the caller asked for one).
pub(crate) fn write_reduced<T>(
    r: losskit_core::Reduced<T>,
    scalar: Option<&mut T>,
    partial: *mut lk_partial,
) {
    if let Some(s) = scalar {
        *s = r.value;
    }
    write_partial(partial, r.partial);
}

/// Writes a partial result if the caller asked for one (the pointer was checked).
pub(crate) fn write_partial(p: *mut lk_partial, partial: losskit_core::Partial) {
    if !p.is_null() {
        // SAFETY: checked non-NULL, aligned and not overlapping by `translate`.
        unsafe { *p = lk_partial::from(partial) };
    }
}
