//! The classification entry points, f32 and f64: values against independent formulas and
//! the failure statuses (nothing written on failure).
//!
//! A unit-test module of the C library (which is a staticlib/cdylib that integration tests
//! cannot link), calling the `extern "C"` functions exactly as C does.

use crate::*;
use std::ptr::{null, null_mut};

fn message() -> String {
    let mut buf = [0u8; 256];
    let n = unsafe { lk_last_error_message(buf.as_mut_ptr().cast(), buf.len()) };
    String::from_utf8_lossy(&buf[..n.min(255)]).into_owned()
}

fn log_softmax(x: &[f64]) -> Vec<f64> {
    let m = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let lse = m + x.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
    x.iter().map(|v| v - lse).collect()
}

const LOGITS: [f64; 6] = [1.0, 2.0, 0.5, -1.0, 0.0, 3.0];
const TARGET: [i64; 2] = [1, 2];

#[test]
fn cross_entropy_f32_f64_and_in_place() {
    // Mean over the two rows of −log_softmax[y], and its gradient (p − onehot)/2.
    let mut want = 0.0;
    let mut want_grad = [0.0; 6];
    for r in 0..2 {
        let ls = log_softmax(&LOGITS[r * 3..r * 3 + 3]);
        want -= ls[TARGET[r] as usize] / 2.0;
        for k in 0..3 {
            want_grad[r * 3 + k] =
                (ls[k].exp() - if k as i64 == TARGET[r] { 1.0 } else { 0.0 }) / 2.0;
        }
    }
    let mut out = [0.0f64];
    let mut grad = [0.0f64; 6];
    let s = unsafe {
        lk_cross_entropy_f64(
            LOGITS.as_ptr(),
            TARGET.as_ptr(),
            2,
            3,
            null(),
            -100,
            0.0,
            0.0,
            null(),
            null(),
            out.as_mut_ptr(),
            grad.as_mut_ptr(),
        )
    };
    assert_eq!(s, LK_OK);
    assert!((out[0] - want).abs() < 1e-15);
    for (g, w) in grad.iter().zip(&want_grad) {
        assert!((g - w).abs() < 1e-15);
    }
    let x32: Vec<f32> = LOGITS.iter().map(|&v| v as f32).collect();
    let mut out32 = [0.0f32];
    let mut grad32 = [0.0f32; 6];
    let s = unsafe {
        lk_cross_entropy_f32(
            x32.as_ptr(),
            TARGET.as_ptr(),
            2,
            3,
            null(),
            -100,
            0.0,
            0.0,
            null(),
            null(),
            out32.as_mut_ptr(),
            grad32.as_mut_ptr(),
        )
    };
    assert_eq!(s, LK_OK);
    assert!((out32[0] as f64 - want).abs() < 1e-6);
    // In place: the logits become the gradient, bit for bit.
    for f in [0.0f32, 0.1] {
        let mut a = [0.0f32];
        let mut g = [0.0f32; 6];
        let mut b = [0.0f32];
        let mut inplace = x32.clone();
        unsafe {
            assert_eq!(
                lk_cross_entropy_f32(
                    x32.as_ptr(),
                    TARGET.as_ptr(),
                    2,
                    3,
                    null(),
                    -100,
                    f,
                    0.01,
                    null(),
                    null(),
                    a.as_mut_ptr(),
                    g.as_mut_ptr()
                ),
                LK_OK
            );
            assert_eq!(
                lk_cross_entropy_in_place_f32(
                    inplace.as_mut_ptr(),
                    TARGET.as_ptr(),
                    2,
                    3,
                    null(),
                    -100,
                    f,
                    0.01,
                    null(),
                    null(),
                    b.as_mut_ptr()
                ),
                LK_OK
            );
        }
        assert_eq!(a, b);
        assert_eq!(g.to_vec(), inplace);
    }
    let mut inplace = LOGITS;
    let mut o = [0.0f64];
    let s = unsafe {
        lk_cross_entropy_in_place_f64(
            inplace.as_mut_ptr(),
            TARGET.as_ptr(),
            2,
            3,
            null(),
            -100,
            0.0,
            0.0,
            null(),
            null(),
            o.as_mut_ptr(),
        )
    };
    assert_eq!(s, LK_OK);
    assert_eq!(o[0], out[0]);
    assert_eq!(inplace, grad);
}

