//! Errors. Every failure is detected before any output is written.

use core::fmt;

/// Why a call was refused. Nothing was written to any output buffer.
///
/// Each variant maps to one C status code ([`Error::code`]); the C ABI names them
/// `LK_ERR_*` in `include/losskit.h`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Two buffers that must agree in length do not.
    LengthMismatch {
        /// The buffer at fault, e.g. `"target"`.
        what: &'static str,
        /// The length it must have.
        expected: usize,
        /// The length it has.
        got: usize,
    },
    /// A parameter is outside its domain (e.g. Huber δ ≤ 0, a negative weight).
    BadParameter {
        /// The parameter at fault, e.g. `"delta"`.
        what: &'static str,
    },
    /// A mean over nothing (empty input or everything masked) under
    /// [`EmptyPolicy::Error`](crate::EmptyPolicy::Error).
    EmptyMean,
    /// A class index or offset outside its valid range.
    IndexOutOfRange {
        /// The row (sample, structure) at fault.
        row: usize,
        /// The offending index.
        index: i64,
    },
    /// The result is NaN where the function reports that as a failure (e.g. the spectra
    /// aggregate); the other outputs have still been written, see the function's docs.
    NotFinite,
    /// A fixed-capacity container is full.
    CapacityExceeded,
    /// A name was given twice where names must be unique.
    DuplicateName,
    /// No usable CUDA device: the driver library is missing, or it finds no GPU
    /// (the `cuda` feature's functions).
    NoDevice,
    /// A CUDA driver call failed.
    Cuda {
        /// The driver function, e.g. `"cuLaunchKernel"`.
        call: &'static str,
        /// Its `CUresult` code (see the CUDA driver API documentation).
        code: u32,
    },
}

impl Error {
    /// The C status code of this error (never 0, which is success).
    pub const fn code(&self) -> i32 {
        match self {
            Error::LengthMismatch { .. } => 2,
            Error::BadParameter { .. } => 3,
            Error::EmptyMean => 5,
            Error::IndexOutOfRange { .. } => 6,
            Error::NotFinite => 10,
            Error::CapacityExceeded => 11,
            Error::DuplicateName => 12,
            Error::NoDevice => 13,
            Error::Cuda { .. } => 14,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::LengthMismatch {
                what,
                expected,
                got,
            } => write!(f, "`{what}` has length {got}, expected {expected}"),
            Error::BadParameter { what } => write!(f, "parameter `{what}` is out of its domain"),
            Error::EmptyMean => f.write_str("mean over no elements (empty policy is Error)"),
            Error::IndexOutOfRange { row, index } => {
                write!(f, "index {index} out of range in row {row}")
            }
            Error::NotFinite => f.write_str("the result is not finite"),
            Error::CapacityExceeded => f.write_str("fixed capacity exceeded"),
            Error::DuplicateName => f.write_str("duplicate name"),
            Error::NoDevice => f.write_str("no CUDA device (driver library missing or no GPU)"),
            Error::Cuda { call, code } => {
                write!(f, "CUDA driver call {call} failed (CUresult {code})")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
