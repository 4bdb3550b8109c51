//! Rockpool's boundary penalties: the values of Rockpool's own tests (SPEC §6.2) and of
//! SPEC §6.6, the decisions (strict test, jump of 1, 0 is a real bound), an independent f64
//! reference, finite-difference gradients away from the bounds, and bad input.

use losskit::grad::GradOut;
use losskit::penalty::*;
use losskit::{Error, GradMode};

const E: f64 = std::f64::consts::E;

/// The reference: the definition written out, in f64.
fn reference(x: &[f64], lo: &[f64], up: &[f64]) -> (f64, Vec<f64>) {
    let mut v = 0.0;
    let mut g = vec![0.0; x.len()];
    for i in 0..x.len() {
        if x[i] > up[i] {
            v += (x[i] - up[i]).exp();
            g[i] = (x[i] - up[i]).exp();
        }
        if x[i] < lo[i] {
            v += (lo[i] - x[i]).exp();
            g[i] = -(lo[i] - x[i]).exp();
        }
    }
    (v, g)
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300) || a == b
}

#[test]
fn rockpool_test_values() {
    // tests/tests_default/test_torch_loss.py: N = 10, bounds [-1, 1].
    for x in [2.0f64, -2.0] {
        let data = [x; 10];
        let mut g = [0.0; 10];
        let v = summed_exp_boundary_loss(&data, Some(-1.0), Some(1.0), Some(GradOut::new(&mut g)))
            .unwrap();
        assert!(close(v, 10.0 * E, 1e-15), "{v}");
        assert!(g.iter().all(|&gi| close(gi, x.signum() * E, 1e-15)));
        // The same through the regulariser object, and in f32.
        let reg = BoundaryRegularizer::new(Some(-1.0), Some(1.0)).unwrap();
        assert_eq!(reg.loss(&data, None).unwrap(), v);
        let reg32 = BoundaryRegularizer::new(Some(-1.0f32), Some(1.0)).unwrap();
        let v32 = reg32.loss(&[x as f32; 10], None).unwrap();
        assert!(close(v32 as f64, 10.0 * E, 1e-6));
    }
    // At the bounds, and random integers in {-1, 0, 1}: 0.
    for x in [1.0f64, -1.0] {
        let mut g = [7.0; 10];
        let v =
            summed_exp_boundary_loss(&[x; 10], Some(-1.0), Some(1.0), Some(GradOut::new(&mut g)))
                .unwrap();
        assert_eq!(v, 0.0);
        assert_eq!(g, [0.0; 10]);
    }
    let ints = [-1.0, 0.0, 1.0, 1.0, -1.0, 0.0, 0.0, 1.0, -1.0, 1.0];
    assert_eq!(
        summed_exp_boundary_loss(&ints, Some(-1.0), Some(1.0), None).unwrap(),
        0.0
    );
}

#[test]
fn spec_extra_values() {
    let v = summed_exp_boundary_loss(&[1.5, -2.0, 0.3], Some(-1.0), Some(1.0), None).unwrap();
    assert!(close(v, 4.3670030992, 1e-10), "{v}");
    assert!(close(v, 0.5f64.exp() + 1.0f64.exp(), 1e-15));
    // bounds_cost({"a": [0.5, 2.0, -3.0]}, lo = -1, up = 1) = e + e^2.
    let a = [0.5, 2.0, -3.0];
    let mut groups = [BoundsGroup::new(&a[..])
        .with_lower(Bound::Scalar(-1.0))
        .with_upper(Bound::Scalar(1.0))];
    let c = bounds_cost(&mut groups, 1.0, GradMode::Overwrite).unwrap();
    assert!(close(c, 10.1073379, 1e-8), "{c}");
    assert!(close(c, E + E * E, 1e-15));
}

#[test]
fn zero_is_a_real_bound() {
    // Rockpool: sebl([-5.], lower_bound=0.0) == 0.0 (0 is "no bound" there). Here: e^5.
    let v = summed_exp_boundary_loss(&[-5.0], Some(0.0), None, None).unwrap();
    assert!(close(v, 5f64.exp(), 1e-15));
    let v = summed_exp_boundary_loss(&[0.25], None, Some(0.0), None).unwrap();
    assert!(close(v, 0.25f64.exp(), 1e-15));
    // None (or an infinite bound) is no bound.
    assert_eq!(
        summed_exp_boundary_loss(&[-5.0, 1e300], None, None, None).unwrap(),
        0.0
    );
    let free = BoundaryRegularizer::<f64>::default();
    assert_eq!((free.lower, free.upper), (f64::NEG_INFINITY, f64::INFINITY));
    assert_eq!(free.loss(&[-1e308, 1e308], None).unwrap(), 0.0);
}

