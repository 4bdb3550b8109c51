//! The CUDA path (feature `cuda`).
//!
//! Host-side tests run everywhere: the driver probe reports `NoDevice` instead of panicking
//! on a machine without libcuda, host validation comes before any device work, the PTX has
//! every kernel the host launches, and the f64 references used below agree with PyTorch's
//! vectors (tests/data/torch_*.txt) and with finite differences.
//!
//! GPU tests compare every kernel with the CPU path (regression) or an independent f64
//! reference written here (BCE with logits, binary focal, softmax cross-entropy) on the same
//! inputs, edge inputs included, and check that repeated calls agree bit for bit.
//! Tolerances: f32 relative 2e-5 (per-element transcendental functions differ by a few ulp
//! between CUDA and libm), f64 relative 1e-12. Without a GPU they print
//! "skipped: no CUDA device"; with LOSSKIT_REQUIRE_GPU=1 that is a failure.
#![cfg(feature = "cuda")]

use cudarc::driver::{CudaContext, CudaStream, DeviceRepr, ValidAsZeroBits};
use losskit::cuda::raw::{self, CrossEntropyCall, ElementwiseCall, Reduce};
use losskit::cuda::{available, CrossEntropy, CudaLosses, DeviceOptions, Elementwise};
use losskit::{regression, EmptyPolicy, Error, GradMode, Options, Real, Reduced, Reduction};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

// ---------------------------------------------------------------------------------------
// Skip logic

fn require_gpu() -> bool {
    std::env::var("LOSSKIT_REQUIRE_GPU").is_ok_and(|v| v == "1")
}

/// A stream on GPU 0, or None (printing "skipped: no CUDA device") where there is none.
fn gpu() -> Option<Arc<CudaStream>> {
    let why = match available() {
        Ok(()) => match CudaContext::new(0).and_then(|ctx| ctx.new_stream()) {
            Ok(stream) => return Some(stream),
            Err(e) => format!("{e:?}"),
        },
        Err(e) => format!("{e}"),
    };
    assert!(
        !require_gpu(),
        "LOSSKIT_REQUIRE_GPU=1 but no CUDA device: {why}"
    );
    println!("skipped: no CUDA device ({why})");
    None
}

// ---------------------------------------------------------------------------------------
// Host-side tests (no GPU needed)

#[test]
fn probe_reports_no_device_instead_of_panicking() {
    // Twice: the verdict is cached and stays the same.
    let a = available();
    let b = available();
    assert_eq!(a, b);
    match a {
        Ok(()) => println!("a CUDA device is present"),
        Err(Error::NoDevice) | Err(Error::Cuda { .. }) => {
            assert!(!require_gpu(), "LOSSKIT_REQUIRE_GPU=1 but {a:?}")
        }
        Err(e) => panic!("unexpected {e:?}"),
    }
    // The loader also finds libcuda in the directories of LD_LIBRARY_PATH (the host emulator
    // of cuda/emulator is found that way).
    let in_library_path = std::env::var_os("LD_LIBRARY_PATH").is_some_and(|dirs| {
        std::env::split_paths(&dirs)
            .any(|d| d.join("libcuda.so.1").exists() || d.join("libcuda.so").exists())
    });
    let no_lib = !Path::new("/dev/nvidia0").exists()
        && !in_library_path
        && ![
            "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
            "/usr/lib64/libcuda.so.1",
            "/usr/lib/wsl/lib/libcuda.so.1",
        ]
        .iter()
        .any(|p| Path::new(p).exists());
    if no_lib {
        assert_eq!(a, Err(Error::NoDevice));
    }
}

fn fake_elementwise(n: usize) -> ElementwiseCall {
    ElementwiseCall {
        pred: 0x1000,
        target: 0x2000,
        n,
        grad: 0x3000,
        out: 0x4000,
        workspace: 0x8000,
        workspace_bytes: raw::elementwise_workspace_size(n),
        ..Default::default()
    }
}

fn fake_ce(rows: usize, classes: usize) -> CrossEntropyCall {
    CrossEntropyCall {
        logits: 0x1000,
        target: 0x2000,
        rows,
        classes,
        ignore_index: -100,
        grad: 0x3000,
        out: 0x4000,
        workspace: 0x8000,
        workspace_bytes: raw::cross_entropy_workspace_size(rows, classes),
        ..Default::default()
    }
}

#[test]
fn without_a_device_valid_calls_return_no_device() {
    if available() != Err(Error::NoDevice) {
        println!("skipped: a driver is present");
        return;
    }
    let r = Reduce::default();
    // SAFETY: the driver probe fails before any pointer is used.
    unsafe {
        assert_eq!(
            raw::elementwise::<f32>(
                &Elementwise::Mse,
                &fake_elementwise(10),
                &r,
                core::ptr::null_mut()
            ),
            Err(Error::NoDevice)
        );
        assert_eq!(
            raw::cross_entropy::<f64>(&fake_ce(4, 3), &r, core::ptr::null_mut()),
            Err(Error::NoDevice)
        );
        assert_eq!(
            raw::read_status(0x8000, core::ptr::null_mut()),
            Err(Error::NoDevice)
        );
    }
}

#[test]
fn host_validation_comes_first() {
    let r = Reduce::default();
    let c = fake_elementwise(10);
    let bad = |loss: Elementwise<f32>, call: &ElementwiseCall, r: &Reduce| {
        raw::check_elementwise(&loss, call, r).unwrap_err()
    };
    assert_eq!(
        bad(Elementwise::Huber { delta: 0.0 }, &c, &r),
        Error::BadParameter { what: "delta" }
    );
    assert_eq!(
        bad(Elementwise::ScaleFreeHuber { delta: f32::NAN }, &c, &r),
        Error::BadParameter { what: "delta" }
    );
    assert_eq!(
        bad(Elementwise::SmoothL1 { beta: -1.0 }, &c, &r),
        Error::BadParameter { what: "beta" }
    );
    assert_eq!(
        bad(
            Elementwise::BinaryFocal {
                gamma: f32::INFINITY
            },
            &c,
            &r
        ),
        Error::BadParameter { what: "gamma" }
    );
    assert!(raw::check_elementwise(&Elementwise::SmoothL1 { beta: 0.0f32 }, &c, &r).is_ok());
    let none = Reduce {
        reduction: Reduction::None,
        ..r
    };
    assert_eq!(
        bad(
            Elementwise::Rmse,
            &ElementwiseCall {
                values: 0x5000,
                ..c
            },
            &none
        ),
        Error::BadParameter { what: "reduction" }
    );
    assert_eq!(
        bad(Elementwise::Mse, &c, &none),
        Error::BadParameter { what: "values" }
    );
    let nan_scale = Reduce {
        grad_scale: f64::NAN,
        ..r
    };
    assert_eq!(
        bad(Elementwise::Mse, &c, &nan_scale),
        Error::BadParameter { what: "grad_scale" }
    );
    let small = ElementwiseCall {
        workspace_bytes: 64,
        ..c
    };
    assert!(matches!(
        bad(Elementwise::Mse, &small, &r),
        Error::LengthMismatch { .. }
    ));
    let misaligned = ElementwiseCall {
        workspace: 0x8004,
        ..c
    };
    assert_eq!(
        bad(Elementwise::Mse, &misaligned, &r),
        Error::BadParameter { what: "workspace" }
    );
    let pw = ElementwiseCall {
        pos_weight: 0x6000,
        classes: 3,
        ..c
    };
    assert_eq!(
        bad(Elementwise::Mse, &pw, &r),
        Error::BadParameter { what: "pos_weight" }
    );
    // 10 elements are not rows of 3.
    assert!(matches!(
        bad(Elementwise::BceWithLogits, &pw, &r),
        Error::LengthMismatch { .. }
    ));
    assert_eq!(
        bad(Elementwise::Mse, &ElementwiseCall { pred: 0, ..c }, &r),
        Error::BadParameter { what: "pred" }
    );
    // n = 0: NULL data is fine.
    let empty = ElementwiseCall {
        pred: 0,
        target: 0,
        n: 0,
        ..c
    };
    assert!(raw::check_elementwise(&Elementwise::<f64>::Mse, &empty, &r).is_ok());

    let ce = fake_ce(4, 3);
    let ce_bad =
        |call: &CrossEntropyCall, r: &Reduce| raw::check_cross_entropy(call, r).unwrap_err();
    assert!(raw::check_cross_entropy(&ce, &r).is_ok());
    assert_eq!(
        ce_bad(&CrossEntropyCall { classes: 0, ..ce }, &r),
        Error::BadParameter { what: "classes" }
    );
    assert_eq!(
        ce_bad(
            &CrossEntropyCall {
                label_smoothing: 1.5,
                ..ce
            },
            &r
        ),
        Error::BadParameter {
            what: "label_smoothing"
        }
    );
    assert_eq!(
        ce_bad(&CrossEntropyCall { z_loss: -1.0, ..ce }, &r),
        Error::BadParameter { what: "z_loss" }
    );
    let acc = Reduce {
        accumulate: true,
        ..r
    };
    assert_eq!(
        ce_bad(
            &CrossEntropyCall {
                grad: ce.logits,
                ..ce
            },
            &acc
        ),
        Error::BadParameter { what: "grad" }
    );
    assert!(matches!(
        ce_bad(
            &CrossEntropyCall {
                workspace_bytes: 8,
                ..ce
            },
            &r
        ),
        Error::LengthMismatch { .. }
    ));
    assert_eq!(
        ce_bad(
            &CrossEntropyCall {
                rows: usize::MAX,
                ..ce
            },
            &r
        ),
        Error::BadParameter {
            what: "rows x classes"
        }
    );
}

