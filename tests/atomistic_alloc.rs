//! The atomistic losses, epoch metrics and the weighted total allocate nothing: a counting
//! global allocator sees no allocation on this thread while they run.

use losskit::segment::{Batch, Batchwise, EpochMetric, Metric, Property, PropertyLoss};
use losskit::total::Total;
use losskit::{EmptyPolicy, Options};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

std::thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(|c| c.get())
}

#[test]
fn no_allocation() {
    // Inputs are prepared first (allocating is fine here).
    let atoms = 700;
    let ptr: Vec<i64> = vec![0, 100, 100, 350, 700];
    let species: Vec<i64> = (0..atoms).map(|a| [1i64, 6, 8][a % 3]).collect();
    let sw = vec![1.0f64, 2.0, 0.5, 3.0];
    let f_pred: Vec<f64> = (0..3 * atoms).map(|i| (i as f64).sin()).collect();
    let f_true: Vec<f64> = (0..3 * atoms).map(|i| (i as f64 * 0.5).cos()).collect();
    let e_pred = [1.0, 2.0, 3.0, 4.0];
    let e_true = [1.5, 2.5, 2.0, 4.5];
    let mut f_grad = vec![0.0; 3 * atoms];
    let mut e_grad = [0.0; 4];
    let f32_pred: Vec<f32> = f_pred.iter().map(|&x| x as f32).collect();
    let f32_true: Vec<f32> = f_true.iter().map(|&x| x as f32).collect();
    let mut f32_grad = vec![0.0f32; 3 * atoms];
    let sw32 = [1.0f32, 2.0, 0.5, 3.0];

    let before = allocations();
    let mut sink = 0.0;
    let batch = Batch::<f64>::new(&ptr[..], atoms)
        .unwrap()
        .with_species(&species[..])
        .unwrap()
        .with_structure_weights(&sw)
        .unwrap();
    let e_batch = Batch::<f64>::new(&[0usize, 1, 2, 3, 4], 4).unwrap();
    for m in [
        Metric::Mse,
        Metric::Rmse,
        Metric::Mae,
        Metric::Huber(0.5),
        Metric::ScaleFreeHuber(0.5),
    ] {
        for per_species in [false, true] {
            let mut l = PropertyLoss::new(Property::Forces, m);
            l.per_species = per_species;
            sink += l
                .evaluate(
                    &f_pred,
                    &f_true,
                    &batch,
                    &Options::default(),
                    None,
                    Some(&mut f_grad),
                )
                .unwrap()
                .value;
        }
        sink += PropertyLoss::new(Property::PerAtomEnergy, m)
            .evaluate(
                &e_pred,
                &e_true,
                &e_batch,
                &Options::default(),
                None,
                Some(&mut e_grad),
            )
            .unwrap()
            .value;
    }
    let b32 = Batch::<f32>::new(&ptr[..], atoms)
        .unwrap()
        .with_structure_weights(&sw32)
        .unwrap();
    sink += PropertyLoss::new(Property::Forces, Metric::Rmse)
        .evaluate(
            &f32_pred,
            &f32_true,
            &b32,
            &Options::default(),
            None,
            Some(&mut f32_grad),
        )
        .unwrap()
        .value as f64;
    // Errors allocate nothing either.
    assert!(PropertyLoss::new(Property::Forces, Metric::<f64>::Mse)
        .evaluate(
            &f_pred[1..],
            &f_true[1..],
            &batch,
            &Options::default(),
            None,
            None
        )
        .is_err());
    assert!(Batch::<f64>::new(&[0i64, 5, 3], 3).is_err());

    let mut epoch = EpochMetric::new();
    epoch
        .update(Property::Forces, &f_pred, &f_true, &batch)
        .unwrap();
    epoch
        .update(Property::PerAtomEnergy, &e_pred, &e_true, &e_batch)
        .unwrap();
    sink += epoch.rmse(EmptyPolicy::Zero).unwrap();
    let mut bw = Batchwise::new();
    bw.push(1.0, 10);
    sink += bw.mean(EmptyPolicy::Zero).unwrap();

    let mut total = Total::<4>::new();
    let o = Options::default();
    f_grad.iter_mut().for_each(|g| *g = 0.0);
    total
        .term("energy", 1.0, |g| {
            PropertyLoss::new(Property::PerAtomEnergy, Metric::Rmse).evaluate(
                &e_pred,
                &e_true,
                &e_batch,
                &g.apply(o),
                None,
                Some(&mut e_grad),
            )
        })
        .unwrap();
    total
        .term("forces", 10.0, |g| {
            PropertyLoss::new(Property::Forces, Metric::Mse).evaluate(
                &f_pred,
                &f_true,
                &batch,
                &g.apply(o),
                None,
                Some(&mut f_grad),
            )
        })
        .unwrap();
    assert!(total.add("energy", 1.0, 0.0).is_err());
    sink += total.value();
    let after = allocations();
    assert!(sink.is_finite());
    assert_eq!(after - before, 0, "allocations during the calls");
}
