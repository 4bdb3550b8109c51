//! One program, two builds: the host reference (std, prints to stdout) and a
//! bare-metal firmware (semihosting under QEMU). Both run the same `cases::run`,
//! so their outputs must match bit for bit.
#![cfg_attr(target_os = "none", no_std, no_main)]

mod cases;

#[cfg(target_os = "none")]
mod firmware;

#[cfg(not(target_os = "none"))]
fn main() {
    let mut out = String::new();
    cases::run(&mut out);
    print!("{out}");
}
