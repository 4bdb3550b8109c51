//! The weighted total of named terms (src/total.rs).

use losskit::segment::{Batch, Metric, Property, PropertyLoss};
use losskit::total::{check_term, Total};
use losskit::{regression, Error, Options};

/// Energies + forces over a small batch; the total's gradient is the weighted sum of the
/// terms' own gradients, and the breakdown holds raw and weighted values.
#[test]
fn energy_forces_total_accumulates_weighted_gradients() {
    let ptr = [0i64, 2, 5];
    let batch = Batch::<f64>::new(&ptr, 5).unwrap();
    let e_pred = [1.0, -2.0];
    let e_true = [0.5, -1.0];
    let f_pred: Vec<f64> = (0..15).map(|i| (i as f64 * 0.37).sin()).collect();
    let f_true: Vec<f64> = (0..15).map(|i| (i as f64 * 0.11).cos()).collect();
    let energy = PropertyLoss::new(Property::PerAtomEnergy, Metric::Rmse);
    let forces = PropertyLoss::new(Property::Forces, Metric::Mse);
    let o = Options::default();

    // Each term alone.
    let mut ge = [0.0; 2];
    let le = energy
        .evaluate(&e_pred, &e_true, &batch, &o, None, Some(&mut ge))
        .unwrap()
        .value;
    let mut gf = [0.0; 15];
    let lf = forces
        .evaluate(&f_pred, &f_true, &batch, &o, None, Some(&mut gf))
        .unwrap()
        .value;

    // The total: energies weight 1, forces weight 10, and a second force term (MAE, 0.25)
    // sharing the force gradient buffer.
    let mae = PropertyLoss::new(Property::Forces, Metric::Mae);
    let mut gm = [0.0; 15];
    let lm = mae
        .evaluate(&f_pred, &f_true, &batch, &o, None, Some(&mut gm))
        .unwrap()
        .value;
    let mut total = Total::<4>::new();
    let mut te = [0.0; 2];
    let mut tf = [0.0; 15];
    total
        .term("per_atom_energy_rmse", 1.0, |g| {
            energy.evaluate(&e_pred, &e_true, &batch, &g.apply(o), None, Some(&mut te))
        })
        .unwrap();
    total
        .term("forces_mse", 10.0, |g| {
            forces.evaluate(&f_pred, &f_true, &batch, &g.apply(o), None, Some(&mut tf))
        })
        .unwrap();
    let raw = total
        .term("forces_mae", 0.25, |g| {
            mae.evaluate(&f_pred, &f_true, &batch, &g.apply(o), None, Some(&mut tf))
        })
        .unwrap();
    assert_eq!(raw, lm);
    assert_eq!(total.len(), 3);
    let expect = le + 10.0 * lf + 0.25 * lm;
    assert!((total.value() - expect).abs() < 1e-14 * expect.abs());
    let t = total.terms();
    assert_eq!(t[0].name, "per_atom_energy_rmse");
    assert_eq!(
        (t[1].weight, t[1].raw, t[1].weighted),
        (10.0, lf, 10.0 * lf)
    );
    assert_eq!(total.get("forces_mae").unwrap().weighted, 0.25 * lm);
    assert!(total.get("nope").is_none());
    for k in 0..2 {
        assert!((te[k] - ge[k]).abs() < 1e-15);
    }
    for i in 0..15 {
        let expect = 10.0 * gf[i] + 0.25 * gm[i];
        assert!((tf[i] - expect).abs() < 1e-14, "{i}");
    }
    // The term's own grad_scale multiplies the weight.
    let mut g2 = [0.0; 2];
    let mut t2 = Total::<1>::new();
    t2.term("e", 3.0, |g| {
        energy.evaluate(
            &e_pred,
            &e_true,
            &batch,
            &g.apply(o.with_grad_scale(0.5)),
            None,
            Some(&mut g2),
        )
    })
    .unwrap();
    for k in 0..2 {
        assert!((g2[k] - 1.5 * ge[k]).abs() < 1e-15);
    }
}