#[test]
fn strict_test_and_jump_of_one() {
    let up = 0.75f64;
    let just_above = f64::from_bits(up.to_bits() + 1);
    let v = summed_exp_boundary_loss(&[just_above], None, Some(up), None).unwrap();
    assert!(close(v, 1.0, 1e-15));
    assert_eq!(
        summed_exp_boundary_loss(&[up], None, Some(up), None).unwrap(),
        0.0
    );
    let lo = -0.75f64;
    let just_below = f64::from_bits(lo.to_bits() + 1); // more negative
    assert!(close(
        summed_exp_boundary_loss(&[just_below], Some(lo), None, None).unwrap(),
        1.0,
        1e-15
    ));
    // f32: compared in f32, with the bound rounded to f32 (0.1f32 is not above 0.1f32).
    assert_eq!(
        summed_exp_boundary_loss(&[0.1f32], None, Some(0.1f32), None).unwrap(),
        0.0
    );
    // A NaN element fails both tests (as in Rockpool) and costs nothing.
    let mut g = [5.0; 2];
    let v = summed_exp_boundary_loss(
        &[f64::NAN, 2.0],
        Some(-1.0),
        Some(1.0),
        Some(GradOut::new(&mut g)),
    )
    .unwrap();
    assert!(close(v, E, 1e-15));
    assert_eq!(g[0], 0.0);
    // Overflow gives +inf, not NaN (f32 overflows at e^89).
    let v = summed_exp_boundary_loss(&[100.0f32, 0.0], None, Some(1.0), None).unwrap();
    assert_eq!(v, f32::INFINITY);
    let v = summed_exp_boundary_loss(&[1000.0f64, 2.0], None, Some(1.0), None).unwrap();
    assert_eq!(v, f64::INFINITY);
}