#[test]
fn workspace_and_grid_depend_only_on_the_size() {
    assert_eq!(raw::elementwise_grid(0), 1);
    assert_eq!(raw::elementwise_grid(1), 1);
    assert_eq!(raw::elementwise_grid(2048), 1);
    assert_eq!(raw::elementwise_grid(2049), 2);
    assert_eq!(raw::elementwise_grid(usize::MAX), raw::MAX_GRID);
    assert_eq!(raw::elementwise_workspace_size(0), raw::SCALARS_BYTES + 24);
    assert_eq!(
        raw::elementwise_workspace_size(usize::MAX),
        raw::SCALARS_BYTES + 24 * raw::MAX_GRID
    );
    assert_eq!(raw::elementwise_workspace_size(usize::MAX), 49_280);
    assert_eq!(raw::cross_entropy_grid(8192, 32000), (2048, true));
    assert_eq!(raw::cross_entropy_grid(65536, 128), (2048, false));
    assert_eq!(raw::cross_entropy_grid(9, 10), (2, false));
    assert_eq!(raw::cross_entropy_grid(0, 5000), (1, true));
    assert!(raw::cross_entropy_workspace_size(usize::MAX, 1) <= 49_280);
}

#[test]
fn ptx_has_every_kernel_the_host_launches() {
    let ptx = raw::PTX;
    assert!(ptx.ends_with('\0'));
    assert!(ptx.contains("\n.version 7.0\n"), "PTX ISA lowered to 7.0");
    assert!(ptx.contains("\n.target sm_70\n"));
    let entries: Vec<&str> = ptx
        .lines()
        .filter_map(|l| l.strip_prefix(".visible .entry "))
        .map(|l| l.trim_end_matches('('))
        .collect();
    let mut want = vec!["lk_prepare".to_string()];
    for t in ["f32", "f64"] {
        for stem in [
            "pw_mse",
            "pw_mae",
            "pw_mean_error",
            "pw_msle",
            "pw_mape",
            "pw_mpe",
            "pw_huber",
            "pw_scale_free_huber",
            "pw_smooth_l1",
            "pw_log_cosh",
            "pw_bce_logits",
            "pw_binary_focal",
            "keep",
            "finish",
            "ce_rows",
            "ce_block",
            "ce_warp",
        ] {
            want.push(format!("lk_{stem}_{t}"));
        }
    }
    for w in &want {
        assert!(entries.contains(&w.as_str()), "PTX lacks {w}");
    }
    assert_eq!(entries.len(), want.len(), "unexpected kernels: {entries:?}");
    // Each kernel takes one argument block by value, of the size src/cuda/raw.rs passes
    // (PrepArgs 64 bytes, FinArgs 80, PwArgs and CeArgs 112).
    let lines: Vec<&str> = ptx.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if let Some(name) = l.strip_prefix(".visible .entry ") {
            let name = name.trim_end_matches('(');
            let size = if name == "lk_prepare" {
                64
            } else if name.starts_with("lk_finish_") {
                80
            } else {
                112
            };
            let param = format!(".param .align 8 .b8 {name}_param_0[{size}]");
            assert_eq!(lines[i + 1].trim(), param, "{name}");
            assert_eq!(lines[i + 2].trim(), ")", "{name} takes one parameter");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Independent f64 references (BCE with logits, binary focal, softmax cross-entropy)

fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// BCE with logits and pos_weight: (loss, dloss/dz).
fn bce_ref(z: f64, t: f64, pw: f64) -> (f64, f64) {
    let a = pw * t;
    let b = 1.0 - t;
    let mut l = 0.0;
    let mut d = 0.0;
    if a != 0.0 {
        l += a * softplus(-z);
        d -= a * sigmoid(-z);
    }
    if b != 0.0 {
        l += b * softplus(z);
        d += b * sigmoid(z);
    }
    (l, d)
}

/// Binary focal loss (torchvision's sigmoid_focal_loss without alpha): (loss, dloss/dz).
fn focal_ref(z: f64, t: f64, gamma: f64) -> (f64, f64) {
    let p = sigmoid(z);
    let q = p * (1.0 - t) + sigmoid(-z) * t;
    let (b, db) = bce_ref(z, t, 1.0);
    let mut d = q.powf(gamma) * db;
    if gamma != 0.0 && q != 0.0 {
        d += gamma * q.powf(gamma - 1.0) * p * (1.0 - p) * (1.0 - 2.0 * t) * b;
    }
    (q.powf(gamma) * b, d)
}

/// Softmax cross-entropy per row: (loss per row (0 if dropped), kept, w_y, gradient of each
/// row's loss w.r.t. its logits (0 if dropped)).
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn ce_ref(
    z: &[f64],
    y: &[i64],
    c: usize,
    cw: Option<&[f64]>,
    mask: Option<&[u8]>,
    ignore: i64,
    eps: f64,
    lambda: f64,
) -> (Vec<f64>, Vec<bool>, Vec<f64>, Vec<f64>) {
    let rows = y.len();
    let w = |k: usize| cw.map_or(1.0, |w| w[k]);
    let wsum: f64 = (0..c).map(w).sum();
    let mut loss = vec![0.0; rows];
    let mut kept = vec![false; rows];
    let mut wy = vec![0.0; rows];
    let mut grad = vec![0.0; rows * c];
    for r in 0..rows {
        if mask.is_some_and(|m| m[r] == 0) || y[r] == ignore {
            continue;
        }
        kept[r] = true;
        let zr = &z[r * c..(r + 1) * c];
        let m = zr.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let lse = m + zr.iter().map(|&v| (v - m).exp()).sum::<f64>().ln();
        let t = y[r] as usize;
        wy[r] = w(t);
        let mut l = (1.0 - eps) * w(t) * (lse - zr[t]);
        if eps != 0.0 {
            l += eps / c as f64 * (0..c).map(|k| w(k) * (lse - zr[k])).sum::<f64>();
        }
        l += lambda * lse * lse;
        loss[r] = l;
        let coef = (1.0 - eps) * w(t) + eps / c as f64 * wsum + 2.0 * lambda * lse;
        for k in 0..c {
            let p = (zr[k] - lse).exp();
            let mut g = coef * p - eps / c as f64 * w(k);
            if k == t {
                g -= (1.0 - eps) * w(t);
            }
            grad[r * c + k] = g;
        }
    }
    (loss, kept, wy, grad)
}

/// One case of tests/data/torch_*.txt (format: scripts/read_reference.py).
#[derive(Debug, Default)]
struct Case {
    name: String,
    dtype: String,
    params: HashMap<String, String>,
    shape: Option<(usize, usize)>,
    vecs: HashMap<String, Vec<f64>>,
}

fn read_cases(file: &str) -> Vec<Case> {
    // The checkout this was built in, or (a binary carried to a GPU machine, run from the
    // folder that holds tests/data) the current directory.
    let built = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file);
    let path = if built.exists() {
        built
    } else {
        Path::new("tests/data").join(file)
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut cases = Vec::new();
    let mut cur: Option<Case> = None;
    for line in text.lines() {
        let mut it = line.split_whitespace();
        match it.next() {
            Some("case") => {
                cur = Some(Case {
                    name: it.next().unwrap().to_string(),
                    ..Default::default()
                })
            }
            Some("dtype") => cur.as_mut().unwrap().dtype = it.next().unwrap().to_string(),
            Some("param") => {
                let k = it.next().unwrap().to_string();
                let v = it.next().unwrap().to_string();
                cur.as_mut().unwrap().params.insert(k, v);
            }
            Some("shape") => {
                let r = it.next().unwrap().parse().unwrap();
                let c = it.next().unwrap().parse().unwrap();
                cur.as_mut().unwrap().shape = Some((r, c));
            }
            Some("vec") => {
                let k = it.next().unwrap().to_string();
                let v = it.map(|x| x.parse::<f64>().unwrap()).collect();
                cur.as_mut().unwrap().vecs.insert(k, v);
            }
            Some("end") => cases.push(cur.take().unwrap()),
            _ => {}
        }
    }
    assert!(!cases.is_empty());
    cases
}

fn reduce_ref(per: &[f64], norm: f64, reduction: &str) -> Vec<f64> {
    match reduction {
        "mean" => vec![per.iter().sum::<f64>() / norm],
        "sum" => vec![per.iter().sum::<f64>()],
        _ => per.to_vec(),
    }
}

/// Whether `assert_close` with these arguments passes (for loops over many elements, which
/// format the message only for an element that fails).
fn close(got: f64, want: f64, rtol: f64, atol: f64) -> bool {
    if want.is_nan() {
        return got.is_nan();
    }
    if want.is_infinite() {
        return got == want;
    }
    (got - want).abs() <= atol + rtol * want.abs().max(got.abs())
}

fn assert_close(what: &str, got: f64, want: f64, rtol: f64, atol: f64) {
    if want.is_nan() {
        assert!(got.is_nan(), "{what}: got {got}, want NaN");
        return;
    }
    if want.is_infinite() {
        assert_eq!(got, want, "{what}");
        return;
    }
    let tol = atol + rtol * want.abs().max(got.abs());
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} (diff {:e}, tol {tol:e})",
        (got - want).abs()
    );
}

