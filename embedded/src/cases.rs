//! The computations compared bit for bit between the host and every target.
//!
//! One line per result: a name, then each float as its raw bits
//! (`{:016x}` of `f64::to_bits`, `{:08x}` of `f32::to_bits`). Inputs go through
//! `black_box` so the target really computes them instead of the compiler.
//! Use only `core` and `libm` here (no std float methods): the firmware build
//! enforces that, so host and targets run the same code.
use core::fmt::{self, Write};
use core::hint::black_box;

pub fn run(out: &mut dyn Write) {
    cases(out).expect("write to output failed");
}

fn cases(out: &mut dyn Write) -> fmt::Result {
    let x = black_box(0.5f64);
    let xf = black_box(0.5f32);
    writeln!(out, "exp_f64 bits=0x{:016x}", libm::exp(x).to_bits())?;
    writeln!(out, "exp_f32 bits=0x{:08x}", libm::expf(xf).to_bits())?;
    writeln!(
        out,
        "log1p_f64 bits=0x{:016x}",
        libm::log1p(x / 1e3).to_bits()
    )?;
    writeln!(
        out,
        "log1p_f32 bits=0x{:08x}",
        libm::log1pf(xf / 1e3).to_bits()
    )?;
    writeln!(
        out,
        "tanh_f64 bits=0x{:016x}",
        libm::tanh(-3.0 * x).to_bits()
    )?;

    // Plain arithmetic: sum of 1/i^2 and of sin(i/10), in order.
    let n = black_box(1000u32);
    let (mut s64, mut s32) = (0.0f64, 0.0f32);
    for i in 1..=n {
        s64 += 1.0 / (i as f64 * i as f64) + libm::sin(i as f64 / 10.0);
        s32 += 1.0 / (i as f32 * i as f32) + libm::sinf(i as f32 / 10.0);
    }
    writeln!(out, "sum_f64 bits=0x{:016x}", s64.to_bits())?;
    writeln!(out, "sum_f32 bits=0x{:08x}", s32.to_bits())?;

    // losskit results go here once its API lands, e.g.:
    // writeln!(out, "mse_f32 value={:08x} grad0={:08x}", v.to_bits(), g[0].to_bits())?;
    Ok(())
}
