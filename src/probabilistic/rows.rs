//! The reduction of row-wise losses (one loss per row of C values): per-row keep-mask and
//! weights from [`Options`], the reductions, the empty-mean policy, and the gradient factor.

use crate::pointwise::{check_len, check_options};
use crate::reduce::{blocked_sum, EmptyPolicy, GradMode, Partial};
use crate::{Error, Options, Real, Reduced, Reduction};

/// How the rows of one call are reduced; built (and everything checked) before any output
/// is written.
pub(crate) struct RowPlan<'a, 'o, T> {
    opts: &'a Options<'o, T>,
    rows: usize,
    /// Σ wᵣ over the rows that count (kept, with something to average).
    weight: f64,
    /// grad_scale · (1/Σw for a mean): multiplies wᵣ ∂ℓᵣ.
    factor: f64,
}

impl<'a, 'o, T: Real> RowPlan<'a, 'o, T> {
    /// Checks the options for `rows` rows (mask and weights per row, `row_len` = 0, and no
    /// magic number unless `magic_ok`), the `values` length under `Reduction::None`, and
    /// the empty-mean policy. `empty(r)` says that row r has nothing to average (every
    /// entry masked by the magic number): under `Zero` it is dropped, under `Nan` its value
    /// is NaN and it counts, under `Error` the call fails.
    pub fn new(
        opts: &'a Options<'o, T>,
        rows: usize,
        magic_ok: bool,
        values: Option<&[T]>,
        empty: impl Fn(usize) -> bool,
    ) -> Result<Self, Error> {
        if opts.row_len != 0 {
            return Err(Error::BadParameter {
                what: "row_len (row-wise losses take their row length as a parameter)",
            });
        }
        if opts.magic.is_some() && !magic_ok {
            return Err(Error::BadParameter {
                what: "magic (this loss has no floating-point targets)",
            });
        }
        check_options(opts, rows)?;
        match (opts.reduction, values) {
            (Reduction::None, Some(v)) => check_len("values", rows, v.len())?,
            (Reduction::None, None) => return Err(Error::BadParameter { what: "values" }),
            _ => {}
        }
        let mut plan = RowPlan {
            opts,
            rows,
            weight: 0.0,
            factor: 0.0,
        };
        let mut failed = false;
        plan.weight = blocked_sum::<T>(rows, |r| {
            let w = plan.option_weight(r);
            if w == 0.0 {
                0.0
            } else if !empty(r) || opts.empty == EmptyPolicy::Nan {
                w
            } else {
                failed |= opts.empty == EmptyPolicy::Error;
                0.0
            }
        });
        if failed || (opts.reduction == Reduction::Mean && plan.weight == 0.0) {
            // An empty row, or an empty mean, under the Error policy.
            Partial::default().mean(opts.empty)?;
            if failed {
                return Err(Error::EmptyMean);
            }
        }
        let scale = opts.grad_scale.to_f64();
        plan.factor = match opts.reduction {
            Reduction::Mean if plan.weight > 0.0 => scale / plan.weight,
            Reduction::Mean => 0.0,
            _ => scale,
        };
        Ok(plan)
    }

    /// The weight the options give row r (0 if masked).
    pub fn option_weight(&self, r: usize) -> f64 {
        if let Some(m) = self.opts.mask {
            if m.get(r) == Some(&0) {
                return 0.0;
            }
        }
        match self.opts.weights {
            Some(w) => w.get(r).map_or(0.0, |x| x.to_f64()),
            None => 1.0,
        }
    }

    /// Σ wᵣ over the rows that count.
    pub fn weight(&self) -> f64 {
        self.weight
    }

    /// The factor of wᵣ ∂ℓᵣ in the gradient (grad_scale, over Σw for a mean; 0 for an
    /// empty mean).
    pub fn factor(&self) -> f64 {
        self.factor
    }

    /// Whether gradients are added to the buffers.
    pub fn accumulate(&self) -> bool {
        self.opts.grad_mode == GradMode::Accumulate
    }

    /// Runs the rows in order and reduces. `row(r, coef)` evaluates row r and returns ℓᵣ;
    /// `coef` is `Some(factor·wᵣ)` for a row that counts (write coef·∂ℓᵣ into its
    /// gradients) and `None` for a row that does not (write 0, or nothing when
    /// accumulating); `row` is called for every row, in increasing order. Rows that are
    /// empty under the `Nan` policy get the value NaN and no gradient.
    pub fn run(
        &self,
        mut values: Option<&mut [T]>,
        empty: impl Fn(usize) -> bool,
        mut row: impl FnMut(usize, Option<f64>) -> f64,
    ) -> Result<Reduced<T>, Error> {
        let sum = blocked_sum::<T>(self.rows, |r| {
            let w = self.option_weight(r);
            let (coef, nan) = if w == 0.0 {
                (None, false)
            } else if empty(r) {
                (None, self.opts.empty == EmptyPolicy::Nan)
            } else {
                (Some(self.factor * w), false)
            };
            let l = row(r, coef);
            let wl = if nan {
                f64::NAN
            } else if coef.is_some() {
                // Rounded to the data type first, so that the sum is that of the values.
                T::from_f64(w * l).to_f64()
            } else {
                0.0
            };
            if let Some(v) = values.as_deref_mut().and_then(|v| v.get_mut(r)) {
                *v = T::from_f64(wl);
            }
            wl
        });
        let partial = Partial::new(sum, self.weight);
        let value = match self.opts.reduction {
            Reduction::Mean => partial.mean(self.opts.empty)?,
            _ => sum,
        };
        Ok(Reduced {
            value: T::from_f64(value),
            partial,
        })
    }
}
