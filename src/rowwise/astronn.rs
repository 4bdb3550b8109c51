//! astroNN's categorical cross-entropy and categorical accuracy (SPEC §4.4, §4.8): one-hot
//! (or probability) targets in which a magic number (or NaN) marks a missing label.
//!
//! A target entry is *bad* when `opts.magic` is set and the entry equals it or is NaN; bad
//! entries are replaced by 0. The per-sample correction is F = C / n_valid (astroNN's
//! `magic_correction_term`). A row with no valid entry follows [`Options::empty`]: with
//! `Zero` it is left out of the batch, with `Nan` its value is NaN (astroNN's result) and its
//! gradient 0, with `Error` the call fails.

use super::softmax::argmax;
use super::{evaluate, rows_of, Data, RowIo, RowLoss};
use crate::math::{exp, ln, shift, softmax_normaliser};
use crate::pointwise::binary::ASTRONN_EPSILON;
use crate::pointwise::check_len;
use crate::reduce::EmptyPolicy;
use crate::{Error, Options, Real, Reduced};

/// One-hot targets with astroNN's masking.
struct Labels<'a, T> {
    target: &'a [T],
    classes: usize,
    magic: Option<T>,
    empty: EmptyPolicy,
}

impl<T: Real> Labels<'_, T> {
    /// Row r of the targets.
    #[inline(always)]
    fn row(&self, r: usize) -> &[T] {
        &self.target[r * self.classes..(r + 1) * self.classes]
    }
    /// A target entry with bad labels replaced by 0.
    #[inline(always)]
    fn clean(&self, t: T) -> T {
        match self.magic {
            Some(m) if t == m || t.is_nan() => T::zero(),
            _ => t,
        }
    }
    /// The number of valid entries of row r.
    fn valid(&self, r: usize) -> usize {
        match self.magic {
            Some(m) => self
                .row(r)
                .iter()
                .filter(|&&t| !(t == m || t.is_nan()))
                .count(),
            None => self.classes,
        }
    }
    /// A row counts with weight 1, unless it has no valid entry (see the module docs).
    fn prepare(&self, r: usize) -> Result<Option<T>, Error> {
        if self.valid(r) > 0 {
            return Ok(Some(T::one()));
        }
        match self.empty {
            EmptyPolicy::Zero => Ok(None),
            EmptyPolicy::Nan => Ok(Some(T::one())),
            EmptyPolicy::Error => Err(Error::EmptyMean),
        }
    }
}

struct CceKernel<'a, T> {
    labels: Labels<'a, T>,
    from_logits: bool,
}

impl<T: Real> RowLoss<T> for CceKernel<'_, T> {
    const USES_MAGIC: bool = true;

    fn prepare(&self, r: usize) -> Result<Option<T>, Error> {
        self.labels.prepare(r)
    }

    fn eval<I: RowIo<T>>(&self, r: usize, io: &mut I, scale: T) -> T {
        let lab = &self.labels;
        let valid = lab.valid(r);
        if valid == 0 {
            io.put(|_, _| T::zero());
            return T::NAN;
        }
        let f = lab.classes as f64 / valid as f64;
        let t = lab.row(r);
        let x = io.x();
        let tsum: f64 = t.iter().map(|&v| lab.clean(v).to_f64()).sum();
        if self.from_logits {
            // ℓ = −F·Σₖ tₖ ln pₖ = F·(Σt·ln s − Σₖ tₖdₖ); ∂ℓ/∂xₖ = F·(Σt·pₖ − tₖ).
            let (m, s) = softmax_normaliser(x);
            let mut td = 0.0;
            for (&v, &tk) in x.iter().zip(t) {
                let tk = lab.clean(tk).to_f64();
                if tk != 0.0 {
                    td += tk * shift(v, m).to_f64();
                }
            }
            if I::GRAD {
                let g = scale.to_f64() * f;
                let cp = T::from_f64(g * tsum / s);
                let ct = T::from_f64(g);
                io.put(|k, v| exp(shift(v, m)) * cp - ct * lab.clean(t[k]));
            }
            return T::from_f64(f * (tsum * libm::log(s) - td));
        }
        // Probabilities: p = ŷ/Σŷ, clipped to [ε, 1 − ε]; ℓ = −F·Σₖ tₖ ln p̃ₖ;
        // ∂ℓ/∂ŷₖ = −(F/Σŷ)·(tₖuₖ/pₖ − Σⱼ tⱼuⱼ), uₖ = 1 inside the clip, 0 outside.
        let total = T::from_f64(x.iter().map(|v| v.to_f64()).sum());
        let eps = T::from_f64(ASTRONN_EPSILON);
        let hi = T::from_f64(1.0 - ASTRONN_EPSILON);
        let clip = |v: T| {
            let p = v / total;
            if p < eps {
                (eps, false)
            } else if p > hi {
                (hi, false)
            } else {
                (p, true)
            }
        };
        let (mut loss, mut tu) = (0.0, 0.0);
        for (&v, &tk) in x.iter().zip(t) {
            let tk = lab.clean(tk);
            if tk != T::zero() {
                let (p, inside) = clip(v);
                loss -= (tk * ln(p)).to_f64();
                if inside {
                    tu += tk.to_f64();
                }
            }
        }
        if I::GRAD {
            let g = -scale.to_f64() * f / total.to_f64();
            let (cg, ctu) = (T::from_f64(g), T::from_f64(tu));
            io.put(|k, v| {
                let tk = lab.clean(t[k]);
                let (p, inside) = clip(v);
                let own = if inside && tk != T::zero() {
                    tk / p
                } else {
                    T::zero()
                };
                cg * (own - ctu)
            });
        }
        T::from_f64(f * loss)
    }
}

