//! The vectorisable elementary functions of `losskit::math` against `libm`, over their whole
//! ranges: a strided sweep of every bit pattern plus dense sweeps around the interesting
//! points (0, 1, −1, the overflow and underflow thresholds, subnormals).
//!
//! f32 results are compared with the f64 `libm` value (practically the exact value), in
//! units of the f32 ulp at that value; f64 results are compared with f64 `libm` by the
//! number of representable doubles between them. `cargo test --release --test math --
//! --ignored` runs the exhaustive f32 check (all 2³² inputs).

use losskit::math;

/// The spacing of f32 numbers at |r| (an f64 value), as an f64.
fn ulp32(r: f64) -> f64 {
    let a = r.abs();
    if a < f32::MIN_POSITIVE as f64 {
        return f64::from_bits(((127 - 149 + 1023) as u64) << 52); // 2^-149
    }
    let e = ((a.to_bits() >> 52) as i64) - 1023;
    f64::from_bits(((e - 23 + 1023) as u64) << 52)
}

/// Error of an f32 result `y` against the reference `r`, in f32 ulps (inf if the special
/// value is wrong).
fn err32(y: f32, r: f64) -> f64 {
    let rf = r as f32;
    if r.is_nan() || rf.is_nan() {
        return if y.is_nan() { 0.0 } else { f64::INFINITY };
    }
    if rf.is_infinite() {
        return if y == rf { 0.0 } else { f64::INFINITY };
    }
    if y.is_infinite() || y.is_nan() {
        return f64::INFINITY;
    }
    ((y as f64) - r).abs() / ulp32(r)
}

