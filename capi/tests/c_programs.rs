//! Builds the C test programs under tests/c/ against the static library and runs them.
//!
//! The library is built by a nested `cargo build -p losskit-capi` in the same profile
//! (cargo releases its lock while tests run). Each program is compiled with
//! `gcc -std=c99 -Wall -Wextra -Werror -pedantic -fsanitize=address,undefined`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Builds liblosskit.a in this test's profile and returns the directory holding it.
fn static_library_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let release = profile_dir.file_name().is_some_and(|n| n == "release");
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["build", "-p", "losskit-capi"])
        .current_dir(repo());
    if release {
        cmd.arg("--release");
    }
    let status = cmd.status().expect("cargo build");
    assert!(status.success(), "building losskit-capi failed");
    assert!(profile_dir.join("liblosskit.a").exists());
    profile_dir
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

fn skip_or_fail(tool: &str) {
    if std::env::var_os("LOSSKIT_REQUIRE_ALL").is_some() {
        panic!("{tool} not found and LOSSKIT_REQUIRE_ALL is set");
    }
    println!("skipped: {tool} not found");
}

/// Compiles tests/c/<name>.c (plus `extra` sources from tests/c/) and runs it.
fn run_c_program(name: &str, extra: &[&str]) {
    if !have("gcc") {
        return skip_or_fail("gcc");
    }
    let lib = static_library_dir();
    let out = std::env::temp_dir().join(format!("losskit-{name}-{}", std::process::id()));
    let src = repo().join("tests/c").join(format!("{name}.c"));
    let compile = Command::new("gcc")
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"])
        .args([
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-g",
        ])
        .arg("-I")
        .arg(repo().join("include"))
        .arg(&src)
        .args(extra.iter().map(|e| repo().join("tests/c").join(e)))
        .arg(lib.join("liblosskit.a"))
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&out)
        .output()
        .expect("gcc");
    assert!(
        compile.status.success(),
        "compiling {name}.c failed:\n{}",
        String::from_utf8_lossy(&compile.stderr)
    );
    // Rust's runtime and ASan's leak checker disagree about thread-local teardown;
    // leaks are not what this test is about.
    let run = Command::new(&out)
        .env("ASAN_OPTIONS", "detect_leaks=0")
        .output()
        .expect("run");
    let _ = std::fs::remove_file(&out);
    println!("{}", String::from_utf8_lossy(&run.stdout));
    assert!(
        run.status.success(),
        "{name} failed:\n{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn c_regression_program() {
    run_c_program("test_regression", &[]);
}

/// Every tests/c/*_snippet.c, with the main program that calls their checks.
#[test]
fn c_family_programs() {
    let mut snippets: Vec<String> = std::fs::read_dir(repo().join("tests/c"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("_snippet.c"))
        .collect();
    snippets.sort();
    let main = std::fs::read_to_string(repo().join("tests/c/test_families.c")).unwrap();
    for s in &snippets {
        let check = format!("check_{}()", s.trim_end_matches("_snippet.c"));
        assert!(
            main.contains(&check),
            "tests/c/test_families.c does not call {check}"
        );
    }
    let extra: Vec<&str> = snippets.iter().map(String::as_str).collect();
    run_c_program("test_families", &extra);
}
