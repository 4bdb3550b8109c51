//! Runs embedded/run.sh: the firmware of embedded/ evaluates a representative set of losses
//! on Cortex-M0, M4F, M33 and RISC-V under QEMU, and its output must equal a host run of the
//! same program bit for bit. Skipped (with a message) when the cross tools are absent; with
//! LOSSKIT_REQUIRE_ALL=1 a missing tool fails instead. Install them with
//! embedded/install-tools.sh.

use std::path::Path;
use std::process::Command;

#[test]
fn firmware_matches_host_bit_for_bit() {
    let tools = [
        "/usr/bin/cargo",
        "/usr/bin/rustc",
        "ld.lld-22",
        "qemu-system-arm",
        "qemu-system-riscv32",
        "size",
    ];
    for tool in tools {
        let found = if tool.starts_with('/') {
            Path::new(tool).exists()
        } else {
            Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if !found {
            if std::env::var_os("LOSSKIT_REQUIRE_ALL").is_some() {
                panic!("{tool} not found and LOSSKIT_REQUIRE_ALL is set");
            }
            println!("skipped: {tool} not found (run embedded/install-tools.sh)");
            return;
        }
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../embedded/run.sh");
    let out = Command::new("bash")
        .arg(&script)
        .env("HOST_CARGO", env!("CARGO"))
        .output()
        .expect("run embedded/run.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "embedded/run.sh failed");
    // One line per family image and target; four targets each.
    let passed = stdout.lines().filter(|l| l.starts_with("PASS ")).count();
    assert!(
        passed >= 8 && passed % 4 == 0,
        "expected every family on 4 targets, got {passed} PASS lines"
    );
    assert!(!stdout.lines().any(|l| l.starts_with("FAIL")));
}