/// Tolerance of a comparison with torch's vectors, which are computed in the case's dtype.
fn torch_tol(dtype: &str) -> f64 {
    if dtype == "f32" {
        2e-5
    } else {
        1e-12
    }
}

#[test]
fn references_match_torch_cross_entropy_and_z_loss() {
    let mut checked = 0;
    for case in read_cases("torch_multiclass.txt") {
        let ce = case.name.starts_with("ce_ls") || case.name.starts_with("ce_w_ls");
        let zl = case.name.starts_with("zloss_");
        if !(ce || zl) || case.name.contains("quirk") || case.name.contains("allignored") {
            continue;
        }
        let (rows, c) = case.shape.unwrap();
        let z = &case.vecs["logits"];
        let y: Vec<i64> = case.vecs["target"].iter().map(|&v| v as i64).collect();
        let cw = case.vecs.get("class_weight").map(|v| v.as_slice());
        let eps: f64 = case
            .params
            .get("label_smoothing")
            .map_or(0.0, |v| v.parse().unwrap());
        let lambda: f64 = case.params.get("lam").map_or(0.0, |v| v.parse().unwrap());
        let red = case.params["reduction"].as_str();
        let (loss, _, wy, grad) = ce_ref(z, &y, c, cw, None, -100, eps, lambda);
        let d: f64 = wy.iter().sum();
        let value = reduce_ref(&loss, d, red);
        let g: Vec<f64> = grad
            .iter()
            .map(|&g| if red == "mean" { g / d } else { g })
            .collect();
        let tol = torch_tol(&case.dtype);
        assert_eq!(value.len(), case.vecs["value"].len(), "{}", case.name);
        for (a, b) in value.iter().zip(&case.vecs["value"]) {
            assert_close(&case.name, *a, *b, tol, tol);
        }
        for (a, b) in g.iter().zip(&case.vecs["grad"]) {
            assert_close(&case.name, *a, *b, tol, tol);
        }
        assert_eq!(rows, y.len());
        checked += 1;
    }
    assert!(checked > 100, "only {checked} cases");
}

#[test]
fn references_match_torch_bce_with_logits_and_focal() {
    let mut checked = 0;
    for case in read_cases("torch_binary.txt") {
        let bcel = case.name.starts_with("bcel_");
        let focal = case.name.starts_with("focal_");
        if !(bcel || focal) || case.name.contains("quirk") {
            continue;
        }
        let z = &case.vecs["logits"];
        let t = &case.vecs["target"];
        let n = z.len();
        let cols = case.shape.map_or(n, |s| s.1);
        let red = case.params["reduction"].as_str();
        let w = case.vecs.get("weight");
        let pw = case.vecs.get("pos_weight");
        let gamma: f64 = case.params.get("gamma").map_or(0.0, |v| v.parse().unwrap());
        let (mut loss, mut grad) = (vec![0.0; n], vec![0.0; n]);
        for i in 0..n {
            let (l, d) = if bcel {
                bce_ref(z[i], t[i], pw.map_or(1.0, |p| p[i % cols]))
            } else {
                focal_ref(z[i], t[i], gamma)
            };
            let wi = w.map_or(1.0, |w| w[i]);
            loss[i] = wi * l;
            grad[i] = wi * d;
        }
        // torch's weighted BCE divides by n, not by the sum of weights.
        let value = reduce_ref(&loss, n as f64, red);
        let scale = if red == "mean" { 1.0 / n as f64 } else { 1.0 };
        let tol = torch_tol(&case.dtype);
        for (a, b) in value.iter().zip(&case.vecs["value"]) {
            assert_close(&case.name, *a, *b, tol, tol);
        }
        for (a, b) in grad.iter().zip(&case.vecs["grad"]) {
            assert_close(&case.name, a * scale, *b, tol, tol);
        }
        checked += 1;
    }
    assert!(checked > 100, "only {checked} cases");
}

#[test]
fn reference_gradients_match_finite_differences() {
    // CE with weights, smoothing, z-loss.
    let c = 5;
    let z = [0.3, -1.2, 2.0, 0.7, -0.4, 1.1, 0.0, -2.5, 0.9, 0.2];
    let y = [2i64, 4];
    let cw = [0.5, 1.0, 2.0, 0.25, 1.5];
    let (_, _, _, grad) = ce_ref(&z, &y, c, Some(&cw), None, -100, 0.1, 0.05);
    for i in 0..z.len() {
        let h = 1e-6;
        let f = |d: f64| {
            let mut zz = z;
            zz[i] += d;
            ce_ref(&zz, &y, c, Some(&cw), None, -100, 0.1, 0.05)
                .0
                .iter()
                .sum::<f64>()
        };
        let fd = (f(h) - f(-h)) / (2.0 * h);
        assert_close("ce fd", grad[i], fd, 1e-6, 1e-8);
    }
    for &(z, t, pw, gamma) in &[
        (0.3, 0.2, 1.7, 2.0),
        (-2.1, 1.0, 0.5, 0.5),
        (1.5, 0.0, 1.0, 1.0),
        (0.0, 0.7, 3.0, 0.0),
    ] {
        let h = 1e-6;
        let fd = (bce_ref(z + h, t, pw).0 - bce_ref(z - h, t, pw).0) / (2.0 * h);
        assert_close("bce fd", bce_ref(z, t, pw).1, fd, 1e-6, 1e-9);
        let fd = (focal_ref(z + h, t, gamma).0 - focal_ref(z - h, t, gamma).0) / (2.0 * h);
        assert_close("focal fd", focal_ref(z, t, gamma).1, fd, 1e-6, 1e-9);
    }
}

