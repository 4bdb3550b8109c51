//! Classification losses, value and gradient in one call, against a naive two-pass
//! implementation written here with std's `exp`/`ln` (one pass for the loss, a second
//! recomputing the softmax for the gradient).
//!
//! Run: `cargo bench --bench classification` (add `RUSTFLAGS="-C target-cpu=native"` to let
//! the vector loops use AVX2/AVX-512). Compare with `python3 benches/torch_classification.py`.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use losskit::binary::bce_with_logits;
use losskit::rowwise::{cross_entropy, cross_entropy_in_place, CrossEntropy};
use losskit::Options;
use std::time::Duration;

/// Deterministic pseudo-random numbers in [−4, 4).
fn data(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 8.0 - 4.0
        })
        .collect()
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
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (rows, classes) in [(1024usize, 1000usize), (65536, 10)] {
        let x = data(rows * classes, 1);
        let y: Vec<i64> = (0..rows).map(|r| ((r * 7919) % classes) as i64).collect();
        let mut grad = vec![0.0f32; x.len()];
        let shape = format!("{rows}x{classes}");
        group.throughput(Throughput::Elements(x.len() as u64));
        let params = CrossEntropy::default();
        let opts = Options::default();
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
    }
    group.finish();
}

fn bce_bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("bce_with_logits_f32");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let n = 10_000_000;
    let z = data(n, 2);
    let t: Vec<f32> = data(n, 3).iter().map(|v| (v + 4.0) / 8.0).collect();
    let mut grad = vec![0.0f32; n];
    group.throughput(Throughput::Elements(n as u64));
    let opts = Options::default();
    group.bench_function(BenchmarkId::new("losskit", "1e7"), |b| {
        b.iter(|| {
            bce_with_logits(black_box(&z), &t, None, &opts, None, Some(&mut grad))
                .unwrap()
                .value
        })
    });
    group.bench_function(BenchmarkId::new("naive", "1e7"), |b| {
        b.iter(|| naive_bce(black_box(&z), &t, &mut grad))
    });
    group.finish();
}

criterion_group!(benches, cross_entropy_bench, bce_bench);
criterion_main!(benches);
