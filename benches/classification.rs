//! Classification losses, f32 value + gradient in one call, in the same run as the floor
//! kernels (the same bytes moved with no math; see benches/common) and a naive two-pass
//! implementation written here with std's `exp`/`ln` (one pass for the loss, a second
//! recomputing the softmax for the gradient).
//!
//! * BCE with logits (and binary focal) at n = 10^3, 10^5, 10^6: floor `read2_write1`;
//! * softmax cross-entropy on 100×10, 1024×1000 and 65536×10: floor `read1_write1`
//!   (logits in, gradient out).
//!
//! Run: `cargo bench --bench classification` (the default build; runtime dispatch picks the
//! vector path, `LOSSKIT_CPU=baseline` forces SSE2). Compare with
//! `python3 benches/torch_baseline.py`.
mod common;

use common::{read1_write1, read2_write1};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use losskit::binary::{bce_with_logits, binary_focal};
use losskit::rowwise::{cross_entropy, cross_entropy_in_place, CrossEntropy};
use losskit::Options;
use std::time::Duration;

/// Deterministic pseudo-random numbers in [−4, 4).
fn data(n: usize, seed: u64) -> Vec<f32> {
    common::data(n, seed, -4.0, 4.0)
}

/// Naive mean softmax cross-entropy and its gradient: pass 1 per row for the loss, pass 2
/// recomputing the exponentials for the gradient.
fn naive_ce(x: &[f32], y: &[i64], classes: usize, grad: &mut [f32]) -> f32 {
    let rows = y.len();
    let mut total = 0.0f32;
    for r in 0..rows {
        let row = &x[r * classes..(r + 1) * classes];
        let m = row.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
        let s: f32 = row.iter().map(|v| (v - m).exp()).sum();
        total += s.ln() - (row[y[r] as usize] - m);
    }
    for r in 0..rows {
        let row = &x[r * classes..(r + 1) * classes];
        let g = &mut grad[r * classes..(r + 1) * classes];
        let m = row.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
        let s: f32 = row.iter().map(|v| (v - m).exp()).sum();
        for (k, (g, v)) in g.iter_mut().zip(row).enumerate() {
            let p = (v - m).exp() / s;
            *g = (p - if k == y[r] as usize { 1.0 } else { 0.0 }) / rows as f32;
        }
    }
    total / rows as f32
}

/// Naive mean BCE with logits and its gradient.
fn naive_bce(z: &[f32], t: &[f32], grad: &mut [f32]) -> f32 {
    let n = z.len() as f32;
    let mut total = 0.0f32;
    for ((&z, &t), g) in z.iter().zip(t).zip(grad.iter_mut()) {
        total += z.max(0.0) - z * t + (-z.abs()).exp().ln_1p();
        *g = (1.0 / (1.0 + (-z).exp()) - t) / n;
    }
    total / n
}

fn cross_entropy_bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("cross_entropy_f32");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(700));
    for (rows, classes) in [(100usize, 10usize), (1024, 1000), (65536, 10)] {
        let x = data(rows * classes, 1);
        let y: Vec<i64> = (0..rows).map(|r| ((r * 7919) % classes) as i64).collect();
        let mut grad = vec![0.0f32; x.len()];
        let shape = format!("{rows}x{classes}");
        group.throughput(Throughput::Elements(x.len() as u64));
        let params = CrossEntropy::default();
        let opts = Options::default();
        group.bench_function(BenchmarkId::new("floor_read1_write1", &shape), |b| {
            b.iter(|| read1_write1(black_box(&x), &mut grad))
        });
        group.bench_function(BenchmarkId::new("losskit", &shape), |b| {
            b.iter(|| {
                cross_entropy(
                    black_box(&x),
                    &y,
                    classes,
                    &params,
                    &opts,
                    None,
                    Some(&mut grad),
                )
                .unwrap()
                .value
            })
        });
        let mut buf = x.clone();
        group.bench_function(BenchmarkId::new("losskit_in_place", &shape), |b| {
            b.iter(|| {
                buf.copy_from_slice(&x);
                cross_entropy_in_place(black_box(&mut buf), &y, classes, &params, &opts, None)
                    .unwrap()
                    .value
            })
        });
        group.bench_function(BenchmarkId::new("naive_two_pass", &shape), |b| {
            b.iter(|| naive_ce(black_box(&x), &y, classes, &mut grad))
        });
        if classes == 1000 {
            let x64: Vec<f64> = x.iter().map(|&v| v as f64).collect();
            let mut g64 = vec![0.0f64; x.len()];
            group.bench_function(BenchmarkId::new("losskit_f64", &shape), |b| {
                b.iter(|| {
                    cross_entropy(
                        black_box(&x64),
                        &y,
                        classes,
                        &CrossEntropy::default(),
                        &Options::default(),
                        None,
                        Some(&mut g64),
                    )
                    .unwrap()
                    .value
                })
            });
        }
    }
    group.finish();
}

fn bce_bench(c: &mut Criterion) {
    for n in [1_000usize, 100_000, 1_000_000] {
        let mut group = c.benchmark_group(format!("binary_n{n}"));
        group
            .sample_size(20)
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(700));
        let z = data(n, 2);
        let t: Vec<f32> = data(n, 3).iter().map(|v| (v + 4.0) / 8.0).collect();
        let mut grad = vec![0.0f32; n];
        group.throughput(Throughput::Elements(n as u64));
        let opts = Options::default();
        group.bench_function("floor/read2_write1", |b| {
            b.iter(|| read2_write1(black_box(&z), &t, &mut grad))
        });
        group.bench_function("value+grad/bce_with_logits", |b| {
            b.iter(|| {
                bce_with_logits(black_box(&z), &t, None, &opts, None, Some(&mut grad))
                    .unwrap()
                    .value
            })
        });
        group.bench_function("value+grad/binary_focal", |b| {
            b.iter(|| {
                binary_focal(black_box(&z), &t, 2.0, &opts, None, Some(&mut grad))
                    .unwrap()
                    .value
            })
        });
        let z64: Vec<f64> = z.iter().map(|&v| v as f64).collect();
        let t64: Vec<f64> = t.iter().map(|&v| v as f64).collect();
        let mut g64 = vec![0.0f64; n];
        group.bench_function("value+grad/bce_with_logits_f64", |b| {
            b.iter(|| {
                bce_with_logits(
                    black_box(&z64),
                    &t64,
                    None,
                    &Options::default(),
                    None,
                    Some(&mut g64),
                )
                .unwrap()
                .value
            })
        });
        group.bench_function("value+grad/binary_focal_f64", |b| {
            b.iter(|| {
                binary_focal(
                    black_box(&z64),
                    &t64,
                    2.0,
                    &Options::default(),
                    None,
                    Some(&mut g64),
                )
                .unwrap()
                .value
            })
        });
        group.bench_function("naive/bce_with_logits", |b| {
            b.iter(|| naive_bce(black_box(&z), &t, &mut grad))
        });
        group.finish();
    }
}

criterion_group!(benches, cross_entropy_bench, bce_bench);
criterion_main!(benches);