/// astroNN's `categorical_crossentropy` (SPEC §4.4) on probabilities or logits, with
/// magic-number targets: per sample, with t the target with bad entries set to 0 and
/// F = C / n_valid,
/// * logits: ℓᵣ = −F·Σₖ tₖ·log_softmax(x)ₖ, ∂ℓᵣ/∂xₖ = F·((Σⱼtⱼ)·pₖ − tₖ);
/// * probabilities: p = ŷ/Σₖŷₖ (over all classes), clipped to [ε, 1 − ε] with ε = 10⁻⁷,
///   ℓᵣ = −F·Σₖ tₖ ln pₖ, gradient through the normalisation and 0 through a clipped entry.
///
/// Every row has weight 1, so `Reduction::Mean` is Keras' batch mean (weighted by the sample
/// weights `opts.weights`); `Reduction::None` gives astroNN's per-sample vector. The magic
/// number is `opts.magic` (e.g. [`ASTRONN_MAGIC`](crate::ASTRONN_MAGIC)); rows without a
/// valid label follow `opts.empty` (see the module docs).
pub fn astronn_categorical_crossentropy<T: Real>(
    pred: &[T],
    target: &[T],
    classes: usize,
    from_logits: bool,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    rows_of(
        "pred (a whole number of rows of `classes`)",
        pred.len(),
        classes,
    )?;
    check_len("target", pred.len(), target.len())?;
    let kernel = CceKernel {
        labels: Labels {
            target,
            classes,
            magic: opts.magic,
            empty: opts.empty,
        },
        from_logits,
    };
    evaluate(
        &kernel,
        Data::Separate { x: pred, grad },
        classes,
        opts,
        values,
    )
}

struct CatAccuracyKernel<'a, T> {
    labels: Labels<'a, T>,
}

impl<T: Real> RowLoss<T> for CatAccuracyKernel<'_, T> {
    const USES_MAGIC: bool = true;

    fn prepare(&self, _: usize) -> Result<Option<T>, Error> {
        Ok(Some(T::one()))
    }

    fn eval<I: RowIo<T>>(&self, r: usize, io: &mut I, _: T) -> T {
        let lab = &self.labels;
        let t = lab.row(r);
        let mut best = 0;
        for (k, &v) in t.iter().enumerate() {
            if lab.clean(v) > lab.clean(t[best]) {
                best = k;
            }
        }
        match argmax(io.x()) {
            (_, true) => T::NAN,
            (k, false) if k == best => T::one(),
            _ => T::zero(),
        }
    }
}

/// astroNN's `categorical_accuracy` (SPEC §4.8): ℓᵣ = 1 if argmax t = argmax ŷ else 0, with
/// bad target entries (`opts.magic`) set to 0 first and ties going to the first index (a
/// row of prediction holding a NaN gives NaN). astroNN's correction term is computed after
/// the masking, so it is always 1 and does not appear. A metric: there is no gradient.
pub fn astronn_categorical_accuracy<T: Real>(
    pred: &[T],
    target: &[T],
    classes: usize,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    rows_of(
        "pred (a whole number of rows of `classes`)",
        pred.len(),
        classes,
    )?;
    check_len("target", pred.len(), target.len())?;
    let kernel = CatAccuracyKernel {
        labels: Labels {
            target,
            classes,
            magic: opts.magic,
            empty: opts.empty,
        },
    };
    let data = Data::Separate {
        x: pred,
        grad: None,
    };
    evaluate(&kernel, data, classes, opts, values)
}
