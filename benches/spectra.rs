//! DRDMannTurb's aggregate with every term on (MSE, coherence, slope and curvature
//! penalties, regulariser) for C = 4 components at L = 20 (DRDMannTurb's grid) and
//! L = 10^5, value only and value + all gradients, f32 and f64; and the boundary penalty
//! (Rockpool) at n = 10^5 as a point of comparison.
//!
//! Run with `cargo bench --bench spectra`; add `-- 100000` to filter one size.
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use losskit::grad::GradOut;
use losskit::penalty::summed_exp_boundary_loss;
use losskit::spectra::*;
use losskit::Real;
use std::time::Duration;

const C: usize = 4;

struct Data<T> {
    k1: Vec<T>,
    model: Vec<T>,
    data: Vec<T>,
    theta: Vec<T>,
    coh: Vec<T>,
}

fn data<T: Real>(l: usize) -> Data<T> {
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let k1: Vec<f64> = (0..l)
        .map(|j| 10f64.powf(-1.0 + 3.0 * j as f64 / (l - 1) as f64) / 40.0)
        .collect();
    let mut spectra = |sign_row: usize| -> Vec<T> {
        let mut v = Vec::with_capacity(C * l);
        for i in 0..C {
            let sign = if i == sign_row { -1.0 } else { 1.0 };
            for &k in &k1 {
                let f = k * 40.0;
                v.push(T::from_f64(
                    sign * 52.5 * f / (1.0 + 33.0 * f).powf(5.0 / 3.0) * (0.8 + 0.4 * next()),
                ));
            }
        }
        v
    };
    let model = spectra(3);
    let data = spectra(3);
    Data {
        k1: k1.iter().map(|&k| T::from_f64(k)).collect(),
        model,
        data,
        theta: (0..1000).map(|i| T::from_f64((i as f64).sin())).collect(),
        coh: (0..3 * 64)
            .map(|i| T::from_f64(0.5 + 0.4 * (i as f64).cos()))
            .collect(),
    }
}

fn bench_type<T: Real>(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("spectra_all_terms/{}", T::NAME));
    for l in [20usize, 100_000] {
        let d = data::<T>(l);
        let mut work = vec![0.0; SpectraGrid::workspace_len(l)];
        let grid = SpectraGrid::new(&d.k1, T::from_f64(40.0), &mut work).unwrap();
        let loss = SpectraLoss::new(
            grid,
            SpectraParams {
                alpha_pen1: 1e-5,
                alpha_pen2: 1.0,
                beta_reg: 2e-4,
                gamma_coherence: 0.5,
                norm: PenaltyNorm::NodeMean,
            },
        )
        .unwrap();
        let coh_data: Vec<T> = d.coh.iter().rev().copied().collect();
        let input = SpectraInput::new(&d.model, &d.data)
            .with_theta(&d.theta)
            .with_coherence(&d.coh, &coh_data);
        let (mut gy, mut gt, mut gc) = (
            vec![T::zero(); C * l],
            vec![T::zero(); d.theta.len()],
            vec![T::zero(); d.coh.len()],
        );
        group.throughput(Throughput::Elements((C * l) as u64));
        if l > 1000 {
            group.sample_size(10);
        }
        group.bench_function(BenchmarkId::new("value", l), |b| {
            b.iter(|| {
                let mut t = SpectraTerms::default();
                loss.eval(black_box(&input), SpectraGrads::default(), &mut t)
                    .unwrap();
                black_box(t.total)
            })
        });
        group.bench_function(BenchmarkId::new("value+grad", l), |b| {
            b.iter(|| {
                let mut t = SpectraTerms::default();
                let grads = SpectraGrads {
                    model: Some(&mut gy),
                    theta: Some(&mut gt),
                    coherence: Some(&mut gc),
                    ..Default::default()
                };
                loss.eval(black_box(&input), grads, &mut t).unwrap();
                black_box(t.total)
            })
        });
    }
    group.finish();
}

fn bench_penalty(c: &mut Criterion) {
    let n = 100_000;
    let x: Vec<f64> = (0..n).map(|i| 3.0 * ((i as f64) * 0.37).sin()).collect();
    let mut g = vec![0.0; n];
    let mut group = c.benchmark_group("summed_exp_boundary_loss/f64");
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("value+grad", n), |b| {
        b.iter(|| {
            summed_exp_boundary_loss(
                black_box(&x[..]),
                Some(-1.0),
                Some(1.0),
                Some(GradOut::new(&mut g)),
            )
            .unwrap()
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench_type::<f64>(c);
    bench_type::<f32>(c);
    bench_penalty(c);
}

criterion_group! {
    name = spectra;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    targets = benches
}
criterion_main!(spectra);
