//! No allocation: a counting global allocator (wrapping `System`) counts every allocation
//! made on this test's thread while counting is switched on, around calls of every public
//! function of the regression family and of `reduce` (with gradients, values, every
//! reduction and option, and the error paths). The count must stay 0.
//!
//! Counting is per thread (a const thread-local switch) so that the test harness' own
//! allocations on other threads are not counted; the counter itself is an AtomicUsize.

use losskit::pointwise::{evaluate, Pointwise};
use losskit::reduce::{self, CompensatedSum};
use losskit::regression::{self, Huber, LogCosh, ScaleFreeHuber, SmoothL1, SquaredError};
use losskit::{EmptyPolicy, Error, GradMode, Options, Partial, Real, Reduced, Reduction};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn note() {
    if COUNTING.try_with(|c| c.get()).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The number of allocations `f` makes on this thread.
fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

type Out<T> = Result<Reduced<T>, Error>;

/// Every regression function once.
fn all_losses<T: Real>(
    p: &[T],
    y: &[T],
    o: &Options<'_, T>,
    values: &mut [T],
    grad: &mut [T],
    with_values: bool,
    with_grad: bool,
) {
    macro_rules! run {
        ($e:expr) => {{
            let v = if with_values {
                Some(&mut values[..])
            } else {
                None
            };
            let g = if with_grad { Some(&mut grad[..]) } else { None };
            let r: Out<T> = $e(v, g);
            black_box(r).ok();
        }};
    }
    let h = T::from_f64(0.5);
    run!(|v, g| regression::mse(p, y, o, v, g));
    run!(|v, g| regression::mae(p, y, o, v, g));
    run!(|v, g| regression::rmse(p, y, o, v, g));
    run!(|v, g| regression::mean_error(p, y, o, v, g));
    run!(|v, g| regression::msle(p, y, o, v, g));
    run!(|v, g| regression::mape(p, y, o, v, g));
    run!(|v, g| regression::mpe(p, y, o, v, g));
    run!(|v, g| regression::huber(p, y, h, o, v, g));
    run!(|v, g| regression::scale_free_huber(p, y, h, o, v, g));
    run!(|v, g| regression::smooth_l1(p, y, h, o, v, g));
    run!(|v, g| regression::smooth_l1(p, y, T::zero(), o, v, g));
    run!(|v, g| regression::log_cosh(p, y, o, v, g));
    // Bad parameters (error paths).
    run!(|v, g| regression::huber(p, y, -h, o, v, g));
    run!(|v, g| regression::smooth_l1(p, y, T::NAN, o, v, g));
    // The engine directly, with the loss types.
    run!(|v, g| evaluate(&SquaredError, p, y, o, v, g));
    run!(|v, g| evaluate(&LogCosh, p, y, o, v, g));
    run!(|v, g| evaluate(&Huber::new(h).unwrap(), p, y, o, v, g));
    run!(|v, g| evaluate(&ScaleFreeHuber::new(h).unwrap(), p, y, o, v, g));
    run!(|v, g| evaluate(&SmoothL1::new(h).unwrap(), p, y, o, v, g));
}

fn exercise<T: Real>() -> usize {
    // Everything allocated up front.
    let n = 300; // more than one summation block
    let d = 6;
    let p: Vec<T> = (0..n)
        .map(|i| T::from_f64((i as f64 * 0.37).sin()))
        .collect();
    let mut y: Vec<T> = (0..n)
        .map(|i| T::from_f64((i as f64 * 0.11).cos()))
        .collect();
    y[5] = T::from_f64(-9999.0);
    y[7] = T::NAN;
    let w: Vec<T> = (0..n).map(|i| T::from_f64(0.5 + (i % 3) as f64)).collect();
    let mask: Vec<u8> = (0..n).map(|i| u8::from(i % 5 != 0)).collect();
    let zeros = vec![0u8; n];
    let mut values = vec![T::zero(); n];
    let mut row_values = vec![T::zero(); n / d];
    let mut grad = vec![T::zero(); n];
    let mut bad_values = vec![T::zero(); 3];

    let count = allocations(|| {
        for reduction in [
            Reduction::None,
            Reduction::Sum,
            Reduction::Mean,
            Reduction::Partial,
        ] {
            for empty in [EmptyPolicy::Zero, EmptyPolicy::Nan, EmptyPolicy::Error] {
                for mode in [GradMode::Overwrite, GradMode::Accumulate] {
                    let base = Options::default()
                        .with_reduction(reduction)
                        .with_empty(empty)
                        .with_grad_mode(mode)
                        .with_grad_scale(T::from_f64(0.5));
                    let variants = [
                        base,
                        base.with_weights(&w),
                        base.with_mask(&mask),
                        base.with_magic(T::from_f64(-9999.0)),
                        base.with_weights(&w)
                            .with_mask(&mask)
                            .with_magic(T::from_f64(-9999.0)),
                        base.with_mask(&zeros),
                    ];
                    for o in &variants {
                        for (with_values, with_grad) in
                            [(true, true), (true, false), (false, true), (false, false)]
                        {
                            all_losses(&p, &y, o, &mut values, &mut grad, with_values, with_grad);
                            let orow = o.with_row_len(d);
                            all_losses(
                                &p,
                                &y,
                                &orow,
                                &mut row_values,
                                &mut grad,
                                with_values,
                                with_grad,
                            );
                        }
                    }
                    // Error paths: wrong lengths, bad options.
                    all_losses(&p, &y[1..], &base, &mut values, &mut grad, true, true);
                    all_losses(&p, &y, &base, &mut bad_values, &mut grad, true, true);
                    all_losses(
                        &p,
                        &y,
                        &base.with_row_len(7),
                        &mut values,
                        &mut grad,
                        true,
                        true,
                    );
                    all_losses(
                        &p,
                        &y,
                        &base.with_grad_scale(T::NAN),
                        &mut values,
                        &mut grad,
                        true,
                        true,
                    );
                    all_losses(
                        &p[..0],
                        &y[..0],
                        &base,
                        &mut values[..0],
                        &mut grad[..0],
                        true,
                        true,
                    );
                }
            }
        }
        black_box(SquaredError.loss_grad(p[0], y[0]));
        black_box(LogCosh.loss(p[0], y[0]));
        // reduce.
        black_box(reduce::sum(&p));
        black_box(reduce::mean(&p));
        black_box(reduce::mean::<T>(&[]));
        black_box(reduce::blocked_sum::<T>(n, |i| p[i].to_f64()));
        let mut c = CompensatedSum::new();
        for v in &p {
            c.add(v.to_f64());
        }
        black_box(c.value());
        let a = Partial::new(1.0, 2.0);
        let m = a.merge(Partial::default());
        black_box(m.mean(EmptyPolicy::Zero).ok());
        let b = Partial::from_sums(c, c);
        black_box(b.merge(m).mean(EmptyPolicy::Zero).ok());
        black_box(reduce::blocked_sum_compensated::<T>(n, |i| p[i].to_f64()).split());
        black_box(Partial::default().mean(EmptyPolicy::Error).err());
        black_box(Error::EmptyMean.code());
    });
    black_box((&values, &row_values, &grad));
    count
}

#[test]
fn no_allocation() {
    // The counter works: an allocation inside the window is seen.
    let seen = allocations(|| {
        black_box(Vec::<u8>::with_capacity(16));
    });
    assert_eq!(seen, 1);
    assert_eq!(exercise::<f64>(), 0, "allocations in the f64 calls");
    assert_eq!(exercise::<f32>(), 0, "allocations in the f32 calls");
}
