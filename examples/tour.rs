//! A guided tour of losskit: every loss family evaluated on built-in sample data, printing
//! each value and the norm of its gradient.
//!
//! Run with `cargo run --release --example tour`.

use losskit::rowwise::{self, CrossEntropy};
use losskit::segment::{Batch, Metric, Property, PropertyLoss};
use losskit::total::Total;
use losskit::{binary, regression, Options, Reduction, ASTRONN_MAGIC};

/// A small deterministic sample: predictions of a noisy linear model and their targets.
fn sample(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let target: Vec<f64> = (0..n).map(|i| 1.0 + 0.05 * i as f64).collect();
    let pred = target.iter().map(|y| y + (uniform() - 0.5) * 0.8).collect();
    (pred, target)
}

fn norm(g: &[f64]) -> f64 {
    g.iter().map(|x| x * x).sum::<f64>().sqrt()
}

type Loss = fn(
    &[f64],
    &[f64],
    &Options<'_, f64>,
    Option<&mut [f64]>,
    Option<&mut [f64]>,
) -> Result<losskit::Reduced<f64>, losskit::Error>;

fn main() -> Result<(), losskit::Error> {
    let (pred, target) = sample(64);
    let mut grad = vec![0.0; pred.len()];
    let opts = Options::default();

    println!(
        "losskit tour: {} predictions of a noisy linear model\n",
        pred.len()
    );
    println!("== Regression (mean over all elements) ==");
    println!("{:<22} {:>14} {:>14}", "loss", "value", "|grad|");
    let plain: [(&str, Loss); 8] = [
        ("mse", regression::mse),
        ("mae", regression::mae),
        ("rmse", regression::rmse),
        ("mean_error", regression::mean_error),
        ("msle", regression::msle),
        ("mape", regression::mape),
        ("mpe", regression::mpe),
        ("log_cosh", regression::log_cosh),
    ];
    for (name, f) in plain {
        let r = f(&pred, &target, &opts, None, Some(&mut grad))?;
        println!("{name:<22} {:>14.8} {:>14.8}", r.value, norm(&grad));
    }
    let r = regression::huber(&pred, &target, 0.25, &opts, None, Some(&mut grad))?;
    println!(
        "{:<22} {:>14.8} {:>14.8}",
        "huber(δ=0.25)",
        r.value,
        norm(&grad)
    );
    let r = regression::scale_free_huber(&pred, &target, 0.25, &opts, None, Some(&mut grad))?;
    println!(
        "{:<22} {:>14.8} {:>14.8}",
        "scale_free_huber(0.25)",
        r.value,
        norm(&grad)
    );
    let r = regression::smooth_l1(&pred, &target, 0.25, &opts, None, Some(&mut grad))?;
    println!(
        "{:<22} {:>14.8} {:>14.8}",
        "smooth_l1(β=0.25)",
        r.value,
        norm(&grad)
    );

    println!("\n== astroNN-style: missing labels (magic number -9999), per-sample means ==");
    let mut labels = target.clone();
    for i in (0..labels.len()).step_by(5) {
        labels[i] = ASTRONN_MAGIC;
    }
    let per_star = Options::default()
        .with_magic(ASTRONN_MAGIC)
        .with_row_len(8)
        .with_reduction(Reduction::None);
    let mut per_sample = [0.0; 8];
    regression::mse(&pred, &labels, &per_star, Some(&mut per_sample), None)?;
    println!("per-sample masked MSE of 8 stars x 8 labels:");
    println!("  {per_sample:.5?}");
    let batch = per_star.with_reduction(Reduction::Mean);
    let r = regression::mse(&pred, &labels, &batch, None, Some(&mut grad))?;
    println!(
        "batch mean {:.8}, |grad| {:.8}, gradient at a missing label: {}",
        r.value,
        norm(&grad),
        grad[0]
    );

    println!("\n== Splitting the work: partial sums merged, then the global mean ==");
    let half = pred.len() / 2;
    let part = Options::default().with_reduction(Reduction::Partial);
    let a = regression::mse(&pred[..half], &target[..half], &part, None, None)?;
    let b = regression::mse(&pred[half..], &target[half..], &part, None, None)?;
    let merged = a.partial.merge(b.partial);
    let whole = regression::mse(&pred, &target, &opts, None, None)?;
    println!(
        "two shards merged: {:.17}\none call:          {:.17}",
        merged.mean(opts.empty)?,
        whole.value
    );

    classification(&pred)?;
    interatomic(&pred)?;
    Ok(())
}

