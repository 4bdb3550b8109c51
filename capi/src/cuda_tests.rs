//! The C ABI of the CUDA path (`lk_cuda_*`, feature `cuda`).
//!
//! Without a GPU: `lk_cuda_available` and every valid call return LK_ERR_NO_DEVICE (no
//! panic, no abort), and the host-side checks (NULL, misalignment, overlap, enums,
//! parameters, workspace size) come first with their own status. With a GPU the entry
//! points are compared with the CPU entry points on the same data, in place and device-side
//! errors included; without one those tests print "skipped: no CUDA device", and fail when
//! LOSSKIT_REQUIRE_GPU=1.
//!
//! (A unit-test module: the C library is a staticlib/cdylib, which integration tests
//! cannot link as a Rust crate.)

use crate::*;
use core::ffi::c_void;
use core::ptr::{null, null_mut};
use losskit_core::cuda::cudarc::driver::{CudaContext, CudaStream};
use std::sync::Arc;

fn last_message() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: buf holds 256 bytes.
    let n = unsafe { lk_last_error_message(buf.as_mut_ptr().cast(), buf.len()) };
    String::from_utf8_lossy(&buf[..n.min(255)]).into_owned()
}

fn name(status: lk_status) -> String {
    // SAFETY: lk_status_name returns a static NUL-terminated string.
    unsafe { std::ffi::CStr::from_ptr(lk_status_name(status)) }
        .to_string_lossy()
        .into_owned()
}

fn require_gpu() -> bool {
    std::env::var("LOSSKIT_REQUIRE_GPU").is_ok_and(|v| v == "1")
}

fn gpu() -> Option<Arc<CudaStream>> {
    if lk_cuda_available() == LK_OK {
        if let Ok(s) = CudaContext::new(0).and_then(|c| c.new_stream()) {
            return Some(s);
        }
    }
    assert!(!require_gpu(), "LOSSKIT_REQUIRE_GPU=1 but no CUDA device");
    println!("skipped: no CUDA device");
    None
}

// Fake device addresses: only checked on the host (never dereferenced without a device).
const PRED: usize = 0x10_0000;
const TARGET: usize = 0x20_0000;
const OUT: usize = 0x30_0000;
const GRAD: usize = 0x40_0000;
const WS: usize = 0x50_0000;

unsafe fn mse(
    n: usize,
    pred: usize,
    opts: *const lk_options,
    out: usize,
    grad: usize,
    ws: usize,
    ws_bytes: usize,
) -> lk_status {
    // SAFETY: forwarded to the test's caller.
    unsafe {
        lk_cuda_mse_f32(
            pred as *const f32,
            TARGET as *const f32,
            null(),
            n,
            opts,
            out as *mut f32,
            grad as *mut f32,
            ws as *mut c_void,
            ws_bytes,
            null_mut(),
        )
    }
}

#[test]
fn status_names_and_availability() {
    assert_eq!(LK_ERR_NO_DEVICE, 13);
    assert_eq!(LK_ERR_CUDA, 14);
    assert_eq!(name(LK_ERR_NO_DEVICE), "LK_ERR_NO_DEVICE");
    assert_eq!(name(LK_ERR_CUDA), "LK_ERR_CUDA");
    let a = lk_cuda_available();
    assert!(
        a == LK_OK || a == LK_ERR_NO_DEVICE || a == LK_ERR_CUDA,
        "{a}"
    );
    if a != LK_OK {
        assert!(!require_gpu());
        assert!(last_message().contains("CUDA"), "{}", last_message());
    }
    assert_eq!(lk_cuda_elementwise_workspace_size(0), 152);
    assert_eq!(lk_cuda_elementwise_workspace_size(usize::MAX), 49_280);
    assert!(lk_cuda_cross_entropy_workspace_size(usize::MAX, 3) <= 49_280);
}

