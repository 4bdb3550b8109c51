//! DRDMannTurb's spectra-fitting loss over the C ABI.
//!
//! Usage: fill a workspace once per grid with `lk_spectra_grid_init_*`, then call
//! `lk_spectra_eval_*` in the fitting loop.

use crate::boundary::{input_slice, optional_input, optional_output, output_slice, run, Checked};
use crate::grad::{lk_grad_options, read_grad_options};
use crate::status::*;
use losskit_core::spectra::{
    Coherence, PenaltyNorm, SpectraGrads, SpectraGrid, SpectraInput, SpectraLoss, SpectraParams,
    SpectraTerms,
};
use losskit_core::{Error, Real};

/// The penalties average ReLU(...)^2 over the finite-difference nodes with equal weights
/// (DRDMannTurb's code; the default).
pub const LK_SPECTRA_NORM_MEAN: i32 = 0;
/// The penalties average ReLU(...)^2 by the trapezoid rule in ln k1 over the nodes, divided
/// by the length of the interval the nodes span (DRDMannTurb's documented norm).
pub const LK_SPECTRA_NORM_TRAPEZOID: i32 = 1;

/// A wavenumber grid prepared by `lk_spectra_grid_init_f32/_f64`. It points into the
/// caller's workspace, which must stay alive and unchanged while the grid is used.
/// Treat the fields as read-only.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct lk_spectra_grid {
    /// The workspace filled by lk_spectra_grid_init_* (4 len - 6 doubles).
    pub work: *const f64,
    /// L, the number of grid points.
    pub len: usize,
    /// The reference height zref (> 0).
    pub zref: f64,
}

/// The coefficients of the spectra loss (DRDMannTurb's LossParameters). A term is on when
/// its coefficient is > 0. `lk_spectra_params_default()` (all 0: the pure log-MSE, node
/// mean); a NULL `const lk_spectra_params *` means the defaults.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct lk_spectra_params {
    /// alpha_1: slope penalty coefficient.
    pub alpha_pen1: f64,
    /// alpha_2: curvature penalty coefficient.
    pub alpha_pen2: f64,
    /// beta: weight regulariser coefficient.
    pub beta_reg: f64,
    /// gamma: coherence MSE coefficient.
    pub gamma_coherence: f64,
    /// LK_SPECTRA_NORM_MEAN or LK_SPECTRA_NORM_TRAPEZOID.
    pub norm: i32,
}

/// The per-term breakdown of `lk_spectra_eval_*`, in double for both precisions. Each term
/// includes its coefficient; a term that is off is 0.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct lk_spectra_terms {
    /// mse + coherence + pen1 + pen2 + reg.
    pub total: f64,
    /// (1/(C L)) sum ln^2 |model/data|.
    pub mse: f64,
    /// gamma * mean over the three coherence blocks of (model - data)^2.
    pub coherence: f64,
    /// alpha_1 * mean ReLU(slope)^2 / zref.
    pub pen1: f64,
    /// alpha_2 * mean ReLU(curvature)^2 / zref^2.
    pub pen2: f64,
    /// beta * mean theta^2.
    pub reg: f64,
}

/// The default spectra coefficients: all 0 (the pure log-MSE), node-mean norm.
#[no_mangle]
pub extern "C" fn lk_spectra_params_default() -> lk_spectra_params {
    lk_spectra_params {
        alpha_pen1: 0.0,
        alpha_pen2: 0.0,
        beta_reg: 0.0,
        gamma_coherence: 0.0,
        norm: LK_SPECTRA_NORM_MEAN,
    }
}

/// The workspace length (in doubles) for a grid of `len` points: 4 len - 6, or 0 for
/// len < 2.
#[no_mangle]
pub extern "C" fn lk_spectra_workspace_len(len: usize) -> usize {
    SpectraGrid::workspace_len(len)
}

unsafe fn grid_init<T: Real>(
    k1: *const T,
    len: usize,
    zref: T,
    work: *mut f64,
    work_len: usize,
    grid: *mut lk_spectra_grid,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        // SAFETY (all calls below): the caller's contract on the pointers.
        let k1 = unsafe { input_slice(k1, len, "k1", &mut c)? };
        c.output(grid, 1, "grid")?;
        let work = unsafe { output_slice(work, work_len, "work", &mut c)? };
        let ptr = work.as_ptr();
        let g = SpectraGrid::new(k1, zref, work)?;
        unsafe {
            *grid = lk_spectra_grid {
                work: ptr,
                len: g.len(),
                zref: g.zref(),
            }
        };
        Ok(())
    })
}

