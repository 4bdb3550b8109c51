//! Runtime CPU-feature dispatch of the hot loops.
//!
//! The engine's inner loops (the elementwise runs of [`crate::pointwise`] and the row loop of
//! [`crate::rowwise`]) are compiled several times: once for the compile-time target (the
//! *baseline*: SSE2 for a plain `x86_64` build), and, with the `std` feature on `x86_64`, also
//! for AVX2 + FMA and for AVX-512 (F, BW, DQ, VL). The widest path the CPU supports is chosen
//! once, on first use, with `is_x86_feature_detected!` and cached. `no_std` builds, and other
//! architectures, compile only the baseline (whatever `-C target-cpu`/`target-feature` gives).
//!
//! The environment variable `LOSSKIT_CPU` (`baseline`, `avx2` or `avx512`), read once at that
//! first use, caps the choice; a path the CPU lacks is never taken.
//!
//! # Bit-identical results on every path
//! All paths compute the same bits for every non-NaN output. Rust never contracts `a*b + c` into a fused multiply-add
//! (it emits no fast-math flags), so enabling FMA changes no result; the vectorised math of
//! [`crate::math`] is plain IEEE arithmetic (add, multiply, divide, compare, select, exact
//! integer/bit operations), which every vector width rounds identically; and no loop under
//! dispatch reassociates a floating-point sum (the deterministic summation of
//! [`crate::reduce`] fixes the order, and LLVM may not reorder strict floating-point adds).
//! The one exception is a NaN result: IEEE 754 leaves its sign and payload unspecified, and
//! instructions of different widths may propagate a different NaN operand, so a NaN output
//! is NaN on every path but its bits may differ. Repeated calls on one path agree bit for
//! bit, NaNs included. `tests/dispatch.rs` checks both by forcing each available path on
//! the same inputs.

/// A compiled variant of the hot loops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Path {
    /// The compile-time target features only (SSE2 for a default `x86_64` build).
    Baseline,
    /// AVX2 and FMA (x86_64 with `std` only).
    Avx2,
    /// AVX-512 F, BW, DQ and VL, with AVX2 and FMA (x86_64 with `std` only).
    Avx512,
}

#[cfg_attr(not(all(feature = "std", target_arch = "x86_64")), allow(dead_code))]
impl Path {
    fn code(self) -> u8 {
        match self {
            Path::Baseline => 1,
            Path::Avx2 => 2,
            Path::Avx512 => 3,
        }
    }
    fn from_code(c: u8) -> Path {
        match c {
            3 => Path::Avx512,
            2 => Path::Avx2,
            _ => Path::Baseline,
        }
    }
}

#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod imp {
    use super::Path;
    use core::sync::atomic::{AtomicU8, Ordering};
    use std::cell::Cell;

    /// 0: not yet chosen; else `Path::code`.
    static CHOSEN: AtomicU8 = AtomicU8::new(0);

    std::thread_local! {
        /// A per-thread override set by [`super::force`] (0: none).
        static FORCED: Cell<u8> = const { Cell::new(0) };
    }

    /// The widest path this CPU supports.
    pub fn supported() -> Path {
        if std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("avx512dq")
            && std::is_x86_feature_detected!("avx512vl")
            && std::is_x86_feature_detected!("avx2")
            && std::is_x86_feature_detected!("fma")
        {
            Path::Avx512
        } else if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            Path::Avx2
        } else {
            Path::Baseline
        }
    }

    #[cold]
    fn choose() -> u8 {
        let mut p = supported();
        if let Ok(v) = std::env::var("LOSSKIT_CPU") {
            let cap = match v.trim().to_ascii_lowercase().as_str() {
                "baseline" | "sse2" | "generic" => Path::Baseline,
                "avx2" => Path::Avx2,
                _ => Path::Avx512,
            };
            p = p.min(cap);
        }
        let c = p.code();
        CHOSEN.store(c, Ordering::Relaxed);
        c
    }

    #[inline(always)]
    pub fn current() -> Path {
        let f = FORCED.with(|f| f.get());
        if f != 0 {
            return Path::from_code(f);
        }
        let c = CHOSEN.load(Ordering::Relaxed);
        Path::from_code(if c == 0 { choose() } else { c })
    }

    pub fn force(p: Option<Path>) -> Path {
        let code = p.map_or(0, |p| p.min(supported()).code());
        FORCED.with(|f| f.set(code));
        current()
    }
}

#[cfg(not(all(feature = "std", target_arch = "x86_64")))]
mod imp {
    use super::Path;
    pub fn supported() -> Path {
        Path::Baseline
    }
    #[inline(always)]
    pub fn current() -> Path {
        Path::Baseline
    }
    pub fn force(_: Option<Path>) -> Path {
        Path::Baseline
    }
}

/// The widest path this CPU (and build) supports.
pub fn supported() -> Path {
    imp::supported()
}

/// The path the hot loops of the calling thread take now.
#[inline(always)]
pub fn current() -> Path {
    imp::current()
}

/// Test hook: makes the calling thread take `path` (capped at [`supported`]), or, with
/// `None`, the automatic choice again. Returns the path now in effect.
#[doc(hidden)]
pub fn force(path: Option<Path>) -> Path {
    imp::force(path)
}

/// Defines `$name` as a function that runs `$body` (an `#[inline(always)]` function with the
/// same signature) compiled for the path [`current`] selects.
macro_rules! multiversion {
    (
        $(#[$attr:meta])*
        fn $name:ident<$($g:ident: $bound:path),*>($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? => $body:ident
    ) => {
        $(#[$attr])*
        #[inline(never)]
        #[allow(clippy::too_many_arguments)]
        fn $name<$($g: $bound),*>($($arg: $ty),*) $(-> $ret)? {
            #[cfg(all(feature = "std", target_arch = "x86_64"))]
            {
                #[target_feature(enable = "avx2,fma")]
                #[allow(clippy::too_many_arguments)]
                fn avx2<$($g: $bound),*>($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
                #[allow(clippy::too_many_arguments)]
                fn avx512<$($g: $bound),*>($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                match $crate::dispatch::current() {
                    // SAFETY: `current` returns a path only when the CPU supports its features.
                    $crate::dispatch::Path::Avx512 => return unsafe { avx512($($arg),*) },
                    $crate::dispatch::Path::Avx2 => return unsafe { avx2($($arg),*) },
                    $crate::dispatch::Path::Baseline => {}
                }
            }
            $body($($arg),*)
        }
    };
}
pub(crate) use multiversion;
