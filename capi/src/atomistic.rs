//! Interatomic-potential losses over ragged batches (graph-pes), and epoch metrics.
//!
//! A batch of S structures and N atoms is an `lk_batch`: `ptr` holds S + 1 offsets as
//! `int64_t` (PyTorch's index type); the atoms of structure k are `ptr[k] .. ptr[k+1]-1`.
//! The offsets must satisfy `ptr[0] = 0`, `ptr[k] <= ptr[k+1]`, `ptr[S] = N`, otherwise the call
//! fails with LK_ERR_INDEX_OUT_OF_RANGE naming the structure in lk_last_error_message.

use crate::boundary::{input_slice, optional_input, optional_output, output_slice, run, Checked};
use crate::boundary::{reduced_outputs, write_reduced};
use crate::options::{lk_options, lk_partial, translate};
use crate::status::*;
use losskit_core::segment::{Batch, Batchwise, EpochMetric, Metric, Property, PropertyLoss};
use losskit_core::{EmptyPolicy, Partial, Real, Reduced, Reduction};

/// Total energy, one value per structure (S values).
pub const LK_PROPERTY_ENERGY: i32 = 0;
/// Per-atom energy: the S structure energies, prediction and target each divided by the
/// structure's atom count before the metric (every structure needs at least one atom).
pub const LK_PROPERTY_PER_ATOM_ENERGY: i32 = 1;
/// Forces: N x 3 values (row-major, x y z per atom); the metric averages all 3N components.
pub const LK_PROPERTY_FORCES: i32 = 2;
/// Stress: S x 3 x 3 values (row-major).
pub const LK_PROPERTY_STRESS: i32 = 3;
/// Virial: S x 3 x 3 values (row-major).
pub const LK_PROPERTY_VIRIAL: i32 = 4;
/// Local (per-atom) energies: N values.
pub const LK_PROPERTY_LOCAL_ENERGIES: i32 = 5;

/// mean of d^2, d = pred - target.
pub const LK_METRIC_MSE: i32 = 0;
/// sqrt(mean of d^2); gradient 0 where the value is 0.
pub const LK_METRIC_RMSE: i32 = 1;
/// mean of |d|.
pub const LK_METRIC_MAE: i32 = 2;
/// mean of Huber_delta(d): d^2/2 if |d| < delta else delta (|d| - delta/2); delta > 0.
pub const LK_METRIC_HUBER: i32 = 3;
/// mean of Huber_delta(d) / delta (graph-pes ScaleFreeHuber); delta > 0.
pub const LK_METRIC_SCALE_FREE_HUBER: i32 = 4;

/// Which property loss to compute. Fill every field (there is no default: graph-pes'
/// Huber delta is 0.5, PyTorch's is 1.0, so delta is always explicit).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct lk_property_loss {
    /// `LK_PROPERTY_*`.
    pub property: i32,
    /// `LK_METRIC_*`.
    pub metric: i32,
    /// The Huber threshold (> 0) for LK_METRIC_HUBER and LK_METRIC_SCALE_FREE_HUBER; ignored
    /// otherwise.
    pub delta: f64,
    /// Nonzero: per-species mean (forces and local energies only, LK_REDUCTION_MEAN only,
    /// `batch.species` required): the mean over each species' values, then the plain mean
    /// over the species present (those with nonzero total weight); RMSE takes the square
    /// root of that.
    pub per_species: u8,
}

/// A ragged batch of S structures with N atoms in all.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct lk_batch {
    /// S + 1 offsets (int64_t): the atoms of structure k are `ptr[k] .. ptr[k+1]-1`;
    /// `ptr[0] = 0`, non-decreasing, `ptr[S] = N`.
    pub ptr: *const i64,
    /// S, the number of structures.
    pub n_structures: usize,
    /// N, the number of atoms.
    pub n_atoms: usize,
    /// NULL, or N species ids in 0 .. 127 (e.g. atomic numbers), for the per-species mean.
    pub species: *const i64,
}