#[test]
fn host_checks_come_before_the_device() {
    let n = 100;
    let ws = lk_cuda_elementwise_workspace_size(n);
    // SAFETY: the pointers are fake device addresses; every call below fails on the host.
    unsafe {
        assert_eq!(mse(n, 0, null(), OUT, GRAD, WS, ws), LK_ERR_NULL_POINTER);
        assert_eq!(
            mse(n, PRED + 2, null(), OUT, GRAD, WS, ws),
            LK_ERR_MISALIGNED
        );
        assert_eq!(mse(n, PRED, null(), 0, GRAD, WS, ws), LK_ERR_NULL_POINTER);
        assert_eq!(mse(n, PRED, null(), OUT, PRED + 8, WS, ws), LK_ERR_ALIASING);
        assert_eq!(mse(n, PRED, null(), OUT, GRAD, 0, ws), LK_ERR_NULL_POINTER);
        assert_eq!(
            mse(n, PRED, null(), OUT, GRAD, WS, 16),
            LK_ERR_LENGTH_MISMATCH
        );
        assert_eq!(mse(n, PRED, null(), OUT, GRAD, OUT, ws), LK_ERR_ALIASING);
        let mut o = lk_options_default();
        o.reduction = 9;
        assert_eq!(mse(n, PRED, &o, OUT, GRAD, WS, ws), LK_ERR_BAD_ENUM);
        let mut o = lk_options_default();
        o.row_len = 10;
        assert_eq!(mse(n, PRED, &o, OUT, GRAD, WS, ws), LK_ERR_BAD_PARAMETER);
        assert!(last_message().contains("row_len"));
        let mut o = lk_options_default();
        o.grad_scale = f64::NAN;
        assert_eq!(mse(n, PRED, &o, OUT, GRAD, WS, ws), LK_ERR_BAD_PARAMETER);
        let mut o = lk_options_default();
        o.reduction = LK_REDUCTION_PARTIAL;
        assert_eq!(mse(n, PRED, &o, OUT, GRAD, WS, ws), LK_ERR_NULL_POINTER);
        assert_eq!(
            lk_cuda_huber_f64(
                PRED as _,
                TARGET as _,
                null(),
                n,
                -1.0,
                null(),
                OUT as _,
                GRAD as _,
                WS as _,
                ws,
                null_mut()
            ),
            LK_ERR_BAD_PARAMETER
        );
        let mut o = lk_options_default();
        o.reduction = LK_REDUCTION_NONE;
        assert_eq!(
            lk_cuda_rmse_f32(
                PRED as _,
                TARGET as _,
                null(),
                n,
                &o,
                OUT as _,
                GRAD as _,
                WS as _,
                ws,
                null_mut()
            ),
            LK_ERR_BAD_PARAMETER
        );
        // BCE: 100 elements are not rows of 3 classes.
        assert_eq!(
            lk_cuda_bce_with_logits_f32(
                PRED as _,
                TARGET as _,
                null(),
                0x60_0000 as _,
                n,
                3,
                null(),
                OUT as _,
                GRAD as _,
                WS as _,
                ws,
                null_mut()
            ),
            LK_ERR_LENGTH_MISMATCH
        );
        // Cross-entropy.
        let (rows, c) = (10usize, 10usize);
        let cws = lk_cuda_cross_entropy_workspace_size(rows, c);
        let ce = |logits: usize, grad: usize, opts: *const lk_options, ls: f32| {
            lk_cuda_cross_entropy_f32(
                logits as _,
                TARGET as _,
                null(),
                rows,
                c,
                -100,
                ls,
                0.0,
                opts,
                OUT as _,
                grad as _,
                WS as _,
                cws,
                null_mut(),
            )
        };
        assert_eq!(ce(PRED, GRAD, null(), 1.5), LK_ERR_BAD_PARAMETER);
        assert_eq!(ce(PRED, PRED + 4, null(), 0.0), LK_ERR_ALIASING);
        let mut o = lk_options_default();
        o.use_magic = 1;
        assert_eq!(ce(PRED, GRAD, &o, 0.0), LK_ERR_BAD_PARAMETER);
        let mut o = lk_options_default();
        o.grad_accumulate = 1;
        assert_eq!(ce(PRED, PRED, &o, 0.0), LK_ERR_BAD_PARAMETER);
        assert_eq!(
            lk_cuda_cross_entropy_f64(
                PRED as _,
                TARGET as _,
                null(),
                rows,
                0,
                -100,
                0.0,
                0.0,
                null(),
                OUT as _,
                GRAD as _,
                WS as _,
                cws,
                null_mut()
            ),
            LK_ERR_BAD_PARAMETER
        );
        assert_eq!(
            lk_cuda_workspace_status(null(), null_mut()),
            LK_ERR_NULL_POINTER
        );
    }
}

