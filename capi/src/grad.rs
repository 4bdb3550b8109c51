//! `lk_grad_options`: the gradient scale and mode of the spectra and penalty functions.

use crate::boundary::Checked;
use crate::status::Failure;
use losskit_core::GradMode;

/// How a gradient is written by the spectra and penalty functions: the buffer receives
/// `scale * dL/dx` (overwrite) or has it added (accumulate). A NULL
/// `const lk_grad_options *` means `lk_grad_options_default()`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct lk_grad_options {
    /// The factor applied to every gradient entry (finite; default 1).
    pub scale: f64,
    /// 0: overwrite the gradient buffers (default); nonzero: add to them.
    pub accumulate: u8,
}

/// The default gradient options: scale 1, overwrite.
#[no_mangle]
pub extern "C" fn lk_grad_options_default() -> lk_grad_options {
    lk_grad_options {
        scale: 1.0,
        accumulate: 0,
    }
}

/// Reads `*p` (or the defaults): (scale, mode).
///
/// # Safety
/// `p` is NULL or points to a valid `lk_grad_options`.
pub(crate) unsafe fn read_grad_options(
    p: *const lk_grad_options,
    checked: &mut Checked,
) -> Result<(f64, GradMode), Failure> {
    let o = if p.is_null() {
        lk_grad_options_default()
    } else {
        checked.aligned(p, "grad_opts")?;
        // SAFETY: non-NULL and aligned; validity is the caller's promise.
        unsafe { *p }
    };
    let mode = if o.accumulate != 0 {
        GradMode::Accumulate
    } else {
        GradMode::Overwrite
    };
    Ok((o.scale, mode))
}
