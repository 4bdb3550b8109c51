//! Shared by the benches: data, and the floor kernels (the same bytes moved, no math),
//! compiled for the widest vector path the CPU has, as the library's hot loops are.
#![allow(dead_code)]

/// Fresh pseudo-random f32 data in [lo, hi).
pub fn data(n: usize, seed: u64, lo: f32, hi: f32) -> Vec<f32> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            lo + (hi - lo) * ((s >> 40) as f32 / (1u64 << 24) as f32)
        })
        .collect()
}

/// 2 reads: Σ (pᵢ + yᵢ) with 32 independent lanes.
#[inline(always)]
fn read2_body(p: &[f32], y: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 32];
    for (a, b) in p.chunks_exact(32).zip(y.chunks_exact(32)) {
        for k in 0..32 {
            lanes[k] += a[k] + b[k];
        }
    }
    lanes.iter().sum()
}

/// 2 reads + 1 write: gᵢ = pᵢ − yᵢ, and Σ (pᵢ − yᵢ) with 32 independent lanes.
#[inline(always)]
fn read2_write1_body(p: &[f32], y: &[f32], g: &mut [f32]) -> f32 {
    let mut lanes = [0.0f32; 32];
    for ((a, b), g) in p
        .chunks_exact(32)
        .zip(y.chunks_exact(32))
        .zip(g.chunks_exact_mut(32))
    {
        for k in 0..32 {
            let d = a[k] - b[k];
            g[k] = d;
            lanes[k] += d;
        }
    }
    lanes.iter().sum()
}

/// [`read2_write1_body`] for `f64` data (twice the bytes): gᵢ = pᵢ − yᵢ, and Σ (pᵢ − yᵢ)
/// with 32 independent lanes.
#[inline(always)]
fn read2_write1_f64_body(p: &[f64], y: &[f64], g: &mut [f64]) -> f64 {
    let mut lanes = [0.0f64; 32];
    for ((a, b), g) in p
        .chunks_exact(32)
        .zip(y.chunks_exact(32))
        .zip(g.chunks_exact_mut(32))
    {
        for k in 0..32 {
            let d = a[k] - b[k];
            g[k] = d;
            lanes[k] += d;
        }
    }
    lanes.iter().sum()
}

/// 1 read + 1 write (the bytes of an in-memory softmax gradient): gᵢ = 2xᵢ, and Σ xᵢ.
#[inline(always)]
fn read1_write1_body(x: &[f32], g: &mut [f32]) -> f32 {
    let mut lanes = [0.0f32; 32];
    for (a, g) in x.chunks_exact(32).zip(g.chunks_exact_mut(32)) {
        for k in 0..32 {
            g[k] = a[k] + a[k];
            lanes[k] += a[k];
        }
    }
    lanes.iter().sum()
}

macro_rules! widest {
    ($name:ident, $body:ident, ($($a:ident: $t:ty),*) -> $r:ty) => {
        #[inline(never)]
        pub fn $name($($a: $t),*) -> $r {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
                fn avx512($($a: $t),*) -> $r {
                    $body($($a),*)
                }
                #[target_feature(enable = "avx2,fma")]
                fn avx2($($a: $t),*) -> $r {
                    $body($($a),*)
                }
                if std::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU has the features.
                    return unsafe { avx512($($a),*) };
                }
                if std::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has the features.
                    return unsafe { avx2($($a),*) };
                }
            }
            $body($($a),*)
        }
    };
}

widest!(read2, read2_body, (p: &[f32], y: &[f32]) -> f32);
widest!(read2_write1, read2_write1_body, (p: &[f32], y: &[f32], g: &mut [f32]) -> f32);
widest!(read2_write1_f64, read2_write1_f64_body, (p: &[f64], y: &[f64], g: &mut [f64]) -> f64);
widest!(read1_write1, read1_write1_body, (x: &[f32], g: &mut [f32]) -> f32);