#[test]
fn duplicate_names_capacity_and_bad_weights_are_refused() {
    let mut total = Total::<2>::new();
    total.add("energy", 1.0, 2.0).unwrap();
    assert_eq!(total.add("energy", 5.0, 3.0), Err(Error::DuplicateName));
    assert_eq!(total.len(), 1);
    assert_eq!(total.value(), 2.0);
    assert_eq!(
        total.add("", 1.0, 1.0),
        Err(Error::BadParameter { what: "name" })
    );
    assert_eq!(
        total.add("w", f64::NAN, 1.0),
        Err(Error::BadParameter { what: "weight" })
    );
    assert_eq!(
        total.add("w", f64::INFINITY, 1.0),
        Err(Error::BadParameter { what: "weight" })
    );
    total.add("forces", -0.5, 4.0).unwrap();
    assert_eq!(total.value(), 0.0);
    assert_eq!(total.add("stress", 1.0, 1.0), Err(Error::CapacityExceeded));
    // A duplicate is reported before the capacity.
    assert_eq!(total.add("forces", 1.0, 1.0), Err(Error::DuplicateName));

    // A term whose evaluation would run is not evaluated when its name is refused.
    let mut ran = false;
    let r = total.term::<f64>("energy", 1.0, |_| {
        ran = true;
        Ok(losskit::Reduced {
            value: 0.0,
            partial: Default::default(),
        })
    });
    assert_eq!(r, Err(Error::DuplicateName));
    assert!(!ran);
    // A failing evaluation adds no term.
    let mut t = Total::<3>::new();
    let r = t.term::<f64>("mse", 1.0, |g| {
        regression::mse(
            &[1.0, 2.0],
            &[1.0],
            &g.apply(Options::default()),
            None,
            None,
        )
    });
    assert!(matches!(r, Err(Error::LengthMismatch { .. })));
    assert!(t.is_empty());
    assert_eq!(t.value(), 0.0);
    t.add("a", 1.0, 1.0).unwrap();
    t.clear();
    assert!(t.is_empty());
    // check_term directly.
    let names: [&[u8]; 2] = [b"a", b"b"];
    assert_eq!(
        check_term(names, b"b", 1.0, 2, 4),
        Err(Error::DuplicateName)
    );
    assert_eq!(
        check_term(names, b"c", 1.0, 2, 2),
        Err(Error::CapacityExceeded)
    );
    assert_eq!(check_term(names, b"c", 1.0, 2, 3), Ok(()));
}

#[test]
fn precision_is_not_narrowed() {
    // Terms whose sum is not representable in f32: the total stays f64 and is compensated.
    let mut total = Total::<3>::new();
    total.add("big", 1.0, 1.0e16).unwrap();
    total.add("small", 1.0, 1.0).unwrap();
    total.add("neg", 1.0, -1.0e16).unwrap();
    assert_eq!(total.value(), 1.0);
    let mut t = Total::<2>::new();
    let x = 1.0 + 2f64.powi(-40);
    t.add("a", 1.0, x).unwrap();
    assert_eq!(t.value(), x);
    assert_ne!(t.value() as f32 as f64, t.value());
    // An f64 loss keeps every bit in its term.
    let p = [0.1f64, 0.2, 0.3];
    let y = [0.0f64; 3];
    let r = regression::rmse(&p, &y, &Options::default(), None, None).unwrap();
    let mut t = Total::<1>::new();
    t.term("rmse", 1.0, |g| {
        regression::rmse(&p, &y, &g.apply(Options::default()), None, None)
    })
    .unwrap();
    assert_eq!(t.terms()[0].raw.to_bits(), r.value.to_bits());
    assert_eq!(t.value().to_bits(), r.value.to_bits());
    // A NaN term is reported in the total, not hidden.
    let mut t = Total::<2>::new();
    t.add("a", 1.0, 1.0).unwrap();
    t.add("b", 1.0, f64::NAN).unwrap();
    assert!(t.value().is_nan());
}