#[test]
fn index_out_of_range_names_the_row_and_writes_nothing() {
    let bad = [1i64, 3];
    let mut out = [7.0f64];
    let mut grad = [7.0f64; 6];
    let s = unsafe {
        lk_cross_entropy_f64(
            LOGITS.as_ptr(),
            bad.as_ptr(),
            2,
            3,
            null(),
            -100,
            0.0,
            0.0,
            null(),
            null(),
            out.as_mut_ptr(),
            grad.as_mut_ptr(),
        )
    };
    assert_eq!(s, LK_ERR_INDEX_OUT_OF_RANGE);
    assert!(message().contains("row 1"), "{}", message());
    assert_eq!(out, [7.0]);
    assert_eq!(grad, [7.0; 6]);
    let mut inplace = LOGITS;
    let s = unsafe {
        lk_cross_entropy_in_place_f64(
            inplace.as_mut_ptr(),
            bad.as_ptr(),
            2,
            3,
            null(),
            -100,
            0.0,
            0.0,
            null(),
            null(),
            out.as_mut_ptr(),
        )
    };
    assert_eq!(s, LK_ERR_INDEX_OUT_OF_RANGE);
    assert_eq!(inplace, LOGITS);
    let s = unsafe {
        lk_nll_f32(
            [0.0f32; 6].as_ptr(),
            bad.as_ptr(),
            2,
            3,
            null(),
            -100,
            null(),
            null(),
            [0.0f32].as_mut_ptr(),
            null_mut(),
        )
    };
    assert_eq!(s, LK_ERR_INDEX_OUT_OF_RANGE);
}

#[test]
fn pointer_and_shape_failures() {
    let mut out = [7.0f64];
    let mut grad = [7.0f64; 6];
    let call = |logits: *const f64,
                target: *const i64,
                rows: usize,
                classes: usize,
                out: *mut f64,
                grad: *mut f64| unsafe {
        lk_cross_entropy_f64(
            logits,
            target,
            rows,
            classes,
            null(),
            -100,
            0.0,
            0.0,
            null(),
            null(),
            out,
            grad,
        )
    };
    assert_eq!(
        call(
            null(),
            TARGET.as_ptr(),
            2,
            3,
            out.as_mut_ptr(),
            grad.as_mut_ptr()
        ),
        LK_ERR_NULL_POINTER
    );
    assert_eq!(
        call(
            LOGITS.as_ptr(),
            null(),
            2,
            3,
            out.as_mut_ptr(),
            grad.as_mut_ptr()
        ),
        LK_ERR_NULL_POINTER
    );
    assert_eq!(
        call(
            LOGITS.as_ptr(),
            TARGET.as_ptr(),
            2,
            3,
            null_mut(),
            grad.as_mut_ptr()
        ),
        LK_ERR_NULL_POINTER
    );
    // rows × classes overflows.
    assert_eq!(
        call(
            LOGITS.as_ptr(),
            TARGET.as_ptr(),
            usize::MAX,
            3,
            out.as_mut_ptr(),
            grad.as_mut_ptr()
        ),
        LK_ERR_LENGTH_MISMATCH
    );
    // classes = 0.
    assert_eq!(
        call(
            LOGITS.as_ptr(),
            TARGET.as_ptr(),
            2,
            0,
            out.as_mut_ptr(),
            grad.as_mut_ptr()
        ),
        LK_ERR_BAD_PARAMETER
    );
    // The gradient overlaps `out`.
    assert_eq!(
        call(
            LOGITS.as_ptr(),
            TARGET.as_ptr(),
            2,
            3,
            grad.as_mut_ptr(),
            grad.as_mut_ptr()
        ),
        LK_ERR_ALIASING
    );
    // The gradient overlaps the logits.
    let mut buf = LOGITS;
    assert_eq!(
        call(
            buf.as_ptr(),
            TARGET.as_ptr(),
            2,
            3,
            out.as_mut_ptr(),
            buf.as_mut_ptr()
        ),
        LK_ERR_ALIASING
    );
    assert_eq!(out, [7.0]);
    assert_eq!(grad, [7.0; 6]);
    // In place, `out` inside the logits.
    let s = unsafe {
        lk_cross_entropy_in_place_f64(
            buf.as_mut_ptr(),
            TARGET.as_ptr(),
            2,
            3,
            null(),
            -100,
            0.0,
            0.0,
            null(),
            null(),
            buf.as_mut_ptr().wrapping_add(2),
        )
    };
    assert_eq!(s, LK_ERR_ALIASING);
    assert_eq!(buf, LOGITS);
    // In place refuses accumulate mode.
    let mut o = lk_options_default();
    o.grad_accumulate = 1;
    let s = unsafe {
        lk_cross_entropy_in_place_f64(
            buf.as_mut_ptr(),
            TARGET.as_ptr(),
            2,
            3,
            null(),
            -100,
            0.0,
            0.0,
            null(),
            &o,
            out.as_mut_ptr(),
        )
    };
    assert_eq!(s, LK_ERR_BAD_PARAMETER);
    // Negative γ.
    let s = unsafe {
        lk_focal_f64(
            LOGITS.as_ptr(),
            TARGET.as_ptr(),
            2,
            3,
            null(),
            -100,
            -1.0,
            0,
            null(),
            null(),
            out.as_mut_ptr(),
            grad.as_mut_ptr(),
        )
    };
    assert_eq!(s, LK_ERR_BAD_PARAMETER);
    let s = unsafe {
        lk_binary_focal_f32(
            [0.0f32].as_ptr(),
            [1.0f32].as_ptr(),
            null(),
            1,
            -0.5,
            null(),
            [0.0f32].as_mut_ptr(),
            null_mut(),
        )
    };
    assert_eq!(s, LK_ERR_BAD_PARAMETER);
    // pos_weight of 4 columns over 6 elements.
    let s = unsafe {
        lk_bce_with_logits_f64(
            LOGITS.as_ptr(),
            [1.0; 6].as_ptr(),
            null(),
            [1.0; 4].as_ptr(),
            4,
            6,
            null(),
            out.as_mut_ptr(),
            grad.as_mut_ptr(),
        )
    };
    assert_eq!(s, LK_ERR_LENGTH_MISMATCH);
    assert_eq!(out, [7.0]);
    assert_eq!(grad, [7.0; 6]);
}

fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[test]
fn binary_entry_points_f32_f64() {
    let z = [0.5f64, -1.0, 2.0, 0.0];
    let t = [1.0f64, 0.0, 0.3, 1.0];
    let pw = [2.0f64, 0.5];
    // BCE with logits, pos_weight per column (2 columns), mean.
    let want: f64 = (0..4)
        .map(|i| pw[i % 2] * t[i] * softplus(-z[i]) + (1.0 - t[i]) * softplus(z[i]))
        .sum::<f64>()
        / 4.0;
    let mut out = [0.0f64];
    let mut grad = [0.0f64; 4];
    let s = unsafe {
        lk_bce_with_logits_f64(
            z.as_ptr(),
            t.as_ptr(),
            null(),
            pw.as_ptr(),
            2,
            4,
            null(),
            out.as_mut_ptr(),
            grad.as_mut_ptr(),
        )
    };
    assert_eq!(s, LK_OK);
    assert!((out[0] - want).abs() < 1e-15);
    for i in 0..4 {
        let g = ((1.0 - t[i]) * sigmoid(z[i]) - pw[i % 2] * t[i] * sigmoid(-z[i])) / 4.0;
        assert!((grad[i] - g).abs() < 1e-15);
    }
    let z32: Vec<f32> = z.iter().map(|&v| v as f32).collect();
    let t32: Vec<f32> = t.iter().map(|&v| v as f32).collect();
    let pw32 = [2.0f32, 0.5];
    let mut out32 = [0.0f32];
    let s = unsafe {
        lk_bce_with_logits_f32(
            z32.as_ptr(),
            t32.as_ptr(),
            null(),
            pw32.as_ptr(),
            2,
            4,
            null(),
            out32.as_mut_ptr(),
            null_mut(),
        )
    };
    assert_eq!(s, LK_OK);
    assert!((out32[0] as f64 - want).abs() < 1e-6);

    // BCE on probabilities, focal, astroNN BCE, accuracy: f32 and f64 against formulas.
    let p: Vec<f64> = z.iter().map(|&v| sigmoid(v)).collect();
    let bce_want: f64 = (0..4)
        .map(|i| -(t[i] * p[i].ln() + (1.0 - t[i]) * (1.0 - p[i]).ln()))
        .sum::<f64>()
        / 4.0;
    let focal_want: f64 = (0..4)
        .map(|i| {
            let q = t[i] * sigmoid(-z[i]) + (1.0 - t[i]) * sigmoid(z[i]);
            q * q * (t[i] * softplus(-z[i]) + (1.0 - t[i]) * softplus(z[i]))
        })
        .sum::<f64>()
        / 4.0;
    let acc_want = (0..4)
        .filter(|&i| t[i] == if p[i] > 0.5 { 1.0 } else { 0.0 })
        .count() as f64
        / 4.0;
    let mut o = [0.0f64; 5];
    let p32: Vec<f32> = p.iter().map(|&v| v as f32).collect();
    let mut o32 = [0.0f32; 5];
    unsafe {
        assert_eq!(
            lk_bce_f64(
                p.as_ptr(),
                t.as_ptr(),
                null(),
                4,
                null(),
                &mut o[0],
                null_mut()
            ),
            LK_OK
        );
        assert_eq!(
            lk_binary_focal_f64(
                z.as_ptr(),
                t.as_ptr(),
                null(),
                4,
                2.0,
                null(),
                &mut o[1],
                null_mut()
            ),
            LK_OK
        );
        assert_eq!(
            lk_astronn_bce_f64(
                z.as_ptr(),
                t.as_ptr(),
                null(),
                4,
                1,
                null(),
                &mut o[2],
                null_mut()
            ),
            LK_OK
        );
        assert_eq!(
            lk_astronn_bce_f64(
                p.as_ptr(),
                t.as_ptr(),
                null(),
                4,
                0,
                null(),
                &mut o[3],
                null_mut()
            ),
            LK_OK
        );
        assert_eq!(
            lk_binary_accuracy_f64(z.as_ptr(), t.as_ptr(), null(), 4, 1, null(), &mut o[4]),
            LK_OK
        );
        assert_eq!(
            lk_bce_f32(
                p32.as_ptr(),
                t32.as_ptr(),
                null(),
                4,
                null(),
                &mut o32[0],
                null_mut()
            ),
            LK_OK
        );
        assert_eq!(
            lk_binary_focal_f32(
                z32.as_ptr(),
                t32.as_ptr(),
                null(),
                4,
                2.0,
                null(),
                &mut o32[1],
                null_mut()
            ),
            LK_OK
        );
        assert_eq!(
            lk_astronn_bce_f32(
                z32.as_ptr(),
                t32.as_ptr(),
                null(),
                4,
                1,
                null(),
                &mut o32[2],
                null_mut()
            ),
            LK_OK
        );
        assert_eq!(
            lk_astronn_bce_f32(
                p32.as_ptr(),
                t32.as_ptr(),
                null(),
                4,
                0,
                null(),
                &mut o32[3],
                null_mut()
            ),
            LK_OK
        );
        assert_eq!(
            lk_binary_accuracy_f32(
                p32.as_ptr(),
                t32.as_ptr(),
                null(),
                4,
                0,
                null(),
                &mut o32[4]
            ),
            LK_OK
        );
    }
    let bcel_plain: f64 = (0..4)
        .map(|i| t[i] * softplus(-z[i]) + (1.0 - t[i]) * softplus(z[i]))
        .sum::<f64>()
        / 4.0;
    let want = [bce_want, focal_want, bcel_plain, bcel_plain, acc_want];
    for k in 0..5 {
        assert!(
            (o[k] - want[k]).abs() < 1e-12,
            "{k}: {} vs {}",
            o[k],
            want[k]
        );
        assert!(
            (o32[k] as f64 - want[k]).abs() < 2e-6,
            "{k}: {} vs {}",
            o32[k],
            want[k]
        );
    }
}

