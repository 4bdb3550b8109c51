//! scripts/install.sh, and the two ways a build system finds the installed library:
//! CMake's find_package(losskit) (examples/cmake/) and pkg-config (examples/shell/).
//! The install uses the cargo profile the tests run under.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use support::*;

fn version() -> String {
    let manifest = std::fs::read_to_string(repo().join("capi/Cargo.toml")).unwrap();
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("version in capi/Cargo.toml")
        .to_string()
}

/// Runs scripts/install.sh once (per test executable) into a scratch prefix.
fn installed() -> &'static Path {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let lib = library();
        let prefix = scratch("install").join("prefix");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
        let out = run(
            Command::new("sh")
                .arg(repo().join("scripts/install.sh"))
                .arg(&prefix)
                .env("LOSSKIT_PROFILE", &lib.profile)
                .env("CARGO", cargo)
                .env("CARGO_TARGET_DIR", &lib.target_dir),
            "scripts/install.sh",
            900,
        );
        assert!(out.stdout.contains("installed losskit"), "{}", out.stdout);
        prefix
    })
}

#[test]
fn install_script_installs_everything() {
    if tool("sh", "install_script_installs_everything").is_none() {
        return;
    }
    let prefix = installed();
    for f in [
        "include/losskit.h",
        "include/losskit.f90",
        "lib/liblosskit.a",
        "lib/pkgconfig/losskit.pc",
        "lib/cmake/losskit/losskitConfig.cmake",
        "lib/cmake/losskit/losskitConfigVersion.cmake",
    ] {
        assert!(prefix.join(f).is_file(), "{f} not installed");
    }
    for f in ["losskit.h", "losskit.f90"] {
        assert_eq!(
            std::fs::read(prefix.join("include").join(f)).unwrap(),
            std::fs::read(repo().join("include").join(f)).unwrap(),
            "installed {f} differs from the repository's"
        );
    }
    let v = version();
    if cfg!(target_os = "linux") {
        // liblosskit.so -> liblosskit.so.0.1 (the soname) -> liblosskit.so.0.1.0.
        let lib = prefix.join("lib");
        let link = |name: &str| {
            std::fs::read_link(lib.join(name))
                .unwrap_or_else(|e| panic!("{name} is not a symbolic link: {e}"))
                .display()
                .to_string()
        };
        let (major, rest) = v.split_once('.').unwrap();
        let minor = rest.split('.').next().unwrap();
        let soversion = if major == "0" {
            format!("0.{minor}")
        } else {
            major.to_string()
        };
        assert_eq!(link("liblosskit.so"), format!("liblosskit.so.{soversion}"));
        assert_eq!(
            link(&format!("liblosskit.so.{soversion}")),
            format!("liblosskit.so.{v}")
        );
        // The soname recorded in the library is the one the links provide.
        let so = std::fs::read(lib.join(format!("liblosskit.so.{v}"))).unwrap();
        let soname = format!("liblosskit.so.{soversion}\0");
        assert!(
            so.windows(soname.len()).any(|w| w == soname.as_bytes()),
            "liblosskit.so lacks the soname {soname} (capi/build.rs)"
        );
    }
    let pc = std::fs::read_to_string(prefix.join("lib/pkgconfig/losskit.pc")).unwrap();
    assert!(pc.contains(&format!("Version: {v}\n")), "{pc}");
    assert!(
        pc.contains(&format!("prefix={}\n", prefix.display())),
        "{pc}"
    );
}

/// examples/cmake/CMakeLists.txt with examples/c/quickstart.c (and, with a Fortran
/// compiler, examples/fortran/quickstart.f90), configured against the prefix, built and run,
/// with the static library (the default) and with LOSSKIT_USE_SHARED=ON.
#[test]
fn cmake_find_package() {
    let Some([cmake, _cc, _sh]) = tools(["cmake", "cc", "sh"], "cmake_find_package") else {
        return;
    };
    let prefix = installed();
    let dir = scratch("cmake");
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    for f in [
        "examples/cmake/CMakeLists.txt",
        "examples/c/quickstart.c",
        "examples/fortran/quickstart.f90",
    ] {
        let p = repo().join(f);
        std::fs::copy(&p, src.join(p.file_name().unwrap())).unwrap();
    }
    let fortran = which_quiet("gfortran");
    for shared in ["OFF", "ON"] {
        let build = dir.join(format!("build-shared-{shared}"));
        run(
            Command::new(&cmake)
                .arg("-S")
                .arg(&src)
                .arg("-B")
                .arg(&build)
                .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display()))
                .arg(format!("-DLOSSKIT_USE_SHARED={shared}")),
            "cmake configure",
            300,
        );
        run(
            Command::new(&cmake).arg("--build").arg(&build),
            "cmake --build",
            300,
        );
        let out = run(
            &mut Command::new(build.join("quickstart")),
            "quickstart (CMake)",
            60,
        );
        assert!(out.stdout.contains("loss = 2.5625"), "{}", out.stdout);
        if fortran {
            let out = run(
                &mut Command::new(build.join("quickstart_f")),
                "quickstart_f (CMake)",
                60,
            );
            assert!(out.stdout.contains("loss = 2.5625"), "{}", out.stdout);
        } else {
            say("skipped: gfortran not found (the Fortran part of cmake_find_package)");
            assert!(
                !require_all(),
                "gfortran not found and LOSSKIT_REQUIRE_ALL=1"
            );
        }
    }
}

