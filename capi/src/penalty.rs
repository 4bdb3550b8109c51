//! Rockpool's boundary penalties over the C ABI.
//!
//! For one element x with bounds lower <= upper: exp(x - upper) if x > upper,
//! exp(lower - x) if x < lower, else 0 (strict tests: 0 at a bound, a jump to 1 just past
//! it). No bound is -INFINITY / +INFINITY. Unlike Rockpool, a bound of 0 is a real bound.

use crate::boundary::{input_slice, optional_output, output_slice, run, Checked};
use crate::grad::{lk_grad_options, read_grad_options};
use crate::status::*;
use core::mem::{align_of, size_of};
use losskit_core::grad::GradOut;
use losskit_core::penalty::{bounds_cost_with, Bound, BoundaryRegularizer, BoundsGroup};
use losskit_core::Real;

/// Rockpool's ParameterBoundaryRegularizer: a pair of bounds kept once.
/// -INFINITY / +INFINITY mean no bound (see lk_boundary_regularizer_default()); the f32
/// functions round the bounds to float. lower must be <= upper and neither NaN.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct lk_boundary_regularizer {
    /// The lower bound (-INFINITY: none).
    pub lower: f64,
    /// The upper bound (+INFINITY: none).
    pub upper: f64,
}

/// No bounds: {-INFINITY, +INFINITY}.
#[no_mangle]
pub extern "C" fn lk_boundary_regularizer_default() -> lk_boundary_regularizer {
    lk_boundary_regularizer {
        lower: f64::NEG_INFINITY,
        upper: f64::INFINITY,
    }
}

unsafe fn sebl<T: Real>(
    data: *const T,
    n: usize,
    lower: T,
    upper: T,
    grad_opts: *const lk_grad_options,
    out: *mut T,
    grad: *mut T,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY (all calls below): the caller's contract on the pointers.
        let data = unsafe { input_slice(data, n, "data", &mut c)? };
        let (scale, mode) = unsafe { read_grad_options(grad_opts, &mut c)? };
        let out = unsafe { output_slice(out, 1, "out", &mut c)? };
        let grad = unsafe { optional_output(grad, n, "grad", &mut c)? };
        let reg = BoundaryRegularizer { lower, upper };
        let g = grad.map(|buf| GradOut {
            buf,
            scale: T::from_f64(scale),
            mode,
        });
        let v = reg.loss(data, g)?;
        if let Some(o) = out.first_mut() {
            *o = v;
        }
        Ok(())
    })
}

/// Rockpool's summed_exp_boundary_loss: out = sum over the n elements of
/// exp(x_k - upper) where x_k > upper, plus exp(lower - x_k) where x_k < lower;
/// grad_k = exp(x_k - upper), -exp(lower - x_k) or 0 (times the scale of `grad_opts`).
/// Pass -INFINITY / +INFINITY for no bound; 0 is a real bound (Rockpool treats 0 as none).
/// `data`: n values; `grad_opts`: NULL for scale 1, overwrite; `out`: 1 value;
/// `grad`: NULL or n values. A NaN element costs 0; NaN bounds, lower = +INFINITY,
/// upper = -INFINITY or lower > upper give LK_ERR_BAD_PARAMETER.
#[no_mangle]
pub unsafe extern "C" fn lk_summed_exp_boundary_loss_f32(
    data: *const f32,
    n: usize,
    lower: f32,
    upper: f32,
    grad_opts: *const lk_grad_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe { sebl(data, n, lower, upper, grad_opts, out, grad) }
}

/// Rockpool's summed_exp_boundary_loss for double data; see
/// lk_summed_exp_boundary_loss_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_summed_exp_boundary_loss_f64(
    data: *const f64,
    n: usize,
    lower: f64,
    upper: f64,
    grad_opts: *const lk_grad_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe { sebl(data, n, lower, upper, grad_opts, out, grad) }
}

unsafe fn regularizer<T: Real>(
    reg: *const lk_boundary_regularizer,
    data: *const T,
    n: usize,
    grad_opts: *const lk_grad_options,
    out: *mut T,
    grad: *mut T,
) -> lk_status {
    if reg.is_null() || !(reg as usize).is_multiple_of(align_of::<lk_boundary_regularizer>()) {
        return run(|| {
            let mut c = Checked::new();
            c.aligned(reg, "reg")
        });
    }
    // SAFETY: non-NULL and aligned; validity is the caller's promise.
    let r = unsafe { *reg };
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        sebl(
            data,
            n,
            T::from_f64(r.lower),
            T::from_f64(r.upper),
            grad_opts,
            out,
            grad,
        )
    }
}

