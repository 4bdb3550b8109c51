//! The C ABI of losskit: a thin skin over the `losskit` crate.
//!
//! Conventions (see `include/losskit.h`):
//! * every function returns an `lk_status`; `LK_OK` (0) is success;
//! * every pointer is checked: NULL (where data is required), misalignment, overlap of an
//!   output with any other buffer, and sizes that overflow are refused with a status;
//! * outputs are written only on success; nothing unwinds across the boundary (a panic,
//!   which would be a bug, becomes `LK_ERR_PANIC`);
//! * `lk_last_error_message` describes the last failure of the calling thread;
//! * no function allocates.
#![allow(non_camel_case_types)]
// The safety contract of every entry point is the pointer contract stated in the header.
#![allow(clippy::missing_safety_doc)]
// Failures carry their message inline (no allocation); they only travel on the error path.
#![allow(clippy::result_large_err)]
#![deny(missing_docs)]

mod atomistic;
mod boundary;
mod classification;
#[cfg(feature = "cuda")]
mod cuda;
#[cfg(all(test, feature = "cuda"))]
mod cuda_tests;
mod grad;
mod options;
mod penalty;
mod probabilistic;
mod regression;
mod rowwise;
mod spectra;
mod status;
mod total;

pub use atomistic::*;
pub use classification::*;
#[cfg(feature = "cuda")]
pub use cuda::*;
pub use grad::*;
pub use options::*;
pub use penalty::*;
pub use probabilistic::*;
pub use regression::*;
pub use spectra::*;
pub use status::*;
pub use total::*;

#[cfg(test)]
mod no_alloc_tests;
