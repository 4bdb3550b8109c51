//! Ragged batches of atomistic structures given by CSR offsets, and the interatomic-potential
//! losses and epoch metrics over them (graph-pes, SPEC §5).
//!
//! A batch of S structures with N atoms in all is described by the offsets `ptr`
//! (S + 1 values): the atoms of structure k are `ptr[k] .. ptr[k+1]`. The offsets must start
//! at 0, never decrease, and end at N ([`Segments::new`] checks this; a structure may have
//! zero atoms). Properties are laid out as graph-pes concatenates them
//! ([`Property`]): energies (S), per-atom energies (S), forces (N × 3, row-major), stress and
//! virial (S × 3 × 3, row-major), local energies (N).
//!
//! * [`PropertyLoss`]: a metric (MSE, RMSE, MAE, Huber, scale-free Huber) of one property,
//!   its value and its gradient with respect to the predictions, with optional
//!   per-structure weights and an optional per-species mean. It is the pointwise engine
//!   ([`crate::pointwise::evaluate_with`]) run with the right per-element factors.
//! * [`EpochMetric`] and [`Batchwise`]: the true RMSE / MAE over many batches, and graph-pes'
//!   batch-size-weighted mean of per-batch values ("rmse_batchwise").
//!
//! ```
//! use losskit::segment::{Batch, Metric, Property, PropertyLoss};
//! use losskit::Options;
//! // SPEC §6.6: two structures of 2 and 4 atoms.
//! let batch = Batch::<f64>::new(&[0usize, 2, 6], 6).unwrap();
//! let (pred, target) = ([10.0, 20.0], [8.0, 26.0]);
//! let loss = PropertyLoss::new(Property::PerAtomEnergy, Metric::Rmse);
//! let mut grad = [0.0; 2];
//! let r = loss
//!     .evaluate(&pred, &target, &batch, &Options::default(), None, Some(&mut grad))
//!     .unwrap();
//! assert!((r.value - 1.2747548784).abs() < 1e-9);
//! ```

mod epoch;
mod property;

pub use epoch::{Batchwise, EpochMetric};
pub use property::{Metric, Property, PropertyLoss};

use crate::{Error, Real};

/// Species ids are `0 .. MAX_SPECIES` (every atomic number fits); the per-species mean keeps
/// one accumulator per id on the stack.
pub const MAX_SPECIES: usize = 128;

/// A borrowed slice of integer indices (offsets or species ids) in the caller's type, read
/// without copying: `usize`, `i64` (PyTorch's and the C ABI's `int64_t`) or `i32`.
#[derive(Clone, Copy, Debug)]
pub enum Indices<'a> {
    /// `usize` indices.
    Usize(&'a [usize]),
    /// `i64` indices.
    I64(&'a [i64]),
    /// `i32` indices.
    I32(&'a [i32]),
}

impl<'a> Indices<'a> {
    /// The number of indices.
    pub fn len(&self) -> usize {
        match self {
            Indices::Usize(s) => s.len(),
            Indices::I64(s) => s.len(),
            Indices::I32(s) => s.len(),
        }
    }
    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Index `k` as an `i64` (a `usize` above `i64::MAX` saturates), or `None` past the end.
    #[inline(always)]
    pub fn get(&self, k: usize) -> Option<i64> {
        match self {
            Indices::Usize(s) => s.get(k).map(|&v| i64::try_from(v).unwrap_or(i64::MAX)),
            Indices::I64(s) => s.get(k).copied(),
            Indices::I32(s) => s.get(k).map(|&v| i64::from(v)),
        }
    }
    /// Index `k` as a `usize`: 0 past the end or for a negative value (only used after
    /// validation, where neither happens).
    #[inline(always)]
    pub(crate) fn at(&self, k: usize) -> usize {
        match self {
            Indices::Usize(s) => s.get(k).copied().unwrap_or(0),
            Indices::I64(s) => s.get(k).map_or(0, |&v| usize::try_from(v).unwrap_or(0)),
            Indices::I32(s) => s.get(k).map_or(0, |&v| usize::try_from(v).unwrap_or(0)),
        }
    }
}

impl<'a> From<&'a [usize]> for Indices<'a> {
    fn from(s: &'a [usize]) -> Self {
        Indices::Usize(s)
    }
}
impl<'a> From<&'a [i64]> for Indices<'a> {
    fn from(s: &'a [i64]) -> Self {
        Indices::I64(s)
    }
}
impl<'a> From<&'a [i32]> for Indices<'a> {
    fn from(s: &'a [i32]) -> Self {
        Indices::I32(s)
    }
}
impl<'a, const N: usize> From<&'a [usize; N]> for Indices<'a> {
    fn from(s: &'a [usize; N]) -> Self {
        Indices::Usize(s)
    }
}
impl<'a, const N: usize> From<&'a [i64; N]> for Indices<'a> {
    fn from(s: &'a [i64; N]) -> Self {
        Indices::I64(s)
    }
}
impl<'a, const N: usize> From<&'a [i32; N]> for Indices<'a> {
    fn from(s: &'a [i32; N]) -> Self {
        Indices::I32(s)
    }
}

/// Validated CSR offsets: S structures over N atoms, structure k owning atoms
/// `ptr[k] .. ptr[k+1]`.
#[derive(Clone, Copy, Debug)]
pub struct Segments<'a> {
    ptr: Indices<'a>,
    atoms: usize,
}

