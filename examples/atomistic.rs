//! An energies + forces training loss over a batch of synthetic structures, with its
//! per-term breakdown and the gradient of the total with respect to the predictions.
//!
//! Run with `cargo run --example atomistic`.

use losskit::segment::{Batch, EpochMetric, Metric, Property, PropertyLoss};
use losskit::total::Total;
use losskit::{EmptyPolicy, Options};

/// A tiny deterministic generator for the synthetic data (xorshift64*).
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn main() -> Result<(), losskit::Error> {
    // Eight structures of 3..=40 atoms: offsets as a model's data loader produces them.
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    let mut ptr = vec![0i64];
    for _ in 0..8 {
        let atoms = 3 + (rng.unit() * 38.0) as i64;
        ptr.push(ptr.last().unwrap() + atoms);
    }
    let atoms = *ptr.last().unwrap() as usize;
    let structures = ptr.len() - 1;
    let batch = Batch::<f64>::new(&ptr[..], atoms)?;

    // Synthetic targets and a model's predictions (targets plus noise).
    let e_true: Vec<f64> = (0..structures)
        .map(|k| -4.0 * (ptr[k + 1] - ptr[k]) as f64 + rng.unit())
        .collect();
    let e_pred: Vec<f64> = e_true
        .iter()
        .map(|e| e + 2.0 * (rng.unit() - 0.5))
        .collect();
    let f_true: Vec<f64> = (0..3 * atoms).map(|_| rng.unit() - 0.5).collect();
    let f_pred: Vec<f64> = f_true
        .iter()
        .map(|f| f + 0.2 * (rng.unit() - 0.5))
        .collect();

    // graph-pes' usual objective: per-atom energy RMSE + 10 × forces RMSE.
    let energy = PropertyLoss::new(Property::PerAtomEnergy, Metric::Rmse);
    let forces = PropertyLoss::new(Property::Forces, Metric::Rmse);
    let opts = Options::default();
    let mut e_grad = vec![0.0; structures];
    let mut f_grad = vec![0.0; 3 * atoms];
    let mut total = Total::<4>::new();
    total.term("per_atom_energy_rmse", 1.0, |g| {
        energy.evaluate(
            &e_pred,
            &e_true,
            &batch,
            &g.apply(opts),
            None,
            Some(&mut e_grad),
        )
    })?;
    total.term("forces_rmse", 10.0, |g| {
        forces.evaluate(
            &f_pred,
            &f_true,
            &batch,
            &g.apply(opts),
            None,
            Some(&mut f_grad),
        )
    })?;

    println!("{structures} structures, {atoms} atoms");
    println!(
        "{:<24} {:>8} {:>14} {:>14}",
        "term", "weight", "raw", "weighted"
    );
    for t in total.terms() {
        println!(
            "{:<24} {:>8} {:>14.8} {:>14.8}",
            t.name, t.weight, t.raw, t.weighted
        );
    }
    println!(
        "{:<24} {:>8} {:>14} {:>14.8}",
        "total",
        "",
        "",
        total.value()
    );
    let norm = |g: &[f64]| g.iter().map(|x| x * x).sum::<f64>().sqrt();
    println!(
        "|dL/dE| = {:.6e}, |dL/dF| = {:.6e}",
        norm(&e_grad),
        norm(&f_grad)
    );

    // Evaluation: the true forces RMSE over the batch (equal to the loss for one batch).
    let mut epoch = EpochMetric::new();
    epoch.update(Property::Forces, &f_pred, &f_true, &batch)?;
    println!(
        "epoch forces RMSE = {:.8}, MAE = {:.8}",
        epoch.rmse(EmptyPolicy::Zero)?,
        epoch.mae(EmptyPolicy::Zero)?
    );
    Ok(())
}
