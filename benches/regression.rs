//! Regression family: value and value+gradient at n = 10^3, 10^5, 10^7 (f32 and f64 for MSE),
//! next to two baselines over the same data:
//! * `floor/sum_inputs`: a vectorised plain sum over the same input bytes (pred and target),
//!   the memory-bound limit of any loss value;
//! * `naive/<loss>`: the loop a user would write (f32 accumulator, two passes for the mean
//!   and its gradient).
//!
//! Run with `cargo bench --bench regression`; add `-- 10000000` to filter one size.
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use losskit::{regression, Options, Reduced};
use std::time::Duration;

fn data(n: usize) -> (Vec<f32>, Vec<f32>) {
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        ((s >> 40) as f32) / (1u64 << 24) as f32 - 0.5
    };
    let p = (0..n).map(|_| next()).collect();
    let y = (0..n).map(|_| next()).collect();
    (p, y)
}

/// 16 independent f32 lanes: LLVM vectorises this, so it runs at memory speed.
fn sum_inputs(p: &[f32], y: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 16];
    for (a, b) in p.chunks_exact(16).zip(y.chunks_exact(16)) {
        for k in 0..16 {
            lanes[k] += a[k] + b[k];
        }
    }
    lanes.iter().sum()
}

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
fn scale_free_huber(
    p: &[f32],
    y: &[f32],
    o: &Options<'_, f32>,
    v: Option<&mut [f32]>,
    g: Option<&mut [f32]>,
) -> Result<Reduced<f32>, losskit::Error> {
    regression::scale_free_huber(p, y, 0.5, o, v, g)
}

const LOSSES: [(&str, Loss32); 11] = [
    ("mse", regression::mse),
    ("mae", regression::mae),
    ("huber", huber),
    ("smooth_l1", smooth_l1),
    ("rmse", regression::rmse),
    ("mean_error", regression::mean_error),
    ("msle", regression::msle),
    ("mape", regression::mape),
    ("mpe", regression::mpe),
    ("scale_free_huber", scale_free_huber),
    ("log_cosh", regression::log_cosh),
];

fn bench(c: &mut Criterion) {
    for n in [1_000usize, 100_000, 10_000_000] {
        let (p, y) = data(n);
        let mut g = vec![0.0f32; n];
        let opts = Options::default();
        let mut group = c.benchmark_group(format!("regression_n{n}"));
        group.throughput(Throughput::Elements(n as u64));
        if n >= 10_000_000 {
            group.sample_size(10);
        }
        group.bench_function("floor/sum_inputs", |b| {
            b.iter(|| sum_inputs(black_box(&p), black_box(&y)))
        });
        group.bench_function("naive/mse_value+grad", |b| {
            b.iter(|| {
                let mut s = 0.0f32;
                for i in 0..n {
                    let d = p[i] - y[i];
                    s += d * d;
                }
                for i in 0..n {
                    g[i] = 2.0 * (p[i] - y[i]) / n as f32;
                }
                black_box(s / n as f32)
            })
        });
        for (name, f) in LOSSES {
            group.bench_with_input(BenchmarkId::new("value", name), &n, |b, _| {
                b.iter(|| {
                    f(black_box(&p), black_box(&y), &opts, None, None)
                        .unwrap()
                        .value
                })
            });
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
        group.bench_function("value+grad/mse_f64", |b| {
            b.iter(|| {
                regression::mse(
                    black_box(&p64),
                    black_box(&y64),
                    &Options::default(),
                    None,
                    Some(&mut g64),
                )
                .unwrap()
                .value
            })
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
