//! Interatomic-potential losses over ragged batches (src/segment): SPEC §6.5 / §6.6 values,
//! independent f64 references on random batches, finite-difference gradients, epoch
//! metrics, and bad input.

use losskit::segment::{
    Batch, Batchwise, EpochMetric, Metric, Property, PropertyLoss, Segments, MAX_SPECIES,
};
use losskit::{EmptyPolicy, Error, GradMode, Options, Reduction};
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------
// A small self-written RNG (splitmix64).
// ---------------------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    /// Uniform in lo..=hi.
    fn int(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
}

// ---------------------------------------------------------------------------------------
// The independent reference, in f64.
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum M {
    Mse,
    Rmse,
    Mae,
    Huber(f64),
    Sfh(f64),
}

const METRICS: [M; 5] = [M::Mse, M::Rmse, M::Mae, M::Huber(0.5), M::Sfh(0.7)];

fn metric(m: M) -> Metric<f64> {
    match m {
        M::Mse => Metric::Mse,
        M::Rmse => Metric::Rmse,
        M::Mae => Metric::Mae,
        M::Huber(d) => Metric::Huber(d),
        M::Sfh(d) => Metric::ScaleFreeHuber(d),
    }
}

fn metric32(m: M) -> Metric<f32> {
    match m {
        M::Mse => Metric::Mse,
        M::Rmse => Metric::Rmse,
        M::Mae => Metric::Mae,
        M::Huber(d) => Metric::Huber(d as f32),
        M::Sfh(d) => Metric::ScaleFreeHuber(d as f32),
    }
}

/// ℓ(e) and dℓ/de for an error e = p − y (RMSE uses the squared error).
fn elem(m: M, e: f64) -> (f64, f64) {
    match m {
        M::Mse | M::Rmse => (e * e, 2.0 * e),
        M::Mae => (
            e.abs(),
            if e > 0.0 {
                1.0
            } else if e < 0.0 {
                -1.0
            } else {
                0.0
            },
        ),
        M::Huber(d) => {
            if e.abs() < d {
                (0.5 * e * e, e)
            } else {
                (d * (e.abs() - 0.5 * d), d * e.signum())
            }
        }
        M::Sfh(d) => {
            if e.abs() < d {
                (0.5 * e * e / d, e / d)
            } else {
                (e.abs() - 0.5 * d, e.signum())
            }
        }
    }
}

const PROPERTIES: [Property; 6] = [
    Property::Energy,
    Property::PerAtomEnergy,
    Property::Forces,
    Property::Stress,
    Property::Virial,
    Property::LocalEnergies,
];

struct Case {
    /// Atom counts per structure.
    counts: Vec<usize>,
    ptr: Vec<usize>,
    species: Vec<i64>,
    sweights: Vec<f64>,
}

impl Case {
    fn random(rng: &mut Rng, max_s: usize, max_atoms: usize, allow_empty: bool) -> Case {
        let s = rng.int(1, max_s);
        let counts: Vec<usize> = (0..s)
            .map(|_| {
                if allow_empty && rng.unit() < 0.15 {
                    0
                } else {
                    rng.int(1, max_atoms)
                }
            })
            .collect();
        let mut ptr = vec![0usize];
        for &c in &counts {
            ptr.push(ptr.last().unwrap() + c);
        }
        let atoms = *ptr.last().unwrap();
        // A few species, with gaps in the ids.
        let pool = [1i64, 6, 8, 29, 79];
        let nsp = rng.int(1, pool.len());
        let species = (0..atoms).map(|_| pool[rng.int(0, nsp - 1)]).collect();
        let sweights = (0..s)
            .map(|_| {
                if rng.unit() < 0.1 {
                    0.0
                } else {
                    rng.range(0.1, 3.0)
                }
            })
            .collect();
        Case {
            counts,
            ptr,
            species,
            sweights,
        }
    }
    fn atoms(&self) -> usize {
        *self.ptr.last().unwrap()
    }
    /// For each value of `prop`: (structure, atom or None).
    fn layout(&self, prop: Property) -> Vec<(usize, Option<usize>)> {
        let mut out = Vec::new();
        match prop {
            Property::Energy | Property::PerAtomEnergy => {
                for k in 0..self.counts.len() {
                    out.push((k, None));
                }
            }
            Property::Stress | Property::Virial => {
                for k in 0..self.counts.len() {
                    for _ in 0..9 {
                        out.push((k, None));
                    }
                }
            }
            Property::Forces | Property::LocalEnergies => {
                let comps = if prop == Property::Forces { 3 } else { 1 };
                let mut a = 0;
                for (k, &c) in self.counts.iter().enumerate() {
                    for _ in 0..c {
                        for _ in 0..comps {
                            out.push((k, Some(a)));
                        }
                        a += 1;
                    }
                }
            }
        }
        out
    }
}