// ---------------------------------------------------------------------------------------
// GPU tests

/// Deterministic data in [lo, hi).
fn data<T: Real>(n: usize, seed: u64, lo: f64, hi: f64) -> Vec<T> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            T::from_f64(lo + (hi - lo) * ((s >> 11) as f64 / (1u64 << 53) as f64))
        })
        .collect()
}

fn tol<T: Real>() -> f64 {
    if T::NAME == "f32" {
        2e-5
    } else {
        1e-12
    }
}

fn cpu_regression<T: Real>(
    loss: Elementwise<T>,
    p: &[T],
    y: &[T],
    o: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    match loss {
        Elementwise::Mse => regression::mse(p, y, o, values, grad),
        Elementwise::Mae => regression::mae(p, y, o, values, grad),
        Elementwise::Rmse => regression::rmse(p, y, o, values, grad),
        Elementwise::MeanError => regression::mean_error(p, y, o, values, grad),
        Elementwise::Msle => regression::msle(p, y, o, values, grad),
        Elementwise::Mape => regression::mape(p, y, o, values, grad),
        Elementwise::Mpe => regression::mpe(p, y, o, values, grad),
        Elementwise::Huber { delta } => regression::huber(p, y, delta, o, values, grad),
        Elementwise::ScaleFreeHuber { delta } => {
            regression::scale_free_huber(p, y, delta, o, values, grad)
        }
        Elementwise::SmoothL1 { beta } => regression::smooth_l1(p, y, beta, o, values, grad),
        Elementwise::LogCosh => regression::log_cosh(p, y, o, values, grad),
        _ => unreachable!("not a regression loss"),
    }
}

/// The options of one comparison (host copies; uploaded for the device call).
#[derive(Clone, Debug)]
struct Setup<T> {
    reduction: Reduction,
    empty: EmptyPolicy,
    mask: Option<Vec<u8>>,
    weights: Option<Vec<T>>,
    magic: Option<T>,
    grad_scale: T,
    /// Some(g0): accumulate into a gradient buffer filled with g0.
    accumulate: Option<T>,
    grad: bool,
}

impl<T: Real> Setup<T> {
    fn plain(reduction: Reduction) -> Self {
        Setup {
            reduction,
            empty: EmptyPolicy::Zero,
            mask: None,
            weights: None,
            magic: None,
            grad_scale: T::one(),
            accumulate: None,
            grad: true,
        }
    }
}

/// What one evaluation produced: the result and the output buffers.
#[derive(Debug)]
struct Outcome<T> {
    result: Result<Reduced<T>, Error>,
    values: Vec<T>,
    grad: Vec<T>,
}

fn on_cpu<T: Real>(
    loss: Elementwise<T>,
    p: &[T],
    y: &[T],
    s: &Setup<T>,
    f: impl Fn(
        &[T],
        &[T],
        &Options<'_, T>,
        Option<&mut [T]>,
        Option<&mut [T]>,
    ) -> Result<Reduced<T>, Error>,
) -> Outcome<T> {
    let _ = loss;
    let n = p.len();
    let mut o = Options::default()
        .with_reduction(s.reduction)
        .with_empty(s.empty)
        .with_grad_scale(s.grad_scale);
    if let Some(m) = &s.mask {
        o = o.with_mask(m);
    }
    if let Some(w) = &s.weights {
        o = o.with_weights(w);
    }
    if let Some(m) = s.magic {
        o = o.with_magic(m);
    }
    if s.accumulate.is_some() {
        o = o.with_grad_mode(GradMode::Accumulate);
    }
    let mut values = vec![T::from_f64(-7.0); n];
    let mut grad = vec![s.accumulate.unwrap_or(T::from_f64(-7.0)); n];
    let result = f(
        p,
        y,
        &o,
        (s.reduction == Reduction::None).then_some(&mut values[..]),
        s.grad.then_some(&mut grad[..]),
    );
    Outcome {
        result,
        values,
        grad,
    }
}

fn on_gpu<T: Real + DeviceRepr + ValidAsZeroBits>(
    losses: &mut CudaLosses,
    loss: Elementwise<T>,
    p: &[T],
    y: &[T],
    pos_weight: Option<&[T]>,
    s: &Setup<T>,
) -> Outcome<T> {
    let st = losses.stream().clone();
    let n = p.len();
    let up = |v: &[T]| upload(&st, v);
    let (dp, dy) = (up(p), up(y));
    let dmask = s.mask.as_ref().map(|m| upload(&st, m));
    let dw = s.weights.as_ref().map(|w| up(w));
    let dpw = pos_weight.map(up);
    let mut dvalues = up(&vec![T::from_f64(-7.0); n.max(1)]);
    let mut dgrad = up(&vec![s.accumulate.unwrap_or(T::from_f64(-7.0)); n.max(1)]);
    let mask_view = dmask.as_ref().map(|m| m.slice(0..n));
    let w_view = dw.as_ref().map(|w| w.slice(0..n));
    let mut o = DeviceOptions::default()
        .with_reduction(s.reduction)
        .with_empty(s.empty)
        .with_grad_scale(s.grad_scale);
    if let Some(m) = &mask_view {
        o = o.with_mask(m);
    }
    if let Some(w) = &w_view {
        o = o.with_weights(w);
    }
    if let Some(m) = s.magic {
        o = o.with_magic(m);
    }
    if s.accumulate.is_some() {
        o = o.with_grad_mode(GradMode::Accumulate);
    }
    let pw_view = dpw
        .as_ref()
        .map(|d| d.slice(0..pos_weight.map_or(0, |p| p.len())));
    let mut vals_view = dvalues.slice_mut(0..n);
    let mut grad_view = dgrad.slice_mut(0..n);
    let result = losses.elementwise(
        loss,
        &dp.slice(0..n),
        &dy.slice(0..n),
        pw_view.as_ref(),
        &o,
        (s.reduction == Reduction::None).then_some(&mut vals_view),
        s.grad.then_some(&mut grad_view),
    );
    let mut values = st.clone_dtoh(&dvalues).unwrap();
    let mut grad = st.clone_dtoh(&dgrad).unwrap();
    values.truncate(n);
    grad.truncate(n);
    Outcome {
        result,
        values,
        grad,
    }
}

/// Uploads `v`, padded to at least one element (no zero-byte allocations); use
/// `.slice(0..v.len())` for the view.
fn upload<T: DeviceRepr + Copy + Default>(
    st: &Arc<CudaStream>,
    v: &[T],
) -> cudarc::driver::CudaSlice<T> {
    if v.is_empty() {
        st.clone_htod(&[T::default()]).unwrap()
    } else {
        st.clone_htod(v).unwrap()
    }
}

