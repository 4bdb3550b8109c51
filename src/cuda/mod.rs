//! The CUDA path (feature `cuda`): the losses on device buffers, value and gradient in one
//! fused pass, with the semantics of the CPU engine.
//!
//! * Kernels: `cuda/*.cu`, compiled to PTX (`cuda/losskit.ptx`, committed, embedded with
//!   `include_str!`) by `cuda/build_ptx.sh`; the driver JIT-compiles the PTX for the GPU at
//!   hand (compute capability 7.0 or later, driver of CUDA 11.0 or later).
//! * The driver is loaded at run time (cudarc with dynamic loading): the crate builds with
//!   no CUDA installed, and on a machine without the driver library or without a GPU every
//!   call returns [`Error::NoDevice`] — never a panic.
//! * Masks, magic numbers, weights, reductions, the empty-mean policy, the gradient scale
//!   and mode are those of [`crate::pointwise`]: with kept elements K and weights wᵢ,
//!   `Mean` = Σ_K wᵢℓᵢ / Σ_K wᵢ and the gradient buffer gets s·wᵢ ∂ℓᵢ/∂pᵢ / Σ_K wᵢ (0 for
//!   a dropped element). Per-row means (`row_len`) are not offered on the device.
//! * Sums are accumulated in `f64` (compensated for `f64` data) over a grid whose size
//!   depends only on the problem size, and reduced in a fixed order with no floating-point
//!   atomics: repeated calls agree bit for bit, on any GPU. Results agree with the CPU path
//!   to rounding (the device's `exp`/`log` differ from `libm` in the last bits, and the
//!   summation order differs).
//!
//! [`CudaLosses`] is the synchronous Rust API on cudarc device buffers: it returns the
//! reduced value to the host. [`raw`] is the asynchronous layer on raw device pointers with
//! a caller-provided workspace, used by the C ABI (`lk_cuda_*`).
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use losskit::cuda::{CudaLosses, DeviceOptions, Elementwise};
//! let ctx = cudarc::driver::CudaContext::new(0)?;
//! let stream = ctx.default_stream();
//! let pred = stream.clone_htod(&[1.0f32, 2.0, 4.0])?;
//! let target = stream.clone_htod(&[1.0f32, 1.0, 1.0])?;
//! let mut grad = stream.alloc_zeros::<f32>(3)?;
//! let mut losses = CudaLosses::new(stream.clone())?;
//! let r = losses.elementwise(
//!     Elementwise::Mse,
//!     &pred.as_view(),
//!     &target.as_view(),
//!     None,
//!     &DeviceOptions::default(),
//!     None,
//!     Some(&mut grad.as_view_mut()),
//! )?;
//! assert_eq!(r.value, 10.0 / 3.0);
//! # Ok(())
//! # }
//! ```

pub mod raw;

/// The cudarc crate this module is built on (for buffers and streams of the same version).
pub use cudarc;
pub use raw::Elementwise;

use crate::reduce::{EmptyPolicy, GradMode, Partial, Reduced, Reduction};
use crate::{Error, Real};
use cudarc::driver::{CudaSlice, CudaStream, CudaView, CudaViewMut, DevicePtr, DevicePtrMut};
use std::sync::Arc;

/// Whether the CUDA path can run here: `Ok(())`, or [`Error::NoDevice`] when the driver
/// library is missing or finds no GPU (or [`Error::Cuda`] when `cuInit` fails otherwise).
pub fn available() -> Result<(), Error> {
    raw::driver()
}

