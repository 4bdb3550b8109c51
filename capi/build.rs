//! Gives the shared library a versioned soname on ELF platforms (liblosskit.so.0.1 while the
//! version is 0.x, liblosskit.so.MAJOR after), so that an installed liblosskit.so can be
//! upgraded in place; scripts/install.sh makes the matching symbolic links.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let elf = matches!(
        os.as_str(),
        "linux"
            | "android"
            | "freebsd"
            | "netbsd"
            | "openbsd"
            | "dragonfly"
            | "illumos"
            | "solaris"
    );
    if elf {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap();
        let minor = std::env::var("CARGO_PKG_VERSION_MINOR").unwrap();
        let soversion = if major == "0" {
            format!("0.{minor}")
        } else {
            major
        };
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,liblosskit.so.{soversion}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