/// The reference value and gradient of a property loss (Reduction::Mean, EmptyPolicy::Zero).
fn reference(
    case: &Case,
    prop: Property,
    m: M,
    pred: &[f64],
    target: &[f64],
    weighted: bool,
    per_species: bool,
) -> (f64, Vec<f64>) {
    let layout = case.layout(prop);
    assert_eq!(layout.len(), pred.len());
    let n = pred.len();
    let mut u = vec![1.0; n];
    let mut c = vec![1.0; n];
    for (i, &(k, _)) in layout.iter().enumerate() {
        if weighted {
            u[i] = case.sweights[k];
        }
        if prop == Property::PerAtomEnergy {
            c[i] = case.counts[k] as f64;
        }
    }
    let mut l = vec![0.0; n];
    let mut dl = vec![0.0; n];
    for i in 0..n {
        let e = pred[i] / c[i] - target[i] / c[i];
        let (a, b) = elem(m, e);
        l[i] = a;
        dl[i] = b / c[i];
    }
    // coefficient of each value's loss in the pre-sqrt value
    let mut coef = vec![0.0; n];
    if per_species {
        let mut w_s: BTreeMap<i64, f64> = BTreeMap::new();
        for (i, &(_, a)) in layout.iter().enumerate() {
            *w_s.entry(case.species[a.unwrap()]).or_default() += u[i];
        }
        let present = w_s.values().filter(|&&w| w > 0.0).count() as f64;
        for (i, &(_, a)) in layout.iter().enumerate() {
            let w = w_s[&case.species[a.unwrap()]];
            if w > 0.0 {
                coef[i] = u[i] / (present * w);
            }
        }
    } else {
        let total: f64 = u.iter().sum();
        if total > 0.0 {
            for i in 0..n {
                coef[i] = u[i] / total;
            }
        }
    }
    let inner: f64 = (0..n).map(|i| coef[i] * l[i]).sum();
    let mut grad: Vec<f64> = (0..n).map(|i| coef[i] * dl[i]).collect();
    if let M::Rmse = m {
        let v = inner.sqrt();
        for g in &mut grad {
            *g = if v > 0.0 { *g / (2.0 * v) } else { 0.0 };
        }
        (v, grad)
    } else {
        (inner, grad)
    }
}

fn close(a: f64, b: f64, rel: f64, abs: f64) -> bool {
    (a - b).abs() <= abs + rel * b.abs().max(a.abs())
}

fn data(rng: &mut Rng, n: usize) -> (Vec<f64>, Vec<f64>) {
    let pred = (0..n).map(|_| rng.range(-3.0, 3.0)).collect();
    let target = (0..n).map(|_| rng.range(-3.0, 3.0)).collect();
    (pred, target)
}

// ---------------------------------------------------------------------------------------
// SPEC values.
// ---------------------------------------------------------------------------------------

#[test]
fn spec_6_6_per_atom_energy_and_energy_rmse() {
    let ptr = [0i64, 2, 6];
    let (pred, target) = ([10.0f64, 20.0], [8.0, 26.0]);
    let batch = Batch::<f64>::new(&ptr, 6).unwrap();
    let opts = Options::default();
    let per_atom = PropertyLoss::new(Property::PerAtomEnergy, Metric::Rmse);
    let r = per_atom
        .evaluate(&pred, &target, &batch, &opts, None, None)
        .unwrap();
    assert!((r.value - 1.2747548784).abs() < 1e-10, "{}", r.value);
    let energy = PropertyLoss::new(Property::Energy, Metric::Rmse);
    let r = energy
        .evaluate(&pred, &target, &batch, &opts, None, None)
        .unwrap();
    assert!((r.value - 4.4721359550).abs() < 1e-10, "{}", r.value);

    // f32
    let batch32 = Batch::<f32>::new(&ptr, 6).unwrap();
    let r = PropertyLoss::new(Property::PerAtomEnergy, Metric::Rmse)
        .evaluate(
            &[10.0f32, 20.0],
            &[8.0, 26.0],
            &batch32,
            &Options::default(),
            None,
            None,
        )
        .unwrap();
    assert!((r.value as f64 - 1.2747548784).abs() < 1e-6);

    // The gradient: per-atom errors e = (1, -1.5), L = sqrt(mean e²);
    // dL/dÊ_k = e_k / (2 L) / N_k.
    let mut grad = [0.0; 2];
    let r = per_atom
        .evaluate(&pred, &target, &batch, &opts, None, Some(&mut grad))
        .unwrap();
    let l = r.value;
    let expect = [1.0 / (2.0 * l) / 2.0, -1.5 / (2.0 * l) / 4.0];
    for k in 0..2 {
        assert!((grad[k] - expect[k]).abs() < 1e-14, "{grad:?} {expect:?}");
    }
}

#[test]
fn spec_6_6_huber_values() {
    // errors [0.2, 1.0] as two energies
    let batch = Batch::<f64>::new(&[0usize, 1, 2], 2).unwrap();
    let (pred, target) = ([0.2f64, 1.0], [0.0, 0.0]);
    let o = Options::default();
    let h = PropertyLoss::new(Property::Energy, Metric::Huber(0.5))
        .evaluate(&pred, &target, &batch, &o, None, None)
        .unwrap();
    assert!((h.value - 0.1975).abs() < 1e-15);
    let s = PropertyLoss::new(Property::Energy, Metric::ScaleFreeHuber(0.5))
        .evaluate(&pred, &target, &batch, &o, None, None)
        .unwrap();
    assert!((s.value - 0.395).abs() < 1e-15);
}