#[test]
fn row_entry_points_f32_f64() {
    // Probability targets, NLL, focal, accuracy, astroNN: each against a direct formula.
    let tp = [0.2f64, 0.5, 0.3, 0.0, 0.0, 1.0];
    let ls: Vec<Vec<f64>> = (0..2)
        .map(|r| log_softmax(&LOGITS[r * 3..r * 3 + 3]))
        .collect();
    let prob_want = -(0..2)
        .map(|r| (0..3).map(|k| tp[r * 3 + k] * ls[r][k]).sum::<f64>())
        .sum::<f64>()
        / 2.0;
    let lp: Vec<f64> = ls.concat();
    let nll_want = -(lp[1] + lp[5]) / 2.0;
    let focal_want = (0..2)
        .map(|r| {
            let l = ls[r][TARGET[r] as usize];
            (1.0 - l.exp()).powi(2) * -l
        })
        .sum::<f64>()
        / 2.0;
    // argmax rows: [1, 2] → both correct.
    let acc_want = 1.0;
    let m = LK_ASTRONN_MAGIC;
    let ta = [0.0f64, 1.0, m, 0.0, m, 1.0];
    // astroNN CCE from logits: F = 3/2 in both rows.
    let astro_want = (1.5 * -ls[0][1] + 1.5 * -ls[1][2]) / 2.0;
    let mut astro_opts = lk_options_default();
    astro_opts.use_magic = 1;
    let mut o = [0.0f64; 6];
    let mut o32 = [0.0f32; 6];
    let x32: Vec<f32> = LOGITS.iter().map(|&v| v as f32).collect();
    let tp32: Vec<f32> = tp.iter().map(|&v| v as f32).collect();
    let lp32: Vec<f32> = lp.iter().map(|&v| v as f32).collect();
    let ta32: Vec<f32> = ta.iter().map(|&v| v as f32).collect();
    let mut g = [0.0f64; 6];
    let mut g32 = [0.0f32; 6];
    unsafe {
        assert_eq!(
            lk_cross_entropy_probs_f64(
                LOGITS.as_ptr(),
                tp.as_ptr(),
                2,
                3,
                null(),
                0.0,
                null(),
                null(),
                &mut o[0],
                g.as_mut_ptr()
            ),
            LK_OK
        );
        assert_eq!(
            lk_nll_f64(
                lp.as_ptr(),
                TARGET.as_ptr(),
                2,
                3,
                null(),
                -100,
                null(),
                null(),
                &mut o[1],
                g.as_mut_ptr()
            ),
            LK_OK
        );
        assert_eq!(
            lk_focal_f64(
                LOGITS.as_ptr(),
                TARGET.as_ptr(),
                2,
                3,
                null(),
                -100,
                2.0,
                0,
                null(),
                null(),
                &mut o[2],
                g.as_mut_ptr()
            ),
            LK_OK
        );
        assert_eq!(
            lk_categorical_accuracy_f64(
                LOGITS.as_ptr(),
                TARGET.as_ptr(),
                2,
                3,
                -100,
                null(),
                null(),
                &mut o[3]
            ),
            LK_OK
        );
        assert_eq!(
            lk_astronn_cce_f64(
                LOGITS.as_ptr(),
                ta.as_ptr(),
                2,
                3,
                1,
                null(),
                &astro_opts,
                &mut o[4],
                g.as_mut_ptr()
            ),
            LK_OK
        );
        assert_eq!(
            lk_astronn_categorical_accuracy_f64(
                LOGITS.as_ptr(),
                ta.as_ptr(),
                2,
                3,
                null(),
                &astro_opts,
                &mut o[5]
            ),
            LK_OK
        );
        assert_eq!(
            lk_cross_entropy_probs_f32(
                x32.as_ptr(),
                tp32.as_ptr(),
                2,
                3,
                null(),
                0.0,
                null(),
                null(),
                &mut o32[0],
                g32.as_mut_ptr()
            ),
            LK_OK
        );
        assert_eq!(
            lk_nll_f32(
                lp32.as_ptr(),
                TARGET.as_ptr(),
                2,
                3,
                null(),
                -100,
                null(),
                null(),
                &mut o32[1],
                g32.as_mut_ptr()
            ),
            LK_OK
        );
        assert_eq!(
            lk_focal_f32(
                x32.as_ptr(),
                TARGET.as_ptr(),
                2,
                3,
                null(),
                -100,
                2.0,
                0,
                null(),
                null(),
                &mut o32[2],
                g32.as_mut_ptr()
            ),
            LK_OK
        );
        assert_eq!(
            lk_categorical_accuracy_f32(
                x32.as_ptr(),
                TARGET.as_ptr(),
                2,
                3,
                -100,
                null(),
                null(),
                &mut o32[3]
            ),
            LK_OK
        );
        assert_eq!(
            lk_astronn_cce_f32(
                x32.as_ptr(),
                ta32.as_ptr(),
                2,
                3,
                1,
                null(),
                &astro_opts,
                &mut o32[4],
                g32.as_mut_ptr()
            ),
            LK_OK
        );
        assert_eq!(
            lk_astronn_categorical_accuracy_f32(
                x32.as_ptr(),
                ta32.as_ptr(),
                2,
                3,
                null(),
                &astro_opts,
                &mut o32[5]
            ),
            LK_OK
        );
    }
    let want = [prob_want, nll_want, focal_want, acc_want, astro_want, 1.0];
    for k in 0..6 {
        assert!(
            (o[k] - want[k]).abs() < 1e-14,
            "{k}: {} vs {}",
            o[k],
            want[k]
        );
        assert!(
            (o32[k] as f64 - want[k]).abs() < 2e-6,
            "{k}: {} vs {}",
            o32[k],
            want[k]
        );
    }
}

