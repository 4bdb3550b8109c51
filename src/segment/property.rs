//! Property losses over a ragged batch: the pointwise engine with per-element factors.

use super::{Batch, Indices, Segments, MAX_SPECIES};
use crate::pointwise::regression::{
    AbsoluteError, Huber, RootSquaredError, ScaleFreeHuber, SquaredError,
};
use crate::pointwise::{check_len, check_options, evaluate_with, option_weight};
use crate::pointwise::{FactorReader, Factors, Pointwise, Unit};
use crate::reduce::CompensatedSum;
use crate::{Error, Options, Real, Reduced, Reduction};

/// An atomistic property, laid out as graph-pes concatenates a batch (S structures, N atoms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Property {
    /// Total energy Eₖ, one value per structure (S values).
    Energy,
    /// Per-atom energy: each structure's energy Eₖ (S values, prediction and target)
    /// divided by its atom count Nₖ before the metric: ℓ(Êₖ/Nₖ, Eₖ/Nₖ), and
    /// ∂/∂Êₖ = ℓ′/Nₖ. Every structure must have at least one atom.
    PerAtomEnergy,
    /// Forces, 3 Cartesian components per atom (N × 3 row-major); a metric averages over all
    /// 3N components (atoms weigh equally, larger structures weigh more).
    Forces,
    /// Stress, a 3 × 3 tensor per structure (S × 9 row-major).
    Stress,
    /// Virial, a 3 × 3 tensor per structure (S × 9 row-major).
    Virial,
    /// Local (per-atom) energies, one value per atom (N values).
    LocalEnergies,
}

impl Property {
    /// Values per structure (energy, stress, virial) or per atom (forces, local energies).
    pub const fn components(self) -> usize {
        match self {
            Property::Energy | Property::PerAtomEnergy | Property::LocalEnergies => 1,
            Property::Forces => 3,
            Property::Stress | Property::Virial => 9,
        }
    }
    /// True for the properties given per atom (forces, local energies); graph-pes'
    /// `is_per_atom`. The per-atom energy is a per-structure property.
    pub const fn is_per_atom(self) -> bool {
        matches!(self, Property::Forces | Property::LocalEnergies)
    }
    /// The graph-pes property name ("energy", "forces", "stress", "virial",
    /// "local_energies"; "per_atom_energy" for the per-atom energy).
    pub const fn name(self) -> &'static str {
        match self {
            Property::Energy => "energy",
            Property::PerAtomEnergy => "per_atom_energy",
            Property::Forces => "forces",
            Property::Stress => "stress",
            Property::Virial => "virial",
            Property::LocalEnergies => "local_energies",
        }
    }
    /// The number of values of this property in a batch of S structures and N atoms:
    /// S, S, 3N, 9S, 9S or N (`None` on overflow).
    pub fn len(self, structures: usize, atoms: usize) -> Option<usize> {
        let units = if self.is_per_atom() {
            atoms
        } else {
            structures
        };
        units.checked_mul(self.components())
    }
    /// The batch size graph-pes logs a loss of this property with (for Lightning's
    /// batch-size-weighted epoch mean): N for per-atom properties, S otherwise.
    pub fn batch_size<T: Real>(self, batch: &Batch<'_, T>) -> usize {
        if self.is_per_atom() {
            batch.atoms()
        } else {
            batch.structures()
        }
    }
}

/// The metric of a property loss (graph-pes' `MetricName` and its Huber losses). Each is a
/// weighted mean over the property's values, with d = p − y:
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Metric<T> {
    /// mean d².
    Mse,
    /// √(mean d²); its gradient is 0 where the value is 0 (graph-pes gives NaN there).
    Rmse,
    /// mean |d|.
    Mae,
    /// mean Huber_δ(d), δ > 0 (graph-pes' default δ is 0.5; it is always explicit here).
    Huber(T),
    /// mean Huber_δ(d)/δ, δ > 0 (graph-pes' `ScaleFreeHuber`).
    ScaleFreeHuber(T),
}

