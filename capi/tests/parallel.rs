//! Partial sums merged with `lk_partial_merge` across MPI ranks (examples/c/mpi_mean.c, 3
//! ranks, an MPI user operation) and OpenMP threads (examples/c/openmp_mean.c) give the mean
//! and the gradient of one process on all the data, to within one ulp, in f32 and f64, over
//! 200 random data sets per precision and weighting (sizes 1 to 65537, random weights,
//! values over six decades, random shard boundaries on the ranks). The examples check it and
//! exit with status 1 otherwise; these tests also read the ulp counts they print.

mod support;

use std::process::Command;
use support::*;

/// The number after `key` in `line` (up to the next space or `;`).
fn number_after(line: &str, key: &str) -> u64 {
    let rest = line
        .split_once(key)
        .unwrap_or_else(|| panic!("no `{key}` in `{line}`"))
        .1;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("cannot read `{key}` in `{line}`"))
}

/// Checks the example's report: one line per precision and weighting, each of the form
/// "NAME: C cases; mean max N ulp; gradient max M ulp; histogram ...", with C ≥ 100 random
/// cases and N, M <= 1.
fn check_report(stdout: &str) {
    let reports: Vec<&str> = stdout.lines().filter(|l| l.contains(" cases; ")).collect();
    let names: Vec<&str> = reports
        .iter()
        .map(|l| l.split(':').next().unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        [
            "f64 unweighted",
            "f64 weighted",
            "f32 unweighted",
            "f32 weighted"
        ],
        "unexpected report:\n{stdout}"
    );
    for l in reports {
        assert!(number_after(l, ": ") >= 100, "too few cases: {l}");
        let mean = number_after(l, "mean max ");
        let grad = number_after(l, "gradient max ");
        assert!(mean <= 1 && grad <= 1, "more than 1 ulp: {l}");
    }
}

#[test]
fn mpi_ranks_agree_with_one_process() {
    let Some([mpicc, mpirun]) = tools(["mpicc", "mpirun"], "mpi_ranks_agree_with_one_process")
    else {
        return;
    };
    let lib = library();
    let dir = scratch("mpi");
    let exe = dir.join("mpi_mean");
    run(
        Command::new(&mpicc)
            .args(["-O2", "-std=c11", "-Wall", "-Wextra", "-Werror"])
            .arg("-I")
            .arg(&lib.include)
            .arg(repo().join("examples/c/mpi_mean.c"))
            .arg("-o")
            .arg(&exe)
            .args(lib.static_link_args()),
        "mpicc examples/c/mpi_mean.c",
        300,
    );
    let version = run(
        Command::new(&mpirun).arg("--version"),
        "mpirun --version",
        60,
    );
    let mut cmd = Command::new(&mpirun);
    cmd.args(["-np", "3"]);
    if format!("{}{}", version.stdout, version.stderr).contains("Open MPI") {
        // More ranks than cores, and (in containers) as root.
        cmd.arg("--oversubscribe")
            .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
            .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    }
    cmd.arg(&exe);
    let out = run(&mut cmd, "mpirun -np 3 mpi_mean", 300);
    assert!(
        out.stdout
            .contains("ranks agree with one process (3 ranks)"),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
    check_report(&out.stdout);
}

#[test]
fn openmp_threads_agree_with_one_call() {
    let Some(gcc) = tool("gcc", "openmp_threads_agree_with_one_call") else {
        return;
    };
    let lib = library();
    let dir = scratch("openmp");
    let exe = dir.join("openmp_mean");
    run(
        Command::new(&gcc)
            .args(["-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-fopenmp"])
            .arg("-I")
            .arg(&lib.include)
            .arg(repo().join("examples/c/openmp_mean.c"))
            .arg("-o")
            .arg(&exe)
            .args(lib.static_link_args()),
        "gcc -fopenmp examples/c/openmp_mean.c",
        300,
    );
    for threads in ["1", "3", "4", "7"] {
        let out = run(Command::new(&exe).arg(threads), "openmp_mean", 120);
        assert!(
            out.stdout
                .contains(&format!("threads agree with one call ({threads} threads)")),
            "{}",
            out.stdout
        );
        check_report(&out.stdout);
    }
}