/// The sums behind the true epoch RMSE / MAE, in double: sum w d^2, sum w |d|, sum w.
/// Start from all zeros; accumulators of threads or MPI ranks merge by adding the three
/// fields (MPI_SUM over 3 doubles, or lk_epoch_metric_merge).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct lk_epoch_metric {
    /// sum of w (pred - target)^2.
    pub sum_sq: f64,
    /// sum of w |pred - target|.
    pub sum_abs: f64,
    /// sum of w (the number of values when unweighted).
    pub weight: f64,
}

fn property_of(p: i32) -> Result<Property, Failure> {
    Ok(match p {
        LK_PROPERTY_ENERGY => Property::Energy,
        LK_PROPERTY_PER_ATOM_ENERGY => Property::PerAtomEnergy,
        LK_PROPERTY_FORCES => Property::Forces,
        LK_PROPERTY_STRESS => Property::Stress,
        LK_PROPERTY_VIRIAL => Property::Virial,
        LK_PROPERTY_LOCAL_ENERGIES => Property::LocalEnergies,
        _ => {
            return Err(Failure::new(
                LK_ERR_BAD_ENUM,
                format_args!("property = {p} is not an LK_PROPERTY_* value"),
            ))
        }
    })
}

fn metric_of<T: Real>(m: i32, delta: f64) -> Result<Metric<T>, Failure> {
    Ok(match m {
        LK_METRIC_MSE => Metric::Mse,
        LK_METRIC_RMSE => Metric::Rmse,
        LK_METRIC_MAE => Metric::Mae,
        LK_METRIC_HUBER => Metric::Huber(T::from_f64(delta)),
        LK_METRIC_SCALE_FREE_HUBER => Metric::ScaleFreeHuber(T::from_f64(delta)),
        _ => {
            return Err(Failure::new(
                LK_ERR_BAD_ENUM,
                format_args!("metric = {m} is not an LK_METRIC_* value"),
            ))
        }
    })
}

pub(crate) fn empty_of(e: i32) -> Result<EmptyPolicy, Failure> {
    Ok(match e {
        crate::options::LK_EMPTY_ZERO => EmptyPolicy::Zero,
        crate::options::LK_EMPTY_NAN => EmptyPolicy::Nan,
        crate::options::LK_EMPTY_ERROR => EmptyPolicy::Error,
        _ => {
            return Err(Failure::new(
                LK_ERR_BAD_ENUM,
                format_args!("empty = {e} is not an LK_EMPTY_* value"),
            ))
        }
    })
}

/// Reads and validates `*batch` and the structure weights.
///
/// # Safety
/// `batch` points to a valid `lk_batch` whose arrays hold the counts it states;
/// `structure_weight` is NULL or holds S values.
pub(crate) unsafe fn read_batch<'a, T: Real>(
    batch: *const lk_batch,
    structure_weight: *const T,
    c: &mut Checked,
) -> Result<Batch<'a, T>, Failure> {
    c.aligned(batch, "batch")?;
    // SAFETY: checked non-NULL and aligned; validity is the caller's promise.
    let b = unsafe { *batch };
    let offsets = b.n_structures.checked_add(1).ok_or_else(|| {
        Failure::new(
            LK_ERR_LENGTH_MISMATCH,
            format_args!("batch.n_structures overflows"),
        )
    })?;
    // SAFETY (all below): the caller's contract on the batch's pointers.
    let ptr = unsafe { input_slice(b.ptr, offsets, "batch.ptr", c)? };
    let species = unsafe { optional_input(b.species, b.n_atoms, "batch.species", c)? };
    let weights =
        unsafe { optional_input(structure_weight, b.n_structures, "structure_weight", c)? };
    let mut batch = Batch::new(ptr, b.n_atoms)?;
    if let Some(s) = species {
        batch = batch.with_species(s)?;
    }
    if let Some(w) = weights {
        batch = batch.with_structure_weights(w)?;
    }
    Ok(batch)
}