/// Distance in representable f64 values between two results (0 for matching specials).
fn err64(y: f64, r: f64) -> f64 {
    if r.is_nan() || y.is_nan() {
        return if r.is_nan() && y.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if r.is_infinite() || y.is_infinite() {
        return if y == r { 0.0 } else { f64::INFINITY };
    }
    let key = |x: f64| {
        let b = x.to_bits() as i64;
        if b < 0 {
            i64::MIN - b
        } else {
            b
        }
    };
    (key(y) as i128 - key(r) as i128).unsigned_abs() as f64
}

struct Worst {
    ulps: f64,
    at: f64,
    count: u64,
}

impl Worst {
    fn new() -> Self {
        Worst {
            ulps: 0.0,
            at: 0.0,
            count: 0,
        }
    }
    fn see(&mut self, e: f64, x: f64) {
        self.count += 1;
        if e > self.ulps || e.is_nan() {
            self.ulps = e;
            self.at = x;
        }
    }
}

/// Inputs for an f32 sweep: every `stride`-th bit pattern, and dense runs of bit patterns
/// around the given centres.
fn inputs32(stride: u64, centres: &[f32]) -> Vec<f32> {
    let mut v: Vec<f32> = (0..(1u64 << 32))
        .step_by(stride as usize)
        .map(|b| f32::from_bits(b as u32))
        .collect();
    for &c in centres {
        for d in -20_000i64..20_000 {
            let b = c.to_bits() as i64 + d;
            if (0..=u32::MAX as i64).contains(&b) {
                v.push(f32::from_bits(b as u32));
            }
        }
    }
    v.extend_from_slice(&[
        0.0,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        f32::MIN_POSITIVE,
        f32::from_bits(1),
        f32::MAX,
        -f32::MAX,
        1.0,
        -1.0,
    ]);
    v
}

fn inputs64(count: u64, centres: &[f64]) -> Vec<f64> {
    let stride = u64::MAX / count;
    let mut v: Vec<f64> = (0..count).map(|i| f64::from_bits(i * stride)).collect();
    for &c in centres {
        for d in -20_000i64..20_000 {
            let b = c.to_bits() as i128 + d as i128;
            if (0..=u64::MAX as i128).contains(&b) {
                v.push(f64::from_bits(b as u64));
            }
        }
    }
    // Uniform-ish samples of the useful range, and near the thresholds.
    for i in 0..200_000 {
        let t = i as f64 / 200_000.0;
        v.push(-760.0 + 1480.0 * t);
        v.push(-2.0 + 4.0 * t);
    }
    v.extend_from_slice(&[
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::MIN_POSITIVE,
        f64::from_bits(1),
        f64::MAX,
        -f64::MAX,
        1.0,
        -1.0,
    ]);
    v
}

fn sweep32(
    f: fn(f32) -> f32,
    reference: fn(f64) -> f64,
    xs: &[f32],
    bound: f64,
    name: &str,
) -> f64 {
    let mut w = Worst::new();
    for &x in xs {
        w.see(err32(f(x), reference(x as f64)), x as f64);
    }
    println!(
        "{name}: max error {:.3} ulp at x = {:e} ({} inputs)",
        w.ulps, w.at, w.count
    );
    assert!(
        w.ulps <= bound,
        "{name}: {} ulp at x = {:e} (bits {:#x}): got {:e}, want {:e}",
        w.ulps,
        w.at,
        (w.at as f32).to_bits(),
        f(w.at as f32),
        reference(w.at)
    );
    w.ulps
}

fn sweep64(
    f: fn(f64) -> f64,
    reference: fn(f64) -> f64,
    xs: &[f64],
    bound: f64,
    name: &str,
) -> f64 {
    let mut w = Worst::new();
    for &x in xs {
        w.see(err64(f(x), reference(x)), x);
    }
    println!(
        "{name}: max distance from libm {} ulp at x = {:e} ({} inputs)",
        w.ulps, w.at, w.count
    );
    assert!(
        w.ulps <= bound,
        "{name}: {} ulp at x = {:e}: got {:e}, want {:e}",
        w.ulps,
        w.at,
        f(w.at),
        reference(w.at)
    );
    w.ulps
}

const STRIDE: u64 = 997;

#[test]
fn exp_f32_within_1_ulp() {
    let xs = inputs32(
        STRIDE,
        &[
            0.0, -0.0, 88.72284, -87.33655, -103.27893, -103.97208, 1.0, -1.0, 0.5,
        ],
    );
    sweep32(math::exp_f32, libm::exp, &xs, 1.0, "exp_f32");
}

#[test]
fn ln_f32_within_1_ulp() {
    let xs = inputs32(
        STRIDE,
        &[
            1.0,
            f32::MIN_POSITIVE,
            core::f32::consts::FRAC_1_SQRT_2,
            core::f32::consts::SQRT_2,
            2.0,
            0.5,
        ],
    );
    sweep32(math::ln_f32, libm::log, &xs, 1.0, "ln_f32");
}

#[test]
fn ln_1p_f32_within_2_ulp() {
    let xs = inputs32(
        STRIDE,
        &[
            0.0,
            -0.0,
            -1.0,
            -0.5,
            1.0,
            -0.29289323,
            0.41421357,
            1e-8,
            -1e-8,
        ],
    );
    sweep32(math::ln_1p_f32, libm::log1p, &xs, 2.0, "ln_1p_f32");
}

#[test]
fn exp_f64_within_1_ulp() {
    let xs = inputs64(
        2_000_000,
        &[
            0.0,
            -0.0,
            709.782712893384,
            -708.3964185322641,
            -745.1332191019411,
            1.0,
        ],
    );
    sweep64(math::exp_f64, libm::exp, &xs, 1.0, "exp_f64");
}

#[test]
fn ln_f64_within_1_ulp() {
    let xs = inputs64(
        2_000_000,
        &[
            1.0,
            f64::MIN_POSITIVE,
            core::f64::consts::FRAC_1_SQRT_2,
            2.0,
        ],
    );
    sweep64(math::ln_f64, libm::log, &xs, 1.0, "ln_f64");
}

#[test]
fn ln_1p_f64_within_2_ulp() {
    let xs = inputs64(2_000_000, &[0.0, -0.0, -1.0, -0.5, 1.0, 1e-10, -1e-10]);
    sweep64(math::ln_1p_f64, libm::log1p, &xs, 2.0, "ln_1p_f64");
}

#[test]
fn special_values() {
    for (f, x, want) in [
        (math::exp_f32 as fn(f32) -> f32, f32::NEG_INFINITY, 0.0f32),
        (math::exp_f32, f32::INFINITY, f32::INFINITY),
        (math::exp_f32, 0.0, 1.0),
        (math::exp_f32, 89.0, f32::INFINITY),
        (math::exp_f32, -104.0, 0.0),
        (math::ln_f32, 0.0, f32::NEG_INFINITY),
        (math::ln_f32, -0.0, f32::NEG_INFINITY),
        (math::ln_f32, 1.0, 0.0),
        (math::ln_f32, f32::INFINITY, f32::INFINITY),
        (math::ln_1p_f32, -1.0, f32::NEG_INFINITY),
        (math::ln_1p_f32, f32::INFINITY, f32::INFINITY),
        (math::ln_1p_f32, 0.0, 0.0),
    ] {
        assert_eq!(f(x), want, "f({x})");
    }
    assert!(math::ln_f32(-1.0).is_nan());
    assert!(math::ln_f32(f32::NEG_INFINITY).is_nan());
    assert!(math::ln_1p_f32(-2.0).is_nan());
    assert!(math::exp_f32(f32::NAN).is_nan());
    assert!(math::ln_f32(f32::NAN).is_nan());
    assert!(math::ln_1p_f32(f32::NAN).is_nan());
    assert_eq!(math::ln_1p_f32(-0.0).to_bits(), (-0.0f32).to_bits());
    assert_eq!(math::ln_1p_f32(1e-30), 1e-30);
    assert_eq!(math::exp_f32(-103.0), libm::exp(-103.0) as f32); // a subnormal result

    for (f, x, want) in [
        (math::exp_f64 as fn(f64) -> f64, f64::NEG_INFINITY, 0.0f64),
        (math::exp_f64, f64::INFINITY, f64::INFINITY),
        (math::exp_f64, 0.0, 1.0),
        (math::exp_f64, 710.0, f64::INFINITY),
        (math::exp_f64, -746.0, 0.0),
        (math::ln_f64, 0.0, f64::NEG_INFINITY),
        (math::ln_f64, 1.0, 0.0),
        (math::ln_f64, f64::INFINITY, f64::INFINITY),
        (math::ln_1p_f64, -1.0, f64::NEG_INFINITY),
        (math::ln_1p_f64, f64::INFINITY, f64::INFINITY),
    ] {
        assert_eq!(f(x), want, "f({x})");
    }
    assert!(math::ln_f64(-1.0).is_nan());
    assert!(math::ln_1p_f64(-1.5).is_nan());
    assert!(math::exp_f64(f64::NAN).is_nan());
    assert!(math::ln_f64(f64::NAN).is_nan());
    assert_eq!(math::exp_f64(-740.0), libm::exp(-740.0)); // a subnormal result
}

/// Reference compositions in f64 with libm, written out independently.
fn softplus_ref(x: f64) -> f64 {
    if x > 0.0 {
        x + libm::log1p(libm::exp(-x))
    } else {
        libm::log1p(libm::exp(x))
    }
}

#[test]
fn softplus_sigmoid_logsigmoid() {
    let xs = [
        -1e4, -800.0, -100.0, -30.0, -5.0, -1.0, -1e-3, 0.0, 1e-3, 1.0, 5.0, 30.0, 100.0, 800.0,
        1e4,
    ];
    for &x in &xs {
        let sp = softplus_ref(x);
        let s = 1.0 / (1.0 + libm::exp(-x));
        let e = math::softplus(x);
        assert!(
            (e - sp).abs() <= 4.0 * f64::EPSILON * sp.abs() + f64::MIN_POSITIVE,
            "softplus({x}) = {e}, want {sp}"
        );
        assert!(
            (math::sigmoid(x) - s).abs() <= 4.0 * f64::EPSILON * s,
            "sigmoid({x})"
        );
        assert!(
            (math::log_sigmoid(x) + softplus_ref(-x)).abs()
                <= 4.0 * f64::EPSILON * softplus_ref(-x).abs() + f64::MIN_POSITIVE
        );
        // f32: relative 4 ulp
        let xf = x as f32;
        let spf = softplus_ref(xf as f64);
        let ef = math::softplus(xf) as f64;
        assert!(
            (ef - spf).abs() <= 4.0 * f32::EPSILON as f64 * spf.abs() + 1e-45,
            "softplus_f32({x}) = {ef}, want {spf}"
        );
    }
    assert_eq!(math::softplus(f64::NEG_INFINITY), 0.0);
    assert_eq!(math::softplus(f64::INFINITY), f64::INFINITY);
    assert_eq!(math::sigmoid(f32::INFINITY), 1.0);
    assert_eq!(math::sigmoid(f32::NEG_INFINITY), 0.0);
    assert_eq!(math::log_sigmoid(f32::INFINITY), 0.0);
    assert_eq!(math::log_sigmoid(f32::NEG_INFINITY), f32::NEG_INFINITY);
    assert!(math::softplus(f32::NAN).is_nan());
    assert!(math::sigmoid(f64::NAN).is_nan());
    // e^-100 in f32 is subnormal, and softplus keeps it.
    assert_eq!(math::softplus(-100.0f32), libm::exp(-100.0) as f32);
}

#[test]
fn logsumexp_values() {
    let lse = |x: &[f64]| {
        let m = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        m + libm::log(x.iter().map(|v| libm::exp(v - m)).sum::<f64>())
    };
    // Rows long enough to cross the online chunks with a rising maximum.
    let mut row: Vec<f64> = (0..1000)
        .map(|i| ((i * 37 % 101) as f64) * 0.3 - 10.0 + i as f64 * 0.01)
        .collect();
    assert!((math::logsumexp(&row) - lse(&row)).abs() < 1e-13);
    row.reverse();
    assert!((math::logsumexp(&row) - lse(&row)).abs() < 1e-13);
    let rowf: Vec<f32> = row.iter().map(|&v| v as f32).collect();
    let rowd: Vec<f64> = rowf.iter().map(|&v| v as f64).collect();
    assert!(((math::logsumexp(&rowf) as f64) - lse(&rowd)).abs() < 4e-6);
    assert_eq!(
        math::logsumexp(&[1000.0f64, 1000.0]),
        1000.0 + core::f64::consts::LN_2
    );
    assert_eq!(math::logsumexp::<f64>(&[]), f64::NEG_INFINITY);
    assert_eq!(math::logsumexp(&[f64::NEG_INFINITY; 3]), f64::NEG_INFINITY);
    assert_eq!(math::logsumexp(&[f64::NEG_INFINITY, 0.0]), 0.0);
    assert_eq!(math::logsumexp(&[f64::INFINITY, 0.0]), f64::INFINITY);
    assert!(math::logsumexp(&[1.0, f64::NAN, 2.0]).is_nan());
}

/// All 2³² f32 inputs (run with `--release -- --ignored`).
#[test]
#[ignore]
fn exhaustive_f32() {
    for (name, f, r, bound) in [
        (
            "exp_f32",
            math::exp_f32 as fn(f32) -> f32,
            libm::exp as fn(f64) -> f64,
            1.0,
        ),
        ("ln_f32", math::ln_f32, libm::log, 1.0),
        ("ln_1p_f32", math::ln_1p_f32, libm::log1p, 2.0),
    ] {
        let mut w = Worst::new();
        for b in 0..=u32::MAX {
            let x = f32::from_bits(b);
            w.see(err32(f(x), r(x as f64)), x as f64);
        }
        println!(
            "{name}: exhaustive max error {:.4} ulp at x = {:e}",
            w.ulps, w.at
        );
        assert!(w.ulps <= bound, "{name}");
    }
}

// ---------------------------------------------------------------------------------------
// The fused kernels of the losses: exp_nonpositive, ln_1p_recip, logistic_kernel,
// log_cosh_tanh. References are f64 formulas with libm, written out here.

/// ln cosh x in f64: ln(1 + m²/(2(1 + m))), m = eᵃ − 1, for a = |x| < 1 (no cancellation);
/// a + ln(1 + e^(−2a)) − ln 2 beyond.
fn log_cosh_ref(x: f64) -> f64 {
    let a = x.abs();
    if a < 1.0 {
        let m = libm::expm1(a);
        libm::log1p(m * m / (2.0 * (1.0 + m)))
    } else {
        a + libm::log1p(libm::exp(-2.0 * a)) - core::f64::consts::LN_2
    }
}

/// σ(x) in f64.
fn sigmoid_ref(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + libm::exp(-x))
    } else {
        let e = libm::exp(x);
        e / (1.0 + e)
    }
}