impl<T: Real> Metric<T> {
    /// Checks δ.
    fn check(&self) -> Result<(), Error> {
        match *self {
            Metric::Huber(d) | Metric::ScaleFreeHuber(d) => Huber::new(d).map(|_| ()),
            _ => Ok(()),
        }
    }
}

/// A loss on one property of a batch: graph-pes' `PropertyLoss` and `PerAtomEnergyLoss`.
///
/// With the batch's per-structure weights uₖ (1 when absent), the options' weights wᵢ
/// (1 when absent) and kept elements K (see [`Options`]), the value under
/// [`Reduction::Mean`] is
///
/// L = Σ_{i∈K} wᵢ u_{k(i)} ℓ(pᵢ/cᵢ, yᵢ/cᵢ) / Σ_{i∈K} wᵢ u_{k(i)}
///
/// where k(i) is the structure of value i and cᵢ = N_{k(i)} for [`Property::PerAtomEnergy`]
/// (1 otherwise); RMSE takes the square root. This is PyTorch's weighted mean; MACE's
/// `mean(u·ℓ)` is `Reduction::Sum` divided by the number of values.
///
/// With `per_species` (per-atom properties only, [`Reduction::Mean`] only, species ids in
/// the batch), the mean is taken per species first and then averaged over the species
/// present: L = (1/P) Σ_s [Σ_{i∈K, z(i)=s} wᵢuᵢℓᵢ / W_s], where W_s = Σ_{i∈K, z(i)=s} wᵢuᵢ and P
/// is the number of species with W_s > 0 (for RMSE, L is the square root of that). Every
/// species present counts equally, however many atoms it has. If no species is present
/// the empty-mean policy applies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PropertyLoss<T> {
    /// The property.
    pub property: Property,
    /// The metric.
    pub metric: Metric<T>,
    /// Per-species mean (see the type's docs).
    pub per_species: bool,
}

impl<T: Real> PropertyLoss<T> {
    /// A loss of `metric` on `property`, without the per-species mean.
    pub fn new(property: Property, metric: Metric<T>) -> Self {
        PropertyLoss {
            property,
            metric,
            per_species: false,
        }
    }
    /// The same loss with the per-species mean.
    pub fn per_species(mut self) -> Self {
        self.per_species = true;
        self
    }

    /// Evaluates the loss and, optionally, its gradient with respect to `pred`.
    ///
    /// * `pred`, `target`: the property's values ([`Property::len`] of them);
    /// * `batch`: offsets, and optional species ids and per-structure weights;
    /// * `opts`: as for every loss ([`Options`]): reduction, mask, magic number, per-value
    ///   weights (multiplied by the structure weights), grad scale and mode. `row_len` must
    ///   be 0 (structures are given by the offsets);
    /// * `values`, `grad`: as in [`crate::pointwise::evaluate`].
    ///
    /// Errors, before anything is written: lengths ([`Error::LengthMismatch`]), δ, `row_len`,
    /// per-species misuse ([`Error::BadParameter`]), a structure without atoms under
    /// [`Property::PerAtomEnergy`] ([`Error::IndexOutOfRange`] with `row` = the structure
    /// and `index` = `ptr[k+1]`), and the engine's own errors.
    pub fn evaluate(
        &self,
        pred: &[T],
        target: &[T],
        batch: &Batch<'_, T>,
        opts: &Options<'_, T>,
        values: Option<&mut [T]>,
        grad: Option<&mut [T]>,
    ) -> Result<Reduced<T>, Error> {
        let n = prepare_len(self.property, batch)?;
        check_len("pred", n, pred.len())?;
        check_len("target", n, target.len())?;
        self.metric.check()?;
        if opts.row_len != 0 {
            return Err(Error::BadParameter { what: "row_len" });
        }
        check_options(opts, n)?;
        let mut factors = AtomFactors::<T, false>::new(self.property, batch);
        if !self.per_species {
            return run_factors(
                self.property,
                self.metric,
                pred,
                target,
                opts,
                batch,
                values,
                grad,
            );
        }
        if !self.property.is_per_atom() {
            return Err(Error::BadParameter {
                what: "per_species (forces and local energies only)",
            });
        }
        let Some(species) = batch.species() else {
            return Err(Error::BadParameter {
                what: "species (the per-species mean needs species ids in the batch)",
            });
        };
        if opts.reduction != Reduction::Mean {
            return Err(Error::BadParameter {
                what: "reduction (the per-species mean is a mean)",
            });
        }
        let present = factors.species_table(species, target, opts);
        if present == 0 {
            // Every weight is 0: the engine's mean over nothing applies the empty policy.
            return dispatch(self.metric, pred, target, opts, &factors, values, grad);
        }
        let sum_opts = Options {
            reduction: Reduction::Sum,
            ..*opts
        };
        let mut r = dispatch(self.metric, pred, target, &sum_opts, &factors, values, grad)?;
        r.partial.weight = 1.0;
        r.partial.weight_lo = 0.0;
        Ok(r)
    }
}

