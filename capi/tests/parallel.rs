//! Partial sums merged across MPI ranks (examples/c/mpi_mean.c, 3 ranks) and OpenMP
//! threads (examples/c/openmp_mean.c) give the mean and the gradient of one process on all
//! the data, to within one ulp, in f32 and f64 (the examples check it and exit with status 1
//! otherwise; these tests also read the ulp counts they print).

mod support;

use std::process::Command;
use support::*;

/// Checks the example's report: every "... N ulp; gradient max M ulp" has N, M <= 1.
fn check_report(stdout: &str, lines: usize) {
    let reports: Vec<&str> = stdout.lines().filter(|l| l.contains(" ulp")).collect();
    assert_eq!(reports.len(), lines, "unexpected report:\n{stdout}");
    for l in reports {
        let ulps: Vec<u64> = l
            .split(" ulp")
            .filter_map(|part| part.rsplit(' ').next()?.parse().ok())
            .collect();
        assert_eq!(ulps.len(), 2, "cannot read `{l}`");
        assert!(ulps.iter().all(|&u| u <= 1), "more than 1 ulp: {l}");
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
        out.stdout.contains("ranks agree with one process"),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
    check_report(&out.stdout, 4);
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
        check_report(&out.stdout, 4);
    }
}
