//! No allocation: a counting global allocator (wrapping `System`) counts every allocation
//! made on this test's thread while counting is on, around calls of every function of the
//! probabilistic family (values, both gradients, every reduction, per-row means, the
//! Monte-Carlo cross-entropies with more draws than their stack chunk, and error paths).

use losskit::probabilistic::{
    bce_with_logits_vr, cross_entropy_vr, free_energy, gaussian_kl, gaussian_nll, kl_div, mse_vr,
    poisson_nll, robust_binary_crossentropy, robust_categorical_crossentropy, robust_mse,
    vr_variance, GaussianPrior, KlWeight, MonteCarlo, NormalDraws,
};
use losskit::{GradMode, Options, Real, Reduction};
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

/// Runs every function; returns how many calls succeeded.
fn run_all<T: Real>(o: &Options<'_, T>, rows_ok: bool) -> usize {
    let n = 24;
    let c = |k: usize| T::from_f64(((k * 37) % 11) as f64 / 11.0 - 0.3);
    let x: Vec<T> = (0..n).map(c).collect();
    let pos: Vec<T> = (0..n).map(|k| T::from_f64(0.1 + (k % 5) as f64)).collect();
    let y: Vec<T> = (0..n).map(|k| c(k + 3)).collect();
    let idx: Vec<i64> = (0..6).map(|k| (k % 4) as i64).collect();
    let mut v = vec![T::zero(); n];
    let mut g1 = vec![T::zero(); n];
    let mut g2 = vec![T::zero(); n];
    let none = o.reduction == Reduction::None;
    let rows = n.checked_div(o.row_len).unwrap_or(n);
    fn vals<T>(v: &mut [T], k: usize, none: bool) -> Option<&mut [T]> {
        if none {
            Some(&mut v[..k])
        } else {
            None
        }
    }
    let mut ok = 0;
    let count = allocations(|| {
        ok += black_box(gaussian_nll(
            &x,
            &pos,
            &y,
            true,
            T::from_f64(1e-6),
            o,
            vals(&mut v, rows, none),
            Some(&mut g1),
            Some(&mut g2),
        ))
        .is_ok() as usize;
        ok += black_box(poisson_nll(
            &x,
            &pos,
            true,
            true,
            T::from_f64(1e-8),
            o,
            vals(&mut v, rows, none),
            Some(&mut g1),
        ))
        .is_ok() as usize;
        ok += black_box(robust_mse(
            &x,
            &y,
            &pos,
            &y,
            o,
            vals(&mut v, rows, none),
            Some(&mut g1),
            Some(&mut g2),
        ))
        .is_ok() as usize;
        ok += black_box(kl_div(
            &x,
            &pos,
            false,
            o,
            vals(&mut v, rows, none),
            Some(&mut g1),
        ))
        .is_ok() as usize;
        if o.magic.is_none() {
            ok += black_box(gaussian_kl(
                &x,
                &y,
                &GaussianPrior::default(),
                o,
                vals(&mut v, rows, none),
                Some(&mut g1),
                Some(&mut g2),
            ))
            .is_ok() as usize;
            ok += black_box(mse_vr(
                &x,
                &pos,
                &y[..12],
                o,
                vals(&mut v, rows, none),
                Some(&mut g1),
                Some(&mut g2),
            ))
            .is_ok() as usize;
            ok += black_box(bce_with_logits_vr(
                &x,
                &pos,
                &pos[..6],
                o,
                vals(&mut v, rows, none),
                None,
                Some(&mut g2),
            ))
            .is_ok() as usize;
        }
        if rows_ok {
            ok += black_box(cross_entropy_vr(
                &x,
                &pos,
                &idx[..3],
                4,
                o,
                vals(&mut v, 6, none),
                Some(&mut g1),
                Some(&mut g2),
            ))
            .is_ok() as usize;
            for draws in [25, 70] {
                let mc = MonteCarlo {
                    draws,
                    normals: NormalDraws::new(5),
                };
                ok += black_box(robust_categorical_crossentropy(
                    &pos,
                    &x,
                    &y,
                    4,
                    mc,
                    o,
                    vals(&mut v, 6, none),
                    Some(&mut g1),
                    Some(&mut g2),
                ))
                .is_ok() as usize;
                ok += black_box(robust_binary_crossentropy(
                    &pos,
                    &x,
                    &y,
                    4,
                    mc,
                    o,
                    vals(&mut v, 6, none),
                    Some(&mut g1),
                    Some(&mut g2),
                ))
                .is_ok() as usize;
            }
        }
        ok += black_box(free_energy(
            T::one(),
            &x,
            &y,
            &GaussianPrior::default(),
            KlWeight::Auto,
            T::one(),
            GradMode::Accumulate,
            Some(&mut g1),
            Some(&mut g2),
        ))
        .is_ok() as usize;
        ok += black_box(vr_variance(
            &x[..12],
            3,
            &y[..12],
            Some(&pos[..4]),
            2,
            2,
            &mut v[..8],
        ))
        .is_ok() as usize;
        // Error paths.
        ok += black_box(gaussian_nll(
            &x,
            &y,
            &y,
            false,
            T::zero(),
            o,
            None,
            Some(&mut g1),
            None,
        ))
        .is_ok() as usize;
        ok += black_box(cross_entropy_vr(&x, &pos, &[9], 4, o, None, None, None)).is_ok() as usize;
        ok += black_box(robust_categorical_crossentropy(
            &pos,
            &x,
            &y,
            5,
            MonteCarlo::default(),
            o,
            None,
            None,
            None,
        ))
        .is_ok() as usize;
    });
    assert_eq!(count, 0, "{} options {:?}", T::NAME, o.reduction);
    ok
}

#[test]
fn probabilistic_family_does_not_allocate() {
    let w = [0.5; 24];
    let wr = [0.5; 6];
    let mask = [1u8; 24];
    for red in [
        Reduction::Mean,
        Reduction::Sum,
        Reduction::None,
        Reduction::Partial,
    ] {
        // 3 error paths among 17 calls: 14 succeed with plain options.
        assert_eq!(
            run_all::<f64>(&Options::default().with_reduction(red), true),
            14
        );
        assert_eq!(
            run_all::<f32>(&Options::default().with_reduction(red), true),
            14
        );
        run_all::<f64>(
            &Options::default().with_reduction(red).with_weights(&wr),
            true,
        );
        run_all::<f64>(
            &Options::default()
                .with_reduction(red)
                .with_weights(&w)
                .with_mask(&mask),
            false,
        );
        assert!(
            run_all::<f64>(
                &Options::default()
                    .with_reduction(red)
                    .with_magic(-9999.0)
                    .with_row_len(4),
                false
            ) >= 5
        );
        run_all::<f32>(
            &Options::default()
                .with_reduction(red)
                .with_magic(-9999.0)
                .with_grad_mode(GradMode::Accumulate),
            true,
        );
    }
}
