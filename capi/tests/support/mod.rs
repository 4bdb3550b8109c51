//! What the interop tests (fortran, cpp, install, parallel, docs) share: the repository
//! root, the C library built for the profile the tests run under, external tools that may
//! be missing, and commands run with a time limit.
//!
//! A missing tool prints `skipped: <tool> not found` and the test passes, unless
//! `LOSSKIT_REQUIRE_ALL=1`, which turns the skip into a failure.
#![allow(dead_code)] // each test file uses a different part of this module

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo() -> PathBuf {
    let capi = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    capi.parent().expect("capi/ has a parent").to_path_buf()
}

/// Whether `LOSSKIT_REQUIRE_ALL=1`: a missing tool fails the test instead of skipping it.
pub fn require_all() -> bool {
    std::env::var("LOSSKIT_REQUIRE_ALL").is_ok_and(|v| v == "1")
}

/// Writes a line straight to the process's stderr, past libtest's output capture, so that
/// a skip is visible in a plain `cargo test` run.
pub fn say(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// The path of `name` on PATH, or None after printing `skipped: <name> not found`
/// (a panic instead with `LOSSKIT_REQUIRE_ALL=1`). `test` names the skipped test.
pub fn tool(name: &str, test: &str) -> Option<PathBuf> {
    if let Some(found) = which(name) {
        return Some(found);
    }
    if require_all() {
        panic!("{name} not found on PATH and LOSSKIT_REQUIRE_ALL=1 (test {test}); install it with .ci/install-interop.sh");
    }
    say(&format!("skipped: {name} not found (test {test})"));
    None
}

/// Several tools, all needed: None (after one skip line per missing tool) if any is missing.
pub fn tools<const N: usize>(names: [&str; N], test: &str) -> Option<[PathBuf; N]> {
    let found: Vec<Option<PathBuf>> = names.iter().map(|n| tool(n, test)).collect();
    if found.iter().any(Option::is_none) {
        return None;
    }
    Some(core::array::from_fn(|i| found[i].clone().unwrap()))
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The C library, built by a nested `cargo build -p losskit-capi` for the profile (and
/// target directory) of the running test executable.
pub struct Library {
    /// `include/` of the repository (losskit.h, losskit.f90).
    pub include: PathBuf,
    /// `target/<profile>`: liblosskit.a and liblosskit.so.
    pub dir: PathBuf,
    /// `target/<profile>/liblosskit.a`.
    pub staticlib: PathBuf,
    /// The cargo profile name (`dev`, `release`, ...).
    pub profile: String,
    /// The target directory (`target/`).
    pub target_dir: PathBuf,
}

impl Library {
    /// Linker arguments for the static library: the archive, then the system libraries
    /// the Rust standard library needs.
    pub fn static_link_args(&self) -> Vec<String> {
        let mut args = vec![self.staticlib.display().to_string()];
        args.extend(["-lpthread", "-ldl", "-lm"].map(String::from));
        args
    }
}

/// Builds the library once per test executable and returns where it is.
pub fn library() -> &'static Library {
    static LIB: OnceLock<Library> = OnceLock::new();
    LIB.get_or_init(build_library)
}

fn build_library() -> Library {
    // target/<profile>/deps/<test-exe>, or target/<triple>/<profile>/deps/<test-exe>.
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test executable lies in target/<profile>/deps")
        .to_path_buf();
    let dir_name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let profile = match dir_name.as_str() {
        "debug" => "dev".to_string(),
        other => other.to_string(),
    };
    let above = dir.parent().unwrap().to_path_buf();
    // The target directory holds CACHEDIR.TAG; otherwise `above` is target/<triple>.
    let (target_dir, triple) = if above.join("CACHEDIR.TAG").is_file() {
        (above, None)
    } else {
        let triple = above.file_name().unwrap().to_string_lossy().into_owned();
        (above.parent().unwrap().to_path_buf(), Some(triple))
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(repo())
        .args([
            "build",
            "--quiet",
            "-p",
            "losskit-capi",
            "--profile",
            &profile,
        ])
        .arg("--target-dir")
        .arg(&target_dir);
    if let Some(t) = &triple {
        cmd.args(["--target", t]);
    }
    run(&mut cmd, "cargo build -p losskit-capi", 900);
    let staticlib = dir.join("liblosskit.a");
    assert!(
        staticlib.is_file(),
        "{} missing after cargo build",
        staticlib.display()
    );
    Library {
        include: repo().join("include"),
        dir,
        staticlib,
        profile,
        target_dir,
    }
}

/// A fresh, empty scratch directory for one test: target/<profile>/interop/<name>.
pub fn scratch(name: &str) -> PathBuf {
    let d = library().dir.join("interop").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// What a finished command printed.
pub struct Output {
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` with a time limit; panics with its output if it fails or times out.
pub fn run(cmd: &mut Command, what: &str, limit_s: u64) -> Output {
    let (ok, out) = run_status(cmd, what, limit_s);
    if !ok {
        panic!(
            "{what} failed: {cmd:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            out.stdout, out.stderr
        );
    }
    out
}

/// Runs `cmd` with a time limit and returns whether it exited with status 0, and its output.
pub fn run_status(cmd: &mut Command, what: &str, limit_s: u64) -> (bool, Output) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start {cmd:?}: {e}"));
    // Drain both pipes on threads so that a chatty child cannot block.
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = so.read_to_end(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = se.read_to_end(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(limit_s);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break Some(st);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = Output {
        stdout: String::from_utf8_lossy(&t_out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap()).into_owned(),
    };
    match status {
        Some(st) => (st.success(), out),
        None => panic!(
            "{what} timed out after {limit_s} s: {cmd:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            out.stdout, out.stderr
        ),
    }
}

/// The families of the C ABI: the files of capi/src that are not infrastructure.
/// A new infrastructure file (not a family of losses) belongs in the list below.
pub fn families() -> Vec<String> {
    const INFRASTRUCTURE: &[&str] = &[
        "lib",
        "boundary",
        "options",
        "status",
        "grad",
        "rowwise",
        "no_alloc_tests",
        // GPU-only entry points; their tests need a device (capi/src/cuda_tests.rs).
        "cuda",
        "cuda_tests",
    ];
    let mut v: Vec<String> = std::fs::read_dir(repo().join("capi/src"))
        .unwrap()
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "rs").then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .filter(|s| !INFRASTRUCTURE.contains(&s.as_str()))
        .collect();
    v.sort();
    v
}

/// The files of `dir` (relative to the repository) whose names start with `prefix` and end
/// with `suffix`, sorted.
pub fn files_like(dir: &str, prefix: &str, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let n = p.file_name().unwrap().to_string_lossy();
                    n.starts_with(prefix) && n.ends_with(suffix)
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}