/// Binary and multiclass losses: logits from the sample data, labels from its sign.
fn classification(x: &[f64]) -> Result<(), losskit::Error> {
    println!("\n== Classification: binary on 64 logits, softmax over 16 rows x 4 classes ==");
    let logits: Vec<f64> = x.iter().map(|v| 3.0 * (v - 2.5)).collect();
    let labels: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, _)| ((i * 7) % 3 == 0) as u8 as f64)
        .collect();
    let mut grad = vec![0.0; logits.len()];
    let opts = Options::default();
    let r = binary::bce_with_logits(&logits, &labels, None, &opts, None, Some(&mut grad))?;
    println!(
        "{:<32} {:>12.8}  |grad| {:.8}",
        "bce_with_logits",
        r.value,
        norm(&grad)
    );
    let r = binary::binary_focal(&logits, &labels, 2.0, &opts, None, Some(&mut grad))?;
    println!(
        "{:<32} {:>12.8}  |grad| {:.8}",
        "binary_focal(γ=2)",
        r.value,
        norm(&grad)
    );
    let classes = 4;
    let targets: Vec<i64> = (0..16)
        .map(|r| if r == 5 { -100 } else { (r * 3 % 4) as i64 })
        .collect();
    let ce = CrossEntropy {
        label_smoothing: 0.1,
        z_loss: 1e-4,
        ..CrossEntropy::default()
    };
    let r = rowwise::cross_entropy(
        &logits,
        &targets,
        classes,
        &ce,
        &opts,
        None,
        Some(&mut grad),
    )?;
    println!(
        "{:<32} {:>12.8}  |grad| {:.8}",
        "cross_entropy(ε=0.1, z=1e-4)",
        r.value,
        norm(&grad)
    );
    let mut in_place = logits.clone();
    let r2 = rowwise::cross_entropy_in_place(&mut in_place, &targets, classes, &ce, &opts, None)?;
    println!(
        "{:<32} {:>12.8}  same gradient over the logits buffer: {}",
        "cross_entropy_in_place",
        r2.value,
        in_place == grad
    );
    Ok(())
}

/// graph-pes: energies and forces of a batch of structures (CSR offsets), combined in a
/// weighted total whose gradients accumulate into the prediction buffers.
fn interatomic(noise: &[f64]) -> Result<(), losskit::Error> {
    println!("\n== Interatomic potentials (graph-pes): 4 structures, per-term breakdown ==");
    let ptr: [i64; 5] = [0, 3, 8, 10, 16];
    let atoms = 16;
    let batch = Batch::<f64>::new(&ptr[..], atoms)?;
    let e_true = [-12.1, -20.4, -8.3, -24.9];
    let e_pred: Vec<f64> = e_true.iter().zip(noise).map(|(e, n)| e + n - 1.0).collect();
    let f_true: Vec<f64> = (0..3 * atoms)
        .map(|i| ((i * 7) % 11) as f64 / 10.0 - 0.5)
        .collect();
    let f_pred: Vec<f64> = f_true
        .iter()
        .zip(noise.iter().cycle())
        .map(|(f, n)| f + 0.1 * n)
        .collect();
    let energy = PropertyLoss::new(Property::PerAtomEnergy, Metric::Rmse);
    let forces = PropertyLoss::new(Property::Forces, Metric::Huber(0.5));
    let mut e_grad = vec![0.0; e_pred.len()];
    let mut f_grad = vec![0.0; f_pred.len()];
    let mut total = Total::<2>::new();
    let opts = Options::default();
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
    total.term("forces_huber_0.5", 10.0, |g| {
        forces.evaluate(
            &f_pred,
            &f_true,
            &batch,
            &g.apply(opts),
            None,
            Some(&mut f_grad),
        )
    })?;
    for t in total.terms() {
        println!(
            "{:<22} weight {:>5} raw {:>12.8} weighted {:>12.8}",
            t.name, t.weight, t.raw, t.weighted
        );
    }
    println!(
        "{:<22} {:>12.8}   |dL/dE| {:.8} |dL/dF| {:.8}",
        "total",
        total.value(),
        norm(&e_grad),
        norm(&f_grad)
    );
    Ok(())
}