/// The options of a device call: as [`crate::Options`], with the mask and the weights in
/// device memory. `DeviceOptions::default()` is a plain unweighted mean.
#[derive(Clone, Copy, Debug)]
pub struct DeviceOptions<'a, T> {
    /// How the per-element losses are reduced.
    pub reduction: Reduction,
    /// What a mean over nothing gives.
    pub empty: EmptyPolicy,
    /// Keep-mask, one byte per element (per row for cross-entropy): 0 drops it.
    pub mask: Option<&'a CudaView<'a, u8>>,
    /// astroNN's magic number: a target equal to it, or NaN, is masked (elementwise only).
    pub magic: Option<T>,
    /// Per-element weights wᵢ ≥ 0, finite (elementwise only; cross-entropy takes class
    /// weights).
    pub weights: Option<&'a CudaView<'a, T>>,
    /// The gradient buffer receives `grad_scale · ∂L/∂input`.
    pub grad_scale: T,
    /// Overwrite or accumulate the gradient.
    pub grad_mode: GradMode,
}

impl<T: Real> Default for DeviceOptions<'_, T> {
    fn default() -> Self {
        DeviceOptions {
            reduction: Reduction::Mean,
            empty: EmptyPolicy::Zero,
            mask: None,
            magic: None,
            weights: None,
            grad_scale: T::one(),
            grad_mode: GradMode::Overwrite,
        }
    }
}

impl<'a, T: Real> DeviceOptions<'a, T> {
    /// The options with another reduction.
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }
    /// Adds a device keep-mask.
    pub fn with_mask(mut self, mask: &'a CudaView<'a, u8>) -> Self {
        self.mask = Some(mask);
        self
    }
    /// Turns on magic-number masking.
    pub fn with_magic(mut self, magic: T) -> Self {
        self.magic = Some(magic);
        self
    }
    /// Adds device per-element weights.
    pub fn with_weights(mut self, weights: &'a CudaView<'a, T>) -> Self {
        self.weights = Some(weights);
        self
    }
    /// Sets the empty-mean policy.
    pub fn with_empty(mut self, empty: EmptyPolicy) -> Self {
        self.empty = empty;
        self
    }
    /// Sets the gradient scale.
    pub fn with_grad_scale(mut self, scale: T) -> Self {
        self.grad_scale = scale;
        self
    }
    /// Sets the gradient mode.
    pub fn with_grad_mode(mut self, mode: GradMode) -> Self {
        self.grad_mode = mode;
        self
    }

    fn reduce(&self) -> raw::Reduce {
        raw::Reduce {
            reduction: self.reduction,
            empty: self.empty,
            grad_scale: self.grad_scale.to_f64(),
            accumulate: self.grad_mode == GradMode::Accumulate,
        }
    }
}

/// The parameters of softmax cross-entropy with class-index targets.
///
/// For a row with logits z (C classes), target y, class weights w (1 when absent),
/// smoothing ε and z-loss λ, with lse = ln Σ_c e^(z_c) and −ln p_c = lse − z_c:
///
/// ℓ = (1 − ε)·w_y·(−ln p_y) + (ε/C)·Σ_c w_c·(−ln p_c) + λ·lse²
///
/// ∂ℓ/∂z_c = ((1 − ε)w_y + (ε/C)W + 2λ·lse)·p_c − (1 − ε)w_y·[c = y] − (ε/C)w_c, W = Σ_c w_c.
///
/// A row is dropped when its target equals `ignore_index` or its mask byte is 0. The mean
/// divides by D = Σ w_y over the kept rows — PyTorch's weighted mean, label smoothing
/// included (`F.cross_entropy(weight=w, ignore_index=i, label_smoothing=ε)` exactly, plus
/// the z-loss, which is not weighted). A kept row's target must be in [0, C)
/// ([`Error::IndexOutOfRange`] otherwise).
#[derive(Clone, Copy, Debug)]
pub struct CrossEntropy<'a, T> {
    /// Class weights (C values, finite, ≥ 0), or `None` for all 1.
    pub class_weights: Option<&'a CudaView<'a, T>>,
    /// A row whose target equals this is dropped.
    pub ignore_index: i64,
    /// Label smoothing ε ∈ [0, 1].
    pub label_smoothing: T,
    /// The z-loss coefficient λ ≥ 0.
    pub z_loss: T,
}