fn compare<T: Real>(what: &str, gpu: &Outcome<T>, cpu: &Outcome<T>) {
    let tol = tol::<T>();
    match (&gpu.result, &cpu.result) {
        (Ok(g), Ok(c)) => {
            assert_close(
                &format!("{what} value"),
                g.value.to_f64(),
                c.value.to_f64(),
                tol,
                tol * 1e-3,
            );
            assert_close(
                &format!("{what} sum"),
                g.partial.sum,
                c.partial.sum,
                tol,
                tol * 1e-3,
            );
            assert_close(
                &format!("{what} weight"),
                g.partial.weight,
                c.partial.weight,
                1e-15,
                0.0,
            );
        }
        (Err(g), Err(c)) => assert_eq!(g, c, "{what}"),
        (g, c) => panic!("{what}: gpu {g:?}, cpu {c:?}"),
    }
    let scale = |v: &[T]| {
        v.iter()
            .map(|x| x.to_f64().abs())
            .filter(|x| x.is_finite())
            .fold(0.0, f64::max)
    };
    let gs = scale(&cpu.grad);
    for (i, (a, b)) in gpu.grad.iter().zip(&cpu.grad).enumerate() {
        if !close(a.to_f64(), b.to_f64(), tol, tol * gs * 1e-2) {
            assert_close(
                &format!("{what} grad[{i}]"),
                a.to_f64(),
                b.to_f64(),
                tol,
                tol * gs * 1e-2,
            );
        }
    }
    let vs = scale(&cpu.values);
    for (i, (a, b)) in gpu.values.iter().zip(&cpu.values).enumerate() {
        if !close(a.to_f64(), b.to_f64(), tol, tol * vs * 1e-2) {
            assert_close(
                &format!("{what} values[{i}]"),
                a.to_f64(),
                b.to_f64(),
                tol,
                tol * vs * 1e-2,
            );
        }
    }
}

fn regression_losses<T: Real>() -> Vec<Elementwise<T>> {
    vec![
        Elementwise::Mse,
        Elementwise::Mae,
        Elementwise::Rmse,
        Elementwise::MeanError,
        Elementwise::Msle,
        Elementwise::Mape,
        Elementwise::Mpe,
        Elementwise::Huber {
            delta: T::from_f64(0.7),
        },
        Elementwise::ScaleFreeHuber {
            delta: T::from_f64(0.5),
        },
        Elementwise::SmoothL1 {
            beta: T::from_f64(0.3),
        },
        Elementwise::SmoothL1 { beta: T::zero() },
        Elementwise::LogCosh,
    ]
}

/// The option sets every regression loss is compared under, for data of length n.
fn setups<T: Real>(n: usize) -> Vec<(&'static str, Setup<T>)> {
    let mask: Vec<u8> = data::<f64>(n, 11, 0.0, 1.0)
        .iter()
        .map(|&u| (u > 0.3) as u8)
        .collect();
    let weights: Vec<T> = data::<f64>(n, 12, 0.0, 2.0)
        .iter()
        .map(|&u| T::from_f64(if u < 0.2 { 0.0 } else { u }))
        .collect();
    let mut v = vec![
        ("mean", Setup::plain(Reduction::Mean)),
        ("sum", Setup::plain(Reduction::Sum)),
        ("none", Setup::plain(Reduction::None)),
        ("partial", Setup::plain(Reduction::Partial)),
        (
            "value only",
            Setup {
                grad: false,
                ..Setup::plain(Reduction::Mean)
            },
        ),
        (
            "mask",
            Setup {
                mask: Some(mask.clone()),
                ..Setup::plain(Reduction::Mean)
            },
        ),
        (
            "weights",
            Setup {
                weights: Some(weights.clone()),
                ..Setup::plain(Reduction::Mean)
            },
        ),
        (
            "magic",
            Setup {
                magic: Some(T::from_f64(-9999.0)),
                ..Setup::plain(Reduction::Mean)
            },
        ),
        (
            "all options, accumulate",
            Setup {
                mask: Some(mask.clone()),
                weights: Some(weights.clone()),
                magic: Some(T::from_f64(-9999.0)),
                grad_scale: T::from_f64(0.25),
                accumulate: Some(T::from_f64(0.5)),
                ..Setup::plain(Reduction::Mean)
            },
        ),
        (
            "all options, sum, none",
            Setup {
                mask: Some(mask),
                weights: Some(weights),
                magic: Some(T::from_f64(-9999.0)),
                grad_scale: T::from_f64(-3.0),
                ..Setup::plain(Reduction::Sum)
            },
        ),
    ];
    let nothing = vec![0u8; n];
    for (name, empty) in [
        ("empty zero", EmptyPolicy::Zero),
        ("empty nan", EmptyPolicy::Nan),
        ("empty error", EmptyPolicy::Error),
    ] {
        v.push((
            name,
            Setup {
                mask: Some(nothing.clone()),
                empty,
                ..Setup::plain(Reduction::Mean)
            },
        ));
    }
    v
}

/// pred in [-3, 3]; targets in [-2, 3] with exact zeros, magic numbers and NaNs (for the
/// magic-number setups), and some equal to pred (kinks).
fn regression_data<T: Real>(n: usize, seed: u64) -> (Vec<T>, Vec<T>) {
    let p: Vec<T> = data(n, seed, -3.0, 3.0);
    let mut y: Vec<T> = data(n, seed + 1, -2.0, 3.0);
    for i in (0..n).step_by(17) {
        y[i] = T::zero();
    }
    for i in (5..n).step_by(23) {
        y[i] = p[i];
    }
    (p, y)
}

fn with_magic_targets<T: Real>(y: &[T]) -> Vec<T> {
    let mut y = y.to_vec();
    for i in (3..y.len()).step_by(11) {
        y[i] = T::from_f64(-9999.0);
    }
    for i in (7..y.len()).step_by(29) {
        y[i] = T::NAN;
    }
    y
}

fn regression_vs_cpu<T: Real + DeviceRepr + ValidAsZeroBits>(stream: &Arc<CudaStream>) {
    let mut losses = CudaLosses::new(stream.clone()).unwrap();
    for &n in &[0usize, 1, 7, 1000, 3 * 2048 + 5] {
        let (p, y) = regression_data::<T>(n, 1);
        for loss in regression_losses::<T>() {
            for (name, s) in setups::<T>(n) {
                if loss == Elementwise::Rmse && s.reduction == Reduction::None {
                    continue;
                }
                let y = if s.magic.is_some() {
                    with_magic_targets(&y)
                } else {
                    y.clone()
                };
                let what = format!("{} {loss:?} n={n} {name}", T::NAME);
                let g = on_gpu(&mut losses, loss, &p, &y, None, &s);
                let c = on_cpu(loss, &p, &y, &s, |p, y, o, v, g| {
                    cpu_regression(loss, p, y, o, v, g)
                });
                compare(&what, &g, &c);
                if c.result.is_err() {
                    // Nothing written on failure.
                    assert!(
                        g.grad.iter().all(|&x| x == T::from_f64(-7.0)),
                        "{what}: grad written"
                    );
                }
            }
        }
    }
}

#[test]
fn gpu_regression_f32_matches_cpu() {
    if let Some(s) = gpu() {
        regression_vs_cpu::<f32>(&s);
    }
}

#[test]
fn gpu_regression_f64_matches_cpu() {
    if let Some(s) = gpu() {
        regression_vs_cpu::<f64>(&s);
    }
}

#[test]
fn gpu_large_n_uses_every_block_and_matches_cpu() {
    let Some(stream) = gpu() else { return };
    let mut losses = CudaLosses::new(stream).unwrap();
    // More than MAX_GRID * 2048 elements: every thread loops.
    let n = 5_000_003;
    let (p, y) = regression_data::<f32>(n, 3);
    for (name, s) in setups::<f32>(n).into_iter().take(9) {
        let y = if s.magic.is_some() {
            with_magic_targets(&y)
        } else {
            y.clone()
        };
        let g = on_gpu(&mut losses, Elementwise::Mse, &p, &y, None, &s);
        let c = on_cpu(Elementwise::Mse, &p, &y, &s, |p, y, o, v, g| {
            regression::mse(p, y, o, v, g)
        });
        compare(&format!("mse n={n} {name}"), &g, &c);
    }
}

