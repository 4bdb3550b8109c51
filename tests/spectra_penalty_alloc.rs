//! The spectra terms and the boundary penalties never allocate: a counting global
//! allocator watches every call (values and gradients, f32 and f64, both norms, L = 20 and
//! L = 10^4, the NaN report and error paths).

use losskit::grad::GradOut;
use losskit::penalty::*;
use losskit::spectra::*;
use losskit::GradMode;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if WATCHING.with(|w| w.get()) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns how many allocations it made on this thread.
fn allocations(f: impl FnOnce()) -> usize {
    COUNT.with(|c| c.set(0));
    WATCHING.with(|w| w.set(true));
    f();
    WATCHING.with(|w| w.set(false));
    COUNT.with(|c| c.get())
}

fn spectra_calls<T: losskit::Real>(l: usize) {
    let c = 4;
    let k: Vec<T> = (0..l)
        .map(|j| T::from_f64(10f64.powf(-1.0 + 3.0 * j as f64 / (l - 1) as f64)))
        .collect();
    let y: Vec<T> = (0..c * l)
        .map(|i| T::from_f64(1.0 + ((i * 7919) % 13) as f64 / 10.0))
        .collect();
    let t: Vec<T> = (0..c * l)
        .map(|i| T::from_f64(1.0 + (i % 5) as f64))
        .collect();
    let theta: Vec<T> = (0..50).map(|i| T::from_f64(i as f64 / 50.0)).collect();
    let coh: Vec<T> = (0..30).map(|i| T::from_f64(i as f64 / 30.0)).collect();
    let mut work = vec![0.0; SpectraGrid::workspace_len(l)];
    let mut gy = vec![T::zero(); c * l];
    let mut gt = vec![T::zero(); 50];
    let mut gc = vec![T::zero(); 30];
    let bad = [T::zero(); 3];
    let n = allocations(|| {
        let grid = SpectraGrid::new(&k, T::from_f64(40.0), &mut work).unwrap();
        for norm in [PenaltyNorm::NodeMean, PenaltyNorm::Trapezoid] {
            let p = SpectraParams {
                alpha_pen1: 1e-5,
                alpha_pen2: 1.0,
                beta_reg: 2e-4,
                gamma_coherence: 0.5,
                norm,
            };
            let loss = SpectraLoss::new(grid, p).unwrap();
            let input = SpectraInput::new(&y, &t)
                .with_theta(&theta)
                .with_coherence(&coh, &coh);
            let mut terms = SpectraTerms::default();
            let grads = SpectraGrads {
                model: Some(&mut gy),
                theta: Some(&mut gt),
                coherence: Some(&mut gc),
                scale: T::one(),
                mode: GradMode::Accumulate,
            };
            loss.eval(&input, grads, &mut terms).unwrap();
            loss.eval(&input, SpectraGrads::default(), &mut terms)
                .unwrap();
            // The NaN report and an error path.
            let nan_input = SpectraInput::new(&bad, &bad);
            let short = SpectraInput::new(&y[..3], &t[..3]);
            assert!(loss
                .eval(&nan_input, SpectraGrads::default(), &mut terms)
                .is_err());
            assert!(loss
                .eval(&short, SpectraGrads::default(), &mut terms)
                .is_err());
            slope_penalty(&grid, &y, 1.0, norm, Some(GradOut::new(&mut gy))).unwrap();
            curvature_penalty(&grid, &y, 1.0, norm, Some(GradOut::new(&mut gy))).unwrap();
        }
        log_mse(&grid, &y, &t, Some(GradOut::new(&mut gy))).unwrap();
        weight_regularizer(&theta, 0.1, Some(GradOut::new(&mut gt))).unwrap();
        coherence_mse(&coh, &coh, 0.1, Some(GradOut::new(&mut gc))).unwrap();
    });
    assert_eq!(n, 0, "{} L = {l}: {n} allocations", T::NAME);
}

#[test]
fn spectra_does_not_allocate() {
    spectra_calls::<f32>(20);
    spectra_calls::<f64>(20);
    spectra_calls::<f64>(10_000);
}

#[test]
fn penalties_do_not_allocate() {
    let x: Vec<f64> = (0..1000).map(|i| (i as f64 - 500.0) / 100.0).collect();
    let lo: Vec<f64> = vec![-1.0; 1000];
    let xf: Vec<f32> = x.iter().map(|&v| v as f32).collect();
    let mut g = vec![0.0; 1000];
    let mut g2 = vec![0.0; 1000];
    let mut gf = vec![0f32; 1000];
    let n = allocations(|| {
        summed_exp_boundary_loss(&x, Some(-1.0), Some(1.0), Some(GradOut::new(&mut g))).unwrap();
        summed_exp_boundary_loss(&xf, Some(0.0), None, Some(GradOut::new(&mut gf))).unwrap();
        let reg = BoundaryRegularizer::new(Some(-2.0), Some(2.0)).unwrap();
        reg.loss(&x, None).unwrap();
        assert!(summed_exp_boundary_loss(&x, Some(1.0), Some(-1.0), None).is_err());
        let mut groups = [
            BoundsGroup::new(&x[..])
                .with_lower(Bound::Each(&lo))
                .with_grad(&mut g),
            BoundsGroup::new(&x[..])
                .with_upper(Bound::Scalar(0.5))
                .with_grad(&mut g2),
        ];
        bounds_cost(&mut groups, 1.0, GradMode::Overwrite).unwrap();
        bounds_cost_with(
            3,
            |_| BoundsGroup::new(&x[..]).with_upper(Bound::Scalar(1.0)),
            1.0,
            GradMode::Overwrite,
        )
        .unwrap();
    });
    assert_eq!(n, 0);
}