/// The softplus/sigmoid pieces as the losses assemble them from `logistic_kernel`.
fn parts32(x: f32) -> (f32, f32, f32, f32) {
    let (l, s_abs, s_negabs) = math::logistic_kernel(x);
    let pos = if x > 0.0 { x } else { 0.0 };
    let neg = if x < 0.0 { -x } else { 0.0 };
    let (s, sn) = if x < 0.0 {
        (s_negabs, s_abs)
    } else {
        (s_abs, s_negabs)
    };
    (pos + l, neg + l, s, sn)
}

fn parts64(x: f64) -> (f64, f64, f64, f64) {
    let (l, s_abs, s_negabs) = math::logistic_kernel(x);
    let pos = if x > 0.0 { x } else { 0.0 };
    let neg = if x < 0.0 { -x } else { 0.0 };
    let (s, sn) = if x < 0.0 {
        (s_negabs, s_abs)
    } else {
        (s_abs, s_negabs)
    };
    (pos + l, neg + l, s, sn)
}

const LOGISTIC_CENTRES32: [f32; 9] = [
    0.0, -0.0, 1.0, -1.0, 16.635532, -16.635532, 87.33655, -87.33655, -103.97208,
];
const LOG_COSH_CENTRES32: [f32; 9] = [0.0, -0.0, 1.0, -1.0, 0.5, 9.0, -9.0, 44.0, 52.0];