/// The number of values of `property` in `batch`, checking that a per-atom energy has no
/// structure without atoms.
pub(super) fn prepare_len<T: Real>(
    property: Property,
    batch: &Batch<'_, T>,
) -> Result<usize, Error> {
    let seg = batch.segments();
    if property == Property::PerAtomEnergy {
        for k in 0..seg.len() {
            if seg.offset(k + 1) == seg.offset(k) {
                return Err(Error::IndexOutOfRange {
                    row: k,
                    index: seg.ptr().get(k + 1).unwrap_or(0),
                });
            }
        }
    }
    property
        .len(seg.len(), seg.atoms())
        .ok_or(Error::LengthMismatch {
            what: "pred (the property's length overflows)",
            expected: usize::MAX,
            got: 0,
        })
}

/// Runs the engine with the factors `property` needs over `batch`: none at all ([`Unit`])
/// when nothing weighs or divides, the per-atom-energy divisor only when needed.
#[allow(clippy::too_many_arguments)]
pub(super) fn run_factors<T: Real>(
    property: Property,
    metric: Metric<T>,
    pred: &[T],
    target: &[T],
    opts: &Options<'_, T>,
    batch: &Batch<'_, T>,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    if property == Property::PerAtomEnergy {
        let f = AtomFactors::<T, true>::new(property, batch);
        dispatch(metric, pred, target, opts, &f, values, grad)
    } else if batch.structure_weights().is_none() {
        dispatch(metric, pred, target, opts, &Unit, values, grad)
    } else {
        let f = AtomFactors::<T, false>::new(property, batch);
        dispatch(metric, pred, target, opts, &f, values, grad)
    }
}

/// Runs the engine with the loss of `metric`.
pub(super) fn dispatch<T: Real, F: Factors<T>>(
    metric: Metric<T>,
    pred: &[T],
    target: &[T],
    opts: &Options<'_, T>,
    factors: &F,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    fn run<T: Real, L: Pointwise<T>, F: Factors<T>>(
        loss: L,
        pred: &[T],
        target: &[T],
        opts: &Options<'_, T>,
        factors: &F,
        values: Option<&mut [T]>,
        grad: Option<&mut [T]>,
    ) -> Result<Reduced<T>, Error> {
        evaluate_with(&loss, pred, target, opts, factors, values, grad)
    }
    match metric {
        Metric::Mse => run(SquaredError, pred, target, opts, factors, values, grad),
        Metric::Rmse => run(RootSquaredError, pred, target, opts, factors, values, grad),
        Metric::Mae => run(AbsoluteError, pred, target, opts, factors, values, grad),
        Metric::Huber(d) => run(Huber::new(d)?, pred, target, opts, factors, values, grad),
        Metric::ScaleFreeHuber(d) => run(
            ScaleFreeHuber::new(d)?,
            pred,
            target,
            opts,
            factors,
            values,
            grad,
        ),
    }
}

