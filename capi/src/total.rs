//! A weighted total of named loss terms with its breakdown, in a caller-allocated struct.

use crate::atomistic::{lk_batch, lk_property_loss, property_loss};
use crate::boundary::{run, Checked};
use crate::options::lk_options;
use crate::status::*;
use core::ffi::c_char;
use losskit_core::total::{check_term, weighted_sum};
use losskit_core::Real;

/// The most terms an lk_total holds.
pub const LK_TOTAL_CAPACITY: usize = 16;
/// The size of a term's name buffer, including the terminating NUL: names have at most
/// LK_TOTAL_NAME_CAPACITY - 1 bytes.
pub const LK_TOTAL_NAME_CAPACITY: usize = 32;

/// One term of an lk_total.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct lk_total_term {
    /// The name, NUL-terminated (copied from the caller's string).
    pub name: [c_char; LK_TOTAL_NAME_CAPACITY],
    /// The term's weight lambda.
    pub weight: f64,
    /// Its raw (unweighted) value L.
    pub raw: f64,
    /// lambda * L.
    pub weighted: f64,
}

/// A weighted total: total = sum over terms of weight * raw, in double whatever the data
/// type (an f64 term keeps its precision; the sum is compensated, in the order of the
/// terms). Caller-allocated (on the stack is fine: about 900 bytes); start it with
/// lk_total_init (or zero it); add terms with lk_total_add or lk_total_property_loss_f32/_f64.
/// Names are unique: a repeated name is refused with LK_ERR_DUPLICATE_NAME (graph-pes
/// silently overwrites it in its breakdown).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct lk_total {
    /// The number of terms in use (`terms[0 .. count-1]`).
    pub count: usize,
    /// The weighted total.
    pub total: f64,
    /// The terms, in the order they were added.
    pub terms: [lk_total_term; LK_TOTAL_CAPACITY],
}

const EMPTY_TERM: lk_total_term = lk_total_term {
    name: [0; LK_TOTAL_NAME_CAPACITY],
    weight: 0.0,
    raw: 0.0,
    weighted: 0.0,
};

/// Empties `*total` (count 0, total 0, every name cleared).
#[no_mangle]
pub unsafe extern "C" fn lk_total_init(total: *mut lk_total) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        c.output(total, 1, "total")?;
        // SAFETY: checked non-NULL, aligned; the caller owns the struct.
        unsafe {
            *total = lk_total {
                count: 0,
                total: 0.0,
                terms: [EMPTY_TERM; LK_TOTAL_CAPACITY],
            }
        };
        Ok(())
    })
}

/// A name copied out of the caller's string (so that it may even point into the total).
struct Name {
    bytes: [u8; LK_TOTAL_NAME_CAPACITY],
    len: usize,
}

/// Reads a NUL-terminated name of at most LK_TOTAL_NAME_CAPACITY - 1 bytes.
///
/// # Safety
/// `name` is NULL or a readable NUL-terminated string (read up to its NUL or the capacity).
unsafe fn read_name(name: *const c_char) -> Result<Name, Failure> {
    if name.is_null() {
        return Err(Failure::new(
            LK_ERR_NULL_POINTER,
            format_args!("`name` is NULL"),
        ));
    }
    let mut out = Name {
        bytes: [0; LK_TOTAL_NAME_CAPACITY],
        len: 0,
    };
    for k in 0..LK_TOTAL_NAME_CAPACITY {
        // SAFETY: bytes before the NUL are readable; we stop at the NUL.
        let b = unsafe { *name.add(k) } as u8;
        if b == 0 {
            out.len = k;
            return Ok(out);
        }
        out.bytes[k] = b;
    }
    Err(Failure::new(
        LK_ERR_BAD_PARAMETER,
        format_args!("`name` is longer than {} bytes", LK_TOTAL_NAME_CAPACITY - 1),
    ))
}

fn name_bytes(t: &lk_total_term) -> &[u8] {
    // SAFETY: c_char and u8 have the same size and alignment.
    let all = unsafe { core::slice::from_raw_parts(t.name.as_ptr().cast::<u8>(), t.name.len()) };
    let len = all.iter().position(|&b| b == 0).unwrap_or(all.len());
    &all[..len]
}

/// Checks that `total` is in a valid state and that a term (name, weight) may join it.
fn check(total: &lk_total, name: &Name, weight: f64) -> Result<(), Failure> {
    if total.count > LK_TOTAL_CAPACITY {
        return Err(Failure::new(
            LK_ERR_BAD_PARAMETER,
            format_args!("total.count = {} exceeds the capacity", total.count),
        ));
    }
    let used = &total.terms[..total.count];
    check_term(
        used.iter().map(name_bytes),
        &name.bytes[..name.len],
        weight,
        total.count,
        LK_TOTAL_CAPACITY,
    )?;
    Ok(())
}

