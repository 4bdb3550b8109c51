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
    probabilistic(&pred, &target)?;
    interatomic(&pred)?;
    spectra_and_penalties(&pred)?;
    Ok(())
}

/// Heteroscedastic and Bayesian losses: a predicted mean with a predicted variance.
fn probabilistic(pred: &[f64], target: &[f64]) -> Result<(), losskit::Error> {
    use losskit::probabilistic::{gaussian_kl, gaussian_nll, GaussianPrior};
    println!("\n== Probabilistic: Gaussian NLL with a variance head, KL to a N(0,1) prior ==");
    let var: Vec<f64> = (0..pred.len())
        .map(|i| 0.05 + 0.01 * (i % 7) as f64)
        .collect();
    let (mut g_mean, mut g_var) = (vec![0.0; pred.len()], vec![0.0; pred.len()]);
    let opts = Options::default();
    let r = gaussian_nll(
        pred,
        &var,
        target,
        false,
        1e-6,
        &opts,
        None,
        Some(&mut g_mean),
        Some(&mut g_var),
    )?;
    println!(
        "{:<32} {:>12.8}  |d/dmean| {:.8} |d/dvar| {:.8}",
        "gaussian_nll",
        r.value,
        norm(&g_mean),
        norm(&g_var)
    );
    let m: Vec<f64> = pred.iter().map(|p| 0.1 * p).collect();
    let s: Vec<f64> = var.iter().map(|v| v.sqrt()).collect();
    let (mut g_m, mut g_s) = (vec![0.0; m.len()], vec![0.0; m.len()]);
    let sum = Options::default().with_reduction(Reduction::Sum);
    let kl = gaussian_kl(
        &m,
        &s,
        &GaussianPrior::default(),
        &sum,
        None,
        Some(&mut g_m),
        Some(&mut g_s),
    )?;
    println!(
        "{:<32} {:>12.8}  |d/dm| {:.8} |d/ds| {:.8}",
        "gaussian_kl (inferno, sum)",
        kl.value,
        norm(&g_m),
        norm(&g_s)
    );
    Ok(())
}

/// DRDMannTurb's spectra-fitting aggregate and Rockpool's boundary penalty.
fn spectra_and_penalties(x: &[f64]) -> Result<(), losskit::Error> {
    use losskit::grad::GradOut;
    use losskit::penalty::summed_exp_boundary_loss;
    use losskit::spectra::{
        SpectraGrads, SpectraGrid, SpectraInput, SpectraLoss, SpectraParams, SpectraTerms,
    };
    println!("\n== Spectra fitting (DRDMannTurb) on 20 log-spaced wavenumbers, 3 components ==");
    let l = 20;
    let k1: Vec<f64> = (0..l)
        .map(|j| 10f64.powf(-1.0 + 3.0 * j as f64 / (l - 1) as f64) / 40.0)
        .collect();
    // A Kaimal-like model spectrum k F(k) = a k / (1 + b k)^(5/3) and noisy "data".
    let kaimal = |k: f64, a: f64, b: f64| a * k / (1.0 + b * k).powf(5.0 / 3.0);
    let model: Vec<f64> = (0..3 * l)
        .map(|i| kaimal(k1[i % l], 50.0 + 10.0 * (i / l) as f64, 30.0))
        .collect();
    let data: Vec<f64> = model
        .iter()
        .zip(x.iter().cycle())
        .map(|(m, n)| m * (1.0 + 0.1 * (n - 2.5)))
        .collect();
    let mut work = vec![0.0; SpectraGrid::workspace_len(l)];
    let grid = SpectraGrid::new(&k1, 40.0, &mut work)?;
    let params = SpectraParams {
        alpha_pen2: 1.0,
        alpha_pen1: 1e-5,
        ..SpectraParams::default()
    };
    let loss = SpectraLoss::new(grid, params)?;
    let mut g = vec![0.0; model.len()];
    let mut terms = SpectraTerms::default();
    let grads = SpectraGrads {
        model: Some(&mut g),
        ..SpectraGrads::default()
    };
    loss.eval(&SpectraInput::new(&model, &data), grads, &mut terms)?;
    println!(
        "total {:.8} = mse {:.8} + pen1 {:.3e} + pen2 {:.3e}   |grad| {:.8}",
        terms.total,
        terms.mse,
        terms.pen1,
        terms.pen2,
        norm(&g)
    );
    println!("\n== Boundary penalty (Rockpool): parameters bounded to [-1, 1] ==");
    let params: Vec<f64> = x.iter().map(|v| v - 2.5).collect();
    let mut gp = vec![0.0; params.len()];
    let v = summed_exp_boundary_loss(&params, Some(-1.0), Some(1.0), Some(GradOut::new(&mut gp)))?;
    let outside = params.iter().filter(|p| p.abs() > 1.0).count();
    println!(
        "summed_exp_boundary_loss {v:.8} ({outside} of {} outside)  |grad| {:.8}",
        params.len(),
        norm(&gp)
    );
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
