//! README.md (section "Using losskit from C, C++, Fortran, CMake, MPI") shows files of examples/: each code block that follows a
//! `<!-- snippet: PATH -->` (or `PATH#NAME`: the lines between `[docs:NAME]` and
//! `[docs:NAME-end]`) must equal that file or region; `LOSSKIT_BLESS=1` rewrites the blocks
//! from the files. The quickstart programs are compiled with warnings as errors and run.

mod support;

use std::path::PathBuf;
use std::process::Command;
use support::*;

const DOC: &str = "README.md";
const BLESS: &str = "LOSSKIT_BLESS=1 cargo test -p losskit-capi --test docs";

/// The text a snippet marker names.
fn source(spec: &str) -> String {
    let (path, region) = match spec.split_once('#') {
        Some((p, r)) => (p, Some(r)),
        None => (spec, None),
    };
    let text = std::fs::read_to_string(repo().join(path))
        .unwrap_or_else(|e| panic!("{DOC}: snippet `{spec}`: cannot read {path}: {e}"));
    let Some(region) = region else {
        return text;
    };
    let (begin, end) = (format!("[docs:{region}]"), format!("[docs:{region}-end]"));
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains(&begin))
        .unwrap_or_else(|| panic!("{path} has no {begin} marker"));
    let stop = lines
        .iter()
        .position(|l| l.contains(&end))
        .unwrap_or_else(|| panic!("{path} has no {end} marker"));
    assert!(start < stop, "{path}: {end} before {begin}");
    let mut s = lines[start + 1..stop].join("\n");
    s.push('\n');
    s
}

/// The page with every snippet block replaced by its source, and the sources named.
fn render(doc: &str) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut specs = Vec::new();
    let mut lines = doc.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        let Some(spec) = line
            .trim()
            .strip_prefix("<!-- snippet:")
            .and_then(|s| s.strip_suffix("-->"))
        else {
            continue;
        };
        let spec = spec.trim().to_string();
        let fence = lines
            .next()
            .unwrap_or_else(|| panic!("{DOC}: no code block after the snippet marker {spec}"));
        assert!(
            fence.starts_with("```"),
            "{DOC}: the snippet marker {spec} must be followed by a ``` block"
        );
        out.push_str(fence);
        out.push('\n');
        // Skip the old block's body.
        for l in lines.by_ref() {
            if l.trim_end() == "```" {
                break;
            }
        }
        out.push_str(&source(&spec));
        out.push_str("```\n");
        specs.push(spec);
    }
    (out, specs)
}

#[test]
fn snippets_equal_the_example_files() {
    let path = repo().join(DOC);
    let doc = std::fs::read_to_string(&path).unwrap();
    let (fresh, specs) = render(&doc);
    if std::env::var_os("LOSSKIT_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == fresh,
        "{DOC} shows snippets that differ from the files they name: update it with `{BLESS}`"
    );
    // Every example file appears on the page (whole, or a region of it).
    let shown: Vec<&str> = specs.iter().map(|s| s.split('#').next().unwrap()).collect();
    for dir in ["c", "cpp", "fortran", "cmake", "shell"] {
        for f in files_like(&format!("examples/{dir}"), "", "") {
            let rel = format!(
                "examples/{dir}/{}",
                f.file_name().unwrap().to_string_lossy()
            );
            assert!(
                shown.contains(&rel.as_str()),
                "{rel} is not shown in {DOC}: add a `<!-- snippet: {rel} -->` block"
            );
        }
    }
}

fn quickstart_output_ok(stdout: &str) {
    assert!(stdout.contains("loss = 2.5625"), "{stdout}");
}

fn compile_and_run(compiler: PathBuf, flags: &[&str], sources: &[PathBuf], name: &str) -> String {
    let lib = library();
    let dir = scratch(name);
    let exe = dir.join(name);
    run(
        Command::new(compiler)
            .current_dir(&dir)
            .args(flags)
            .arg("-I")
            .arg(&lib.include)
            .arg("-o")
            .arg(&exe)
            .args(sources)
            .args(lib.static_link_args()),
        name,
        300,
    );
    run(&mut Command::new(&exe), name, 60).stdout
}

#[test]
fn quickstart_c() {
    let Some(cc) = tool("cc", "quickstart_c") else {
        return;
    };
    let out = compile_and_run(
        cc,
        &["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"],
        &[repo().join("examples/c/quickstart.c")],
        "quickstart_c",
    );
    quickstart_output_ok(&out);
    assert!(out.contains("grad = -0.25 0 0.5 1.5"), "{out}");
}

#[test]
fn quickstart_cpp() {
    let Some(gxx) = tool("g++", "quickstart_cpp") else {
        return;
    };
    let out = compile_and_run(
        gxx,
        &["-std=c++17", "-Wall", "-Wextra", "-Werror", "-pedantic"],
        &[repo().join("examples/cpp/quickstart.cpp")],
        "quickstart_cpp",
    );
    assert!(out.contains("huber sum = 3.125"), "{out}");
    assert!(out.contains("grad = -0.5 0 1 1"), "{out}");
    assert!(
        out.contains("error: LK_ERR_BAD_PARAMETER") && out.contains("delta"),
        "{out}"
    );
}

#[test]
fn quickstart_fortran() {
    let Some(gfortran) = tool("gfortran", "quickstart_fortran") else {
        return;
    };
    let out = compile_and_run(
        gfortran,
        &["-std=f2008", "-Wall", "-Werror", "-fcheck=all"],
        &[
            repo().join("include/losskit.f90"),
            repo().join("examples/fortran/quickstart.f90"),
        ],
        "quickstart_fortran",
    );
    quickstart_output_ok(&out);
    assert!(
        out.contains("grad =  -0.2500  0.0000  0.5000  1.5000"),
        "{out}"
    );
}