#[test]
fn per_row_options_mask_sample_weights_and_partial() {
    // Mask row 0, weight row 1 by 3: the mean is row 1's loss; NONE gives per-row values;
    // PARTIAL gives {3·ℓ₁, 3}.
    let mask = [0u8, 1];
    let sw = [5.0f64, 3.0];
    let l1 = -log_softmax(&LOGITS[3..])[2];
    let mut o = lk_options_default();
    o.mask = mask.as_ptr();
    let mut out = [0.0f64; 2];
    let s = unsafe {
        lk_cross_entropy_f64(
            LOGITS.as_ptr(),
            TARGET.as_ptr(),
            2,
            3,
            null(),
            -100,
            0.0,
            0.0,
            sw.as_ptr(),
            &o,
            out.as_mut_ptr(),
            null_mut(),
        )
    };
    assert_eq!(s, LK_OK);
    assert!((out[0] - l1).abs() < 1e-15);
    o.reduction = LK_REDUCTION_NONE;
    let s = unsafe {
        lk_cross_entropy_f64(
            LOGITS.as_ptr(),
            TARGET.as_ptr(),
            2,
            3,
            null(),
            -100,
            0.0,
            0.0,
            sw.as_ptr(),
            &o,
            out.as_mut_ptr(),
            null_mut(),
        )
    };
    assert_eq!(s, LK_OK);
    assert_eq!(out[0], 0.0);
    assert!((out[1] - 3.0 * l1).abs() < 1e-14);
    let mut partial = lk_partial::default();
    o.reduction = LK_REDUCTION_PARTIAL;
    o.partial = &mut partial;
    let s = unsafe {
        lk_cross_entropy_f64(
            LOGITS.as_ptr(),
            TARGET.as_ptr(),
            2,
            3,
            null(),
            -100,
            0.0,
            0.0,
            sw.as_ptr(),
            &o,
            out.as_mut_ptr(),
            null_mut(),
        )
    };
    assert_eq!(s, LK_OK);
    assert_eq!(partial.weight, 3.0);
    assert!((partial.sum - 3.0 * l1).abs() < 1e-14);
    // A magic number is refused for class-index targets.
    let mut m = lk_options_default();
    m.use_magic = 1;
    let s = unsafe {
        lk_cross_entropy_f64(
            LOGITS.as_ptr(),
            TARGET.as_ptr(),
            2,
            3,
            null(),
            -100,
            0.0,
            0.0,
            null(),
            &m,
            out.as_mut_ptr(),
            null_mut(),
        )
    };
    assert_eq!(s, LK_ERR_BAD_PARAMETER);
}
