//! No C entry point allocates: a counting global allocator around calls of every entry
//! point, on success and on every kind of failure (the error message is kept in a
//! fixed-size thread-local buffer).

use crate::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

// Both the switch and the count are per thread, so tests running in parallel do not see
// each other's allocations.
std::thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(|c| c.get()) {
            ALLOCATIONS.with(|n| n.set(n.get() + 1));
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f` on this thread.
pub(crate) fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn the_counter_sees_an_allocation() {
    assert!(allocations(|| drop(std::hint::black_box(vec![1u8; 64]))) > 0);
}

type Plain32 = unsafe extern "C" fn(
    *const f32,
    *const f32,
    *const f32,
    usize,
    *const lk_options,
    *mut f32,
    *mut f32,
) -> lk_status;
type Plain64 = unsafe extern "C" fn(
    *const f64,
    *const f64,
    *const f64,
    usize,
    *const lk_options,
    *mut f64,
    *mut f64,
) -> lk_status;
type Param64 = unsafe extern "C" fn(
    *const f64,
    *const f64,
    *const f64,
    usize,
    f64,
    *const lk_options,
    *mut f64,
    *mut f64,
) -> lk_status;

#[test]
fn regression_entry_points_do_not_allocate() {
    let p32 = [0.5f32, 1.5, -2.0, 3.0, 0.25, 1.0];
    let y32 = [0.0f32, 1.0, -1.0, 2.0, 0.5, -9999.0];
    let p64 = p32.map(f64::from);
    let y64 = y32.map(f64::from);
    let w64 = [1.0f64, 2.0, 0.5, 1.0, 0.0, 1.0];
    let mask = [1u8, 1, 0, 1, 1, 1];
    let mut g32 = [0.0f32; 6];
    let mut g64 = [0.0f64; 6];
    let mut out64 = [0.0f64; 6];
    let mut out32 = [0.0f32; 6];
    let mut part = lk_partial::default();
    let mut msg = [0 as core::ffi::c_char; 64];
    let plain32: [Plain32; 8] = [
        lk_mse_f32,
        lk_mae_f32,
        lk_rmse_f32,
        lk_mean_error_f32,
        lk_msle_f32,
        lk_mape_f32,
        lk_mpe_f32,
        lk_log_cosh_f32,
    ];
    let plain64: [Plain64; 8] = [
        lk_mse_f64,
        lk_mae_f64,
        lk_rmse_f64,
        lk_mean_error_f64,
        lk_msle_f64,
        lk_mape_f64,
        lk_mpe_f64,
        lk_log_cosh_f64,
    ];
    let param64: [Param64; 3] = [lk_huber_f64, lk_scale_free_huber_f64, lk_smooth_l1_f64];
    let mut opts = [lk_options_default(); 5];
    opts[1].reduction = LK_REDUCTION_SUM;
    opts[1].mask = mask.as_ptr();
    opts[2].reduction = LK_REDUCTION_PARTIAL;
    opts[2].partial = &mut part;
    opts[3].use_magic = 1;
    opts[3].row_len = 3;
    opts[3].grad_accumulate = 1;
    opts[4].reduction = 42; // a bad enum: the failure path must not allocate either
    let n = allocations(|| unsafe {
        for o in &opts {
            for f in plain32 {
                f(
                    p32.as_ptr(),
                    y32.as_ptr(),
                    core::ptr::null(),
                    6,
                    o,
                    out32.as_mut_ptr(),
                    g32.as_mut_ptr(),
                );
            }
            for f in plain64 {
                f(
                    p64.as_ptr(),
                    y64.as_ptr(),
                    w64.as_ptr(),
                    6,
                    o,
                    out64.as_mut_ptr(),
                    g64.as_mut_ptr(),
                );
            }
            for f in param64 {
                f(
                    p64.as_ptr(),
                    y64.as_ptr(),
                    w64.as_ptr(),
                    6,
                    0.5,
                    o,
                    out64.as_mut_ptr(),
                    g64.as_mut_ptr(),
                );
                f(
                    p64.as_ptr(),
                    y64.as_ptr(),
                    w64.as_ptr(),
                    6,
                    -1.0,
                    o,
                    out64.as_mut_ptr(),
                    g64.as_mut_ptr(),
                );
            }
        }
        // Merging partials and their mean, success and failure paths.
        let mut merged = lk_partial::default();
        lk_partial_merge(&mut merged, &part);
        lk_partial_merge(&mut merged, core::ptr::null());
        lk_partial_mean(&merged, LK_EMPTY_ERROR, out64.as_mut_ptr());
        lk_partial_mean(&lk_partial::default(), LK_EMPTY_ERROR, out64.as_mut_ptr());
        lk_partial_mean(&merged, 9, out64.as_mut_ptr());
        lk_huber_f32(
            p32.as_ptr(),
            y32.as_ptr(),
            core::ptr::null(),
            6,
            1.0,
            core::ptr::null(),
            out32.as_mut_ptr(),
            g32.as_mut_ptr(),
        );
        lk_smooth_l1_f32(
            p32.as_ptr(),
            y32.as_ptr(),
            core::ptr::null(),
            6,
            1.0,
            core::ptr::null(),
            out32.as_mut_ptr(),
            g32.as_mut_ptr(),
        );
        lk_scale_free_huber_f32(
            p32.as_ptr(),
            y32.as_ptr(),
            core::ptr::null(),
            6,
            1.0,
            core::ptr::null(),
            out32.as_mut_ptr(),
            g32.as_mut_ptr(),
        );
        // NULL and aliasing failures.
        lk_mse_f64(
            core::ptr::null(),
            y64.as_ptr(),
            core::ptr::null(),
            6,
            core::ptr::null(),
            out64.as_mut_ptr(),
            core::ptr::null_mut(),
        );
        lk_mse_f64(
            p64.as_ptr(),
            y64.as_ptr(),
            core::ptr::null(),
            6,
            core::ptr::null(),
            out64.as_mut_ptr(),
            out64.as_mut_ptr(),
        );
        lk_last_error_message(msg.as_mut_ptr(), msg.len());
        lk_status_name(LK_ERR_ALIASING);
        lk_version();
    });
    assert_eq!(n, 0, "C entry points allocated {n} times");
    assert!(part.weight > 0.0, "the calls above really ran");
}
