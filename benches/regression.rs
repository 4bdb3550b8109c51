//! Regression family, f32 (and MSE in f64), value + gradient in one call, at n = 10^3, 10^5
//! and 10^6, in the same run as:
//! * `floor/read2`: Σ(pᵢ + yᵢ), the bytes of a loss value (2 reads);
//! * `floor/read2_write1`: gᵢ = pᵢ − yᵢ with their sum, the bytes of value + gradient
//!   (2 reads + 1 write), the floor the losses are held to;
//! * `floor/read2_write1_f64`: the same for `f64` data (twice the bytes), the floor of the
//!   `_f64` benches;
//! * `naive/mse`: the loop a user would write (f32 accumulator, a second pass for the
//!   gradient).
//!
//! Both floors are compiled for the widest vector path the CPU has (as the library's hot
//! loops are, through `losskit::dispatch`). `overhead/mse_n1` is one call on one element.
//!
//! Run: `cargo bench --bench regression` (the default build: runtime dispatch picks the
//! path; `LOSSKIT_CPU=baseline` forces SSE2). Filter a size with `-- n1000000`.
//! PyTorch on the same sizes: `python3 benches/torch_baseline.py`.
mod common;

use common::{data, read2, read2_write1, read2_write1_f64};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use losskit::{regression, Options, Reduced};
use std::time::Duration;

type Loss32 = fn(
    &[f32],
    &[f32],
    &Options<'_, f32>,
    Option<&mut [f32]>,
    Option<&mut [f32]>,
) -> Result<Reduced<f32>, losskit::Error>;

fn huber(
    p: &[f32],
    y: &[f32],
    o: &Options<'_, f32>,
    v: Option<&mut [f32]>,
    g: Option<&mut [f32]>,
) -> Result<Reduced<f32>, losskit::Error> {
    regression::huber(p, y, 1.0, o, v, g)
}
fn smooth_l1(
    p: &[f32],
    y: &[f32],
    o: &Options<'_, f32>,
    v: Option<&mut [f32]>,
    g: Option<&mut [f32]>,
) -> Result<Reduced<f32>, losskit::Error> {
    regression::smooth_l1(p, y, 1.0, o, v, g)
}

const LOSSES: [(&str, Loss32); 7] = [
    ("mse", regression::mse),
    ("mae", regression::mae),
    ("huber", huber),
    ("smooth_l1", smooth_l1),
    ("rmse", regression::rmse),
    ("msle", regression::msle),
    ("log_cosh", regression::log_cosh),
];

fn naive_mse(p: &[f32], y: &[f32], g: &mut [f32]) -> f32 {
    let n = p.len();
    let mut s = 0.0f32;
    for i in 0..n {
        let d = p[i] - y[i];
        s += d * d;
    }
    for i in 0..n {
        g[i] = 2.0 * (p[i] - y[i]) / n as f32;
    }
    s / n as f32
}

fn bench(c: &mut Criterion) {
    println!("dispatch path: {:?}", losskit::dispatch::current());
    {
        let mut group = c.benchmark_group("overhead");
        let (p, y, mut g) = ([0.5f32], [0.25f32], [0.0f32]);
        group.bench_function("mse_n1", |b| {
            b.iter(|| {
                regression::mse(black_box(&p), &y, &Options::default(), None, Some(&mut g))
                    .unwrap()
                    .value
            })
        });
        group.finish();
    }
    for n in [1_000usize, 100_000, 1_000_000, 10_000_000] {
        let p = data(n, 1, -2.0, 2.0);
        let y = data(n, 2, -2.0, 2.0);
        let mut g = vec![0.0f32; n];
        let opts = Options::default();
        let mut group = c.benchmark_group(format!("regression_n{n}"));
        group.throughput(Throughput::Elements(n as u64));
        if n >= 10_000_000 {
            // 40 MB per array, out of cache (the foundation issue's size).
            group.sample_size(10);
        }
        group.bench_function("floor/read2", |b| {
            b.iter(|| read2(black_box(&p), black_box(&y)))
        });
        group.bench_function("floor/read2_write1", |b| {
            b.iter(|| read2_write1(black_box(&p), black_box(&y), &mut g))
        });
        group.bench_function("naive/mse", |b| {
            b.iter(|| naive_mse(black_box(&p), black_box(&y), &mut g))
        });
        group.bench_function("value/mse", |b| {
            b.iter(|| {
                regression::mse(black_box(&p), black_box(&y), &opts, None, None)
                    .unwrap()
                    .value
            })
        });
        for (name, f) in LOSSES {
            group.bench_with_input(BenchmarkId::new("value+grad", name), &n, |b, _| {
                b.iter(|| {
                    f(black_box(&p), black_box(&y), &opts, None, Some(&mut g))
                        .unwrap()
                        .value
                })
            });
        }
        let p64: Vec<f64> = p.iter().map(|&x| x as f64).collect();
        let y64: Vec<f64> = y.iter().map(|&x| x as f64).collect();
        let mut g64 = vec![0.0f64; n];
        group.bench_function("floor/read2_write1_f64", |b| {
            b.iter(|| read2_write1_f64(black_box(&p64), black_box(&y64), &mut g64))
        });
        group.bench_function("value+grad/mse_f64", |b| {
            b.iter(|| {
                regression::mse(
                    black_box(&p64),
                    black_box(&y64),
                    &opts_f64(),
                    None,
                    Some(&mut g64),
                )
                .unwrap()
                .value
            })
        });
        group.bench_function("value+grad/huber_f64", |b| {
            b.iter(|| {
                regression::huber(
                    black_box(&p64),
                    &y64,
                    1.0,
                    &opts_f64(),
                    None,
                    Some(&mut g64),
                )
                .unwrap()
                .value
            })
        });
        group.bench_function("value+grad/msle_f64", |b| {
            b.iter(|| {
                regression::msle(black_box(&p64), &y64, &opts_f64(), None, Some(&mut g64))
                    .unwrap()
                    .value
            })
        });
        group.bench_function("value+grad/log_cosh_f64", |b| {
            b.iter(|| {
                regression::log_cosh(black_box(&p64), &y64, &opts_f64(), None, Some(&mut g64))
                    .unwrap()
                    .value
            })
        });
        group.finish();
    }
}

fn opts_f64() -> Options<'static, f64> {
    Options::default()
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(700))
        .sample_size(20);
    targets = bench
}
criterion_main!(benches);