/// The version file refuses an incompatible request (0.x: another minor version).
#[test]
fn cmake_refuses_an_incompatible_version() {
    let Some([cmake, _cc, _sh]) = tools(
        ["cmake", "cc", "sh"],
        "cmake_refuses_an_incompatible_version",
    ) else {
        return;
    };
    let prefix = installed();
    let dir = scratch("cmake-version");
    let v = version();
    let mut parts = v.split('.').map(|p| p.parse::<u64>().unwrap());
    let (major, minor) = (parts.next().unwrap(), parts.next().unwrap());
    let wanted = if major == 0 {
        format!("0.{}", minor + 1)
    } else {
        format!("{}.0", major + 1)
    };
    std::fs::write(
        dir.join("CMakeLists.txt"),
        format!(
            "cmake_minimum_required(VERSION 3.10)\nproject(v C)\n\
             find_package(losskit {major}.{minor} REQUIRED)\n\
             find_package(losskit {wanted} QUIET)\n\
             if(NOT TARGET losskit::losskit OR NOT losskit_VERSION STREQUAL \"{v}\")\n\
               message(FATAL_ERROR \"losskit {major}.{minor} not found\")\nendif()\n"
        ),
    )
    .unwrap();
    run(
        Command::new(&cmake)
            .arg("-S")
            .arg(&dir)
            .arg("-B")
            .arg(dir.join("build"))
            .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display())),
        "cmake configure (compatible version)",
        300,
    );
    // A second project asking only for the incompatible version must fail to configure.
    let dir2 = scratch("cmake-version-bad");
    std::fs::write(
        dir2.join("CMakeLists.txt"),
        format!(
            "cmake_minimum_required(VERSION 3.10)\nproject(v C)\nfind_package(losskit {wanted} REQUIRED)\n"
        ),
    )
    .unwrap();
    let (ok, out) = run_status(
        Command::new(&cmake)
            .arg("-S")
            .arg(&dir2)
            .arg("-B")
            .arg(dir2.join("build"))
            .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display())),
        "cmake configure (incompatible version)",
        300,
    );
    assert!(
        !ok && out.stderr.contains("compatible"),
        "find_package(losskit {wanted}) accepted version {v}:\n{}",
        out.stderr
    );
}

fn which_quiet(name: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
        .unwrap_or(false)
}

/// Runs an examples/shell snippet in `dir` with PREFIX set, as a reader would paste it.
fn snippet(script: &str, dir: &Path) {
    run(
        Command::new("sh")
            .arg("-e")
            .arg(repo().join(script))
            .current_dir(dir)
            .env("PREFIX", installed()),
        script,
        300,
    );
}

/// examples/shell/pkg-config.sh: quickstart.c linked to liblosskit.so and to liblosskit.a.
#[test]
fn pkg_config_c() {
    let Some([pkg_config, _cc, _sh]) = tools(["pkg-config", "cc", "sh"], "pkg_config_c") else {
        return;
    };
    let dir = scratch("pkg-config-c");
    std::fs::copy(
        repo().join("examples/c/quickstart.c"),
        dir.join("quickstart.c"),
    )
    .unwrap();
    snippet("examples/shell/pkg-config.sh", &dir);
    for exe in ["quickstart", "quickstart_static"] {
        let out = run(&mut Command::new(dir.join(exe)), exe, 60);
        assert!(
            out.stdout.contains("loss = 2.5625"),
            "{exe}: {}",
            out.stdout
        );
    }
    let out = run(
        Command::new(pkg_config)
            .args(["--modversion", "losskit"])
            .env("PKG_CONFIG_PATH", installed().join("lib/pkgconfig")),
        "pkg-config --modversion",
        60,
    );
    assert_eq!(out.stdout.trim(), version());
}

/// examples/shell/pkg-config-fortran.sh: quickstart.f90 with the installed module source.
#[test]
fn pkg_config_fortran() {
    let Some(_) = tools(["pkg-config", "gfortran", "sh"], "pkg_config_fortran") else {
        return;
    };
    let dir = scratch("pkg-config-fortran");
    std::fs::copy(
        repo().join("examples/fortran/quickstart.f90"),
        dir.join("quickstart.f90"),
    )
    .unwrap();
    snippet("examples/shell/pkg-config-fortran.sh", &dir);
    let out = run(
        &mut Command::new(dir.join("quickstart_f")),
        "quickstart_f",
        60,
    );
    assert!(out.stdout.contains("loss = 2.5625"), "{}", out.stdout);
}
