//! The engine's two-input front end (`Pointwise2` / `evaluate2`): every option works as for
//! one input, the second gradient follows the same rules, and a two-input loss that
//! ignores q gives bit for bit what `evaluate` gives.

use losskit::pointwise::{evaluate, evaluate2, Pointwise, Pointwise2};
use losskit::{EmptyPolicy, Error, GradMode, Options, Partial, Real, Reduction};

/// ℓ = (p − y)² + 3·q·p; ∂ℓ/∂p = 2(p − y) + 3q; ∂ℓ/∂q = 3p.
struct Toy;

impl<T: Real> Pointwise2<T> for Toy {
    fn loss_grad(&self, p: T, q: T, y: T) -> (T, T, T) {
        let three = T::from_f64(3.0);
        let d = p - y;
        (d * d + three * q * p, d + d + three * q, three * p)
    }
}

/// (p − y)² as a one-input loss, and as a two-input loss that ignores q.
struct Sq;

impl<T: Real> Pointwise<T> for Sq {
    fn loss_grad(&self, p: T, y: T) -> (T, T) {
        let d = p - y;
        (d * d, d + d)
    }
}

impl<T: Real> Pointwise2<T> for Sq {
    fn loss_grad(&self, p: T, _q: T, y: T) -> (T, T, T) {
        let (l, g) = Pointwise::loss_grad(self, p, y);
        (l, g, T::zero())
    }
}

fn data(n: usize, mut s: u64) -> Vec<f64> {
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
        .collect()
}

const MAGIC: f64 = -9999.0;

struct Setup {
    p: Vec<f64>,
    q: Vec<f64>,
    y: Vec<f64>,
    w: Vec<f64>,
    mask: Vec<u8>,
}

fn setup(n: usize) -> Setup {
    let mut y = data(n, 3);
    for i in (0..n).step_by(7) {
        y[i] = MAGIC;
    }
    Setup {
        p: data(n, 1),
        q: data(n, 2),
        y,
        w: data(n, 4).iter().map(|x| x.abs()).collect(),
        mask: (0..n).map(|i| (i % 5 != 2) as u8).collect(),
    }
}

/// The independent reference for Toy: (value, grad_p, grad_q) of a weighted, masked mean
/// (or sum), scaled by s.
fn toy_reference(st: &Setup, mean: bool, s: f64) -> (f64, Vec<f64>, Vec<f64>) {
    let n = st.p.len();
    let keep = |i: usize| st.mask[i] != 0 && st.y[i] != MAGIC;
    let wsum: f64 = (0..n).filter(|&i| keep(i)).map(|i| st.w[i]).sum();
    let norm = if mean { 1.0 / wsum } else { 1.0 };
    let mut v = 0.0;
    let (mut gp, mut gq) = (vec![0.0; n], vec![0.0; n]);
    for i in 0..n {
        if !keep(i) {
            continue;
        }
        let (p, q, y) = (st.p[i], st.q[i], st.y[i]);
        v += st.w[i] * ((p - y) * (p - y) + 3.0 * q * p);
        gp[i] = s * norm * st.w[i] * (2.0 * (p - y) + 3.0 * q);
        gq[i] = s * norm * st.w[i] * 3.0 * p;
    }
    (v * norm, gp, gq)
}

#[test]
fn two_inputs_with_every_option() {
    let n = 300; // more than one summation block
    let st = setup(n);
    for (red, mean) in [(Reduction::Mean, true), (Reduction::Sum, false)] {
        let o = Options::default()
            .with_reduction(red)
            .with_mask(&st.mask)
            .with_weights(&st.w)
            .with_magic(MAGIC)
            .with_grad_scale(0.5);
        let (want, wp, wq) = toy_reference(&st, mean, 0.5);
        let mut gp = vec![f64::NAN; n];
        let mut gq = vec![f64::NAN; n];
        let r = evaluate2(
            &Toy,
            &st.p,
            &st.q,
            &st.y,
            &o,
            None,
            Some(&mut gp),
            Some(&mut gq),
        )
        .unwrap();
        assert!((r.value - want).abs() <= 1e-13 * want.abs());
        for i in 0..n {
            assert!(
                (gp[i] - wp[i]).abs() <= 1e-14 * wp[i].abs().max(1e-3),
                "gp[{i}]"
            );
            assert!(
                (gq[i] - wq[i]).abs() <= 1e-14 * wq[i].abs().max(1e-3),
                "gq[{i}]"
            );
        }
        // Only one of the two gradients: the same numbers, the other buffer untouched.
        let mut gq_only = vec![f64::NAN; n];
        evaluate2(
            &Toy,
            &st.p,
            &st.q,
            &st.y,
            &o,
            None,
            None,
            Some(&mut gq_only),
        )
        .unwrap();
        assert_eq!(gq_only, gq);
        let mut gp_only = vec![f64::NAN; n];
        evaluate2(
            &Toy,
            &st.p,
            &st.q,
            &st.y,
            &o,
            None,
            Some(&mut gp_only),
            None,
        )
        .unwrap();
        assert_eq!(gp_only, gp);
        // Accumulate adds exactly the overwritten gradient.
        let mut acc = vec![1.0; n];
        let oa = o.with_grad_mode(GradMode::Accumulate);
        evaluate2(&Toy, &st.p, &st.q, &st.y, &oa, None, None, Some(&mut acc)).unwrap();
        for i in 0..n {
            assert_eq!(acc[i], 1.0 + gq[i]);
        }
    }
    // None: per-element values, 0 where masked; Partial: (Σwℓ, Σw).
    let o = Options::default()
        .with_mask(&st.mask)
        .with_weights(&st.w)
        .with_magic(MAGIC);
    let mut vals = vec![f64::NAN; n];
    let on = o.with_reduction(Reduction::None);
    let r = evaluate2(&Toy, &st.p, &st.q, &st.y, &on, Some(&mut vals), None, None).unwrap();
    let (sum, _, _) = toy_reference(&st, false, 1.0);
    assert!((r.value - sum).abs() <= 1e-13 * sum.abs());
    assert_eq!(vals[0], 0.0, "magic target");
    assert_eq!(vals[2], 0.0, "masked");
    let op = o.with_reduction(Reduction::Partial);
    let r = evaluate2(&Toy, &st.p, &st.q, &st.y, &op, None, None, None).unwrap();
    let wsum: f64 = (0..n)
        .filter(|&i| st.mask[i] != 0 && st.y[i] != MAGIC)
        .map(|i| st.w[i])
        .sum();
    assert!((r.partial.weight - wsum).abs() <= 1e-13 * wsum);
    assert!((r.partial.sum - sum).abs() <= 1e-13 * sum.abs());
}