#[test]
fn gpu_repeated_calls_agree_bit_for_bit() {
    let Some(stream) = gpu() else { return };
    let mut losses = CudaLosses::new(stream.clone()).unwrap();
    let n = 3_000_001;
    let (p, y) = regression_data::<f32>(n, 5);
    let s = setups::<f32>(n).swap_remove(8).1; // every option
    let y = with_magic_targets(&y);
    for loss in [Elementwise::Mse, Elementwise::LogCosh, Elementwise::Rmse] {
        let a = on_gpu(&mut losses, loss, &p, &y, None, &s);
        let b = on_gpu(&mut losses, loss, &p, &y, None, &s);
        let (ra, rb) = (a.result.unwrap(), b.result.unwrap());
        assert_eq!(ra.value.to_bits(), rb.value.to_bits(), "{loss:?}");
        assert_eq!(ra.partial.sum.to_bits(), rb.partial.sum.to_bits());
        assert!(a
            .grad
            .iter()
            .zip(&b.grad)
            .all(|(x, y)| x.to_bits() == y.to_bits()));
    }
    let (rows, c) = (3000, 1500);
    let z: Vec<f64> = data(rows * c, 9, -4.0, 4.0);
    let t: Vec<i64> = (0..rows).map(|r| (r * 7 % c) as i64).collect();
    let cw: Vec<f64> = data(c, 10, 0.1, 2.0);
    let run = || {
        ce_gpu::<f64>(
            &stream,
            &z,
            &t,
            c,
            Some(&cw),
            None,
            0.1,
            1e-3,
            Reduction::Mean,
            false,
        )
    };
    let (a, b) = (run(), run());
    assert_eq!(
        a.result.unwrap().value.to_bits(),
        b.result.unwrap().value.to_bits()
    );
    assert!(a
        .grad
        .iter()
        .zip(&b.grad)
        .all(|(x, y)| x.to_bits() == y.to_bits()));
}

#[test]
fn gpu_device_side_errors_write_nothing() {
    let Some(stream) = gpu() else { return };
    let mut losses = CudaLosses::new(stream.clone()).unwrap();
    let n = 5000;
    let (p, y) = regression_data::<f32>(n, 7);
    let mut w = vec![1.0f32; n];
    w[4321] = -1.0;
    let s = Setup {
        weights: Some(w.clone()),
        ..Setup::plain(Reduction::Mean)
    };
    let g = on_gpu(&mut losses, Elementwise::Mse, &p, &y, None, &s);
    assert!(matches!(g.result, Err(Error::BadParameter { .. })));
    assert!(g.grad.iter().all(|&x| x == -7.0));
    w[4321] = f32::NAN;
    let s = Setup {
        weights: Some(w),
        ..Setup::plain(Reduction::None)
    };
    let g = on_gpu(
        &mut losses,
        Elementwise::Huber { delta: 1.0 },
        &p,
        &y,
        None,
        &s,
    );
    assert!(matches!(g.result, Err(Error::BadParameter { .. })));
    assert!(g.values.iter().all(|&x| x == -7.0));
    // Class index out of range: the first offending row is reported.
    let (rows, c) = (100, 6);
    let z: Vec<f32> = data(rows * c, 1, -1.0, 1.0);
    let mut t: Vec<i64> = (0..rows as i64).map(|r| r % 6).collect();
    t[40] = 6;
    t[70] = -3;
    let o = ce_gpu::<f32>(
        &stream,
        &z,
        &t,
        c,
        None,
        None,
        0.0,
        0.0,
        Reduction::Mean,
        false,
    );
    assert_eq!(o.result, Err(Error::IndexOutOfRange { row: 40, index: 6 }));
    assert!(o.grad.iter().all(|&x| x == -7.0));
    // In place: the logits are left as they were.
    let o = ce_gpu::<f32>(
        &stream,
        &z,
        &t,
        c,
        None,
        None,
        0.0,
        0.0,
        Reduction::Mean,
        true,
    );
    assert!(o.result.is_err());
    assert_eq!(o.grad, z);
    // ignore_index rows are not range-checked.
    t[40] = -100;
    t[70] = -100;
    let o = ce_gpu::<f32>(
        &stream,
        &z,
        &t,
        c,
        None,
        None,
        0.0,
        0.0,
        Reduction::Mean,
        false,
    );
    assert!(o.result.is_ok());
    // Negative class weight.
    let mut cw = vec![1.0f32; c];
    cw[2] = -0.5;
    let o = ce_gpu::<f32>(
        &stream,
        &z,
        &t,
        c,
        Some(&cw),
        None,
        0.0,
        0.0,
        Reduction::Mean,
        false,
    );
    assert!(matches!(o.result, Err(Error::BadParameter { .. })));
}

fn binary_vs_reference<T: Real + DeviceRepr + ValidAsZeroBits>(stream: &Arc<CudaStream>) {
    let mut losses = CudaLosses::new(stream.clone()).unwrap();
    let (rows, c) = (700, 13);
    let n = rows * c;
    let mut z: Vec<T> = data(n, 21, -6.0, 6.0);
    let mut t: Vec<T> = data(n, 22, 0.0, 1.0);
    for i in (0..n).step_by(3) {
        t[i] = T::from_f64((i % 2) as f64);
    }
    for (i, v) in [(0, 100.0), (1, -100.0), (2, 1e4), (4, -1e4), (6, 0.0)] {
        z[i] = T::from_f64(v);
    }
    let pw: Vec<T> = data(c, 23, 0.2, 3.0);
    for loss in [
        Elementwise::BceWithLogits,
        Elementwise::BinaryFocal { gamma: T::zero() },
        Elementwise::BinaryFocal {
            gamma: T::from_f64(0.5),
        },
        Elementwise::BinaryFocal {
            gamma: T::from_f64(2.0),
        },
    ] {
        for with_pw in [false, true] {
            if with_pw && loss != Elementwise::BceWithLogits {
                continue;
            }
            for (name, s) in setups::<T>(n) {
                let s = Setup { magic: None, ..s };
                let per = |zz: f64, tt: f64, i: usize| match loss {
                    Elementwise::BinaryFocal { gamma } => focal_ref(zz, tt, gamma.to_f64()),
                    _ => bce_ref(zz, tt, if with_pw { pw[i % c].to_f64() } else { 1.0 }),
                };
                let cpu = on_cpu(loss, &z, &t, &s, |p, y, o, values, grad| {
                    // The reference through the CPU engine's semantics, in f64 per element.
                    reference_engine(p, y, o, values, grad, &per)
                });
                let g = on_gpu(&mut losses, loss, &z, &t, with_pw.then_some(&pw[..]), &s);
                compare(
                    &format!("{} {loss:?} pw={with_pw} {name}", T::NAME),
                    &g,
                    &cpu,
                );
            }
        }
    }
}

/// Neumaier's compensated sum: the exact sum of f64 terms to about one rounding.
fn compensated_sum(terms: impl IntoIterator<Item = f64>) -> f64 {
    let (mut hi, mut lo) = (0.0f64, 0.0f64);
    for x in terms {
        let t = hi + x;
        lo += if hi.abs() >= x.abs() {
            (hi - t) + x
        } else {
            (x - t) + hi
        };
        hi = t;
    }
    hi + lo
}

/// A minimal engine over an f64 per-element reference: masks, weights, reductions, the
/// empty policy, grad scale and mode, as src/pointwise/mod.rs documents them.
fn reference_engine<T: Real>(
    p: &[T],
    y: &[T],
    o: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
    per: &dyn Fn(f64, f64, usize) -> (f64, f64),
) -> Result<Reduced<T>, Error> {
    let n = p.len();
    let w: Vec<f64> = (0..n)
        .map(|i| {
            if o.mask.is_some_and(|m| m[i] == 0) {
                0.0
            } else {
                o.weights.map_or(1.0, |w| w[i].to_f64())
            }
        })
        .collect();
    // Compensated, as the engines sum the weights (a plain sum of thousands of weights is
    // off by more than the 1e-15 the weight comparison allows).
    let wsum = compensated_sum(w.iter().copied());
    if o.reduction == Reduction::Mean && wsum == 0.0 && o.empty == EmptyPolicy::Error {
        return Err(Error::EmptyMean);
    }
    let norm = if o.reduction == Reduction::Mean {
        if wsum > 0.0 {
            1.0 / wsum
        } else {
            0.0
        }
    } else {
        1.0
    };
    let mut terms = Vec::with_capacity(n);
    let mut values = values;
    let mut grad = grad;
    for i in 0..n {
        let (l, d) = per(p[i].to_f64(), y[i].to_f64(), i);
        let kept = w[i] != 0.0;
        if kept {
            terms.push(w[i] * l);
        }
        if let Some(v) = values.as_deref_mut() {
            v[i] = T::from_f64(if kept { w[i] * l } else { 0.0 });
        }
        if let Some(g) = grad.as_deref_mut() {
            let gi = if kept {
                o.grad_scale.to_f64() * norm * w[i] * d
            } else {
                0.0
            };
            g[i] = if o.grad_mode == GradMode::Accumulate {
                T::from_f64(g[i].to_f64() + gi)
            } else {
                T::from_f64(gi)
            };
        }
    }
    let sum = compensated_sum(terms);
    let value = match o.reduction {
        Reduction::Mean if wsum > 0.0 => sum / wsum,
        Reduction::Mean if o.empty == EmptyPolicy::Nan => f64::NAN,
        Reduction::Mean => 0.0,
        _ => sum,
    };
    Ok(Reduced {
        value: T::from_f64(value),
        partial: losskit::Partial::new(
            if o.reduction == Reduction::Mean && wsum == 0.0 {
                0.0
            } else {
                sum
            },
            wsum,
        ),
    })
}