/// Checks and evaluates a property loss; `scale` multiplies the options' grad_scale and
/// `accumulate` forces GradMode::Accumulate (for a term of a total).
///
/// # Safety
/// The pointer contract of the header.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn property_loss<T: Real>(
    c: &mut Checked,
    loss: *const lk_property_loss,
    pred: *const T,
    target: *const T,
    n: usize,
    batch: *const lk_batch,
    structure_weight: *const T,
    opts: *const lk_options,
    out: *mut T,
    grad: *mut T,
    term_weight: Option<f64>,
) -> Result<Reduced<T>, Failure> {
    c.aligned(loss, "loss")?;
    // SAFETY (all below): the caller's contract on the pointers.
    let spec = unsafe { *loss };
    let property = property_of(spec.property)?;
    let metric = metric_of::<T>(spec.metric, spec.delta)?;
    let pred = unsafe { input_slice(pred, n, "pred", c)? };
    let target = unsafe { input_slice(target, n, "target", c)? };
    let batch = unsafe { read_batch(batch, structure_weight, c)? };
    let mut t = unsafe { translate(opts, None, n, c)? };
    if let Some(w) = term_weight {
        if t.opts.reduction == Reduction::None {
            return Err(Failure::new(
                LK_ERR_BAD_PARAMETER,
                format_args!("a term of a total needs a scalar: reduction NONE is refused"),
            ));
        }
        t.opts.grad_scale = T::from_f64(w) * t.opts.grad_scale;
        t.opts.grad_mode = losskit_core::GradMode::Accumulate;
    }
    let (values, scalar) = if term_weight.is_some() {
        (None, None)
    } else {
        let per_element = t.opts.reduction == Reduction::None;
        unsafe { reduced_outputs(out, t.out_len, per_element, c)? }
    };
    let grad = unsafe { optional_output(grad, n, "grad", c)? };
    let mut pl = PropertyLoss::new(property, metric);
    pl.per_species = spec.per_species != 0;
    let r = pl.evaluate(pred, target, &batch, &t.opts, values, grad)?;
    write_reduced(r, scalar, t.partial);
    Ok(r)
}

/// Interatomic-potential property loss (graph-pes PropertyLoss / PerAtomEnergyLoss) and
/// its gradient with respect to the predictions.
///
/// Every property loss (lk_property_loss_f32 / _f64) takes:
/// `loss`: which property and metric (see lk_property_loss);
/// `pred`, `target`: n values each, n = S (energy, per-atom energy), 3N (forces),
/// 9S (stress, virial) or N (local energies), else LK_ERR_LENGTH_MISMATCH;
/// `batch`: the offsets (and species ids for the per-species mean);
/// `structure_weight`: NULL, or S weights (finite, >= 0), repeated over each structure's
/// values (its atoms' components for forces and local energies);
/// `opts`: NULL for the defaults; the reduction, mask (n bytes), magic number, empty
/// policy, grad_scale and grad_accumulate apply as for every loss; row_len must be 0;
/// `out`: 1 value (n with LK_REDUCTION_NONE);
/// `grad`: NULL, or n values receiving grad_scale * dL/dpred.
/// The mean is sum(u_k l_i) / sum(u_k) over kept values, u_k the weight of value i's
/// structure. A structure with zero atoms is valid, except for the per-atom energy
/// (LK_ERR_INDEX_OUT_OF_RANGE naming the structure).
///
/// `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_property_loss_f32(
    loss: *const lk_property_loss,
    pred: *const f32,
    target: *const f32,
    n: usize,
    batch: *const lk_batch,
    structure_weight: *const f32,
    opts: *const lk_options,
    out: *mut f32,
    grad: *mut f32,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY: the caller's contract on the pointers is forwarded.
        unsafe {
            property_loss(
                &mut c,
                loss,
                pred,
                target,
                n,
                batch,
                structure_weight,
                opts,
                out,
                grad,
                None,
            )
        }
        .map(|_| ())
    })
}