#[test]
fn exp_nonpositive_is_exp_for_nonpositive_x() {
    for x in inputs32(STRIDE, &[0.0, -0.0, -87.33655, -103.97208, -104.0]) {
        if x <= 0.0 || x.is_nan() {
            let (a, b) = (math::exp_nonpositive_f32(x), math::exp_f32(x));
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "{x}"
            );
        }
    }
    for x in inputs64(
        2_000_000,
        &[0.0, -0.0, -708.3964185322641, -745.1332191019411],
    ) {
        if x <= 0.0 || x.is_nan() {
            let (a, b) = (math::exp_nonpositive_f64(x), math::exp_f64(x));
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "{x}"
            );
        }
    }
}

#[test]
fn ln_1p_recip_f32_within_2_ulp() {
    let xs: Vec<f32> = inputs32(
        STRIDE,
        &[0.0, 1.0, 5.9604645e-8, 0.41421357, 2.0, 1e-8, 16_777_216.0],
    )
    .into_iter()
    .filter(|x| *x >= 0.0 || x.is_nan())
    .collect();
    let l = sweep32(
        |x| math::ln_1p_recip_f32(x).0,
        libm::log1p,
        &xs,
        2.0,
        "ln_1p_recip_f32 ln",
    );
    let r = sweep32(
        |x| math::ln_1p_recip_f32(x).1,
        |x| 1.0 / (1.0 + x),
        &xs,
        2.0,
        "ln_1p_recip_f32 recip",
    );
    println!("ln_1p_recip_f32: {l:.3} / {r:.3} ulp");
}

