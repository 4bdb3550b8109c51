//! Picks the QEMU machine's memory layout for the target and passes `-Tlink.x`
//! (without it the image links but locks up). Host builds need nothing.
use std::{env, fs, path::PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=memory");
    let target = env::var("TARGET").unwrap();
    let memory = match target.as_str() {
        "thumbv6m-none-eabi" => "memory/microbit.x",
        "thumbv7em-none-eabihf" => "memory/mps2-an386.x",
        "thumbv8m.main-none-eabihf" => "memory/mps2-an505.x",
        "riscv32imac-unknown-none-elf" => "memory/riscv-virt.x",
        _ if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("none") => {
            panic!("no QEMU memory layout for bare-metal target {target}")
        }
        _ => return, // host reference
    };
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    fs::copy(memory, out.join("memory.x")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    // cortex-m-rt's and riscv-rt's (feature "memory") link.x both INCLUDE memory.x.
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    if target.starts_with("thumb") {
        println!("cargo:rustc-link-arg-bins=--nmagic");
    }
}