/// Prepares a wavenumber grid: checks k1 (len >= 1 values, finite, > 0, strictly
/// increasing) and zref (finite, > 0), fills `work` (exactly lk_spectra_workspace_len(len)
/// doubles: 1/h1, 1/h2 and the trapezoid weights, computed in double, where
/// h1_j = ln k1(j+1) - ln k1(j) and h2_j = (h1_j + h1_(j+1))/2) and fills `*grid`, which
/// keeps a pointer to `work`. Nothing is written on error.
#[no_mangle]
pub unsafe extern "C" fn lk_spectra_grid_init_f32(
    k1: *const f32,
    len: usize,
    zref: f32,
    work: *mut f64,
    work_len: usize,
    grid: *mut lk_spectra_grid,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe { grid_init(k1, len, zref, work, work_len, grid) }
}

/// Prepares a wavenumber grid (double k1); see lk_spectra_grid_init_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_spectra_grid_init_f64(
    k1: *const f64,
    len: usize,
    zref: f64,
    work: *mut f64,
    work_len: usize,
    grid: *mut lk_spectra_grid,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe { grid_init(k1, len, zref, work, work_len, grid) }
}

#[allow(clippy::too_many_arguments)]
unsafe fn eval<T: Real>(
    grid: *const lk_spectra_grid,
    params: *const lk_spectra_params,
    model: *const T,
    data: *const T,
    components: usize,
    theta: *const T,
    n_theta: usize,
    coh_model: *const T,
    coh_data: *const T,
    n_coh: usize,
    grad_opts: *const lk_grad_options,
    terms: *mut lk_spectra_terms,
    grad_model: *mut T,
    grad_theta: *mut T,
    grad_coh: *mut T,
) -> lk_status {
    run(|| {
        let mut c = Checked::new();
        c.aligned(grid, "grid")?;
        // SAFETY (all unsafe blocks below): the caller's contract on the pointers; each
        // is checked for NULL, alignment, size and overlap before a slice is made.
        let g = unsafe { *grid };
        let work_len = SpectraGrid::workspace_len(g.len);
        let work = unsafe { input_slice(g.work, work_len, "grid.work", &mut c)? };
        let sgrid = SpectraGrid::from_workspace(work, g.len, g.zref)?;
        let p = if params.is_null() {
            lk_spectra_params_default()
        } else {
            c.aligned(params, "params")?;
            unsafe { *params }
        };
        let norm = match p.norm {
            LK_SPECTRA_NORM_MEAN => PenaltyNorm::NodeMean,
            LK_SPECTRA_NORM_TRAPEZOID => PenaltyNorm::Trapezoid,
            v => {
                return Err(Failure::new(
                    LK_ERR_BAD_ENUM,
                    format_args!("params.norm = {v} is not an LK_SPECTRA_NORM_* value"),
                ))
            }
        };
        let (scale, mode) = unsafe { read_grad_options(grad_opts, &mut c)? };
        let n = components.checked_mul(g.len).ok_or_else(|| {
            Failure::from(Error::BadParameter {
                what: "components (components * len overflows)",
            })
        })?;
        let model = unsafe { input_slice(model, n, "model", &mut c)? };
        let data = unsafe { input_slice(data, n, "data", &mut c)? };
        let theta = unsafe { optional_input(theta, n_theta, "theta", &mut c)? };
        let coh_model = unsafe { input_slice(coh_model, n_coh, "coh_model", &mut c)? };
        let coh_data = unsafe { input_slice(coh_data, n_coh, "coh_data", &mut c)? };
        c.output(terms, 1, "terms")?;
        let grad_model = unsafe { optional_output(grad_model, n, "grad_model", &mut c)? };
        let grad_theta = unsafe { optional_output(grad_theta, n_theta, "grad_theta", &mut c)? };
        let grad_coh = unsafe { optional_output(grad_coh, n_coh, "grad_coh", &mut c)? };
        let loss = SpectraLoss::new(
            sgrid,
            SpectraParams {
                alpha_pen1: p.alpha_pen1,
                alpha_pen2: p.alpha_pen2,
                beta_reg: p.beta_reg,
                gamma_coherence: p.gamma_coherence,
                norm,
            },
        )?;
        let input = SpectraInput {
            model,
            data,
            theta,
            coherence: Some(Coherence {
                model: coh_model,
                data: coh_data,
            }),
        };
        let grads = SpectraGrads {
            model: grad_model,
            theta: grad_theta,
            coherence: grad_coh,
            scale: T::from_f64(scale),
            mode,
        };
        let mut t = SpectraTerms::default();
        let r = loss.eval(&input, grads, &mut t);
        if matches!(r, Ok(()) | Err(Error::NotFinite)) {
            unsafe {
                *terms = lk_spectra_terms {
                    total: t.total,
                    mse: t.mse,
                    coherence: t.coherence,
                    pen1: t.pen1,
                    pen2: t.pen2,
                    reg: t.reg,
                }
            };
        }
        r.map_err(Failure::from)
    })
}

