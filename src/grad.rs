//! Where a gradient goes: a caller's buffer, a scale and a write mode.
//!
//! The functions that are not elementwise losses (the spectra terms in [`crate::spectra`],
//! the boundary penalties in [`crate::penalty`]) take their gradient as a [`GradOut`]: the
//! buffer receives `scale · ∂L/∂x`, overwritten or added (`+=`) as [`GradMode`] says, the
//! same convention as [`Options::grad_scale`](crate::Options::grad_scale) and
//! [`Options::grad_mode`](crate::Options::grad_mode) for the elementwise engine.

use crate::{Error, GradMode, Real};

/// A gradient output: `buf[i]` receives `scale · ∂L/∂x[i]` (overwrite) or has it added
/// (accumulate).
#[derive(Debug)]
pub struct GradOut<'a, T> {
    /// The caller's buffer, one entry per differentiated input.
    pub buf: &'a mut [T],
    /// The factor applied to every gradient entry (finite).
    pub scale: T,
    /// Overwrite or accumulate.
    pub mode: GradMode,
}

impl<'a, T: Real> GradOut<'a, T> {
    /// `buf` receives ∂L/∂x (scale 1, overwrite).
    pub fn new(buf: &'a mut [T]) -> Self {
        GradOut {
            buf,
            scale: T::one(),
            mode: GradMode::Overwrite,
        }
    }

    /// Sets the scale.
    pub fn with_scale(mut self, scale: T) -> Self {
        self.scale = scale;
        self
    }

    /// Sets the mode.
    pub fn with_mode(mut self, mode: GradMode) -> Self {
        self.mode = mode;
        self
    }

    /// Reborrows the output (to pass it on without giving it away).
    pub fn reborrow(&mut self) -> GradOut<'_, T> {
        GradOut {
            buf: self.buf,
            scale: self.scale,
            mode: self.mode,
        }
    }

    /// Checks the buffer length against `n` and the scale.
    pub(crate) fn check(&self, what: &'static str, n: usize) -> Result<(), Error> {
        crate::pointwise::check_len(what, n, self.buf.len())?;
        if !self.scale.is_finite() {
            return Err(Error::BadParameter { what: "grad_scale" });
        }
        Ok(())
    }

    /// Writes (or adds) `scale · g` at `i`; `i` must be below the checked length.
    #[inline(always)]
    pub(crate) fn put(&mut self, i: usize, g: f64) {
        let v = T::from_f64(self.scale.to_f64() * g);
        match self.mode {
            GradMode::Overwrite => self.buf[i] = v,
            GradMode::Accumulate => self.buf[i] += v,
        }
    }

    /// The gradient of a term that is identically 0: zeros (overwrite) or nothing
    /// (accumulate).
    pub(crate) fn put_zero(&mut self) {
        if self.mode == GradMode::Overwrite {
            self.buf.iter_mut().for_each(|x| *x = T::zero());
        }
    }
}
