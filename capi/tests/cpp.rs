//! The C++ test program (tests/cpp/): every .cpp file there is compiled with
//! `g++ -std=c++17 -Wall -Wextra -Werror -pedantic` against include/losskit.h, linked to
//! liblosskit.a and run. Each family_<name>.cpp registers its checks with LK_FAMILY(name).

mod support;

use std::process::Command;
use support::*;

/// Every family of the C ABI (a file of capi/src) has a C++ test file.
#[test]
fn every_family_has_a_cpp_test() {
    for family in families() {
        let file = repo().join(format!("tests/cpp/family_{family}.cpp"));
        assert!(
            file.is_file(),
            "the C ABI family `{family}` (capi/src/{family}.rs) has no C++ test: write {} \
             (copy tests/cpp/family_regression.cpp: `LK_FAMILY({family}) {{ ... }}`), or, if that \
             file is not a family of losses, add it to INFRASTRUCTURE in capi/tests/support/mod.rs",
            file.display()
        );
    }
}

#[test]
fn cpp_program() {
    let Some(gxx) = tool("g++", "cpp_program") else {
        return;
    };
    let lib = library();
    let dir = scratch("cpp");
    let sources = files_like("tests/cpp", "", ".cpp");
    assert!(sources.len() >= 2, "tests/cpp has no sources");
    let exe = dir.join("run_all");
    let mut cmd = Command::new(gxx);
    cmd.args([
        "-std=c++17",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-pedantic",
        "-g",
    ])
    .arg("-I")
    .arg(&lib.include)
    .arg("-o")
    .arg(&exe)
    .args(&sources)
    .args(lib.static_link_args());
    run(&mut cmd, "g++ (tests/cpp)", 300);
    let out = run(&mut Command::new(&exe), "the C++ test program", 120);
    assert!(
        out.stdout.contains("all checks passed"),
        "unexpected output:\n{}",
        out.stdout
    );
    for family in families() {
        assert!(
            out.stdout.contains(&format!("family {family}:")),
            "family {family} did not run:\n{}",
            out.stdout
        );
    }
}

/// The header alone compiles as C++17 (and as C++11, for older simulators) without a
/// warning, and its declarations have C linkage.
#[test]
fn header_compiles_as_cpp() {
    let Some(gxx) = tool("g++", "header_compiles_as_cpp") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("losskit-cpp-header-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("header.cpp");
    std::fs::write(
        &src,
        "#include \"losskit.h\"\n#include \"losskit.h\"\n\
         extern \"C\" lk_options lk_options_default(void);\n\
         int main() { return lk_options_default().reduction == LK_REDUCTION_MEAN ? 0 : 1; }\n",
    )
    .unwrap();
    for std in ["-std=c++11", "-std=c++17"] {
        run(
            Command::new(&gxx)
                .args([
                    std,
                    "-Wall",
                    "-Wextra",
                    "-Werror",
                    "-pedantic",
                    "-fsyntax-only",
                ])
                .arg("-I")
                .arg(repo().join("include"))
                .arg(&src),
            "g++ on the header",
            120,
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