/// DRDMannTurb's spectra-fitting loss (LossAggregator.eval) with its per-term breakdown
/// and gradients:
/// total = MSE + (Coh if gamma > 0) + (Pen1 if alpha_1 > 0) + (Pen2 if alpha_2 > 0)
///       + (Reg if beta > 0), where, with l_ij = ln|model_ij| and x = ln k1,
///   MSE  = mean over the C*L entries of ln^2 |model_ij / data_ij|,
///   Pen1 = alpha_1 * mean over C*(L-1) nodes of ReLU(d1_ij)^2 / zref,
///          d1_ij = (l_i,j+1 - l_ij) / h1_j,
///   Pen2 = alpha_2 * mean over C*(L-2) nodes of ReLU(d2_ij)^2 / zref^2,
///          d2_ij = (d1_i,j+1 - d1_ij) / h2_j,
///   Reg  = beta * mean(theta^2),
///   Coh  = gamma * mean((coh_model - coh_data)^2) (three equal blocks Cu, Cv, Cw).
///
/// `grid`: from lk_spectra_grid_init_*; `params`: NULL for the defaults (pure MSE);
/// `model`, `data`: components x len row-major spectra (k1 F(k1); components >= 1);
/// `theta`: NULL or n_theta = 0 when there is no network (Reg is then 0);
/// `coh_model`, `coh_data`: n_coh = 3M values each ([Cu; Cv; Cw]), or n_coh = 0;
/// `grad_opts`: NULL for scale 1, overwrite;
/// `terms`: receives the breakdown (required);
/// `grad_model` (components x len), `grad_theta` (n_theta), `grad_coh` (n_coh): NULL, or
/// receive scale * d total / d input (0 for a term that is off).
///
/// Returns LK_ERR_BAD_PARAMETER for an active penalty on too short a grid (Pen1 needs
/// len >= 2, Pen2 len >= 3) or a non-finite coefficient. EXCEPTION to "outputs are written
/// only on LK_OK": if the total is NaN, the status is LK_ERR_NOT_FINITE and `terms` and
/// the gradients ARE written, so the caller can see which term failed. A total of +inf (a
/// zero spectrum value) is returned with LK_OK.
#[no_mangle]
pub unsafe extern "C" fn lk_spectra_eval_f32(
    grid: *const lk_spectra_grid,
    params: *const lk_spectra_params,
    model: *const f32,
    data: *const f32,
    components: usize,
    theta: *const f32,
    n_theta: usize,
    coh_model: *const f32,
    coh_data: *const f32,
    n_coh: usize,
    grad_opts: *const lk_grad_options,
    terms: *mut lk_spectra_terms,
    grad_model: *mut f32,
    grad_theta: *mut f32,
    grad_coh: *mut f32,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        eval(
            grid, params, model, data, components, theta, n_theta, coh_model, coh_data, n_coh,
            grad_opts, terms, grad_model, grad_theta, grad_coh,
        )
    }
}

/// DRDMannTurb's spectra-fitting loss for double data; see lk_spectra_eval_f32.
#[no_mangle]
pub unsafe extern "C" fn lk_spectra_eval_f64(
    grid: *const lk_spectra_grid,
    params: *const lk_spectra_params,
    model: *const f64,
    data: *const f64,
    components: usize,
    theta: *const f64,
    n_theta: usize,
    coh_model: *const f64,
    coh_data: *const f64,
    n_coh: usize,
    grad_opts: *const lk_grad_options,
    terms: *mut lk_spectra_terms,
    grad_model: *mut f64,
    grad_theta: *mut f64,
    grad_coh: *mut f64,
) -> lk_status {
    // SAFETY: the caller's contract on the pointers is forwarded.
    unsafe {
        eval(
            grid, params, model, data, components, theta, n_theta, coh_model, coh_data, n_coh,
            grad_opts, terms, grad_model, grad_theta, grad_coh,
        )
    }
}