#[test]
fn gpu_binary_f32_matches_reference() {
    if let Some(s) = gpu() {
        binary_vs_reference::<f32>(&s);
    }
}

#[test]
fn gpu_binary_f64_matches_reference() {
    if let Some(s) = gpu() {
        binary_vs_reference::<f64>(&s);
    }
}

/// Runs the cross-entropy kernel: (result, per-row values, gradient). `in_place`: the
/// gradient overwrites a copy of the logits (returned as the gradient).
#[allow(clippy::too_many_arguments)]
fn ce_gpu<T: Real + DeviceRepr + ValidAsZeroBits>(
    stream: &Arc<CudaStream>,
    z: &[T],
    t: &[i64],
    c: usize,
    cw: Option<&[T]>,
    mask: Option<&[u8]>,
    eps: f64,
    lambda: f64,
    reduction: Reduction,
    in_place: bool,
) -> Outcome<T> {
    ce_gpu_with(
        stream, z, t, c, cw, mask, eps, lambda, reduction, in_place, None, -100,
    )
}

#[allow(clippy::too_many_arguments)]
fn ce_gpu_with<T: Real + DeviceRepr + ValidAsZeroBits>(
    stream: &Arc<CudaStream>,
    z: &[T],
    t: &[i64],
    c: usize,
    cw: Option<&[T]>,
    mask: Option<&[u8]>,
    eps: f64,
    lambda: f64,
    reduction: Reduction,
    in_place: bool,
    accumulate: Option<(T, T)>,
    ignore_index: i64,
) -> Outcome<T> {
    let mut losses = CudaLosses::new(stream.clone()).unwrap();
    let rows = t.len();
    let mut dz = upload(stream, z);
    let dt = upload(stream, t);
    let dcw = cw.map(|w| upload(stream, w));
    let dmask = mask.map(|m| upload(stream, m));
    let g0 = accumulate.map_or(T::from_f64(-7.0), |a| a.0);
    let mut dvalues = stream
        .clone_htod(&vec![T::from_f64(-7.0); rows.max(1)])
        .unwrap();
    let mut dgrad = stream.clone_htod(&vec![g0; z.len().max(1)]).unwrap();
    let cw_view = dcw.as_ref().map(|w| w.slice(0..c));
    let mask_view = dmask.as_ref().map(|m| m.slice(0..rows));
    let ce = CrossEntropy {
        class_weights: cw_view.as_ref(),
        ignore_index,
        label_smoothing: T::from_f64(eps),
        z_loss: T::from_f64(lambda),
    };
    let mut o = DeviceOptions::default()
        .with_reduction(reduction)
        .with_empty(EmptyPolicy::Nan);
    if let Some(m) = &mask_view {
        o = o.with_mask(m);
    }
    if let Some((_, scale)) = accumulate {
        o = o
            .with_grad_mode(GradMode::Accumulate)
            .with_grad_scale(scale);
    }
    let mut vals_view = dvalues.slice_mut(0..rows);
    let values = (reduction == Reduction::None).then_some(&mut vals_view);
    let result = if in_place {
        let mut zv = dz.slice_mut(0..z.len());
        losses.cross_entropy_in_place(&mut zv, &dt.slice(0..rows), c, &ce, &o, values)
    } else {
        let mut gv = dgrad.slice_mut(0..z.len());
        losses.cross_entropy(
            &dz.slice(0..z.len()),
            &dt.slice(0..rows),
            c,
            &ce,
            &o,
            values,
            Some(&mut gv),
        )
    };
    let mut values = stream.clone_dtoh(&dvalues).unwrap();
    values.truncate(rows);
    let mut grad = if in_place {
        stream.clone_dtoh(&dz).unwrap()
    } else {
        stream.clone_dtoh(&dgrad).unwrap()
    };
    grad.truncate(z.len());
    Outcome {
        result,
        values,
        grad,
    }
}

fn ce_vs_reference<T: Real + DeviceRepr + ValidAsZeroBits>(stream: &Arc<CudaStream>) {
    let tol = tol::<T>();
    // Few classes (one warp per row) and many (one block per row), rows not a multiple of
    // anything.
    for &(rows, c) in &[
        (1usize, 1usize),
        (37, 10),
        (300, 128),
        (45, 2000),
        (5, 5000),
    ] {
        let z: Vec<T> = data(rows * c, 31, -5.0, 5.0);
        let zf: Vec<f64> = z.iter().map(|v| v.to_f64()).collect();
        let mut t: Vec<i64> = (0..rows).map(|r| ((r * 31 + 7) % c) as i64).collect();
        for r in (2..rows).step_by(5) {
            t[r] = -100;
        }
        let cw: Vec<T> = data(c, 32, 0.1, 2.0);
        let cwf: Vec<f64> = cw.iter().map(|v| v.to_f64()).collect();
        let mask: Vec<u8> = (0..rows).map(|r| (r % 7 != 3) as u8).collect();
        for weighted in [false, true] {
            for masked in [false, true] {
                for &(eps, lambda) in
                    &[(0.0, 0.0), (0.1, 0.0), (0.0, 1e-3), (0.2, 0.05), (1.0, 0.0)]
                {
                    for red in [
                        Reduction::Mean,
                        Reduction::Sum,
                        Reduction::None,
                        Reduction::Partial,
                    ] {
                        let what = format!(
                            "{} ce {rows}x{c} w={weighted} mask={masked} eps={eps} lambda={lambda} {red:?}",
                            T::NAME
                        );
                        let cw_d = weighted.then_some(&cw[..]);
                        let mask_d = masked.then_some(&mask[..]);
                        let o = ce_gpu(stream, &z, &t, c, cw_d, mask_d, eps, lambda, red, false);
                        let (loss, kept, wy, grad) = ce_ref(
                            &zf,
                            &t,
                            c,
                            weighted.then_some(&cwf[..]),
                            mask_d,
                            -100,
                            eps,
                            lambda,
                        );
                        let d: f64 = wy.iter().sum();
                        let sum: f64 = loss.iter().sum();
                        let (value, norm) = match red {
                            Reduction::Mean if d > 0.0 => (sum / d, 1.0 / d),
                            Reduction::Mean => (f64::NAN, 0.0),
                            _ => (sum, 1.0),
                        };
                        let r = o.result.unwrap();
                        assert_close(&what, r.value.to_f64(), value, tol, tol * 1e-3);
                        assert_close(&what, r.partial.weight, d, tol, 0.0);
                        // A gradient entry is a difference of terms as large as
                        // (1-eps) w_y + eps/C W (times p_c <= 1); where they cancel (one
                        // class: the exact gradient is 0) the rounding error scales with
                        // them, not with the result, so the absolute tolerance does too.
                        let w_max = if weighted {
                            cwf.iter().fold(0.0f64, |a, &b| a.max(b))
                        } else {
                            1.0
                        };
                        let w_total = if weighted { cwf.iter().sum() } else { c as f64 };
                        let terms = (1.0 - eps) * w_max + eps / c as f64 * w_total;
                        let gs = grad.iter().fold(terms, |a, b| a.max(b.abs())) * norm;
                        for (i, (a, b)) in o.grad.iter().zip(&grad).enumerate() {
                            if !close(a.to_f64(), b * norm, tol, tol * gs * 1e-2) {
                                assert_close(
                                    &format!("{what} grad[{i}]"),
                                    a.to_f64(),
                                    b * norm,
                                    tol,
                                    tol * gs * 1e-2,
                                );
                            }
                        }
                        if red == Reduction::None {
                            for (i, (a, b)) in o.values.iter().zip(&loss).enumerate() {
                                if !close(a.to_f64(), *b, tol, tol * 1e-3) {
                                    assert_close(
                                        &format!("{what} values[{i}]"),
                                        a.to_f64(),
                                        *b,
                                        tol,
                                        tol * 1e-3,
                                    );
                                }
                            }
                        }
                        for (i, k) in kept.iter().enumerate() {
                            if !k {
                                assert!(o.grad[i * c..(i + 1) * c].iter().all(|&g| g == T::zero()));
                            }
                        }
                        // In place gives the same gradient bits.
                        if red == Reduction::Mean && !masked {
                            let ip = ce_gpu(stream, &z, &t, c, cw_d, None, eps, lambda, red, true);
                            assert_eq!(
                                ip.result.unwrap().value.to_f64().to_bits(),
                                r.value.to_f64().to_bits()
                            );
                            assert!(
                                ip.grad
                                    .iter()
                                    .zip(&o.grad)
                                    .all(|(a, b)| a.to_f64().to_bits() == b.to_f64().to_bits()),
                                "{what} in place"
                            );
                        }
                    }
                }
            }
        }
        // Accumulate with a scale: g = g0 + s * dL/dz; dropped rows untouched.
        let acc = ce_gpu_with(
            stream,
            &z,
            &t,
            c,
            None,
            None,
            0.1,
            0.0,
            Reduction::Sum,
            false,
            Some((T::from_f64(0.5), T::from_f64(-2.0))),
            -100,
        );
        let (_, kept, _, grad) = ce_ref(&zf, &t, c, None, None, -100, 0.1, 0.0);
        for (i, a) in acc.grad.iter().enumerate() {
            let want = if kept[i / c] {
                0.5 - 2.0 * grad[i]
            } else {
                0.5
            };
            assert_close("ce accumulate", a.to_f64(), want, tol, tol);
        }
    }
}