/// The per-element factors of a property over a batch: the structure weight u_{k(i)}, the
/// divisor Nₖ of a per-atom energy (when `DIV`; a constant 1 otherwise, which the compiler
/// folds away), and the per-species normaliser.
pub(super) struct AtomFactors<'a, T, const DIV: bool> {
    segments: Segments<'a>,
    /// Values per unit (structure or atom).
    stride: usize,
    /// Units are atoms (forces, local energies), else structures.
    per_atom: bool,
    weights: Option<&'a [T]>,
    /// Species ids and 1/(P·W_s) per species.
    species: Option<(Indices<'a>, [T; MAX_SPECIES])>,
}

impl<'a, T: Real, const DIV: bool> AtomFactors<'a, T, DIV> {
    pub(super) fn new(property: Property, batch: &Batch<'a, T>) -> Self {
        AtomFactors {
            segments: *batch.segments(),
            stride: property.components(),
            per_atom: property.is_per_atom(),
            weights: batch.structure_weights(),
            species: None,
        }
    }

    /// Computes W_s for every species over the kept values, installs 1/(P·W_s) as a weight
    /// factor, and returns P, the number of species with W_s > 0. `opts` has been checked.
    fn species_table(
        &mut self,
        species: Indices<'a>,
        target: &[T],
        opts: &Options<'_, T>,
    ) -> usize {
        self.species = None;
        let mut sums = [CompensatedSum::new(); MAX_SPECIES];
        {
            let mut reader = self.reader(0);
            for (i, &y) in target.iter().enumerate() {
                let w = option_weight(opts, i, y);
                if w != T::zero() {
                    let z = species.at(i / self.stride);
                    if let Some(s) = sums.get_mut(z) {
                        s.add((w * reader.at(i).0).to_f64());
                    }
                }
            }
        }
        let present = sums.iter().filter(|s| s.value() > 0.0).count();
        let mut table = [T::zero(); MAX_SPECIES];
        for (t, s) in table.iter_mut().zip(&sums) {
            let w = s.value();
            if w > 0.0 {
                *t = T::from_f64(1.0 / (present as f64 * w));
            }
        }
        self.species = Some((species, table));
        present
    }
}

/// Reads [`AtomFactors`] in increasing element order, following the offsets with a cursor.
pub(super) struct AtomReader<'r, 'a, T, const DIV: bool> {
    f: &'r AtomFactors<'a, T, DIV>,
    /// The current structure.
    k: usize,
    /// The first element after structure `k` (per-atom properties).
    end: usize,
}

impl<'a, T: Real, const DIV: bool> Factors<T> for AtomFactors<'a, T, DIV> {
    type Reader<'r>
        = AtomReader<'r, 'a, T, DIV>
    where
        Self: 'r;
    fn reader(&self, _start: usize) -> AtomReader<'_, 'a, T, DIV> {
        // The cursor starts at structure 0 and advances as far as the first element read.
        AtomReader {
            f: self,
            k: 0,
            end: self.segments.offset(1).saturating_mul(self.stride),
        }
    }
    fn is_unit(&self) -> bool {
        self.weights.is_none() && !DIV && self.species.is_none()
    }
}

impl<T: Real, const DIV: bool> FactorReader<T> for AtomReader<'_, '_, T, DIV> {
    #[inline(always)]
    fn at(&mut self, i: usize) -> (T, T) {
        let f = self.f;
        let k = if f.per_atom {
            let last = f.segments.len();
            while i >= self.end && self.k < last {
                self.k += 1;
                self.end = f.segments.offset(self.k + 1).saturating_mul(f.stride);
            }
            self.k
        } else {
            i / f.stride
        };
        let mut v = match f.weights {
            Some(w) => w.get(k).copied().unwrap_or(T::zero()),
            None => T::one(),
        };
        if let Some((species, table)) = &f.species {
            let z = species.at(i / f.stride);
            v *= table.get(z).copied().unwrap_or(T::zero());
        }
        let c = if DIV {
            let n = f
                .segments
                .offset(k + 1)
                .saturating_sub(f.segments.offset(k));
            T::from_f64(n as f64)
        } else {
            T::one()
        };
        (v, c)
    }
}
