//! The CUDA path on a GPU (feature `cuda`): value + gradient, timed end to end from the host
//! (enqueue, kernels, and the wait for the 64-byte result), next to what the memory system
//! allows for the same bytes.
//!
//! * `mse/losskit_value_grad/100000000`: MSE value and gradient, n = 10^8 f32 (reads pred and
//!   target, writes the gradient: 12 bytes per element);
//! * `mse/dtod_copy_inputs/100000000`: a device-to-device copy of the same 2n input floats
//!   (reads 8 and writes 8 bytes per element): the bandwidth yardstick;
//! * `cross_entropy/losskit_value_grad/RxC`: softmax cross-entropy with class-index targets,
//!   value and gradient into a separate buffer, at 8192 x 32000 and 65536 x 128 f32;
//!   `.../losskit_in_place/RxC`: the gradient overwrites the logits;
//! * compare with `python3 benches/torch_cuda_ce.py` (PyTorch's F.cross_entropy forward +
//!   backward on the same shapes).
//!
//! Build here with `cargo bench --features cuda --no-run`, run on a GPU machine (see
//! docs/cuda.md). Without a GPU it prints "skipped: no CUDA device" and exits 0.
use criterion::{BenchmarkId, Criterion, Throughput};
use losskit::cuda::cudarc::driver::{CudaContext, CudaSlice, CudaStream};
use losskit::cuda::{available, CrossEntropy, CudaLosses, DeviceOptions, Elementwise};
use std::sync::Arc;
use std::time::Duration;

fn random(n: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            scale * (((s >> 40) as f32) / (1u64 << 24) as f32 - 0.5)
        })
        .collect()
}

fn mse(c: &mut Criterion, stream: &Arc<CudaStream>) {
    let n = 100_000_000usize;
    let pred = stream.clone_htod(&random(n, 1, 2.0)).unwrap();
    let target = stream.clone_htod(&random(n, 2, 2.0)).unwrap();
    let mut grad: CudaSlice<f32> = stream.alloc_zeros(n).unwrap();
    let mut scratch: CudaSlice<f32> = stream.alloc_zeros(2 * n).unwrap();
    let mut losses = CudaLosses::new(stream.clone()).unwrap();
    let opts = DeviceOptions::default();
    let mut g = c.benchmark_group("mse");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(BenchmarkId::new("losskit_value_grad", n), |b| {
        b.iter(|| {
            losses
                .elementwise(
                    Elementwise::Mse,
                    &pred.as_view(),
                    &target.as_view(),
                    None,
                    &opts,
                    None,
                    Some(&mut grad.as_view_mut()),
                )
                .unwrap()
        })
    });
    g.bench_function(BenchmarkId::new("dtod_copy_inputs", n), |b| {
        b.iter(|| {
            stream
                .memcpy_dtod(&pred, &mut scratch.slice_mut(0..n))
                .unwrap();
            stream
                .memcpy_dtod(&target, &mut scratch.slice_mut(n..2 * n))
                .unwrap();
            stream.synchronize().unwrap();
        })
    });
    g.finish();
}

fn cross_entropy(c: &mut Criterion, stream: &Arc<CudaStream>) {
    let mut g = c.benchmark_group("cross_entropy");
    for &(rows, classes) in &[(8192usize, 32000usize), (65536, 128)] {
        let n = rows * classes;
        let mut logits = stream.clone_htod(&random(n, 3, 8.0)).unwrap();
        let t: Vec<i64> = (0..rows).map(|r| ((r * 7919) % classes) as i64).collect();
        let target = stream.clone_htod(&t).unwrap();
        let mut grad: CudaSlice<f32> = stream.alloc_zeros(n).unwrap();
        let mut losses = CudaLosses::new(stream.clone()).unwrap();
        let ce = CrossEntropy::default();
        let opts = DeviceOptions::default();
        let id = format!("{rows}x{classes}");
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("losskit_value_grad", &id), |b| {
            b.iter(|| {
                losses
                    .cross_entropy(
                        &logits.as_view(),
                        &target.as_view(),
                        classes,
                        &ce,
                        &opts,
                        None,
                        Some(&mut grad.as_view_mut()),
                    )
                    .unwrap()
            })
        });
        g.bench_function(BenchmarkId::new("losskit_in_place", &id), |b| {
            b.iter(|| {
                losses
                    .cross_entropy_in_place(
                        &mut logits.as_view_mut(),
                        &target.as_view(),
                        classes,
                        &ce,
                        &opts,
                        None,
                    )
                    .unwrap()
            })
        });
    }
    g.finish();
}

fn main() {
    if let Err(e) = available() {
        println!("skipped: no CUDA device ({e})");
        return;
    }
    let stream = CudaContext::new(0).unwrap().new_stream().unwrap();
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    mse(&mut c, &stream);
    cross_entropy(&mut c, &stream);
    c.final_summary();
}