impl<'a> Segments<'a> {
    /// Checks the offsets `ptr` (S + 1 values) against the number of atoms N.
    ///
    /// Errors (nothing is kept):
    /// * an empty `ptr`: [`Error::LengthMismatch`] (`what = "ptr"`, at least 1 offset);
    /// * `ptr[0] ≠ 0`: [`Error::IndexOutOfRange`] with `row = 0`, `index = ptr[0]`;
    /// * `ptr[k+1] < ptr[k]` or `ptr[k+1] > N` (negative offsets included): `IndexOutOfRange`
    ///   with `row = k`, the structure that offset ends, and `index = ptr[k+1]`;
    /// * `ptr[S] ≠ N`: `IndexOutOfRange` with `row = S − 1` (0 when S = 0), `index = ptr[S]`.
    ///
    /// Structures with zero atoms (`ptr[k+1] = ptr[k]`) are valid here.
    pub fn new(ptr: impl Into<Indices<'a>>, atoms: usize) -> Result<Self, Error> {
        let ptr = ptr.into();
        let Some(first) = ptr.get(0) else {
            return Err(Error::LengthMismatch {
                what: "ptr (S + 1 offsets)",
                expected: 1,
                got: 0,
            });
        };
        if first != 0 {
            return Err(Error::IndexOutOfRange {
                row: 0,
                index: first,
            });
        }
        let n = i64::try_from(atoms).unwrap_or(i64::MAX);
        let mut prev = 0i64;
        let mut k = 1;
        while let Some(v) = ptr.get(k) {
            if v < prev || v > n {
                return Err(Error::IndexOutOfRange {
                    row: k - 1,
                    index: v,
                });
            }
            prev = v;
            k += 1;
        }
        if prev != n {
            return Err(Error::IndexOutOfRange {
                row: ptr.len().saturating_sub(2),
                index: prev,
            });
        }
        Ok(Segments { ptr, atoms })
    }

    /// The number of structures S.
    pub fn len(&self) -> usize {
        self.ptr.len() - 1
    }
    /// True if there are no structures.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The number of atoms N = `ptr[S]`.
    pub fn atoms(&self) -> usize {
        self.atoms
    }
    /// The offsets as given.
    pub fn ptr(&self) -> Indices<'a> {
        self.ptr
    }
    /// The atoms of structure `k` (`None` for k ≥ S).
    pub fn range(&self, k: usize) -> Option<core::ops::Range<usize>> {
        (k < self.len()).then(|| self.offset(k)..self.offset(k + 1))
    }
    /// The atom count Nₖ = `ptr[k+1] − ptr[k]` of structure `k` (`None` for k ≥ S).
    pub fn count(&self, k: usize) -> Option<usize> {
        self.range(k).map(|r| r.end - r.start)
    }
    /// `ptr[k]` as a `usize` (N past the end; the offsets are validated).
    #[inline(always)]
    pub(crate) fn offset(&self, k: usize) -> usize {
        if k < self.ptr.len() {
            self.ptr.at(k)
        } else {
            self.atoms
        }
    }
}

/// A batch of structures: offsets, and optionally species ids per atom and weights per
/// structure.
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a, T> {
    segments: Segments<'a>,
    species: Option<Indices<'a>>,
    weights: Option<&'a [T]>,
}

impl<'a, T: Real> Batch<'a, T> {
    /// A batch with offsets `ptr` over `atoms` atoms (checked as in [`Segments::new`]).
    pub fn new(ptr: impl Into<Indices<'a>>, atoms: usize) -> Result<Self, Error> {
        Ok(Self::from_segments(Segments::new(ptr, atoms)?))
    }
    /// A batch over already validated offsets.
    pub fn from_segments(segments: Segments<'a>) -> Self {
        Batch {
            segments,
            species: None,
            weights: None,
        }
    }
    /// Adds species ids, one per atom, each in `0 .. MAX_SPECIES` (used by the per-species
    /// mean). Errors: a wrong length ([`Error::LengthMismatch`], `what = "species"`); an id
    /// out of range ([`Error::IndexOutOfRange`] with `row` = the atom, `index` = the id).
    pub fn with_species(mut self, species: impl Into<Indices<'a>>) -> Result<Self, Error> {
        let species = species.into();
        crate::pointwise::check_len("species", self.segments.atoms, species.len())?;
        for a in 0..species.len() {
            let z = species.get(a).unwrap_or(-1);
            if !(0..MAX_SPECIES as i64).contains(&z) {
                return Err(Error::IndexOutOfRange { row: a, index: z });
            }
        }
        self.species = Some(species);
        Ok(self)
    }
    /// Adds one weight per structure (finite, ≥ 0), repeated over the structure's atoms and
    /// components for per-atom properties (as MACE and NequIP weight configurations).
    /// Errors: a wrong length ([`Error::LengthMismatch`], `what = "structure_weights"`); a
    /// negative or non-finite weight ([`Error::BadParameter`]).
    pub fn with_structure_weights(mut self, weights: &'a [T]) -> Result<Self, Error> {
        crate::pointwise::check_len("structure_weights", self.segments.len(), weights.len())?;
        if weights.iter().any(|&w| !(w >= T::zero() && w.is_finite())) {
            return Err(Error::BadParameter {
                what: "structure_weights",
            });
        }
        self.weights = Some(weights);
        Ok(self)
    }
    /// The offsets.
    pub fn segments(&self) -> &Segments<'a> {
        &self.segments
    }
    /// The number of structures S.
    pub fn structures(&self) -> usize {
        self.segments.len()
    }
    /// The number of atoms N.
    pub fn atoms(&self) -> usize {
        self.segments.atoms()
    }
    /// The species ids, if given.
    pub fn species(&self) -> Option<Indices<'a>> {
        self.species
    }
    /// The per-structure weights, if given.
    pub fn structure_weights(&self) -> Option<&'a [T]> {
        self.weights
    }
}