#[test]
fn valid_calls_without_a_device_return_no_device() {
    if lk_cuda_available() != LK_ERR_NO_DEVICE {
        println!("skipped: a driver is present");
        return;
    }
    let n = 100;
    let ws = lk_cuda_elementwise_workspace_size(n);
    // SAFETY: the driver probe fails before any device address is used.
    unsafe {
        assert_eq!(mse(n, PRED, null(), OUT, GRAD, WS, ws), LK_ERR_NO_DEVICE);
        assert!(
            last_message().contains("no CUDA device"),
            "{}",
            last_message()
        );
        // In place.
        let cws = lk_cuda_cross_entropy_workspace_size(4, 25);
        assert_eq!(
            lk_cuda_cross_entropy_f64(
                PRED as _,
                TARGET as _,
                null(),
                4,
                25,
                -100,
                0.1,
                1e-4,
                null(),
                OUT as _,
                PRED as _,
                WS as _,
                cws,
                null_mut()
            ),
            LK_ERR_NO_DEVICE
        );
        assert_eq!(
            lk_cuda_workspace_status(WS as _, null_mut()),
            LK_ERR_NO_DEVICE
        );
    }
}

#[test]
fn gpu_entry_points_match_the_cpu_ones() {
    let Some(s) = gpu() else { return };
    use losskit_core::cuda::cudarc::driver::{DevicePtr, DevicePtrMut};
    let n = 10_007;
    let p: Vec<f32> = (0..n)
        .map(|i| ((i * 37 % 101) as f32) / 25.0 - 2.0)
        .collect();
    let y: Vec<f32> = (0..n)
        .map(|i| ((i * 53 % 97) as f32) / 30.0 - 1.5)
        .collect();
    let mask: Vec<u8> = (0..n).map(|i| (i % 5 != 0) as u8).collect();
    let (dp, dy, dm) = (
        s.clone_htod(&p).unwrap(),
        s.clone_htod(&y).unwrap(),
        s.clone_htod(&mask).unwrap(),
    );
    let mut dout = s.alloc_zeros::<f32>(1).unwrap();
    let mut dgrad = s.alloc_zeros::<f32>(n).unwrap();
    let mut dpartial = s.alloc_zeros::<f64>(2).unwrap();
    let ws_bytes = lk_cuda_elementwise_workspace_size(n);
    let mut dws = s.alloc_zeros::<u8>(ws_bytes).unwrap();
    let stream = s.cu_stream() as *mut c_void;
    {
        let (pp, _a) = dp.device_ptr(&s);
        let (yp, _b) = dy.device_ptr(&s);
        let (mp, _c) = dm.device_ptr(&s);
        let (op, _d) = dout.device_ptr_mut(&s);
        let (gp, _e) = dgrad.device_ptr_mut(&s);
        let (pa, _f) = dpartial.device_ptr_mut(&s);
        let (wp, _g) = dws.device_ptr_mut(&s);
        let mut o = lk_options_default();
        o.mask = mp as *const u8;
        o.partial = pa as *mut lk_partial;
        // SAFETY: device buffers of the stated sizes on this stream.
        unsafe {
            let st = lk_cuda_huber_f32(
                pp as _,
                yp as _,
                null(),
                n,
                0.8,
                &o,
                op as _,
                gp as _,
                wp as _,
                ws_bytes,
                stream,
            );
            assert_eq!(st, LK_OK, "{}", last_message());
            assert_eq!(lk_cuda_workspace_status(wp as _, stream), LK_OK);
        }
    }
    let out = s.clone_dtoh(&dout).unwrap();
    let grad = s.clone_dtoh(&dgrad).unwrap();
    let partial = s.clone_dtoh(&dpartial).unwrap();
    let mut o = lk_options_default();
    o.mask = mask.as_ptr();
    let mut cpu_out = 0.0f32;
    let mut cpu_grad = vec![0.0f32; n];
    // SAFETY: host buffers of n values.
    let st = unsafe {
        lk_huber_f32(
            p.as_ptr(),
            y.as_ptr(),
            null(),
            n,
            0.8,
            &o,
            &mut cpu_out,
            cpu_grad.as_mut_ptr(),
        )
    };
    assert_eq!(st, LK_OK);
    assert!(
        (out[0] - cpu_out).abs() <= 2e-5 * cpu_out.abs(),
        "{} vs {cpu_out}",
        out[0]
    );
    assert_eq!(partial[1], mask.iter().filter(|&&m| m != 0).count() as f64);
    for (a, b) in grad.iter().zip(&cpu_grad) {
        assert!((a - b).abs() <= 2e-5 * b.abs() + 1e-12, "{a} vs {b}");
    }

    // Cross-entropy in place, and a device-side index error.
    let (rows, c) = (64usize, 33usize);
    let z: Vec<f64> = (0..rows * c)
        .map(|i| ((i * 29 % 61) as f64) / 10.0 - 3.0)
        .collect();
    let mut t: Vec<i64> = (0..rows as i64).map(|r| r % 33).collect();
    let ce = |t: &[i64]| -> (lk_status, f64, Vec<f64>) {
        let mut dz = s.clone_htod(&z).unwrap();
        let dt = s.clone_htod(t).unwrap();
        let mut dout = s.alloc_zeros::<f64>(1).unwrap();
        let bytes = lk_cuda_cross_entropy_workspace_size(rows, c);
        let mut dws = s.alloc_zeros::<u8>(bytes).unwrap();
        let status = {
            let (zp, _a) = dz.device_ptr_mut(&s);
            let (tp, _b) = dt.device_ptr(&s);
            let (op, _c) = dout.device_ptr_mut(&s);
            let (wp, _d) = dws.device_ptr_mut(&s);
            // SAFETY: device buffers of the stated sizes; grad = logits (in place).
            unsafe {
                let st = lk_cuda_cross_entropy_f64(
                    zp as _,
                    tp as _,
                    null(),
                    rows,
                    c,
                    -100,
                    0.1,
                    0.0,
                    null(),
                    op as _,
                    zp as _,
                    wp as _,
                    bytes,
                    stream,
                );
                assert_eq!(st, LK_OK, "{}", last_message());
                lk_cuda_workspace_status(wp as _, stream)
            }
        };
        (
            status,
            s.clone_dtoh(&dout).unwrap()[0],
            s.clone_dtoh(&dz).unwrap(),
        )
    };
    let (st, value, grad) = ce(&t);
    assert_eq!(st, LK_OK);
    // Reference: f64, label smoothing 0.1.
    let mut want = 0.0;
    let mut want_grad = vec![0.0; rows * c];
    for r in 0..rows {
        let zr = &z[r * c..(r + 1) * c];
        let m = zr.iter().cloned().fold(f64::MIN, f64::max);
        let lse = m + zr.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        let yr = t[r] as usize;
        want += 0.9 * (lse - zr[yr]) + 0.1 / c as f64 * zr.iter().map(|v| lse - v).sum::<f64>();
        for k in 0..c {
            let g = (zr[k] - lse).exp() - 0.1 / c as f64 - if k == yr { 0.9 } else { 0.0 };
            want_grad[r * c + k] = g / rows as f64;
        }
    }
    want /= rows as f64;
    assert!(
        (value - want).abs() <= 1e-12 * want.abs(),
        "{value} vs {want}"
    );
    for (a, b) in grad.iter().zip(&want_grad) {
        assert!((a - b).abs() <= 1e-12 * b.abs() + 1e-16, "{a} vs {b}");
    }
    t[17] = 40;
    let (st, _, grad) = ce(&t);
    assert_eq!(st, LK_ERR_INDEX_OUT_OF_RANGE);
    assert!(last_message().contains("17"), "{}", last_message());
    assert_eq!(grad, z, "nothing written on a device-side error");
}