impl<T: Real> Default for CrossEntropy<'_, T> {
    /// No class weights, PyTorch's ignore_index −100, no smoothing, no z-loss.
    fn default() -> Self {
        CrossEntropy {
            class_weights: None,
            ignore_index: -100,
            label_smoothing: T::zero(),
            z_loss: T::zero(),
        }
    }
}

/// The losses on one cudarc stream, with the device workspace they need. Every method
/// validates its input, enqueues the kernels on the stream, waits for them and returns the
/// reduced value; nothing is written when it fails.
#[derive(Debug)]
pub struct CudaLosses {
    stream: Arc<CudaStream>,
    workspace: Option<CudaSlice<u8>>,
}

/// Waits for the stream and turns the call's scalars into its result.
fn finish<T: Real>(stream: &CudaStream, workspace: u64) -> Result<Reduced<T>, Error> {
    // SAFETY: the workspace was written by the call just enqueued on this stream.
    let s = unsafe { raw::read_scalars(workspace, stream.cu_stream())? };
    raw::status_error(&s)?;
    Ok(Reduced {
        value: T::from_f64(s.value),
        // The device reduces to one double per sum (no low parts).
        partial: Partial::new(s.sum, s.weight),
    })
}

fn same_len(what: &'static str, expected: usize, got: usize) -> Result<(), Error> {
    crate::pointwise::check_len(what, expected, got)
}

fn cuda_err(call: &'static str) -> impl Fn(cudarc::driver::DriverError) -> Error {
    move |e| Error::Cuda {
        call,
        code: e.0 as u32,
    }
}

impl CudaLosses {
    /// Losses on `stream`. [`Error::NoDevice`] when CUDA cannot run here.
    pub fn new(stream: Arc<CudaStream>) -> Result<Self, Error> {
        raw::driver()?;
        Ok(CudaLosses {
            stream,
            workspace: None,
        })
    }

    /// The stream the losses run on.
    pub fn stream(&self) -> &Arc<CudaStream> {
        &self.stream
    }

    /// A workspace of at least `bytes` bytes.
    fn workspace(&mut self, bytes: usize) -> Result<&mut CudaSlice<u8>, Error> {
        let small = self.workspace.as_ref().is_none_or(|w| w.len() < bytes);
        if small {
            let w = self
                .stream
                .alloc_zeros::<u8>(bytes)
                .map_err(cuda_err("cuMemAlloc"))?;
            self.workspace = Some(w);
        }
        self.workspace
            .as_mut()
            .ok_or(Error::BadParameter { what: "workspace" })
    }