/// SplitMix64 uniform in [a, b).
struct Rng(u64);
impl Rng {
    fn range(&mut self, a: f64, b: f64) -> f64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        a + (b - a) * (((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64)
    }
}

#[test]
fn bounds_cost_matches_reference_with_per_element_bounds() {
    let mut rng = Rng(5);
    for n in [0usize, 1, 7, 300, 1000] {
        let p1: Vec<f64> = (0..n).map(|_| rng.range(-4.0, 4.0)).collect();
        let lo1: Vec<f64> = (0..n).map(|_| rng.range(-3.0, 0.0)).collect();
        let up1: Vec<f64> = (0..n).map(|_| rng.range(0.0, 3.0)).collect();
        let p2: Vec<f64> = (0..n + 3).map(|_| rng.range(-4.0, 4.0)).collect();
        let up2: Vec<f64> = (0..n + 3)
            .map(|i| {
                if i % 3 == 0 {
                    f64::INFINITY
                } else {
                    rng.range(0.0, 2.0)
                }
            })
            .collect();
        let p3: Vec<f64> = (0..5).map(|_| rng.range(-4.0, 4.0)).collect();
        let (mut g1, mut g2, mut g3) = (vec![0.0; n], vec![0.0; n + 3], vec![-1.0; 5]);
        let mut groups = [
            BoundsGroup::new(&p1[..])
                .with_lower(Bound::Each(&lo1))
                .with_upper(Bound::Each(&up1))
                .with_grad(&mut g1),
            BoundsGroup::new(&p2[..])
                .with_lower(Bound::Scalar(0.0))
                .with_upper(Bound::Each(&up2))
                .with_grad(&mut g2),
            BoundsGroup::new(&p3[..])
                .with_upper(Bound::Scalar(-0.5))
                .with_grad(&mut g3),
        ];
        let c = bounds_cost(&mut groups, 2.0, GradMode::Overwrite).unwrap();
        let (r1, rg1) = reference(&p1, &lo1, &up1);
        let (r2, rg2) = reference(&p2, &vec![0.0; n + 3], &up2);
        let (r3, rg3) = reference(&p3, &[f64::NEG_INFINITY; 5], &[-0.5; 5]);
        assert!(
            close(c, r1 + r2 + r3, 1e-13),
            "n={n}: {c} vs {}",
            r1 + r2 + r3
        );
        for (g, r) in [(&g1, &rg1), (&g2, &rg2), (&g3, &rg3)] {
            for (a, b) in g.iter().zip(r.iter()) {
                assert!(close(*a, 2.0 * b, 1e-15));
            }
        }
        // f32 on the rounded data: summed in f64, each element in f32.
        let p1f: Vec<f32> = p1.iter().map(|&v| v as f32).collect();
        let lo1f: Vec<f32> = lo1.iter().map(|&v| v as f32).collect();
        let up1f: Vec<f32> = up1.iter().map(|&v| v as f32).collect();
        let mut gf = vec![0f32; n];
        let mut groups = [BoundsGroup::new(&p1f[..])
            .with_lower(Bound::Each(&lo1f))
            .with_upper(Bound::Each(&up1f))
            .with_grad(&mut gf)];
        let cf = bounds_cost(&mut groups, 1.0, GradMode::Overwrite).unwrap();
        let widen = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
        let (rf, _) = reference(&widen(&p1f), &widen(&lo1f), &widen(&up1f));
        assert!(close(cf as f64, rf, 1e-6));
    }
    // An empty list costs 0 (Rockpool raises on stack([])).
    assert_eq!(
        bounds_cost::<f64>(&mut [], 1.0, GradMode::Overwrite).unwrap(),
        0.0
    );
}

#[test]
fn gradients_match_central_differences_away_from_bounds() {
    let mut rng = Rng(9);
    let x: Vec<f64> = (0..40)
        .map(|_| loop {
            let v = rng.range(-3.0, 3.0);
            if (v.abs() - 1.0).abs() > 1e-3 {
                break v;
            }
        })
        .collect();
    let f = |x: &[f64]| summed_exp_boundary_loss(x, Some(-1.0), Some(1.0), None).unwrap();
    let mut g = vec![0.0; 40];
    let mut acc = vec![0.5; 40];
    f(&x);
    summed_exp_boundary_loss(&x, Some(-1.0), Some(1.0), Some(GradOut::new(&mut g))).unwrap();
    summed_exp_boundary_loss(
        &x,
        Some(-1.0),
        Some(1.0),
        Some(
            GradOut::new(&mut acc)
                .with_scale(-2.0)
                .with_mode(GradMode::Accumulate),
        ),
    )
    .unwrap();
    for i in 0..40 {
        let h = 1e-6;
        let (mut xp, mut xm) = (x.clone(), x.clone());
        xp[i] += h;
        xm[i] -= h;
        let fd = (f(&xp) - f(&xm)) / (2.0 * h);
        assert!(
            (g[i] - fd).abs() <= 1e-6 * fd.abs().max(1.0),
            "{i}: {} vs {fd}",
            g[i]
        );
        assert!(close(acc[i], 0.5 - 2.0 * g[i], 1e-15));
    }
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let bad: [(Option<f64>, Option<f64>); 5] = [
        (Some(f64::NAN), None),
        (None, Some(f64::NAN)),
        (Some(f64::INFINITY), None),
        (None, Some(f64::NEG_INFINITY)),
        (Some(1.0), Some(-1.0)),
    ];
    for (lo, up) in bad {
        let mut g = [3.0; 2];
        let r = summed_exp_boundary_loss(&[0.0, 5.0], lo, up, Some(GradOut::new(&mut g)));
        assert!(
            matches!(r, Err(Error::BadParameter { .. })),
            "{lo:?} {up:?}"
        );
        assert_eq!(g, [3.0; 2]);
        assert!(BoundaryRegularizer::new(lo, up).is_err());
    }
    // The public fields are re-checked on use.
    let r = BoundaryRegularizer {
        lower: 2.0,
        upper: 1.0,
    };
    assert!(r.loss(&[0.0], None).is_err());
    let mut g = [3.0; 1];
    assert!(matches!(
        summed_exp_boundary_loss(&[0.0, 5.0], None, Some(1.0), Some(GradOut::new(&mut g))),
        Err(Error::LengthMismatch { what: "grad", .. })
    ));
    assert!(summed_exp_boundary_loss(
        &[0.0],
        None,
        Some(1.0),
        Some(GradOut::new(&mut g).with_scale(f64::INFINITY))
    )
    .is_err());

    // bounds_cost: a bad group anywhere means nothing is written to any group.
    let p = [5.0, -5.0];
    let lo_short = [0.0];
    let lo_bad = [0.0, f64::NAN];
    let (mut g1, mut g2) = ([3.0; 2], [3.0; 2]);
    for case in 0..4 {
        let second = match case {
            0 => BoundsGroup::new(&p[..]).with_lower(Bound::Each(&lo_short)),
            1 => BoundsGroup::new(&p[..]).with_upper(Bound::Each(&lo_short)),
            2 => BoundsGroup::new(&p[..]).with_lower(Bound::Each(&lo_bad)),
            _ => BoundsGroup::new(&p[..])
                .with_lower(Bound::Scalar(1.0))
                .with_upper(Bound::Scalar(0.0)),
        };
        let mut groups = [
            BoundsGroup::new(&p[..])
                .with_upper(Bound::Scalar(1.0))
                .with_grad(&mut g1),
            second.with_grad(&mut g2),
        ];
        let r = bounds_cost(&mut groups, 1.0, GradMode::Overwrite);
        assert!(r.is_err(), "case {case}");
        assert_eq!((g1, g2), ([3.0; 2], [3.0; 2]), "case {case}");
    }
    let mut short = [0.0; 1];
    let mut groups = [BoundsGroup::new(&p[..]).with_grad(&mut short)];
    assert!(matches!(
        bounds_cost(&mut groups, 1.0, GradMode::Overwrite),
        Err(Error::LengthMismatch { what: "grad", .. })
    ));
    assert!(bounds_cost::<f64>(&mut [], f64::NAN, GradMode::Overwrite).is_err());
}

#[test]
fn bounds_cost_with_builds_groups_on_demand() {
    let params = [[2.0, 0.0], [-3.0, 0.5]];
    let mut calls = 0;
    let c = bounds_cost_with(
        2,
        |i| {
            calls += 1;
            BoundsGroup::new(&params[i][..])
                .with_lower(Bound::Scalar(-1.0))
                .with_upper(Bound::Scalar(1.0))
        },
        1.0,
        GradMode::Overwrite,
    )
    .unwrap();
    assert!(close(c, E + E * E, 1e-15));
    assert_eq!(calls, 4); // once to check, once to evaluate
}
