//! Metrics over an epoch: the true RMSE / MAE (mergeable sums), and the batch-size-weighted
//! mean of per-batch values that Lightning logs.

use super::property::{prepare_len, run_factors};
use super::{Batch, Metric, Property};
use crate::pointwise::regression::{AbsoluteError, SquaredError};
use crate::pointwise::{check_len, evaluate_with, Unit};
use crate::reduce::{EmptyPolicy, Partial};
use crate::{Error, Options, Real, Reduction};

/// The running sums behind the true epoch RMSE and MAE, in `f64`: Σ w d², Σ w |d| and Σ w
/// over every value seen (d = p − y; w = 1 unless the batch has structure weights).
///
/// This is what torchmetrics' `MeanSquaredError(squared=False)` accumulates for graph-pes'
/// evaluation RMSE: `rmse() = √(Σ w d² / Σ w)` over the whole epoch, not the mean of the
/// per-batch RMSEs (for that, see [`Batchwise`]). Accumulators of different threads, ranks
/// or devices merge by adding their fields ([`EpochMetric::merge`], or an `MPI_SUM` over
/// the three doubles). Each batch's sums are computed with the crate's accurate summation.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C)]
pub struct EpochMetric {
    /// Σ w (p − y)².
    pub sum_sq: f64,
    /// Σ w |p − y|.
    pub sum_abs: f64,
    /// Σ w (the number of values when unweighted).
    pub weight: f64,
}

impl EpochMetric {
    /// An empty accumulator.
    pub const fn new() -> Self {
        EpochMetric {
            sum_sq: 0.0,
            sum_abs: 0.0,
            weight: 0.0,
        }
    }

    /// Adds one batch of `property` (per-atom energies are divided by the atom counts, and
    /// the batch's structure weights apply, as in [`super::PropertyLoss`]; species are not
    /// used). Errors as for [`super::PropertyLoss::evaluate`]; on error nothing is added.
    pub fn update<T: Real>(
        &mut self,
        property: Property,
        pred: &[T],
        target: &[T],
        batch: &Batch<'_, T>,
    ) -> Result<(), Error> {
        let n = prepare_len(property, batch)?;
        check_len("pred", n, pred.len())?;
        check_len("target", n, target.len())?;
        let opts = Options::default().with_reduction(Reduction::Sum);
        let sq = run_factors(
            property,
            Metric::Mse,
            pred,
            target,
            &opts,
            batch,
            None,
            None,
        )?;
        let ab = run_factors(
            property,
            Metric::Mae,
            pred,
            target,
            &opts,
            batch,
            None,
            None,
        )?;
        self.add(sq.partial, ab.partial);
        Ok(())
    }

    /// Adds plain values (every value weighs 1). Errors: mismatched lengths.
    pub fn update_flat<T: Real>(&mut self, pred: &[T], target: &[T]) -> Result<(), Error> {
        check_len("target", pred.len(), target.len())?;
        let opts = Options::default().with_reduction(Reduction::Sum);
        let sq = evaluate_with(&SquaredError, pred, target, &opts, &Unit, None, None)?;
        let ab = evaluate_with(&AbsoluteError, pred, target, &opts, &Unit, None, None)?;
        self.add(sq.partial, ab.partial);
        Ok(())
    }

    fn add(&mut self, sq: Partial, ab: Partial) {
        self.sum_sq += sq.sum;
        self.sum_abs += ab.sum;
        self.weight += sq.weight;
    }

    /// The fieldwise sum of two accumulators.
    pub fn merge(self, other: EpochMetric) -> EpochMetric {
        EpochMetric {
            sum_sq: self.sum_sq + other.sum_sq,
            sum_abs: self.sum_abs + other.sum_abs,
            weight: self.weight + other.weight,
        }
    }
    /// MSE = Σ w d² / Σ w, or what `empty` says when nothing was seen.
    pub fn mse(&self, empty: EmptyPolicy) -> Result<f64, Error> {
        Partial::new(self.sum_sq, self.weight).mean(empty)
    }
    /// RMSE = √(Σ w d² / Σ w), the true epoch RMSE.
    pub fn rmse(&self, empty: EmptyPolicy) -> Result<f64, Error> {
        self.mse(empty).map(libm::sqrt)
    }
    /// MAE = Σ w |d| / Σ w.
    pub fn mae(&self, empty: EmptyPolicy) -> Result<f64, Error> {
        Partial::new(self.sum_abs, self.weight).mean(empty)
    }
}

/// A batch-size-weighted mean of per-batch values, as Lightning aggregates graph-pes' logged
/// losses over an epoch ("rmse_batchwise"): Σ bⱼ vⱼ / Σ bⱼ, where vⱼ is batch j's value and
/// bⱼ its size ([`Property::batch_size`]: atoms for per-atom properties, structures
/// otherwise). For RMSE this is not the true epoch RMSE ([`EpochMetric`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C)]
pub struct Batchwise {
    /// Σ bⱼ vⱼ.
    pub sum: f64,
    /// Σ bⱼ.
    pub weight: f64,
}

impl Batchwise {
    /// An empty mean.
    pub const fn new() -> Self {
        Batchwise {
            sum: 0.0,
            weight: 0.0,
        }
    }
    /// Adds one batch's value with its size. A non-finite value is added as it is (and makes
    /// the mean non-finite); a batch of size 0 adds nothing.
    pub fn push(&mut self, value: f64, batch_size: usize) {
        if batch_size > 0 {
            let b = batch_size as f64;
            self.sum += b * value;
            self.weight += b;
        }
    }
    /// The fieldwise sum of two means' accumulators.
    pub fn merge(self, other: Batchwise) -> Batchwise {
        Batchwise {
            sum: self.sum + other.sum,
            weight: self.weight + other.weight,
        }
    }
    /// Σ bⱼ vⱼ / Σ bⱼ, or what `empty` says when no batch was pushed.
    pub fn mean(&self, empty: EmptyPolicy) -> Result<f64, Error> {
        Partial::new(self.sum, self.weight).mean(empty)
    }
}