/// Interatomic-potential property loss and its gradient; `f64` data; arguments as for
/// lk_property_loss_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_property_loss_f64(
    loss: *const lk_property_loss,
    pred: *const f64,
    target: *const f64,
    n: usize,
    batch: *const lk_batch,
    structure_weight: *const f64,
    opts: *const lk_options,
    out: *mut f64,
    grad: *mut f64,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY: the caller's contract on the pointers is forwarded.
        unsafe {
            property_loss(
                &mut c,
                loss,
                pred,
                target,
                n,
                batch,
                structure_weight,
                opts,
                out,
                grad,
                None,
            )
        }
        .map(|_| ())
    })
}

/// The number of values of `property` in `batch` (S, S, 3N, 9S, 9S or N) into `*out`.
#[no_mangle]
pub unsafe extern "C" fn lk_property_len(
    property: i32,
    batch: *const lk_batch,
    out: *mut usize,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        let p = property_of(property)?;
        c.aligned(batch, "batch")?;
        // SAFETY: checked non-NULL and aligned.
        let b = unsafe { *batch };
        let len = p.len(b.n_structures, b.n_atoms).ok_or_else(|| {
            Failure::new(LK_ERR_LENGTH_MISMATCH, format_args!("the length overflows"))
        })?;
        // SAFETY: checked below before writing.
        let out = unsafe { output_slice(out, 1, "out", &mut c)? };
        out[0] = len;
        Ok(())
    })
}

unsafe fn epoch_update<T: Real>(
    m: *mut lk_epoch_metric,
    property: i32,
    pred: *const T,
    target: *const T,
    n: usize,
    batch: *const lk_batch,
    structure_weight: *const T,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        let p = property_of(property)?;
        // SAFETY (all below): the caller's contract on the pointers.
        let pred = unsafe { input_slice(pred, n, "pred", &mut c)? };
        let target = unsafe { input_slice(target, n, "target", &mut c)? };
        let batch = unsafe { read_batch(batch, structure_weight, &mut c)? };
        let acc = unsafe { output_slice(m, 1, "metric", &mut c)? };
        let mut e = EpochMetric {
            sum_sq: acc[0].sum_sq,
            sum_abs: acc[0].sum_abs,
            weight: acc[0].weight,
        };
        e.update(p, pred, target, &batch)?;
        acc[0] = lk_epoch_metric {
            sum_sq: e.sum_sq,
            sum_abs: e.sum_abs,
            weight: e.weight,
        };
        Ok(())
    })
}

/// Adds one batch of a property to an epoch accumulator (the true epoch RMSE / MAE, as
/// torchmetrics computes graph-pes' evaluation RMSE): sum_sq += sum w d^2,
/// sum_abs += sum w |d|, weight += sum w, with d = pred - target (per-atom energies divided
/// by the atom counts) and w the structure weights (1 when `structure_weight` is NULL).
/// Arguments as for lk_property_loss_f32 (`batch.species` is not used). `f32` data.
#[no_mangle]
pub unsafe extern "C" fn lk_epoch_metric_update_f32(
    metric: *mut lk_epoch_metric,
    property: i32,
    pred: *const f32,
    target: *const f32,
    n: usize,
    batch: *const lk_batch,
    structure_weight: *const f32,
) -> lk_status {
    // SAFETY: forwarded.
    unsafe { epoch_update(metric, property, pred, target, n, batch, structure_weight) }
}

/// As lk_epoch_metric_update_f32, for `f64` data.
#[no_mangle]
pub unsafe extern "C" fn lk_epoch_metric_update_f64(
    metric: *mut lk_epoch_metric,
    property: i32,
    pred: *const f64,
    target: *const f64,
    n: usize,
    batch: *const lk_batch,
    structure_weight: *const f64,
) -> lk_status {
    // SAFETY: forwarded.
    unsafe { epoch_update(metric, property, pred, target, n, batch, structure_weight) }
}

/// Adds `from`'s three sums into `into` (merging threads or ranks).
#[no_mangle]
pub unsafe extern "C" fn lk_epoch_metric_merge(
    into: *mut lk_epoch_metric,
    from: *const lk_epoch_metric,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY: the caller's contract; `into` may not overlap `from`.
        let from = unsafe { input_slice(from, 1, "from", &mut c)? }[0];
        let into = unsafe { output_slice(into, 1, "into", &mut c)? };
        into[0].sum_sq += from.sum_sq;
        into[0].sum_abs += from.sum_abs;
        into[0].weight += from.weight;
        Ok(())
    })
}