#[test]
fn two_inputs_per_row_means_and_empty_rows() {
    // 3 rows of 4; row 1 entirely magic.
    let p = data(12, 5);
    let q = data(12, 6);
    let mut y = data(12, 7);
    for v in &mut y[4..8] {
        *v = MAGIC;
    }
    let o = Options::default().with_magic(MAGIC).with_row_len(4);
    let mut gq = vec![f64::NAN; 12];
    let r = evaluate2(&Toy, &p, &q, &y, &o, None, None, Some(&mut gq)).unwrap();
    let row = |k: usize| {
        (0..4)
            .map(|j| {
                let i = 4 * k + j;
                (p[i] - y[i]).powi(2) + 3.0 * q[i] * p[i]
            })
            .sum::<f64>()
            / 4.0
    };
    let want = (row(0) + row(2)) / 2.0;
    assert!((r.value - want).abs() <= 1e-14 * want.abs());
    for i in 0..12 {
        let want = if (4..8).contains(&i) {
            0.0
        } else {
            3.0 * p[i] / 4.0 / 2.0
        };
        assert!((gq[i] - want).abs() <= 1e-15, "gq[{i}]");
    }
    let r = evaluate2(
        &Toy,
        &p,
        &q,
        &y,
        &o.with_empty(EmptyPolicy::Nan),
        None,
        None,
        None,
    )
    .unwrap();
    assert!(r.value.is_nan());
    let before = gq.clone();
    assert_eq!(
        evaluate2(
            &Toy,
            &p,
            &q,
            &y,
            &o.with_empty(EmptyPolicy::Error),
            None,
            None,
            Some(&mut gq)
        ),
        Err(Error::EmptyMean)
    );
    assert_eq!(gq, before, "nothing written on error");
}

#[test]
fn two_input_front_end_matches_one_input_bit_for_bit() {
    let n = 600;
    let st = setup(n);
    let mut y_rows = st.y.clone();
    for v in &mut y_rows[20..30] {
        *v = MAGIC; // an all-magic row of 10
    }
    let opts = [
        Options::default(),
        Options::default().with_reduction(Reduction::Sum),
        Options::default()
            .with_mask(&st.mask)
            .with_weights(&st.w)
            .with_magic(MAGIC),
        Options::default()
            .with_magic(MAGIC)
            .with_row_len(10)
            .with_grad_scale(0.25),
        Options::default()
            .with_weights(&st.w)
            .with_reduction(Reduction::None),
        Options::default()
            .with_magic(MAGIC)
            .with_row_len(10)
            .with_reduction(Reduction::None)
            .with_grad_mode(GradMode::Accumulate),
    ];
    for (k, o) in opts.iter().enumerate() {
        {
            let run = |two: bool| -> (f64, Partial, Vec<f64>, Vec<f64>) {
                let y = if o.row_len > 0 { &y_rows } else { &st.y };
                let rows = n.checked_div(o.row_len).unwrap_or(n);
                let mut vals = vec![0.5; rows];
                let mut g = vec![0.25; n];
                let v = (o.reduction == Reduction::None).then_some(&mut vals[..]);
                let r = if two {
                    evaluate2(&Sq, &st.p, &st.q, y, o, v, Some(&mut g), None).unwrap()
                } else {
                    evaluate(&Sq, &st.p, y, o, v, Some(&mut g)).unwrap()
                };
                (r.value, r.partial, vals, g)
            };
            let (a, b) = (run(false), run(true));
            assert_eq!(a.0.to_bits(), b.0.to_bits(), "options {k}: value");
            assert_eq!(a.1, b.1, "options {k}: partial");
            assert_eq!(a.2, b.2, "options {k}: values");
            assert_eq!(a.3, b.3, "options {k}: grad");
        }
    }
}

#[test]
fn two_input_bad_lengths_write_nothing() {
    let p = [1.0, 2.0, 3.0];
    let mut g = [7.0; 3];
    let mut gq = [7.0; 3];
    let o = Options::default();
    assert!(matches!(
        evaluate2(
            &Toy,
            &p,
            &[0.0; 2],
            &p,
            &o,
            None,
            Some(&mut g),
            Some(&mut gq)
        ),
        Err(Error::LengthMismatch { what: "q", .. })
    ));
    assert!(matches!(
        evaluate2(
            &Toy,
            &p,
            &p,
            &p,
            &o,
            None,
            Some(&mut g),
            Some(&mut [0.0; 2])
        ),
        Err(Error::LengthMismatch { what: "grad", .. })
    ));
    assert_eq!((g, gq), ([7.0; 3], [7.0; 3]));
}