/// Appends a checked term and recomputes the total.
fn push(total: &mut lk_total, name: &Name, weight: f64, raw: f64) {
    let mut term = EMPTY_TERM;
    for (d, &s) in term.name.iter_mut().zip(&name.bytes[..name.len]) {
        *d = s as c_char;
    }
    term.weight = weight;
    term.raw = raw;
    term.weighted = weight * raw;
    total.terms[total.count] = term;
    total.count += 1;
    total.total = weighted_sum(total.terms[..total.count].iter().map(|t| t.weighted));
}

/// Adds a term whose raw value was computed elsewhere: weighted = weight * raw, and
/// `total->total` is recomputed. Errors: NULL pointers, an empty name or one longer than
/// LK_TOTAL_NAME_CAPACITY - 1 bytes or a non-finite weight (LK_ERR_BAD_PARAMETER), a
/// repeated name (LK_ERR_DUPLICATE_NAME), no room left (LK_ERR_CAPACITY); `*total` is then
/// unchanged.
///
/// To make a loss's gradient a term's share of the total's gradient, call it with
/// `opts.grad_scale = weight` and `opts.grad_accumulate = 1` into a zeroed gradient buffer
/// (or use lk_total_property_loss_f32/_f64, which does this).
#[no_mangle]
pub unsafe extern "C" fn lk_total_add(
    total: *mut lk_total,
    name: *const c_char,
    weight: f64,
    raw: f64,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        c.output(total, 1, "total")?;
        // SAFETY: the caller's contract on the pointers; the name is copied first.
        let name = unsafe { read_name(name)? };
        let t = unsafe { &mut *total };
        check(t, &name, weight)?;
        push(t, &name, weight, raw);
        Ok(())
    })
}

#[allow(clippy::too_many_arguments)]
unsafe fn total_property<T: Real>(
    total: *mut lk_total,
    name: *const c_char,
    weight: f64,
    loss: *const lk_property_loss,
    pred: *const T,
    target: *const T,
    n: usize,
    batch: *const lk_batch,
    structure_weight: *const T,
    opts: *const lk_options,
    grad: *mut T,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        c.output(total, 1, "total")?;
        // SAFETY (all below): the caller's contract on the pointers.
        let name = unsafe { read_name(name)? };
        check(unsafe { &*total }, &name, weight)?;
        let r = unsafe {
            property_loss(
                &mut c,
                loss,
                pred,
                target,
                n,
                batch,
                structure_weight,
                opts,
                core::ptr::null_mut(),
                grad,
                Some(weight),
            )?
        };
        push(unsafe { &mut *total }, &name, weight, r.value.to_f64());
        Ok(())
    })
}

/// Evaluates a property loss (arguments as for lk_property_loss_f32, without `out`) as a
/// term of `total`: the loss value becomes the term's raw value, and `grad` (NULL, or n
/// values) receives grad += weight * opts.grad_scale * dL/dpred (always accumulated, so
/// zero it before the first term; several terms may share one buffer).
/// LK_REDUCTION_NONE is refused. Name, weight and capacity are checked before anything is
/// computed; on any error neither `*total` nor `grad` is changed.
///
/// `f32` data (the weight is rounded to float for the gradient; the total stays double).
#[no_mangle]
pub unsafe extern "C" fn lk_total_property_loss_f32(
    total: *mut lk_total,
    name: *const c_char,
    weight: f64,
    loss: *const lk_property_loss,
    pred: *const f32,
    target: *const f32,
    n: usize,
    batch: *const lk_batch,
    structure_weight: *const f32,
    opts: *const lk_options,
    grad: *mut f32,
) -> lk_status {
    // SAFETY: forwarded.
    unsafe {
        total_property(
            total,
            name,
            weight,
            loss,
            pred,
            target,
            n,
            batch,
            structure_weight,
            opts,
            grad,
        )
    }
}

/// As lk_total_property_loss_f32, for `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_total_property_loss_f64(
    total: *mut lk_total,
    name: *const c_char,
    weight: f64,
    loss: *const lk_property_loss,
    pred: *const f64,
    target: *const f64,
    n: usize,
    batch: *const lk_batch,
    structure_weight: *const f64,
    opts: *const lk_options,
    grad: *mut f64,
) -> lk_status {
    // SAFETY: forwarded.
    unsafe {
        total_property(
            total,
            name,
            weight,
            loss,
            pred,
            target,
            n,
            batch,
            structure_weight,
            opts,
            grad,
        )
    }
}
