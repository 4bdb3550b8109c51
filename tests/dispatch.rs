//! Runtime dispatch: every compiled path (baseline, AVX2+FMA, AVX-512) gives the same bits.
//!
//! Each path the CPU supports is forced in turn (`losskit::dispatch::force`, per thread) and
//! the same calls are made on the same inputs — ordinary values, values near the kinks, very
//! large and small magnitudes, ±∞ and NaN — comparing every output bit for bit with the
//! baseline path (NaN outputs as NaN, whatever their sign and payload), and checking that repeated calls on one path agree bit for bit.
use losskit::dispatch::{force, supported, Path};
use losskit::rowwise::{cross_entropy, cross_entropy_in_place, CrossEntropy};
use losskit::{binary, regression, GradMode, Options, Real, Reduction};

fn data<T: Real>(n: usize, seed: u64) -> Vec<T> {
    let mut s = seed;
    let special = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        1e-30,
        88.7,
        -104.0,
        710.0,
        -745.5,
        1e30,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    (0..n)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let u = (s >> 11) as f64 / (1u64 << 53) as f64;
            let x = if i % 97 < special.len() && i > 200 {
                special[i % 97]
            } else if i % 5 == 0 {
                (u - 0.5) * 200.0
            } else {
                (u - 0.5) * 8.0
            };
            T::from_f64(x)
        })
        .collect()
}

/// The bits of `x`, with every NaN as one value: IEEE 754 leaves the sign and payload of a
/// NaN result unspecified, and x86 instructions of different widths may propagate a different
/// NaN operand, so NaN outputs agree as NaN only.
fn canonical(x: f64) -> u64 {
    if x.is_nan() {
        f64::NAN.to_bits()
    } else {
        x.to_bits()
    }
}

/// Every output of one round of calls, as raw f64 bits.
fn outputs<T: Real>(n: usize) -> Vec<u64> {
    let p = data::<T>(n, 0x9E37_79B9_7F4A_7C15);
    let y = data::<T>(n, 0x2545_F491_4F6C_DD1D);
    let y01: Vec<T> = y
        .iter()
        .map(|v| T::from_f64(v.to_f64().abs().min(1.0)))
        .collect();
    let w: Vec<T> = (0..n).map(|i| T::from_f64((i % 7) as f64 * 0.25)).collect();
    let mut bits = Vec::new();
    let mut put = |r: f64, v: &[T], g: &[T]| {
        bits.push(canonical(r));
        bits.extend(v.iter().map(|x| canonical(x.to_f64())));
        bits.extend(g.iter().map(|x| canonical(x.to_f64())));
    };
    let plain = Options::<T>::default();
    let none = Options::<T>::default().with_reduction(Reduction::None);
    let weighted = Options::<T>::default().with_weights(&w);
    let acc = Options::<T>::default().with_grad_mode(GradMode::Accumulate);
    for opts in [&plain, &none, &weighted, &acc] {
        type F<T> = fn(
            &[T],
            &[T],
            &Options<'_, T>,
            Option<&mut [T]>,
            Option<&mut [T]>,
        ) -> Result<losskit::Reduced<T>, losskit::Error>;
        let losses: [(F<T>, bool); 8] = [
            (regression::mse, false),
            (regression::mae, false),
            (regression::log_cosh, false),
            (regression::msle, false),
            (
                |p, y, o, v, g| binary::binary_focal(p, y, T::from_f64(2.0), o, v, g),
                true,
            ),
            (
                |p, y, o, v, g| binary::binary_focal(p, y, T::from_f64(0.5), o, v, g),
                true,
            ),
            (
                |p, y, o, v, g| regression::huber(p, y, T::one(), o, v, g),
                false,
            ),
            (
                |p, y, o, v, g| binary::bce_with_logits(p, y, None, o, v, g),
                true,
            ),
        ];
        for (loss, probs) in losses {
            let y = if probs { &y01 } else { &y };
            let mut v = vec![T::zero(); n];
            let mut g: Vec<T> = p.clone();
            let vo = (opts.reduction == Reduction::None).then_some(&mut v[..]);
            let r = loss(&p, y, opts, vo, Some(&mut g)).unwrap();
            put(r.value.to_f64(), &v, &g);
            let r = loss(&p, y, opts, None, None);
            if let Ok(r) = r {
                put(r.value.to_f64(), &[], &[]);
            }
        }
    }
    for classes in [3usize, 10, 1000] {
        let rows = n / classes;
        let x = &p[..rows * classes];
        let t: Vec<i64> = (0..rows).map(|r| ((r * 7) % classes) as i64).collect();
        for eps in [0.0, 0.1] {
            let params = CrossEntropy {
                label_smoothing: T::from_f64(eps),
                ..Default::default()
            };
            let mut g = vec![T::zero(); x.len()];
            let r = cross_entropy(x, &t, classes, &params, &plain, None, Some(&mut g)).unwrap();
            put(r.value.to_f64(), &[], &g);
            let mut v = vec![T::zero(); rows];
            let mut inplace = x.to_vec();
            let r = cross_entropy_in_place(&mut inplace, &t, classes, &params, &none, Some(&mut v))
                .unwrap();
            put(r.value.to_f64(), &v, &inplace);
        }
    }
    bits
}

fn paths() -> Vec<Path> {
    [Path::Baseline, Path::Avx2, Path::Avx512]
        .into_iter()
        .filter(|&p| p <= supported())
        .collect()
}

fn check<T: Real>(n: usize) {
    assert_eq!(force(Some(Path::Baseline)), Path::Baseline);
    let reference = outputs::<T>(n);
    assert_eq!(reference, outputs::<T>(n), "baseline repeated");
    for path in paths() {
        assert_eq!(force(Some(path)), path);
        let got = outputs::<T>(n);
        assert_eq!(got, outputs::<T>(n), "{path:?} repeated");
        assert_eq!(got.len(), reference.len());
        for (i, (a, b)) in got.iter().zip(&reference).enumerate() {
            if a != b {
                println!(
                    "{path:?} [{i}]: {} vs {}",
                    f64::from_bits(*a),
                    f64::from_bits(*b)
                );
            }
        }
        let diff = got.iter().zip(&reference).filter(|(a, b)| a != b).count();
        assert_eq!(diff, 0, "{path:?}: {diff} outputs differ from the baseline");
    }
    force(None);
}

#[test]
fn paths_agree_bit_for_bit_f32() {
    check::<f32>(3001);
}

#[test]
fn paths_agree_bit_for_bit_f64() {
    check::<f64>(3001);
}

#[test]
fn force_is_capped_and_per_thread() {
    let best = supported();
    assert_eq!(force(Some(Path::Avx512)), best.min(Path::Avx512));
    assert_eq!(force(Some(Path::Baseline)), Path::Baseline);
    let other = std::thread::spawn(losskit::dispatch::current)
        .join()
        .unwrap();
    force(None);
    assert_eq!(other, losskit::dispatch::current());
    println!(
        "supported: {best:?}, automatic: {:?}",
        losskit::dispatch::current()
    );
}