#[test]
fn spec_6_5_mae_rmse() {
    // As three energies, and as local energies of three one-atom structures.
    for prop in [Property::Energy, Property::LocalEnergies] {
        let batch = Batch::<f64>::new(&[0usize, 1, 2, 3], 3).unwrap();
        let o = Options::default();
        let a = [1.0f64, 2.0, 3.0];
        let z = [0.0f64; 3];
        let mae = PropertyLoss::new(prop, Metric::Mae);
        let rmse = PropertyLoss::new(prop, Metric::Rmse);
        assert_eq!(
            mae.evaluate(&a, &a, &batch, &o, None, None).unwrap().value,
            0.0
        );
        let mut g = [9.0; 3];
        assert_eq!(
            rmse.evaluate(&a, &a, &batch, &o, None, Some(&mut g))
                .unwrap()
                .value,
            0.0
        );
        assert_eq!(g, [0.0; 3], "RMSE at zero error has gradient 0, not NaN");
        assert_eq!(
            mae.evaluate(&a, &z, &batch, &o, None, None).unwrap().value,
            2.0
        );
        let r = rmse.evaluate(&a, &z, &batch, &o, None, None).unwrap().value;
        assert!((r - (14.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert!((r - 2.1602469).abs() < 1e-7);
    }
}

// ---------------------------------------------------------------------------------------
// Random batches against the reference.
// ---------------------------------------------------------------------------------------

#[test]
fn random_batches_match_reference_f64() {
    let mut rng = Rng(0x5EED_0001);
    for trial in 0..12 {
        let case = Case::random(&mut rng, 50, 200, trial % 2 == 1);
        for prop in PROPERTIES {
            if prop == Property::PerAtomEnergy && case.counts.contains(&0) {
                continue;
            }
            let n = prop.len(case.counts.len(), case.atoms()).unwrap();
            let (pred, target) = data(&mut rng, n);
            for m in METRICS {
                for weighted in [false, true] {
                    let mut batch = Batch::new(&case.ptr[..], case.atoms()).unwrap();
                    if weighted {
                        batch = batch.with_structure_weights(&case.sweights).unwrap();
                    }
                    let (rv, rg) = reference(&case, prop, m, &pred, &target, weighted, false);
                    let mut grad = vec![f64::NAN; n];
                    let r = PropertyLoss::new(prop, metric(m))
                        .evaluate(
                            &pred,
                            &target,
                            &batch,
                            &Options::default(),
                            None,
                            Some(&mut grad),
                        )
                        .unwrap();
                    assert!(
                        close(r.value, rv, 1e-12, 1e-300),
                        "{prop:?} {m:?} w={weighted}: {} vs {rv}",
                        r.value
                    );
                    let gmax = rg.iter().fold(0.0f64, |a, g| a.max(g.abs()));
                    for i in 0..n {
                        assert!(
                            close(grad[i], rg[i], 1e-10, 1e-12 * gmax),
                            "{prop:?} {m:?} w={weighted} grad[{i}]: {} vs {}",
                            grad[i],
                            rg[i]
                        );
                    }
                    // Value-only call agrees bit for bit.
                    let v = PropertyLoss::new(prop, metric(m))
                        .evaluate(&pred, &target, &batch, &Options::default(), None, None)
                        .unwrap();
                    assert_eq!(v.value.to_bits(), r.value.to_bits());
                }
            }
        }
    }
}

#[test]
fn random_batches_per_species_match_reference() {
    let mut rng = Rng(0x5EED_0002);
    for trial in 0..10 {
        let case = Case::random(&mut rng, 50, 200, trial % 3 == 0);
        for prop in [Property::Forces, Property::LocalEnergies] {
            let n = prop.len(case.counts.len(), case.atoms()).unwrap();
            let (pred, target) = data(&mut rng, n);
            for m in METRICS {
                for weighted in [false, true] {
                    let mut batch = Batch::new(&case.ptr[..], case.atoms())
                        .unwrap()
                        .with_species(&case.species[..])
                        .unwrap();
                    if weighted {
                        batch = batch.with_structure_weights(&case.sweights).unwrap();
                    }
                    let (rv, rg) = reference(&case, prop, m, &pred, &target, weighted, true);
                    let mut grad = vec![f64::NAN; n];
                    let r = PropertyLoss::new(prop, metric(m))
                        .per_species()
                        .evaluate(
                            &pred,
                            &target,
                            &batch,
                            &Options::default(),
                            None,
                            Some(&mut grad),
                        )
                        .unwrap();
                    assert!(
                        close(r.value, rv, 1e-12, 1e-300),
                        "{prop:?} {m:?} w={weighted}: {} vs {rv}",
                        r.value
                    );
                    let gmax = rg.iter().fold(0.0f64, |a, g| a.max(g.abs()));
                    for i in 0..n {
                        assert!(
                            close(grad[i], rg[i], 1e-10, 1e-12 * gmax),
                            "{prop:?} {m:?} grad[{i}]"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn per_species_differs_from_plain_mean() {
    // Species 1: one atom with error 2; species 8: three atoms with error 0.
    // Plain MSE = 4/4 = 1; per-species = (4 + 0)/2 = 2.
    let batch = Batch::<f64>::new(&[0usize, 4], 4)
        .unwrap()
        .with_species(&[1i64, 8, 8, 8])
        .unwrap();
    let pred = [2.0, 0.0, 0.0, 0.0];
    let target = [0.0; 4];
    let o = Options::default();
    let plain = PropertyLoss::new(Property::LocalEnergies, Metric::Mse);
    assert_eq!(
        plain
            .evaluate(&pred, &target, &batch, &o, None, None)
            .unwrap()
            .value,
        1.0
    );
    let ps = plain.per_species();
    assert_eq!(
        ps.evaluate(&pred, &target, &batch, &o, None, None)
            .unwrap()
            .value,
        2.0
    );
}

#[test]
fn random_batches_f32_close_to_f64_reference() {
    let mut rng = Rng(0x5EED_0003);
    for _ in 0..6 {
        let case = Case::random(&mut rng, 50, 200, false);
        for prop in PROPERTIES {
            let n = prop.len(case.counts.len(), case.atoms()).unwrap();
            let (pred, target) = data(&mut rng, n);
            let p32: Vec<f32> = pred.iter().map(|&x| x as f32).collect();
            let t32: Vec<f32> = target.iter().map(|&x| x as f32).collect();
            // The reference on the rounded data.
            let p64: Vec<f64> = p32.iter().map(|&x| x as f64).collect();
            let t64: Vec<f64> = t32.iter().map(|&x| x as f64).collect();
            let w32: Vec<f32> = case.sweights.iter().map(|&x| x as f32).collect();
            let case64 = Case {
                counts: case.counts.clone(),
                ptr: case.ptr.clone(),
                species: case.species.clone(),
                sweights: w32.iter().map(|&x| x as f64).collect(),
            };
            for m in METRICS {
                let batch = Batch::<f32>::new(&case.ptr[..], case.atoms())
                    .unwrap()
                    .with_structure_weights(&w32)
                    .unwrap();
                let (rv, rg) = reference(&case64, prop, m, &p64, &t64, true, false);
                let mut grad = vec![f32::NAN; n];
                let r = PropertyLoss::new(prop, metric32(m))
                    .evaluate(
                        &p32,
                        &t32,
                        &batch,
                        &Options::default(),
                        None,
                        Some(&mut grad),
                    )
                    .unwrap();
                assert!(close(r.value as f64, rv, 2e-6, 0.0), "{prop:?} {m:?}");
                let gmax = rg.iter().fold(0.0f64, |a, g| a.max(g.abs()));
                for i in 0..n {
                    assert!(
                        close(grad[i] as f64, rg[i], 1e-5, 1e-6 * gmax),
                        "{prop:?} {m:?} grad[{i}]: {} vs {}",
                        grad[i],
                        rg[i]
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Finite differences.
// ---------------------------------------------------------------------------------------

fn near_kink(m: M, e: f64) -> bool {
    match m {
        M::Mae => e.abs() < 1e-3,
        M::Huber(d) | M::Sfh(d) => (e.abs() - d).abs() < 1e-3,
        _ => false,
    }
}

#[test]
fn finite_difference_gradients() {
    let mut rng = Rng(0x5EED_0004);
    let h = 1e-6;
    let mut checked = 0;
    for trial in 0..8 {
        let case = Case::random(&mut rng, 4, 5, trial % 2 == 0);
        for prop in PROPERTIES {
            if prop == Property::PerAtomEnergy && case.counts.contains(&0) {
                continue;
            }
            let n = prop.len(case.counts.len(), case.atoms()).unwrap();
            let (pred, target) = data(&mut rng, n);
            let layout = case.layout(prop);
            for m in METRICS {
                for (weighted, species) in [(false, false), (true, false), (true, true)] {
                    if species && !prop.is_per_atom() {
                        continue;
                    }
                    let mut batch = Batch::new(&case.ptr[..], case.atoms()).unwrap();
                    if weighted {
                        batch = batch.with_structure_weights(&case.sweights).unwrap();
                    }
                    if species {
                        batch = batch.with_species(&case.species[..]).unwrap();
                    }
                    let mut loss = PropertyLoss::new(prop, metric(m));
                    loss.per_species = species;
                    let o = Options::default();
                    let mut grad = vec![0.0; n];
                    loss.evaluate(&pred, &target, &batch, &o, None, Some(&mut grad))
                        .unwrap();
                    let f = |p: &[f64]| {
                        loss.evaluate(p, &target, &batch, &o, None, None)
                            .unwrap()
                            .value
                    };
                    for i in 0..n {
                        let c = if prop == Property::PerAtomEnergy {
                            case.counts[layout[i].0] as f64
                        } else {
                            1.0
                        };
                        if near_kink(m, pred[i] / c - target[i] / c) {
                            continue;
                        }
                        let mut pp = pred.clone();
                        pp[i] += h;
                        let up = f(&pp);
                        pp[i] -= 2.0 * h;
                        let down = f(&pp);
                        let fd = (up - down) / (2.0 * h);
                        assert!(
                            (fd - grad[i]).abs() < 1e-6 * (1.0 + fd.abs()),
                            "{prop:?} {m:?} w={weighted} sp={species} [{i}]: fd {fd} vs {}",
                            grad[i]
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 500, "{checked}");
}

// ---------------------------------------------------------------------------------------
// Options: reductions, masks, scale and accumulate.
// ---------------------------------------------------------------------------------------

#[test]
fn reductions_masks_and_accumulate() {
    let mut rng = Rng(0x5EED_0005);
    let mut case = Case::random(&mut rng, 10, 20, true);
    while case.atoms() < 5 || !case.counts.contains(&0) {
        case = Case::random(&mut rng, 10, 20, true);
    }
    case.sweights = case.sweights.iter().map(|w| w + 0.5).collect();
    let prop = Property::Forces;
    let n = prop.len(case.counts.len(), case.atoms()).unwrap();
    let (pred, target) = data(&mut rng, n);
    let batch = Batch::new(&case.ptr[..], case.atoms())
        .unwrap()
        .with_structure_weights(&case.sweights)
        .unwrap();
    let layout = case.layout(prop);
    let u: Vec<f64> = layout.iter().map(|&(k, _)| case.sweights[k]).collect();
    let loss = PropertyLoss::new(prop, Metric::Mse);

    // Sum and Partial
    let sum_ref: f64 = (0..n).map(|i| u[i] * (pred[i] - target[i]).powi(2)).sum();
    let w_ref: f64 = u.iter().sum();
    let o = Options::default().with_reduction(Reduction::Sum);
    let r = loss
        .evaluate(&pred, &target, &batch, &o, None, None)
        .unwrap();
    assert!(close(r.value, sum_ref, 1e-12, 0.0));
    let o = Options::default().with_reduction(Reduction::Partial);
    let r = loss
        .evaluate(&pred, &target, &batch, &o, None, None)
        .unwrap();
    assert!(close(r.partial.sum, sum_ref, 1e-12, 0.0));
    assert!(close(r.partial.weight, w_ref, 1e-12, 0.0));

    // None: per-value u·ℓ
    let mut values = vec![0.0; n];
    let o = Options::default().with_reduction(Reduction::None);
    loss.evaluate(&pred, &target, &batch, &o, Some(&mut values), None)
        .unwrap();
    for i in 0..n {
        assert!(close(
            values[i],
            u[i] * (pred[i] - target[i]).powi(2),
            1e-14,
            0.0
        ));
    }

    // A keep-mask drops values from the sum, the normaliser and the gradient.
    let mask: Vec<u8> = (0..n).map(|i| (i % 4 != 0) as u8).collect();
    let (mut s, mut w) = (0.0, 0.0);
    for i in 0..n {
        if mask[i] != 0 {
            s += u[i] * (pred[i] - target[i]).powi(2);
            w += u[i];
        }
    }
    let mut grad = vec![7.0; n];
    let o = Options::default().with_mask(&mask);
    let r = loss
        .evaluate(&pred, &target, &batch, &o, None, Some(&mut grad))
        .unwrap();
    assert!(
        close(r.value, s / w, 1e-12, 0.0),
        "{} vs {} ({s} / {w}) {:?}",
        r.value,
        s / w,
        r.partial
    );
    for i in 0..n {
        let expect = if mask[i] != 0 {
            u[i] * 2.0 * (pred[i] - target[i]) / w
        } else {
            0.0
        };
        assert!(close(grad[i], expect, 1e-12, 1e-15));
    }

    // grad_scale and Accumulate.
    let mut g1 = vec![0.0; n];
    loss.evaluate(
        &pred,
        &target,
        &batch,
        &Options::default(),
        None,
        Some(&mut g1),
    )
    .unwrap();
    let mut g2 = vec![1.0; n];
    let o = Options::default()
        .with_grad_scale(3.0)
        .with_grad_mode(GradMode::Accumulate);
    loss.evaluate(&pred, &target, &batch, &o, None, Some(&mut g2))
        .unwrap();
    for i in 0..n {
        assert!(close(g2[i], 1.0 + 3.0 * g1[i], 1e-14, 1e-15));
    }
}

#[test]
fn zero_atom_structures_in_per_atom_properties() {
    // Structures 0 and 2 are empty: forces over 3 atoms of structure 1 only.
    let ptr = [0usize, 0, 3, 3];
    let batch = Batch::<f64>::new(&ptr, 3)
        .unwrap()
        .with_structure_weights(&[5.0, 2.0, 9.0])
        .unwrap();
    let pred = [1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 3.0];
    let target = [0.0; 9];
    let r = PropertyLoss::new(Property::Forces, Metric::Mse)
        .evaluate(&pred, &target, &batch, &Options::default(), None, None)
        .unwrap();
    assert!((r.value - 14.0 / 9.0).abs() < 1e-15);
    // Energies of empty structures are fine too.
    let r = PropertyLoss::new(Property::Energy, Metric::Mae)
        .evaluate(
            &[1.0, 2.0, 3.0],
            &[0.0; 3],
            &batch,
            &Options::default(),
            None,
            None,
        )
        .unwrap();
    assert!((r.value - (5.0 + 4.0 + 27.0) / 16.0).abs() < 1e-15);
    // The per-atom energy of an empty structure is refused, naming it.
    let mut grad = [7.0; 3];
    let e = PropertyLoss::new(Property::PerAtomEnergy, Metric::Rmse)
        .evaluate(
            &[1.0, 2.0, 3.0],
            &[0.0; 3],
            &batch,
            &Options::default(),
            None,
            Some(&mut grad),
        )
        .unwrap_err();
    assert_eq!(e, Error::IndexOutOfRange { row: 0, index: 0 });
    assert_eq!(grad, [7.0; 3]);
    let b2 = Batch::<f64>::new(&[0i64, 2, 2], 2).unwrap();
    let e = PropertyLoss::new(Property::PerAtomEnergy, Metric::Mse)
        .evaluate(&[1.0, 2.0], &[0.0; 2], &b2, &Options::default(), None, None)
        .unwrap_err();
    assert_eq!(e, Error::IndexOutOfRange { row: 1, index: 2 });
}

#[test]
fn empty_batch_and_all_zero_weights() {
    let batch = Batch::<f64>::new(&[0usize], 0).unwrap();
    let loss = PropertyLoss::new(Property::Energy, Metric::Rmse);
    assert_eq!(
        loss.evaluate(&[], &[], &batch, &Options::default(), None, None)
            .unwrap()
            .value,
        0.0
    );
    let o = Options::default().with_empty(EmptyPolicy::Nan);
    assert!(loss
        .evaluate(&[], &[], &batch, &o, None, None)
        .unwrap()
        .value
        .is_nan());
    let o = Options::default().with_empty(EmptyPolicy::Error);
    assert_eq!(
        loss.evaluate(&[], &[], &batch, &o, None, None),
        Err(Error::EmptyMean)
    );
    // Per-species mean with every structure weight 0: the empty policy applies.
    let b = Batch::<f64>::new(&[0usize, 2], 2)
        .unwrap()
        .with_species(&[1i64, 2])
        .unwrap()
        .with_structure_weights(&[0.0])
        .unwrap();
    let ps = PropertyLoss::new(Property::LocalEnergies, Metric::Mse).per_species();
    let mut g = [5.0; 2];
    let r = ps
        .evaluate(
            &[1.0, 2.0],
            &[0.0; 2],
            &b,
            &Options::default(),
            None,
            Some(&mut g),
        )
        .unwrap();
    assert_eq!((r.value, g), (0.0, [0.0; 2]));
    let o = Options::default().with_empty(EmptyPolicy::Error);
    assert_eq!(
        ps.evaluate(&[1.0, 2.0], &[0.0; 2], &b, &o, None, None),
        Err(Error::EmptyMean)
    );
}

// ---------------------------------------------------------------------------------------
// Bad input.
// ---------------------------------------------------------------------------------------

#[test]
fn malformed_offsets() {
    let oor = |row, index| Err(Error::IndexOutOfRange { row, index });
    let seg = |p: &[i64], n| Segments::new(p, n).map(|_| ());
    assert!(matches!(
        seg(&[], 0),
        Err(Error::LengthMismatch {
            what: _,
            expected: 1,
            got: 0
        })
    ));
    assert_eq!(seg(&[1, 2], 2), oor(0, 1));
    assert_eq!(seg(&[-1, 2], 2), oor(0, -1));
    assert_eq!(seg(&[0, 3, 2, 4], 4), oor(1, 2)); // decreasing: structure 1
    assert_eq!(seg(&[0, 2, -5, 4], 4), oor(1, -5));
    assert_eq!(seg(&[0, 2, 9, 4], 4), oor(1, 9)); // beyond the atoms
    assert_eq!(seg(&[0, 2, 3], 4), oor(1, 3)); // last ≠ N: the last structure
    assert_eq!(seg(&[0], 2), oor(0, 0));
    assert_eq!(seg(&[0, 2, 4], 4), Ok(()));
    assert_eq!(seg(&[0], 0), Ok(()));
    let s = Segments::new(&[0usize, 2, 2, 5], 5).unwrap();
    assert_eq!((s.len(), s.atoms()), (3, 5));
    assert_eq!(s.count(1), Some(0));
    assert_eq!(s.range(2), Some(2..5));
    assert_eq!(s.count(3), None);
    assert_eq!(Segments::new(&[0i32, 1, 0], 0).map(|_| ()), oor(0, 1));
    assert_eq!(
        Segments::new(&[0usize, usize::MAX], 3).map(|_| ()),
        oor(0, i64::MAX)
    );
}

#[test]
fn bad_input_is_refused_and_outputs_untouched() {
    let batch = Batch::<f64>::new(&[0usize, 2, 3], 3).unwrap();
    let o = Options::default();
    let mse = |prop| PropertyLoss::new(prop, Metric::<f64>::Mse);
    let mut grad = [7.0; 9];
    // Lengths: forces need 9 values.
    let e = mse(Property::Forces)
        .evaluate(&[0.0; 8], &[0.0; 8], &batch, &o, None, Some(&mut grad[..8]))
        .unwrap_err();
    assert_eq!(
        e,
        Error::LengthMismatch {
            what: "pred",
            expected: 9,
            got: 8
        }
    );
    let e = mse(Property::Forces)
        .evaluate(&[0.0; 9], &[0.0; 8], &batch, &o, None, Some(&mut grad))
        .unwrap_err();
    assert!(matches!(e, Error::LengthMismatch { what: "target", .. }));
    let e = mse(Property::Stress)
        .evaluate(&[0.0; 9], &[0.0; 9], &batch, &o, None, Some(&mut grad))
        .unwrap_err();
    assert!(matches!(e, Error::LengthMismatch { expected: 18, .. }));
    let e = mse(Property::Energy)
        .evaluate(&[0.0; 2], &[0.0; 2], &batch, &o, None, Some(&mut grad))
        .unwrap_err();
    assert!(matches!(e, Error::LengthMismatch { what: "grad", .. }));
    assert_eq!(grad, [7.0; 9]);
    // Parameters.
    let bad = PropertyLoss::new(Property::Energy, Metric::Huber(0.0));
    assert_eq!(
        bad.evaluate(&[0.0; 2], &[0.0; 2], &batch, &o, None, None),
        Err(Error::BadParameter { what: "delta" })
    );
    let bad = PropertyLoss::new(Property::Energy, Metric::ScaleFreeHuber(f64::NAN));
    assert!(bad
        .evaluate(&[0.0; 2], &[0.0; 2], &batch, &o, None, None)
        .is_err());
    let rows = Options::default().with_row_len(1);
    assert_eq!(
        mse(Property::Energy).evaluate(&[0.0; 2], &[0.0; 2], &batch, &rows, None, None),
        Err(Error::BadParameter { what: "row_len" })
    );
    // Structure weights and species.
    assert!(matches!(
        batch.with_structure_weights(&[1.0]),
        Err(Error::LengthMismatch {
            what: "structure_weights",
            expected: 2,
            got: 1
        })
    ));
    assert!(matches!(
        batch.with_structure_weights(&[1.0, -1.0]),
        Err(Error::BadParameter { .. })
    ));
    assert!(matches!(
        batch.with_structure_weights(&[1.0, f64::INFINITY]),
        Err(Error::BadParameter { .. })
    ));
    assert!(matches!(
        batch.with_species(&[1i64, 2]),
        Err(Error::LengthMismatch {
            what: "species",
            ..
        })
    ));
    assert_eq!(
        batch
            .with_species(&[1i64, MAX_SPECIES as i64, 2])
            .map(|_| ()),
        Err(Error::IndexOutOfRange {
            row: 1,
            index: MAX_SPECIES as i64
        })
    );
    assert_eq!(
        batch.with_species(&[1i64, 2, -3]).map(|_| ()),
        Err(Error::IndexOutOfRange { row: 2, index: -3 })
    );
    // Per-species misuse.
    let sp = batch.with_species(&[1i64, 2, 3]).unwrap();
    let e = mse(Property::Energy)
        .per_species()
        .evaluate(&[0.0; 2], &[0.0; 2], &sp, &o, None, None);
    assert!(matches!(e, Err(Error::BadParameter { .. })));
    let e = mse(Property::LocalEnergies)
        .per_species()
        .evaluate(&[0.0; 3], &[0.0; 3], &batch, &o, None, None);
    assert!(matches!(e, Err(Error::BadParameter { .. })));
    let e = mse(Property::LocalEnergies).per_species().evaluate(
        &[0.0; 3],
        &[0.0; 3],
        &sp,
        &Options::default().with_reduction(Reduction::Sum),
        None,
        None,
    );
    assert!(matches!(e, Err(Error::BadParameter { .. })));
    // RMSE with Reduction::None is refused by the engine.
    let mut v = [0.0; 2];
    let e = PropertyLoss::new(Property::Energy, Metric::Rmse).evaluate(
        &[0.0; 2],
        &[0.0; 2],
        &batch,
        &Options::default().with_reduction(Reduction::None),
        Some(&mut v),
        None,
    );
    assert!(matches!(e, Err(Error::BadParameter { .. })));
}

#[test]
fn property_metadata() {
    let batch = Batch::<f32>::new(&[0usize, 2, 5], 5).unwrap();
    let lens: Vec<usize> = PROPERTIES.iter().map(|p| p.len(2, 5).unwrap()).collect();
    assert_eq!(lens, [2, 2, 15, 18, 18, 5]);
    let sizes: Vec<usize> = PROPERTIES.iter().map(|p| p.batch_size(&batch)).collect();
    assert_eq!(sizes, [2, 2, 5, 2, 2, 5]);
    assert_eq!(Property::Forces.len(usize::MAX, usize::MAX), None);
    assert_eq!(Property::LocalEnergies.name(), "local_energies");
}

// ---------------------------------------------------------------------------------------
// Epoch metrics.
// ---------------------------------------------------------------------------------------

#[test]
fn epoch_rmse_is_the_true_rmse_and_differs_from_batchwise() {
    let mut rng = Rng(0x5EED_0006);
    for prop in [Property::Forces, Property::PerAtomEnergy, Property::Stress] {
        let mut all = EpochMetric::new();
        let mut halves = [EpochMetric::new(), EpochMetric::new()];
        let mut batchwise = Batchwise::new();
        let (mut sse, mut sae, mut count) = (0.0f64, 0.0f64, 0.0f64);
        let (mut bw_sum, mut bw_size) = (0.0, 0.0);
        for b in 0..9 {
            let case = Case::random(&mut rng, 8, 30, false);
            let n = prop.len(case.counts.len(), case.atoms()).unwrap();
            let (pred, target) = data(&mut rng, n);
            let batch = Batch::new(&case.ptr[..], case.atoms()).unwrap();
            all.update(prop, &pred, &target, &batch).unwrap();
            halves[b % 2].update(prop, &pred, &target, &batch).unwrap();
            let layout = case.layout(prop);
            let mut bsse = 0.0;
            for i in 0..n {
                let c = if prop == Property::PerAtomEnergy {
                    case.counts[layout[i].0] as f64
                } else {
                    1.0
                };
                let e = pred[i] / c - target[i] / c;
                sse += e * e;
                sae += e.abs();
                bsse += e * e;
            }
            count += n as f64;
            let rmse_b = PropertyLoss::new(prop, Metric::Rmse)
                .evaluate(&pred, &target, &batch, &Options::default(), None, None)
                .unwrap()
                .value;
            assert!(close(rmse_b, (bsse / n as f64).sqrt(), 1e-12, 0.0));
            let size = prop.batch_size(&batch);
            batchwise.push(rmse_b, size);
            bw_sum += size as f64 * rmse_b;
            bw_size += size as f64;
        }
        let z = EmptyPolicy::Zero;
        assert!(close(
            all.rmse(z).unwrap(),
            (sse / count).sqrt(),
            1e-12,
            0.0
        ));
        assert!(close(all.mse(z).unwrap(), sse / count, 1e-12, 0.0));
        assert!(close(all.mae(z).unwrap(), sae / count, 1e-12, 0.0));
        assert_eq!(all.weight, count);
        let merged = halves[0].merge(halves[1]);
        assert!(close(
            merged.rmse(z).unwrap(),
            all.rmse(z).unwrap(),
            1e-14,
            0.0
        ));
        assert!(close(
            batchwise.mean(z).unwrap(),
            bw_sum / bw_size,
            1e-14,
            0.0
        ));
        // The two epoch RMSEs are different quantities.
        assert!((batchwise.mean(z).unwrap() - all.rmse(z).unwrap()).abs() > 1e-6);
    }
}

#[test]
fn epoch_metric_edge_cases() {
    let e = EpochMetric::new();
    assert_eq!(e.rmse(EmptyPolicy::Zero), Ok(0.0));
    assert!(e.rmse(EmptyPolicy::Nan).unwrap().is_nan());
    assert_eq!(e.mae(EmptyPolicy::Error), Err(Error::EmptyMean));
    let b = Batchwise::new();
    assert_eq!(b.mean(EmptyPolicy::Error), Err(Error::EmptyMean));
    let mut b = Batchwise::new();
    b.push(5.0, 0);
    assert_eq!(b, Batchwise::new());
    b.push(1.0, 1);
    b.push(4.0, 3);
    assert_eq!(b.mean(EmptyPolicy::Zero), Ok(13.0 / 4.0));
    // Flat values, f32.
    let mut m = EpochMetric::new();
    m.update_flat(&[1.0f32, 2.0, 3.0], &[0.0, 0.0, 0.0])
        .unwrap();
    assert!((m.rmse(EmptyPolicy::Zero).unwrap() - (14.0f64 / 3.0).sqrt()).abs() < 1e-15);
    assert_eq!(m.mae(EmptyPolicy::Zero), Ok(2.0));
    // Errors leave the accumulator unchanged.
    let batch = Batch::<f32>::new(&[0usize, 0, 1], 1).unwrap();
    let before = m;
    assert!(m
        .update(Property::PerAtomEnergy, &[1.0f32, 1.0], &[0.0, 0.0], &batch)
        .is_err());
    assert!(m
        .update(Property::Forces, &[1.0f32, 1.0], &[0.0, 0.0], &batch)
        .is_err());
    assert!(m.update_flat(&[1.0f32], &[]).is_err());
    assert_eq!(m, before);
    // Structure weights apply.
    let wb = Batch::<f64>::new(&[0usize, 1, 2], 2)
        .unwrap()
        .with_structure_weights(&[3.0, 1.0])
        .unwrap();
    let mut m = EpochMetric::new();
    m.update(Property::Energy, &[1.0, 2.0], &[0.0, 0.0], &wb)
        .unwrap();
    assert_eq!(
        m,
        EpochMetric {
            sum_sq: 7.0,
            sum_abs: 5.0,
            weight: 4.0
        }
    );
}