#[test]
fn ln_1p_recip_f64_near_libm() {
    let xs: Vec<f64> = inputs64(2_000_000, &[0.0, 1.0, 1.1102230246251565e-16, 2.0, 1e-10])
        .into_iter()
        .filter(|x| *x >= 0.0 || x.is_nan())
        .collect();
    sweep64(
        |x| math::ln_1p_recip_f64(x).0,
        libm::log1p,
        &xs,
        2.0,
        "ln_1p_recip_f64 ln",
    );
    sweep64(
        |x| math::ln_1p_recip_f64(x).1,
        |x| 1.0 / (1.0 + x),
        &xs,
        1.0,
        "ln_1p_recip_f64 recip",
    );
}

#[test]
fn logistic_kernel_f32_within_2_ulp() {
    let xs = inputs32(STRIDE, &LOGISTIC_CENTRES32);
    sweep32(
        |x| parts32(x).0,
        softplus_ref,
        &xs,
        2.0,
        "softplus(x) from logistic_kernel f32",
    );
    sweep32(
        |x| parts32(x).1,
        |x| softplus_ref(-x),
        &xs,
        2.0,
        "softplus(-x) from logistic_kernel f32",
    );
    sweep32(
        |x| parts32(x).2,
        sigmoid_ref,
        &xs,
        2.0,
        "sigmoid(x) from logistic_kernel f32",
    );
    sweep32(
        |x| parts32(x).3,
        |x| sigmoid_ref(-x),
        &xs,
        2.0,
        "sigmoid(-x) from logistic_kernel f32",
    );
    sweep32(
        |x| math::logistic_kernel(x).0,
        |x| libm::log1p(libm::exp(-x.abs())),
        &xs,
        2.0,
        "ln(1 + e^-|x|) f32",
    );
}