#[test]
fn gpu_cross_entropy_f32_matches_reference() {
    if let Some(s) = gpu() {
        ce_vs_reference::<f32>(&s);
    }
}

#[test]
fn gpu_cross_entropy_f64_matches_reference() {
    if let Some(s) = gpu() {
        ce_vs_reference::<f64>(&s);
    }
}

#[test]
fn gpu_cross_entropy_edge_logits() {
    let Some(stream) = gpu() else { return };
    let inf = f64::INFINITY;
    // +inf at the target: loss 0, gradient 0; -inf elsewhere: probability 0.
    let z = [inf, 0.0, 1.0, -inf, 0.0, 0.0, 1e4, -1e4, 1e4 + 1.0];
    let t = [0i64, 1, 2];
    let o = ce_gpu::<f64>(
        &stream,
        &z,
        &t,
        3,
        None,
        None,
        0.0,
        0.0,
        Reduction::None,
        false,
    );
    o.result.unwrap();
    let ln2 = std::f64::consts::LN_2;
    let want1 = (1.0f64 + (-1.0f64).exp()).ln() + 0.0; // row 2: lse - z_y with logits 1e4, -1e4, 1e4+1
    assert_close("row 0", o.values[0], 0.0, 1e-15, 0.0);
    assert_close("row 1", o.values[1], ln2, 1e-15, 0.0);
    assert_close("row 2", o.values[2], want1, 1e-12, 1e-15);
    assert_eq!(&o.grad[0..3], &[0.0, 0.0, 0.0]);
    assert_close("grad 1", o.grad[3], 0.0, 0.0, 0.0);
    assert_close("grad 1", o.grad[4], -0.5, 1e-15, 0.0);
    assert_close("grad 1", o.grad[5], 0.5, 1e-15, 0.0);
    // All rows ignored, mean, NaN policy: NaN, gradient 0.
    let o = ce_gpu::<f32>(
        &stream,
        &[1.0, 2.0],
        &[-100],
        2,
        None,
        None,
        0.0,
        0.0,
        Reduction::Mean,
        false,
    );
    assert!(o.result.unwrap().value.is_nan());
    assert_eq!(o.grad, vec![0.0, 0.0]);
    // No rows at all.
    let o = ce_gpu::<f32>(
        &stream,
        &[],
        &[],
        4,
        None,
        None,
        0.0,
        0.0,
        Reduction::Sum,
        false,
    );
    assert_eq!(o.result.unwrap().value, 0.0);
    // A custom ignore_index.
    let o = ce_gpu_with::<f64>(
        &stream,
        &[1.0, 2.0, 3.0, 4.0],
        &[1, 7],
        2,
        None,
        None,
        0.0,
        0.0,
        Reduction::Mean,
        false,
        None,
        7,
    );
    let want = (1.0f64 + (-1.0f64).exp()).ln();
    assert_close("ignore 7", o.result.unwrap().value, want, 1e-15, 0.0);
}

#[test]
fn gpu_matches_torch_vectors() {
    let Some(stream) = gpu() else { return };
    let mut checked = 0;
    for case in read_cases("torch_multiclass.txt") {
        let ce = case.name.starts_with("ce_ls") || case.name.starts_with("ce_w_ls");
        let zl = case.name.starts_with("zloss_");
        if !(ce || zl) || case.name.contains("quirk") {
            continue;
        }
        let (_, c) = case.shape.unwrap();
        let t: Vec<i64> = case.vecs["target"].iter().map(|&v| v as i64).collect();
        let eps: f64 = case
            .params
            .get("label_smoothing")
            .map_or(0.0, |v| v.parse().unwrap());
        let lambda: f64 = case.params.get("lam").map_or(0.0, |v| v.parse().unwrap());
        let red = match case.params["reduction"].as_str() {
            "mean" => Reduction::Mean,
            "sum" => Reduction::Sum,
            _ => Reduction::None,
        };
        let tol = torch_tol(&case.dtype);
        let (value, grad, values): (f64, Vec<f64>, Vec<f64>) = if case.dtype == "f32" {
            let z: Vec<f32> = case.vecs["logits"].iter().map(|&v| v as f32).collect();
            let cw: Option<Vec<f32>> = case
                .vecs
                .get("class_weight")
                .map(|v| v.iter().map(|&x| x as f32).collect());
            let o = ce_gpu(
                &stream,
                &z,
                &t,
                c,
                cw.as_deref(),
                None,
                eps,
                lambda,
                red,
                false,
            );
            (
                o.result.unwrap().value as f64,
                o.grad.iter().map(|&g| g as f64).collect(),
                o.values.iter().map(|&g| g as f64).collect(),
            )
        } else {
            let z = case.vecs["logits"].clone();
            let o = ce_gpu(
                &stream,
                &z,
                &t,
                c,
                case.vecs.get("class_weight").map(|v| v.as_slice()),
                None,
                eps,
                lambda,
                red,
                false,
            );
            (o.result.unwrap().value, o.grad, o.values)
        };
        let want = &case.vecs["value"];
        if red == Reduction::None {
            for (a, b) in values.iter().zip(want) {
                assert_close(&case.name, *a, *b, tol, tol);
            }
        } else {
            assert_close(&case.name, value, want[0], tol, tol);
        }
        for (a, b) in grad.iter().zip(&case.vecs["grad"]) {
            assert_close(&case.name, *a, *b, tol, tol);
        }
        checked += 1;
    }
    assert!(checked > 100);
}
