//! # losskit
//!
//! Loss functions, penalties and metrics for scientific machine learning, built to be
//! called in-process from Rust, C, C++ and Fortran simulators. Every loss returns its
//! value **and its analytic gradient in the same pass**, on caller-provided slices,
//! without allocating, for `f32` and `f64`.
//!
//! * `#![no_std]`, no `alloc`: runs on microcontrollers as on servers. The `std` feature
//!   (default) only implements `std::error::Error`.
//! * One engine ([`pointwise::evaluate`]) gives every elementwise loss the same options
//!   ([`Options`]): reductions none / sum / mean / partial, keep-masks, astroNN's
//!   magic-number masking, weights, astroNN's per-row means, the empty-mean policy, and a
//!   scaled, overwritten or accumulated gradient.
//! * Sums are accurate and deterministic ([`reduce`]): repeated calls agree bit for bit,
//!   and [`Partial`] results merge across threads, MPI ranks and devices.
//! * The C ABI lives in the `losskit-capi` package (`capi/`), which builds
//!   `liblosskit.a` / `liblosskit.so` with the header `include/losskit.h`.
//!
//! ```
//! use losskit::{regression, Options};
//! let pred = [1.0f64, 2.0, 4.0];
//! let target = [1.0, 1.0, 1.0];
//! let mut grad = [0.0; 3];
//! let r = regression::mse(&pred, &target, &Options::default(), None, Some(&mut grad)).unwrap();
//! assert_eq!(r.value, (0.0 + 1.0 + 9.0) / 3.0);
//! assert_eq!(grad, [0.0, 2.0 / 3.0, 6.0 / 3.0]);
//! ```
#![no_std]
#![deny(missing_docs)]
// `n % d != 0` reads as the C it mirrors; the MSRV (1.89, for AVX-512 dispatch) would
// otherwise ask for `is_multiple_of`.
#![allow(clippy::manual_is_multiple_of)]

#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "cuda")]
pub mod cuda;
pub mod dispatch;
pub mod error;
pub mod grad;
pub mod math;
pub mod penalty;
pub mod pointwise;
pub mod probabilistic;
pub mod real;
pub mod reduce;
pub mod rowwise;
pub mod segment;
pub mod spectra;
pub mod total;

pub use error::Error;
pub use pointwise::binary;
pub use pointwise::regression;
pub use real::Real;
pub use reduce::{EmptyPolicy, GradMode, Options, Partial, Reduced, Reduction, ASTRONN_MAGIC};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