#[test]
fn logistic_kernel_f64_near_libm() {
    let xs = inputs64(
        2_000_000,
        &[
            0.0,
            -0.0,
            1.0,
            -1.0,
            36.7368005696771,
            -708.3964185322641,
            -745.1332191019411,
        ],
    );
    sweep64(
        |x| parts64(x).0,
        softplus_ref,
        &xs,
        3.0,
        "softplus(x) from logistic_kernel f64",
    );
    sweep64(
        |x| parts64(x).1,
        |x| softplus_ref(-x),
        &xs,
        3.0,
        "softplus(-x) from logistic_kernel f64",
    );
    sweep64(
        |x| parts64(x).2,
        sigmoid_ref,
        &xs,
        3.0,
        "sigmoid(x) from logistic_kernel f64",
    );
    sweep64(
        |x| parts64(x).3,
        |x| sigmoid_ref(-x),
        &xs,
        3.0,
        "sigmoid(-x) from logistic_kernel f64",
    );
}

#[test]
fn log_cosh_tanh_f32_within_2_ulp() {
    let xs = inputs32(STRIDE, &LOG_COSH_CENTRES32);
    sweep32(
        |x| math::log_cosh_tanh_f32(x).0,
        log_cosh_ref,
        &xs,
        2.0,
        "log_cosh f32",
    );
    sweep32(
        |x| math::log_cosh_tanh_f32(x).1,
        libm::tanh,
        &xs,
        2.0,
        "tanh f32",
    );
    // A dense run over [0, 4]: every 7th bit pattern.
    let dense: Vec<f32> = (0u32..=4.0f32.to_bits())
        .step_by(7)
        .map(f32::from_bits)
        .collect();
    sweep32(
        |x| math::log_cosh_tanh_f32(x).0,
        log_cosh_ref,
        &dense,
        2.0,
        "log_cosh f32 [0, 4]",
    );
    sweep32(
        |x| math::log_cosh_tanh_f32(x).1,
        libm::tanh,
        &dense,
        2.0,
        "tanh f32 [0, 4]",
    );
}

/// ln cosh x in f64 to within about half an ulp: for |x| < 1 its Maclaurin series
/// Σₙ (−1)ⁿ⁺¹(4ⁿ − 1)ζ(2n)/(n·π²ⁿ)·x²ⁿ (ζ(2n) summed directly for n ≥ 5; x² split exactly
/// into two doubles, so that the leading term x²/2 carries no rounding), the libm form of
/// [`log_cosh_ref`] beyond (no cancellation there).
fn log_cosh_series_ref(x: f64) -> f64 {
    let a = x.abs();
    if a >= 1.0 || a.is_nan() {
        return log_cosh_ref(x);
    }
    let pi2 = core::f64::consts::PI * core::f64::consts::PI;
    let y_hi = a * a;
    let y_lo = a.mul_add(a, -y_hi);
    let y = y_hi;
    // Terms n ≥ 2, smallest first.
    let mut rest = 0.0;
    let mut c = [0.0f64; 41];
    c[2] = -1.0 / 12.0;
    c[3] = 1.0 / 45.0;
    c[4] = -17.0 / 2520.0;
    for (n, cn) in c.iter_mut().enumerate().skip(5) {
        let zeta: f64 = (1..=200)
            .rev()
            .map(|k| (k as f64).powi(-2 * n as i32))
            .sum();
        let sign = if n % 2 == 1 { 1.0 } else { -1.0 };
        *cn = sign * (4f64.powi(n as i32) - 1.0) * zeta / (n as f64 * pi2.powi(n as i32));
    }
    for n in (2..=40).rev() {
        rest += c[n] * y.powi(n as i32);
    }
    0.5 * y_hi + (0.5 * y_lo + rest)
}

#[test]
fn log_cosh_tanh_f64_near_reference() {
    let xs = inputs64(2_000_000, &[0.0, -0.0, 0.75, -0.75, 1.0, 19.0, 44.0, 373.0]);
    sweep64(
        |x| math::log_cosh_tanh_f64(x).0,
        log_cosh_series_ref,
        &xs,
        4.0,
        "log_cosh f64",
    );
    sweep64(
        |x| math::log_cosh_tanh_f64(x).1,
        libm::tanh,
        &xs,
        3.0,
        "tanh f64",
    );
}