/// The epoch value of an accumulator into `*out`: LK_METRIC_MSE gives sum_sq / weight,
/// LK_METRIC_RMSE its square root, LK_METRIC_MAE sum_abs / weight; with weight 0 the
/// `empty` policy (LK_EMPTY_*) applies. Other metrics give LK_ERR_BAD_ENUM.
#[no_mangle]
pub unsafe extern "C" fn lk_epoch_metric_value(
    metric: *const lk_epoch_metric,
    kind: i32,
    empty: i32,
    out: *mut f64,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY: the caller's contract on the pointers.
        let m = unsafe { input_slice(metric, 1, "metric", &mut c)? }[0];
        let empty = empty_of(empty)?;
        let e = EpochMetric {
            sum_sq: m.sum_sq,
            sum_abs: m.sum_abs,
            weight: m.weight,
        };
        let v = match kind {
            LK_METRIC_MSE => e.mse(empty)?,
            LK_METRIC_RMSE => e.rmse(empty)?,
            LK_METRIC_MAE => e.mae(empty)?,
            _ => {
                return Err(Failure::new(
                    LK_ERR_BAD_ENUM,
                    format_args!("kind = {kind}: only LK_METRIC_MSE, _RMSE and _MAE"),
                ))
            }
        };
        let out = unsafe { output_slice(out, 1, "out", &mut c)? };
        out[0] = v;
        Ok(())
    })
}

/// The batch size graph-pes logs a property's loss with into `*out`: N (atoms) for forces
/// and local energies, S (structures) otherwise.
#[no_mangle]
pub unsafe extern "C" fn lk_property_batch_size(
    property: i32,
    batch: *const lk_batch,
    out: *mut usize,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        let p = property_of(property)?;
        c.aligned(batch, "batch")?;
        // SAFETY: checked non-NULL and aligned.
        let b = unsafe { *batch };
        let out = unsafe { output_slice(out, 1, "out", &mut c)? };
        out[0] = if p.is_per_atom() {
            b.n_atoms
        } else {
            b.n_structures
        };
        Ok(())
    })
}

/// Adds one batch's value to a batch-size-weighted mean (Lightning's epoch aggregation of
/// graph-pes' logged values, e.g. "rmse_batchwise"): acc->sum += batch_size * value,
/// acc->weight += batch_size (nothing for batch_size 0), added as by lk_partial_merge
/// (keeping the remainders). Start from a zeroed lk_partial; finish with lk_batchwise_mean
/// (accumulators of several ranks merge with lk_partial_merge).
#[no_mangle]
pub unsafe extern "C" fn lk_batchwise_push(
    acc: *mut lk_partial,
    value: f64,
    batch_size: usize,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY: the caller's contract on the pointer.
        let acc = unsafe { output_slice(acc, 1, "acc", &mut c)? };
        let mut b = Batchwise::new();
        b.push(value, batch_size);
        if batch_size > 0 {
            acc[0] = Partial::from(acc[0])
                .merge(Partial::new(b.sum, b.weight))
                .into();
        }
        Ok(())
    })
}

/// (acc->sum + acc->sum_lo) / (acc->weight + acc->weight_lo) into `*out` (as
/// lk_partial_mean), or the `empty` policy (LK_EMPTY_*) when the weight is 0.
#[no_mangle]
pub unsafe extern "C" fn lk_batchwise_mean(
    acc: *const lk_partial,
    empty: i32,
    out: *mut f64,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY: the caller's contract on the pointers.
        let a = unsafe { input_slice(acc, 1, "acc", &mut c)? }[0];
        let v = Partial::from(a).mean(empty_of(empty)?)?;
        let out = unsafe { output_slice(out, 1, "out", &mut c)? };
        out[0] = v;
        Ok(())
    })
}
