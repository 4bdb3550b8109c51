//! Every classification function runs without allocating: a counting global allocator
//! records allocations made while the calls run (one test in this binary, so no other test
//! thread allocates meanwhile).

use losskit::binary::*;
use losskit::rowwise::*;
use losskit::{math, Options, Real, Reduction, ASTRONN_MAGIC};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

struct Counting;

static ACTIVE: AtomicBool = AtomicBool::new(false);
static COUNT: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if ACTIVE.load(Ordering::SeqCst) {
            COUNT.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs every function once on `x` (rows × 700 classes, so that the online softmax takes
/// several chunks) with values and gradients, inside the counting window.
fn run_all<T: Real>(x: &[T], rows: usize) -> usize {
    let classes = x.len() / rows;
    let y: Vec<i64> = (0..rows as i64)
        .map(|r| if r == 1 { -100 } else { r % classes as i64 })
        .collect();
    let t: Vec<T> = x
        .iter()
        .map(|&v| if v > T::zero() { T::one() } else { T::zero() })
        .collect();
    let p: Vec<T> = x.iter().map(|&v| math::sigmoid(v)).collect();
    let cw: Vec<T> = (0..classes)
        .map(|k| T::from_f64(0.5 + (k % 3) as f64))
        .collect();
    let pw: Vec<T> = (0..classes).map(|_| T::from_f64(2.0)).collect();
    let mut grad = vec![T::zero(); x.len()];
    let mut values = vec![T::zero(); x.len()];
    let mut in_place = x.to_vec();
    let none = Options::default().with_reduction(Reduction::None);
    let mean = Options::default();
    let astro = Options::default().with_magic(T::from_f64(ASTRONN_MAGIC));
    let ce = CrossEntropy {
        class_weights: Some(&cw),
        label_smoothing: T::from_f64(0.1),
        z_loss: T::from_f64(1e-4),
        ..CrossEntropy::default()
    };
    COUNT.store(0, Ordering::SeqCst);
    ACTIVE.store(true, Ordering::SeqCst);
    let n = x.len();
    let v = &mut values[..];
    let g = &mut grad[..];
    bce(&p, &t, &none, Some(&mut v[..n]), Some(g)).unwrap();
    bce_with_logits(x, &t, Some(&pw), &mean, None, Some(g)).unwrap();
    binary_focal(x, &t, T::from_f64(2.0), &mean, None, Some(g)).unwrap();
    astronn_bce(&p, &t, false, &astro.with_row_len(classes), None, Some(g)).unwrap();
    binary_accuracy(x, &t, true, &none, Some(&mut v[..n])).unwrap();
    cross_entropy(x, &y, classes, &ce, &none, Some(&mut v[..rows]), Some(g)).unwrap();
    cross_entropy_in_place(&mut in_place, &y, classes, &ce, &mean, None).unwrap();
    cross_entropy_probs(
        x,
        &p,
        classes,
        &ProbCrossEntropy::default(),
        &mean,
        None,
        Some(g),
    )
    .unwrap();
    nll(x, &y, classes, &Nll::default(), &mean, None, Some(g)).unwrap();
    focal(x, &y, classes, &Focal::default(), &mean, None, Some(g)).unwrap();
    categorical_accuracy(x, &y, classes, Some(-100), &mean, None).unwrap();
    astronn_categorical_crossentropy(x, &t, classes, true, &astro, None, Some(g)).unwrap();
    astronn_categorical_crossentropy(&p, &t, classes, false, &astro, None, Some(g)).unwrap();
    astronn_categorical_accuracy(x, &t, classes, &astro, None).unwrap();
    math::logsumexp(x);
    ACTIVE.store(false, Ordering::SeqCst);
    COUNT.load(Ordering::SeqCst)
}

#[test]
fn classification_functions_do_not_allocate() {
    let x: Vec<f64> = (0..3 * 700)
        .map(|i| ((i * 37 % 101) as f64) * 0.1 - 5.0 + (i % 700) as f64 * 0.01)
        .collect();
    let xf: Vec<f32> = x.iter().map(|&v| v as f32).collect();
    assert_eq!(run_all(&x, 3), 0, "f64 calls allocated");
    assert_eq!(run_all(&xf, 3), 0, "f32 calls allocated");
    // The counter works.
    ACTIVE.store(true, Ordering::SeqCst);
    let v = vec![1u8; 10];
    ACTIVE.store(false, Ordering::SeqCst);
    drop(v);
    assert!(COUNT.load(Ordering::SeqCst) > 0);
}