#[test]
fn fused_kernels_special_values() {
    assert_eq!(math::ln_1p_recip_f32(0.0), (0.0, 1.0));
    assert_eq!(math::ln_1p_recip_f32(f32::INFINITY), (f32::INFINITY, 0.0));
    assert_eq!(math::ln_1p_recip_f64(f64::INFINITY), (f64::INFINITY, 0.0));
    let (l, r) = math::ln_1p_recip_f32(f32::NAN);
    assert!(l.is_nan() && r.is_nan());
    assert_eq!(math::ln_1p_recip_f32(1e-30), (1e-30, 1.0));
    assert_eq!(math::logistic_kernel(f32::INFINITY), (0.0, 1.0, 0.0));
    assert_eq!(math::logistic_kernel(f64::NEG_INFINITY), (0.0, 1.0, 0.0));
    assert_eq!(
        math::logistic_kernel(0.0f32),
        (core::f32::consts::LN_2, 0.5, 0.5)
    );
    let (l, s, sn) = math::logistic_kernel(f32::NAN);
    assert!(l.is_nan() && s.is_nan() && sn.is_nan());
    // e^-100 is subnormal in f32: σ(−100) and softplus(−100) keep it.
    assert_eq!(parts32(-100.0).0, libm::exp(-100.0) as f32);
    assert_eq!(parts32(-100.0).2, libm::exp(-100.0) as f32);
    for (x, lc, th) in [
        (0.0f32, 0.0f32, 0.0f32),
        (f32::INFINITY, f32::INFINITY, 1.0),
        (f32::NEG_INFINITY, f32::INFINITY, -1.0),
    ] {
        assert_eq!(math::log_cosh_tanh_f32(x), (lc, th), "{x}");
        assert_eq!(
            math::log_cosh_tanh_f64(x as f64),
            (lc as f64, th as f64),
            "{x}"
        );
    }
    assert_eq!(
        math::log_cosh_tanh_f32(-100.0),
        (100.0 - core::f32::consts::LN_2, -1.0)
    );
    assert_eq!(
        math::log_cosh_tanh_f64(-100.0),
        (100.0 - core::f64::consts::LN_2, -1.0)
    );
    assert_eq!(
        math::log_cosh_tanh_f32(-0.0).1.to_bits(),
        (-0.0f32).to_bits()
    );
    assert_eq!(math::log_cosh_tanh_f32(1e-30), (0.0, 1e-30));
    let (lc, th) = math::log_cosh_tanh_f64(f64::NAN);
    assert!(lc.is_nan() && th.is_nan());
}

/// All 2³² f32 inputs of the fused kernels (run with `--release -- --ignored`).
#[test]
#[ignore]
fn exhaustive_f32_kernels() {
    type F = fn(f32) -> f32;
    type R = fn(f64) -> f64;
    let cases: [(&str, F, R, bool); 8] = [
        (
            "ln_1p_recip ln",
            |x| math::ln_1p_recip_f32(x).0,
            libm::log1p,
            true,
        ),
        (
            "ln_1p_recip recip",
            |x| math::ln_1p_recip_f32(x).1,
            |x| 1.0 / (1.0 + x),
            true,
        ),
        ("softplus(x)", |x| parts32(x).0, softplus_ref, false),
        (
            "softplus(-x)",
            |x| parts32(x).1,
            |x| softplus_ref(-x),
            false,
        ),
        ("sigmoid(x)", |x| parts32(x).2, sigmoid_ref, false),
        ("sigmoid(-x)", |x| parts32(x).3, |x| sigmoid_ref(-x), false),
        (
            "log_cosh",
            |x| math::log_cosh_tanh_f32(x).0,
            log_cosh_ref,
            false,
        ),
        ("tanh", |x| math::log_cosh_tanh_f32(x).1, libm::tanh, false),
    ];
    for (name, f, r, nonneg) in cases {
        let mut w = Worst::new();
        for b in 0..=u32::MAX {
            let x = f32::from_bits(b);
            if nonneg && x < 0.0 {
                continue;
            }
            w.see(err32(f(x), r(x as f64)), x as f64);
        }
        println!(
            "{name}: exhaustive max error {:.4} ulp at x = {:e}",
            w.ulps, w.at
        );
        assert!(w.ulps <= 2.0, "{name}");
    }
}