/// The boundary penalty of `data` with the bounds held in `*reg` (Rockpool's
/// ParameterBoundaryRegularizer forward): as lk_summed_exp_boundary_loss_f32 with
/// lower = reg->lower, upper = reg->upper rounded to float.
#[no_mangle]
pub unsafe extern "C" fn lk_boundary_regularizer_f32(
    reg: *const lk_boundary_regularizer,
    data: *const f32,
    n: usize,
    grad_opts: *const lk_grad_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe { regularizer(reg, data, n, grad_opts, out, grad) }
}

/// The boundary penalty of double `data` with the bounds held in `*reg`; see
/// lk_boundary_regularizer_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_boundary_regularizer_f64(
    reg: *const lk_boundary_regularizer,
    data: *const f64,
    n: usize,
    grad_opts: *const lk_grad_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe { regularizer(reg, data, n, grad_opts, out, grad) }
}

/// One parameter group of lk_bounds_cost_f32 (float data).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct lk_bounds_group_f32 {
    /// The parameters, `len` values (may be NULL only if len = 0).
    pub params: *const f32,
    /// Number of parameters.
    pub len: usize,
    /// NULL: every element has the bound `lower_scalar`; else `len` per-element bounds.
    pub lower: *const f32,
    /// NULL: every element has the bound `upper_scalar`; else `len` per-element bounds.
    pub upper: *const f32,
    /// The common lower bound when `lower` is NULL (-INFINITY: none).
    pub lower_scalar: f32,
    /// The common upper bound when `upper` is NULL (+INFINITY: none).
    pub upper_scalar: f32,
    /// NULL, or `len` values receiving scale * d cost / d params.
    pub grad: *mut f32,
}

/// One parameter group of lk_bounds_cost_f64 (double data); fields as lk_bounds_group_f32.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct lk_bounds_group_f64 {
    /// The parameters, `len` values (may be NULL only if len = 0).
    pub params: *const f64,
    /// Number of parameters.
    pub len: usize,
    /// NULL: every element has the bound `lower_scalar`; else `len` per-element bounds.
    pub lower: *const f64,
    /// NULL: every element has the bound `upper_scalar`; else `len` per-element bounds.
    pub upper: *const f64,
    /// The common lower bound when `lower` is NULL (-INFINITY: none).
    pub lower_scalar: f64,
    /// The common upper bound when `upper` is NULL (+INFINITY: none).
    pub upper_scalar: f64,
    /// NULL, or `len` values receiving scale * d cost / d params.
    pub grad: *mut f64,
}

/// The fields of a C group, whatever its precision.
trait GroupC<T> {
    fn parts(&self) -> (*const T, usize, *const T, *const T, T, T, *mut T);
}

macro_rules! group_c {
    ($g:ty, $t:ty) => {
        impl GroupC<$t> for $g {
            fn parts(&self) -> (*const $t, usize, *const $t, *const $t, $t, $t, *mut $t) {
                (
                    self.params,
                    self.len,
                    self.lower,
                    self.upper,
                    self.lower_scalar,
                    self.upper_scalar,
                    self.grad,
                )
            }
        }
    };
}
group_c!(lk_bounds_group_f32, f32);
group_c!(lk_bounds_group_f64, f64);

/// A byte range of one buffer of a group.
#[derive(Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    output: bool,
}

/// Checks a group buffer (NULL only if empty, aligned, size fits) and returns its span.
fn span<T>(
    p: *const T,
    n: usize,
    output: bool,
    what: &'static str,
    group: usize,
) -> Result<Option<Span>, Failure> {
    if n == 0 {
        return Ok(None);
    }
    if p.is_null() {
        return Err(Failure::new(
            LK_ERR_NULL_POINTER,
            format_args!("groups[{group}].{what} is NULL"),
        ));
    }
    if !(p as usize).is_multiple_of(align_of::<T>()) {
        return Err(Failure::new(
            LK_ERR_MISALIGNED,
            format_args!("groups[{group}].{what} is misaligned"),
        ));
    }
    let end = n
        .checked_mul(size_of::<T>())
        .filter(|&b| b <= isize::MAX as usize)
        .and_then(|b| (p as usize).checked_add(b))
        .ok_or_else(|| {
            Failure::new(
                LK_ERR_LENGTH_MISMATCH,
                format_args!("groups[{group}].len overflows the address space"),
            )
        })?;
    Ok(Some(Span {
        start: p as usize,
        end,
        output,
    }))
}