    /// An elementwise loss (regression, BCE with logits, binary focal) over n elements.
    ///
    /// * `pred`, `target`: n values (logits and targets in [0, 1] for the binary losses);
    /// * `pos_weight`: [`Elementwise::BceWithLogits`] only: C per-class weights of the
    ///   positive term; the data are then rows of C values (n a multiple of C);
    /// * `values`: with `Reduction::None`, n per-element values w·ℓ (0 where masked);
    /// * `grad`: n values receiving `grad_scale · ∂L/∂pred` (overwritten or accumulated).
    ///
    /// Returns the reduced value and the partial {Σwℓ, Σw}, as [`crate::pointwise::evaluate`].
    #[allow(clippy::too_many_arguments)]
    pub fn elementwise<T: Real>(
        &mut self,
        loss: Elementwise<T>,
        pred: &CudaView<'_, T>,
        target: &CudaView<'_, T>,
        pos_weight: Option<&CudaView<'_, T>>,
        opts: &DeviceOptions<'_, T>,
        values: Option<&mut CudaViewMut<'_, T>>,
        grad: Option<&mut CudaViewMut<'_, T>>,
    ) -> Result<Reduced<T>, Error> {
        let n = pred.len();
        same_len("target", n, target.len())?;
        if let Some(m) = opts.mask {
            same_len("mask", n, m.len())?;
        }
        if let Some(w) = opts.weights {
            same_len("weights", n, w.len())?;
        }
        let values = match (opts.reduction, values) {
            (Reduction::None, Some(v)) => {
                same_len("values", n, v.len())?;
                Some(v)
            }
            (Reduction::None, None) => return Err(Error::BadParameter { what: "values" }),
            _ => None,
        };
        if let Some(g) = grad.as_deref() {
            same_len("grad", n, g.len())?;
        }
        let classes = pos_weight.map_or(0, |p| p.len());
        let reduce = opts.reduce();
        // Host-side checks before any device work (the raw layer repeats them).
        let probe = raw::ElementwiseCall {
            pred: 1,
            target: 1,
            pos_weight: pos_weight.is_some() as u64,
            classes,
            n,
            values: 1,
            workspace: 8,
            workspace_bytes: usize::MAX,
            ..Default::default()
        };
        raw::check_elementwise(&loss, &probe, &reduce)?;
        raw::driver()?;
        let need = raw::elementwise_workspace_size(n);
        let stream = self.stream.clone();
        let s = &*stream;
        let (pred_p, _g1) = pred.device_ptr(s);
        let (target_p, _g2) = target.device_ptr(s);
        let pw = pos_weight.map(|p| p.device_ptr(s));
        let mask = opts.mask.map(|m| m.device_ptr(s));
        let weights = opts.weights.map(|w| w.device_ptr(s));
        let vals = values.map(|v| v.device_ptr_mut(s));
        let gr = grad.map(|g| g.device_ptr_mut(s));
        let ptr = |x: &Option<(u64, _)>| x.as_ref().map_or(0, |(p, _)| *p);
        let ws = self.workspace(need)?;
        let ws_len = ws.len();
        let (ws_p, _g3) = ws.device_ptr_mut(s);
        let call = raw::ElementwiseCall {
            pred: pred_p,
            target: target_p,
            weight: ptr(&weights),
            mask: ptr(&mask),
            pos_weight: ptr(&pw),
            classes,
            n,
            magic: opts.magic.map(|m| m.to_f64()),
            values: ptr(&vals),
            grad: ptr(&gr),
            out: 0,
            partial: 0,
            workspace: ws_p,
            workspace_bytes: ws_len,
        };
        // SAFETY: every pointer comes from a live cudarc buffer of the checked length, used
        // on this stream; the buffers outlive the call (it waits for the stream).
        unsafe { raw::elementwise::<T>(&loss, &call, &reduce, s.cu_stream())? };
        finish(s, ws_p)
    }

    /// Softmax cross-entropy with class-index targets over `rows = target.len()` rows of
    /// `classes` logits (row-major), value and gradient fused (see [`CrossEntropy`]).
    ///
    /// * `opts.mask`: one byte per row; `opts.magic` and `opts.weights` must be `None`;
    /// * `values`: with `Reduction::None`, one value per row (0 for a dropped row);
    /// * `grad`: rows × classes values receiving `grad_scale · ∂L/∂logits`.
    #[allow(clippy::too_many_arguments)]
    pub fn cross_entropy<T: Real>(
        &mut self,
        logits: &CudaView<'_, T>,
        target: &CudaView<'_, i64>,
        classes: usize,
        ce: &CrossEntropy<'_, T>,
        opts: &DeviceOptions<'_, T>,
        values: Option<&mut CudaViewMut<'_, T>>,
        grad: Option<&mut CudaViewMut<'_, T>>,
    ) -> Result<Reduced<T>, Error> {
        let s = self.stream.clone();
        let (logits_p, _g) = logits.device_ptr(&s);
        let gr = grad.map(|g| (g.len(), g.device_ptr_mut(&s)));
        if let Some((len, _)) = gr.as_ref() {
            same_len("grad", logits.len(), *len)?;
        }
        let grad_p = gr.as_ref().map_or(0, |(_, (p, _))| *p);
        self.ce_call(
            logits.len(),
            logits_p,
            grad_p,
            target,
            classes,
            ce,
            opts,
            values,
        )
    }

    /// Softmax cross-entropy whose gradient overwrites the logits (as
    /// [`cross_entropy`](Self::cross_entropy) with `grad` = `logits`; the gradient mode must
    /// be `Overwrite`).
    pub fn cross_entropy_in_place<T: Real>(
        &mut self,
        logits: &mut CudaViewMut<'_, T>,
        target: &CudaView<'_, i64>,
        classes: usize,
        ce: &CrossEntropy<'_, T>,
        opts: &DeviceOptions<'_, T>,
        values: Option<&mut CudaViewMut<'_, T>>,
    ) -> Result<Reduced<T>, Error> {
        let s = self.stream.clone();
        let len = logits.len();
        let (p, _g) = logits.device_ptr_mut(&s);
        self.ce_call(len, p, p, target, classes, ce, opts, values)
    }

    #[allow(clippy::too_many_arguments)]
    fn ce_call<T: Real>(
        &mut self,
        logits_len: usize,
        logits: u64,
        grad: u64,
        target: &CudaView<'_, i64>,
        classes: usize,
        ce: &CrossEntropy<'_, T>,
        opts: &DeviceOptions<'_, T>,
        values: Option<&mut CudaViewMut<'_, T>>,
    ) -> Result<Reduced<T>, Error> {
        let rows = target.len();
        if classes == 0 {
            return Err(Error::BadParameter { what: "classes" });
        }
        let n = rows
            .checked_mul(classes)
            .ok_or(Error::BadParameter { what: "classes" })?;
        same_len("logits", n, logits_len)?;
        if let Some(m) = opts.mask {
            same_len("mask", rows, m.len())?;
        }
        if opts.weights.is_some() {
            return Err(Error::BadParameter {
                what: "weights (cross-entropy takes class weights)",
            });
        }
        if opts.magic.is_some() {
            return Err(Error::BadParameter { what: "magic" });
        }
        if let Some(w) = ce.class_weights {
            same_len("class_weights", classes, w.len())?;
        }
        let values = match (opts.reduction, values) {
            (Reduction::None, Some(v)) => {
                same_len("values", rows, v.len())?;
                Some(v)
            }
            (Reduction::None, None) => return Err(Error::BadParameter { what: "values" }),
            _ => None,
        };
        let reduce = opts.reduce();
        let mut call = raw::CrossEntropyCall {
            logits,
            target: 1,
            rows,
            classes,
            ignore_index: ce.ignore_index,
            label_smoothing: ce.label_smoothing.to_f64(),
            z_loss: ce.z_loss.to_f64(),
            values: 1,
            grad,
            workspace: 8,
            workspace_bytes: usize::MAX,
            ..Default::default()
        };
        raw::check_cross_entropy(&call, &reduce)?;
        raw::driver()?;
        let need = raw::cross_entropy_workspace_size(rows, classes);
        let stream = self.stream.clone();
        let s = &*stream;
        let (target_p, _g1) = target.device_ptr(s);
        let cw = ce.class_weights.map(|w| w.device_ptr(s));
        let mask = opts.mask.map(|m| m.device_ptr(s));
        let vals = values.map(|v| v.device_ptr_mut(s));
        let ptr = |x: &Option<(u64, _)>| x.as_ref().map_or(0, |(p, _)| *p);
        let ws = self.workspace(need)?;
        let ws_len = ws.len();
        let (ws_p, _g2) = ws.device_ptr_mut(s);
        call.target = target_p;
        call.class_weight = ptr(&cw);
        call.mask = ptr(&mask);
        call.values = ptr(&vals);
        call.workspace = ws_p;
        call.workspace_bytes = ws_len;
        // SAFETY: pointers from live cudarc buffers of checked lengths on this stream.
        unsafe { raw::cross_entropy::<T>(&call, &reduce, s.cu_stream())? };
        finish(s, ws_p)
    }
}