/// The up to four buffers of group `i` (params, lower, upper, grad), checked.
fn group_spans<T, G: GroupC<T>>(g: &G, i: usize) -> Result<[Option<Span>; 4], Failure> {
    let (params, len, lower, upper, _, _, grad) = g.parts();
    let per = |p: *const T, what| {
        if p.is_null() {
            Ok(None)
        } else {
            span(p, len, false, what, i)
        }
    };
    Ok([
        span(params, len, false, "params", i)?,
        per(lower, "lower")?,
        per(upper, "upper")?,
        if grad.is_null() {
            None
        } else {
            span(grad.cast_const(), len, true, "grad", i)?
        },
    ])
}

fn overlaps(a: Span, b: Span) -> bool {
    (a.output || b.output) && a.start < b.end && b.start < a.end
}

unsafe fn bounds_cost_c<T: Real, G: GroupC<T>>(
    groups: *const G,
    n_groups: usize,
    grad_opts: *const lk_grad_options,
    out: *mut T,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY (all unsafe blocks below): the caller's contract on the pointers; every
        // group buffer is checked (NULL, alignment, size, overlap) before a slice is made.
        let groups = unsafe { input_slice(groups, n_groups, "groups", &mut c)? };
        let (scale, mode) = unsafe { read_grad_options(grad_opts, &mut c)? };
        let out = unsafe { output_slice(out, 1, "out", &mut c)? };
        let fixed = [
            Span {
                start: groups.as_ptr() as usize,
                end: groups.as_ptr() as usize + core::mem::size_of_val(groups),
                output: false,
            },
            Span {
                start: out.as_ptr() as usize,
                end: out.as_ptr() as usize + size_of::<T>(),
                output: true,
            },
        ];
        for (i, g) in groups.iter().enumerate() {
            group_spans(g, i)?;
        }
        // Every pair of buffers (the two above, then four per group) where one is an output.
        let at = |k: usize| -> Result<Option<Span>, Failure> {
            if k < fixed.len() {
                Ok(Some(fixed[k]))
            } else {
                let (i, slot) = ((k - fixed.len()) / 4, (k - fixed.len()) % 4);
                Ok(group_spans(&groups[i], i)?[slot])
            }
        };
        let total = fixed.len() + 4 * n_groups;
        for a in 0..total {
            let Some(sa) = at(a)? else { continue };
            for b in a + 1..total {
                if let Some(sb) = at(b)? {
                    if overlaps(sa, sb) {
                        return Err(Failure::new(
                            LK_ERR_ALIASING,
                            format_args!("an output buffer of the groups overlaps another buffer"),
                        ));
                    }
                }
            }
        }
        let make = |i: usize| {
            let (params, len, lower, upper, lo, up, grad) = groups[i].parts();
            // SAFETY: checked above (NULL only when empty, aligned, in range, and no
            // output overlaps another buffer).
            let slice = |p: *const T| unsafe {
                if len == 0 {
                    &[][..]
                } else {
                    core::slice::from_raw_parts(p, len)
                }
            };
            let bound = |p: *const T, s: T| {
                if p.is_null() {
                    Bound::Scalar(s)
                } else {
                    Bound::Each(slice(p))
                }
            };
            BoundsGroup {
                params: slice(params),
                lower: bound(lower, lo),
                upper: bound(upper, up),
                grad: (!grad.is_null() && len > 0)
                    .then(|| unsafe { core::slice::from_raw_parts_mut(grad, len) }),
            }
        };
        let v = bounds_cost_with(n_groups, make, T::from_f64(scale), mode)?;
        if let Some(o) = out.first_mut() {
            *o = v;
        }
        Ok(())
    })
}

/// Rockpool's bounds_cost: out = sum over the groups and their elements of
/// exp(p - upper) where p > upper, plus exp(lower - p) where p < lower, each element with
/// its group's bounds (scalar or per element). Every group is checked (pointers, NaN
/// bounds, lower > upper, overlaps) before anything is written; each group's `grad`, if
/// not NULL, receives scale * d cost / d params. `groups`: n_groups structs (NULL only if
/// n_groups = 0; an empty list costs 0); `grad_opts`: NULL for scale 1, overwrite;
/// `out`: 1 value.
#[no_mangle]
pub unsafe extern "C" fn lk_bounds_cost_f32(
    groups: *const lk_bounds_group_f32,
    n_groups: usize,
    grad_opts: *const lk_grad_options,
    out: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe { bounds_cost_c(groups, n_groups, grad_opts, out) }
}

/// Rockpool's bounds_cost for double parameters; see lk_bounds_cost_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_bounds_cost_f64(
    groups: *const lk_bounds_group_f64,
    n_groups: usize,
    grad_opts: *const lk_grad_options,
    out: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe { bounds_cost_c(groups, n_groups, grad_opts, out) }
}
