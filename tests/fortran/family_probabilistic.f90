! The probabilistic family (heteroscedastic NLLs, variance-reduced losses, Gaussian KL and free
! energy, the low-rank logit variance) from Fortran (run by capi/tests/fortran.rs). Expected
! values: SPEC.md section 6.6 (astroNN robust_mse 0.5246530722; inferno CE-VR 0.6020896433 and
! 0.4076059644 with var = 0; BCE-VR 0.6443966601, 0.9740769842, 0.5543552445; Gaussian KL
! elements 1.9325359655, 0, 6.4077562790), and otherwise the documented formulas (values and
! both gradients) written out here in double, plus central differences of the library's own
! values for the two-input losses. C's row-major [rows x classes] data is held here as
! x(classes, rows); class indices are 0-based int64.
module family_probabilistic
  use losskit
  use checks
  implicit none
  private
  public :: run_probabilistic

  integer, parameter :: dp = c_double, sp = c_float
  real(dp), parameter :: magic = -9999.0_dp, kl_eps = 1e-6_dp

contains

  subroutine run_probabilistic(t)
    type(checker), intent(inout) :: t
    integer :: before
    before = t%passed + t%failed
    call robust_mse(t)
    call gaussian_nll(t)
    call poisson_and_kl_div(t)
    call cross_entropy_vr(t)
    call bce_vr(t)
    call mse_vr(t)
    call gaussian_kl(t)
    call free_energy(t)
    call vr_variance(t)
    call normal_draw(t)
    print '(a, i0, a)', 'family probabilistic: ', t%passed + t%failed - before, ' checks'
  end subroutine run_probabilistic

  elemental function sigmoid(x) result(s)
    real(dp), intent(in) :: x
    real(dp) :: s
    s = 1 / (1 + exp(-x))
  end function sigmoid

  ! astroNN robust_mse on SPEC 6.6's data (magic label, per-row mean), then a finite-difference
  ! check of both gradients on plain data.
  subroutine robust_mse(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: y(3) = [1.0_dp, magic, 3.0_dp], p(3) = [0.0_dp, 5.0_dp, 3.0_dp]
    real(dp), parameter :: lv(3) = [0.0_dp, 0.0_dp, log(2.0_dp)], e(3) = [0.0_dp, 0.0_dp, 1.0_dp]
    real(dp), parameter :: p2(4) = [0.3_dp, -1.2_dp, 2.0_dp, 0.7_dp]
    real(dp), parameter :: y2(4) = [0.0_dp, -0.5_dp, 1.0_dp, 1.5_dp]
    real(dp), parameter :: e2(4) = [0.1_dp, 0.0_dp, 0.5_dp, 0.2_dp]
    real(dp), parameter :: h = 1e-6_dp
    real(dp) :: lv2(4), up(4), down(4), fd(4), v(1), vu(1), vd(1), var(4), d(4)
    real(dp), target :: gp(3), glv(3), gp2(4), glv2(4)
    real(sp) :: out32(1)
    type(lk_options) :: astro
    integer(c_int32_t) :: st
    integer :: i

    astro = lk_options_default()
    astro%use_magic = 1_c_int8_t
    astro%row_len = 3_c_size_t
    st = lk_robust_mse_f64(p, lv, e, y, c_null_ptr, 3_c_size_t, astro, v, c_loc(gp), c_loc(glv))
    call check_status(t, st, LK_OK, 'lk_robust_mse_f64')
    call check_close(t, v(1), 0.5246530722_dp, 1e-9_dp, 'robust_mse SPEC 6.6 value')
    ! V = exp(lv) + e^2 = [1, -, 3]; mean over the 2 kept labels:
    ! dL/dpred = (p - y)/V / 2, dL/dlogvar = 0.5 exp(lv)/V (1 - (p - y)^2/V) / 2.
    call check_close(t, gp, [-0.5_dp, 0.0_dp, 0.0_dp], 1e-15_dp, 'robust_mse grad_pred')
    call check_close(t, glv, [0.0_dp, 0.0_dp, 1.0_dp / 6], 1e-15_dp, 'robust_mse grad_logvar')
    st = lk_robust_mse_f32(real(p, sp), real(lv, sp), real(e, sp), real(y, sp), c_null_ptr, &
        3_c_size_t, astro, out32, c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_robust_mse_f32')
    call check_close(t, real(out32(1), dp), 0.5246530722_dp, 1e-6_dp, 'robust_mse f32 value')

    ! Plain mean: L = (1/n) sum 0.5 ((p - y)^2/V + ln V).
    lv2 = [0.2_dp, -0.4_dp, 0.0_dp, 1.0_dp]
    st = lk_robust_mse_f64(p2, lv2, e2, y2, c_null_ptr, 4_c_size_t, lk_options_default(), v, &
        c_loc(gp2), c_loc(glv2))
    call check_status(t, st, LK_OK, 'lk_robust_mse_f64 plain')
    var = exp(lv2) + e2**2
    d = p2 - y2
    call check_close(t, v(1), sum(0.5_dp * (d**2 / var + log(var))) / 4, 1e-14_dp, &
        'robust_mse plain value')
    do i = 1, 4
      up = p2
      down = p2
      up(i) = up(i) + h
      down(i) = down(i) - h
      st = lk_robust_mse_f64(up, lv2, e2, y2, c_null_ptr, 4_c_size_t, lk_options_default(), vu, &
          c_null_ptr, c_null_ptr)
      st = lk_robust_mse_f64(down, lv2, e2, y2, c_null_ptr, 4_c_size_t, lk_options_default(), &
          vd, c_null_ptr, c_null_ptr)
      fd(i) = (vu(1) - vd(1)) / (2 * h)
    end do
    call check_close(t, gp2, fd, 1e-7_dp, 'robust_mse grad_pred vs finite differences')
    do i = 1, 4
      up = lv2
      down = lv2
      up(i) = up(i) + h
      down(i) = down(i) - h
      st = lk_robust_mse_f64(p2, up, e2, y2, c_null_ptr, 4_c_size_t, lk_options_default(), vu, &
          c_null_ptr, c_null_ptr)
      st = lk_robust_mse_f64(p2, down, e2, y2, c_null_ptr, 4_c_size_t, lk_options_default(), &
          vd, c_null_ptr, c_null_ptr)
      fd(i) = (vu(1) - vd(1)) / (2 * h)
    end do
    call check_close(t, glv2, fd, 1e-7_dp, 'robust_mse grad_logvar vs finite differences')
  end subroutine robust_mse

  ! PyTorch gaussian_nll_loss: value and both gradients against the formula, f32, and a
  ! negative variance.
  subroutine gaussian_nll(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: x(3) = [0.5_dp, -1.0_dp, 2.0_dp], y(3) = [0.0_dp, 1.0_dp, 1.5_dp]
    real(dp), parameter :: var(3) = [2.0_dp, 0.5_dp, 0.25_dp]
    real(dp), parameter :: bad(3) = [2.0_dp, -0.5_dp, 0.25_dp]
    real(dp), parameter :: pi = 3.14159265358979323846_dp
    real(dp), target :: g(3), gv(3)
    real(dp) :: v(1), d(3)
    real(sp) :: v32(1)
    integer(c_int32_t) :: st

    st = lk_gaussian_nll_f64(x, var, y, c_null_ptr, 3_c_size_t, 1_c_int8_t, 1e-6_dp, &
        lk_options_default(), v, c_loc(g), c_loc(gv))
    call check_status(t, st, LK_OK, 'lk_gaussian_nll_f64')
    d = x - y
    call check_close(t, v(1), sum(0.5_dp * (log(var) + d**2 / var) + 0.5_dp * log(2 * pi)) / 3, &
        1e-14_dp, 'gaussian_nll value (full)')
    call check_close(t, g, d / var / 3, 1e-14_dp, 'gaussian_nll grad (pred)')
    call check_close(t, gv, 0.5_dp * (1 / var - d**2 / var**2) / 3, 1e-14_dp, &
        'gaussian_nll grad_var')
    st = lk_gaussian_nll_f32(real(x, sp), real(var, sp), real(y, sp), c_null_ptr, 3_c_size_t, &
        1_c_int8_t, 1e-6_sp, lk_options_default(), v32, c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_gaussian_nll_f32')
    call check_close(t, real(v32(1), dp), v(1), 1e-6_dp, 'gaussian_nll f32 value')

    g = -7
    gv = -7
    v = -7
    st = lk_gaussian_nll_f64(x, bad, y, c_null_ptr, 3_c_size_t, 0_c_int8_t, 1e-6_dp, &
        lk_options_default(), v, c_loc(g), c_loc(gv))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'gaussian_nll with a negative variance')
    call check(t, v(1) == -7 .and. all(g == -7) .and. all(gv == -7), &
        'gaussian_nll outputs untouched after a negative variance')
  end subroutine gaussian_nll

  ! PyTorch poisson_nll_loss (log_input) and kl_div: values and gradients by the formulas.
  subroutine poisson_and_kl_div(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: x(3) = [0.5_dp, -1.0_dp, 0.25_dp], y(3) = [0.0_dp, 1.0_dp, 2.0_dp]
    real(dp), parameter :: q(3) = [0.2_dp, 0.5_dp, 0.3_dp]
    real(dp), target :: g(3)
    real(dp) :: v(1)
    real(sp) :: v32(1)
    integer(c_int32_t) :: st

    st = lk_poisson_nll_f64(x, y, c_null_ptr, 3_c_size_t, 1_c_int8_t, 0_c_int8_t, 1e-8_dp, &
        lk_options_default(), v, c_loc(g))
    call check_status(t, st, LK_OK, 'lk_poisson_nll_f64')
    call check_close(t, v(1), sum(exp(x) - y * x) / 3, 1e-14_dp, 'poisson_nll value')
    call check_close(t, g, (exp(x) - y) / 3, 1e-14_dp, 'poisson_nll gradient')
    st = lk_poisson_nll_f32(real(x, sp), real(y, sp), c_null_ptr, 3_c_size_t, 1_c_int8_t, &
        0_c_int8_t, 1e-8_sp, lk_options_default(), v32, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_poisson_nll_f32')
    call check_close(t, real(v32(1), dp), v(1), 1e-6_dp, 'poisson_nll f32 value')

    ! kl_div: input = log-probabilities x, target probabilities q.
    st = lk_kl_div_f64(log([0.5_dp, 0.25_dp, 0.25_dp]), q, c_null_ptr, 3_c_size_t, 0_c_int8_t, &
        lk_options_default(), v, c_loc(g))
    call check_status(t, st, LK_OK, 'lk_kl_div_f64')
    call check_close(t, v(1), sum(q * (log(q) - log([0.5_dp, 0.25_dp, 0.25_dp]))) / 3, 1e-14_dp, &
        'kl_div value')
    call check_close(t, g, -q / 3, 1e-15_dp, 'kl_div gradient')
    st = lk_kl_div_f32(real(log([0.5_dp, 0.25_dp, 0.25_dp]), sp), real(q, sp), c_null_ptr, &
        3_c_size_t, 0_c_int8_t, lk_options_default(), v32, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_kl_div_f32')
    call check_close(t, real(v32(1), dp), v(1), 1e-5_dp, 'kl_div f32 value')
  end subroutine poisson_and_kl_div

  ! inferno CrossEntropyLossVR: SPEC 6.6 values, gradients p - onehot(y) and p/2 with
  ! p = softmax(mean + var/2), S = 2 samples sharing B = 1 target, and the errors.
  subroutine cross_entropy_vr(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: mu(3) = [1.0_dp, 0.0_dp, -1.0_dp], var(3) = [0.5_dp, 0.2_dp, 0.0_dp]
    real(dp), parameter :: zero(3) = 0.0_dp, neg(3) = [0.5_dp, -0.2_dp, 0.0_dp]
    integer(c_int64_t), parameter :: y(1) = [0_c_int64_t], bad(1) = [3_c_int64_t]
    real(dp) :: mu2(3, 2), var2(3, 2), p(3, 2), v(1), vs(2)
    real(dp), target :: gm(3), gv(3), gm2(3, 2), gv2(3, 2)
    real(sp) :: v32(1)
    type(lk_options) :: none
    integer(c_int32_t) :: st
    integer :: r

    st = lk_cross_entropy_vr_f64(mu, var, y, c_null_ptr, 1_c_size_t, 3_c_size_t, 1_c_size_t, &
        lk_options_default(), v, c_loc(gm), c_loc(gv))
    call check_status(t, st, LK_OK, 'lk_cross_entropy_vr_f64')
    call check_close(t, v(1), 0.6020896433_dp, 1e-9_dp, 'CE-VR SPEC 6.6 value')
    p(:, 1) = exp(mu + var / 2) / sum(exp(mu + var / 2))
    call check_close(t, gm, p(:, 1) - [1.0_dp, 0.0_dp, 0.0_dp], 1e-15_dp, 'CE-VR grad_mean')
    call check_close(t, gv, p(:, 1) / 2, 1e-15_dp, 'CE-VR grad_var')
    st = lk_cross_entropy_vr_f64(mu, zero, y, c_null_ptr, 1_c_size_t, 3_c_size_t, 1_c_size_t, &
        lk_options_default(), v, c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_cross_entropy_vr_f64 var = 0')
    call check_close(t, v(1), 0.4076059644_dp, 1e-9_dp, 'CE-VR SPEC 6.6 value with var = 0')
    st = lk_cross_entropy_vr_f32(real(mu, sp), real(var, sp), y, c_null_ptr, 1_c_size_t, &
        3_c_size_t, 1_c_size_t, lk_options_default(), v32, c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_cross_entropy_vr_f32')
    call check_close(t, real(v32(1), dp), 0.6020896433_dp, 1e-6_dp, 'CE-VR f32 value')

    ! Two samples (rows) of the one target; LK_REDUCTION_NONE gives one value per row and the
    ! mean reduction halves each row's gradient.
    mu2(:, 1) = mu
    mu2(:, 2) = [0.3_dp, 0.9_dp, -0.4_dp]
    var2(:, 1) = var
    var2(:, 2) = [0.1_dp, 1.0_dp, 0.3_dp]
    none = lk_options_default()
    none%reduction = LK_REDUCTION_NONE
    st = lk_cross_entropy_vr_f64(mu2, var2, y, c_null_ptr, 2_c_size_t, 3_c_size_t, 1_c_size_t, &
        none, vs, c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'CE-VR 2 samples, no reduction')
    do r = 1, 2
      p(:, r) = exp(mu2(:, r) + var2(:, r) / 2) / sum(exp(mu2(:, r) + var2(:, r) / 2))
    end do
    call check_close(t, vs, [-mu2(1, 1) + log(sum(exp(mu2(:, 1) + var2(:, 1) / 2))), &
        -mu2(1, 2) + log(sum(exp(mu2(:, 2) + var2(:, 2) / 2)))], 1e-14_dp, &
        'CE-VR per-row values (target repeated over samples)')
    st = lk_cross_entropy_vr_f64(mu2, var2, y, c_null_ptr, 2_c_size_t, 3_c_size_t, 1_c_size_t, &
        lk_options_default(), v, c_loc(gm2), c_loc(gv2))
    call check_status(t, st, LK_OK, 'CE-VR 2 samples, mean')
    call check_close(t, v(1), sum(vs) / 2, 1e-14_dp, 'CE-VR mean over samples')
    p(1, :) = p(1, :) - 1
    call check_close(t, reshape(gm2, [6]), reshape(p / 2, [6]), 1e-14_dp, &
        'CE-VR 2 samples grad_mean')
    p(1, :) = p(1, :) + 1
    call check_close(t, reshape(gv2, [6]), reshape(p / 4, [6]), 1e-14_dp, &
        'CE-VR 2 samples grad_var')

    v = 42
    gm = 42
    st = lk_cross_entropy_vr_f64(mu, var, bad, c_null_ptr, 1_c_size_t, 3_c_size_t, 1_c_size_t, &
        lk_options_default(), v, c_loc(gm), c_null_ptr)
    call check_status(t, st, LK_ERR_INDEX_OUT_OF_RANGE, 'CE-VR with class 3 of 3')
    call check(t, v(1) == 42 .and. all(gm == 42), 'CE-VR outputs untouched after a bad class')
    st = lk_cross_entropy_vr_f64(mu, neg, y, c_null_ptr, 1_c_size_t, 3_c_size_t, 1_c_size_t, &
        lk_options_default(), v, c_loc(gm), c_null_ptr)
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'CE-VR with a negative variance')
    call check(t, v(1) == 42 .and. all(gm == 42), &
        'CE-VR outputs untouched after a negative variance')
  end subroutine cross_entropy_vr

  ! inferno BCEWithLogitsLossVR: SPEC 6.6 values, then the two gradients by the formula and
  ! against central differences.
  subroutine bce_vr(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: h = 1e-6_dp
    real(dp), parameter :: m(3) = [0.3_dp, -1.1_dp, 2.0_dp], vv(3) = [0.4_dp, 0.9_dp, 0.05_dp]
    real(dp), parameter :: y(3) = [1.0_dp, 0.0_dp, 0.25_dp]
    real(dp), target :: gm(3), gv(3)
    real(dp) :: v(1), vu(1), vd(1), up(3), down(3), fd(3), a(3), b(3)
    real(sp) :: v32(1)
    integer(c_int32_t) :: st
    integer :: i

    st = lk_bce_with_logits_vr_f64([0.3_dp], [0.4_dp], [1.0_dp], c_null_ptr, 1_c_size_t, &
        1_c_size_t, lk_options_default(), v, c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_bce_with_logits_vr_f64')
    call check_close(t, v(1), 0.6443966601_dp, 1e-9_dp, 'BCE-VR SPEC 6.6 t = 1')
    st = lk_bce_with_logits_vr_f64([0.3_dp], [0.4_dp], [0.0_dp], c_null_ptr, 1_c_size_t, &
        1_c_size_t, lk_options_default(), v, c_null_ptr, c_null_ptr)
    call check_close(t, v(1), 0.9740769842_dp, 1e-9_dp, 'BCE-VR SPEC 6.6 t = 0')
    st = lk_bce_with_logits_vr_f64([0.3_dp], [0.0_dp], [1.0_dp], c_null_ptr, 1_c_size_t, &
        1_c_size_t, lk_options_default(), v, c_null_ptr, c_null_ptr)
    call check_close(t, v(1), 0.5543552445_dp, 1e-9_dp, 'BCE-VR SPEC 6.6 var = 0')
    st = lk_bce_with_logits_vr_f32([0.3_sp], [0.4_sp], [1.0_sp], c_null_ptr, 1_c_size_t, &
        1_c_size_t, lk_options_default(), v32, c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_bce_with_logits_vr_f32')
    call check_close(t, real(v32(1), dp), 0.6443966601_dp, 1e-6_dp, 'BCE-VR f32 value')

    st = lk_bce_with_logits_vr_f64(m, vv, y, c_null_ptr, 3_c_size_t, 3_c_size_t, &
        lk_options_default(), v, c_loc(gm), c_loc(gv))
    call check_status(t, st, LK_OK, 'BCE-VR 3 elements')
    a = sigmoid(-m + vv / 2)
    b = sigmoid(m + vv / 2)
    call check_close(t, gm, (-y * a + (1 - y) * b) / 3, 1e-14_dp, 'BCE-VR grad_mean formula')
    call check_close(t, gv, 0.5_dp * (y * a + (1 - y) * b) / 3, 1e-14_dp, &
        'BCE-VR grad_var formula')
    do i = 1, 3
      up = m
      down = m
      up(i) = up(i) + h
      down(i) = down(i) - h
      st = lk_bce_with_logits_vr_f64(up, vv, y, c_null_ptr, 3_c_size_t, 3_c_size_t, &
          lk_options_default(), vu, c_null_ptr, c_null_ptr)
      st = lk_bce_with_logits_vr_f64(down, vv, y, c_null_ptr, 3_c_size_t, 3_c_size_t, &
          lk_options_default(), vd, c_null_ptr, c_null_ptr)
      fd(i) = (vu(1) - vd(1)) / (2 * h)
    end do
    call check_close(t, gm, fd, 1e-7_dp, 'BCE-VR grad_mean vs finite differences')
    do i = 1, 3
      up = vv
      down = vv
      up(i) = up(i) + h
      down(i) = down(i) - h
      st = lk_bce_with_logits_vr_f64(m, up, y, c_null_ptr, 3_c_size_t, 3_c_size_t, &
          lk_options_default(), vu, c_null_ptr, c_null_ptr)
      st = lk_bce_with_logits_vr_f64(m, down, y, c_null_ptr, 3_c_size_t, 3_c_size_t, &
          lk_options_default(), vd, c_null_ptr, c_null_ptr)
      fd(i) = (vu(1) - vd(1)) / (2 * h)
    end do
    call check_close(t, gv, fd, 1e-7_dp, 'BCE-VR grad_var vs finite differences')
  end subroutine bce_vr

  ! inferno MSELossVR with S = 2 samples of 2 targets: value, both gradients, negative variance.
  subroutine mse_vr(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: m(4) = [0.5_dp, -1.0_dp, 0.25_dp, 2.0_dp]
    real(dp), parameter :: vv(4) = [0.5_dp, 0.2_dp, 1.5_dp, 0.1_dp], y(2) = [1.0_dp, 0.0_dp]
    real(dp), parameter :: neg(4) = [0.5_dp, 0.2_dp, -0.1_dp, 0.1_dp]
    real(dp), target :: gm(4), gv(4)
    real(dp) :: v(1), yy(4)
    real(sp) :: v32(1)
    integer(c_int32_t) :: st

    yy = [y, y]
    st = lk_mse_vr_f64(m, vv, y, c_null_ptr, 4_c_size_t, 2_c_size_t, lk_options_default(), v, &
        c_loc(gm), c_loc(gv))
    call check_status(t, st, LK_OK, 'lk_mse_vr_f64')
    call check_close(t, v(1), sum((m - yy)**2 + vv) / 4, 1e-15_dp, 'MSE-VR value')
    call check_close(t, gm, 2 * (m - yy) / 4, 1e-15_dp, 'MSE-VR grad_mean')
    call check_close(t, gv, [0.25_dp, 0.25_dp, 0.25_dp, 0.25_dp], 1e-15_dp, 'MSE-VR grad_var')
    st = lk_mse_vr_f32(real(m, sp), real(vv, sp), real(y, sp), c_null_ptr, 4_c_size_t, &
        2_c_size_t, lk_options_default(), v32, c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_mse_vr_f32')
    call check_close(t, real(v32(1), dp), v(1), 1e-6_dp, 'MSE-VR f32 value')

    v = 42
    gm = 42
    gv = 42
    st = lk_mse_vr_f64(m, neg, y, c_null_ptr, 4_c_size_t, 2_c_size_t, lk_options_default(), v, &
        c_loc(gm), c_loc(gv))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'MSE-VR with a negative variance')
    call check(t, v(1) == 42 .and. all(gm == 42) .and. all(gv == 42), &
        'MSE-VR outputs untouched after a negative variance')
  end subroutine mse_vr

  ! Gaussian KL against N(0, 1): SPEC 6.6's elements, gradients (mean - m0)/vq and
  ! scale (1/vq - 1/vp) with vp = scale^2 + eps, vq = s0^2 + eps, and a zero prior scale.
  subroutine gaussian_kl(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: m(3) = [0.5_dp, 0.0_dp, 0.0_dp], s(3) = [0.1_dp, 1.0_dp, 0.0_dp]
    real(dp), parameter :: m2(3) = [0.2_dp, -0.7_dp, 1.1_dp], s2(3) = [0.6_dp, 1.3_dp, 0.2_dp]
    real(dp), parameter :: pl(3) = [0.1_dp, 0.0_dp, -0.5_dp], ps(3) = [0.8_dp, 1.5_dp, 2.0_dp]
    real(dp), target :: gm(3), gs(3), plt(3), pst(3)
    real(dp) :: vals(3), v(1), vp(3), vq(3)
    real(sp) :: v32(3)
    type(lk_options) :: opts
    integer(c_int32_t) :: st

    opts = lk_options_default()
    opts%reduction = LK_REDUCTION_NONE
    st = lk_gaussian_kl_f64(m, s, c_null_ptr, c_null_ptr, 0.0_dp, 1.0_dp, c_null_ptr, &
        3_c_size_t, opts, vals, c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_gaussian_kl_f64')
    call check_close(t, vals(1), 1.9325359655_dp, 1e-9_dp, 'KL (0.5, 0.1) SPEC 6.6')
    call check(t, vals(2) == 0, 'KL (0, 1) is exactly 0')
    call check_close(t, vals(3), 6.4077562790_dp, 1e-9_dp, 'KL (0, 0) SPEC 6.6')
    st = lk_gaussian_kl_f32(real(m, sp), real(s, sp), c_null_ptr, c_null_ptr, 0.0_dp, 1.0_dp, &
        c_null_ptr, 3_c_size_t, opts, v32, c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_gaussian_kl_f32')
    call check_close(t, real(v32(1), dp), 1.9325359655_dp, 1e-5_dp, 'KL (0.5, 0.1) f32')

    ! Per-element priors, summed as inferno does.
    plt = pl
    pst = ps
    opts%reduction = LK_REDUCTION_SUM
    st = lk_gaussian_kl_f64(m2, s2, c_loc(plt), c_loc(pst), 0.0_dp, 1.0_dp, c_null_ptr, &
        3_c_size_t, opts, v, c_loc(gm), c_loc(gs))
    call check_status(t, st, LK_OK, 'lk_gaussian_kl_f64 with per-element priors')
    vp = s2**2 + kl_eps
    vq = ps**2 + kl_eps
    call check_close(t, v(1), sum(0.5_dp * (vp / vq + (m2 - pl)**2 / vq - 1 - log(vp / vq))), &
        1e-14_dp, 'KL sum with per-element priors')
    call check_close(t, gm, (m2 - pl) / vq, 1e-14_dp, 'KL grad_mean')
    call check_close(t, gs, s2 * (1 / vq - 1 / vp), 1e-14_dp, 'KL grad_scale')

    v = 42
    gm = 42
    gs = 42
    st = lk_gaussian_kl_f64(m2, s2, c_null_ptr, c_null_ptr, 0.0_dp, 0.0_dp, c_null_ptr, &
        3_c_size_t, opts, v, c_loc(gm), c_loc(gs))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'KL with prior scale 0')
    call check(t, v(1) == 42 .and. all(gm == 42) .and. all(gs == 42), &
        'KL outputs untouched after a zero prior scale')
    pst(2) = 0
    st = lk_gaussian_kl_f64(m2, s2, c_loc(plt), c_loc(pst), 0.0_dp, 1.0_dp, c_null_ptr, &
        3_c_size_t, opts, v, c_loc(gm), c_loc(gs))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'KL with one per-element prior scale 0')
    call check(t, v(1) == 42 .and. all(gm == 42) .and. all(gs == 42), &
        'KL outputs untouched after a zero per-element prior scale')
  end subroutine gaussian_kl

  ! inferno's free energy nll + w KL: out = {F, KL, w}, gradients w dKL/dmean, w dKL/dscale,
  ! accumulated onto what is there.
  subroutine free_energy(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: m(3) = [0.5_dp, 0.0_dp, 0.0_dp], s(3) = [0.1_dp, 1.0_dp, 0.0_dp]
    real(dp), parameter :: kl = 1.9325359655_dp + 6.4077562790_dp
    real(dp), target :: gm(3), gs(3)
    real(dp) :: fe(3), vp(3)
    real(sp) :: fe32(3)
    integer(c_int32_t) :: st

    st = lk_free_energy_f64(2.0_dp, m, s, c_null_ptr, c_null_ptr, 0.0_dp, 1.0_dp, 3_c_size_t, &
        0.5_dp, 0_c_int8_t, 1.0_dp, 0_c_int8_t, fe, c_loc(gm), c_loc(gs))
    call check_status(t, st, LK_OK, 'lk_free_energy_f64')
    call check_close(t, fe, [2.0_dp + 0.5_dp * kl, kl, 0.5_dp], 1e-9_dp, 'free energy {F, KL, w}')
    vp = s**2 + kl_eps
    call check_close(t, gm, 0.5_dp * m / (1 + kl_eps), 1e-15_dp, 'free energy grad_mean')
    call check_close(t, gs, 0.5_dp * s * (1 / (1 + kl_eps) - 1 / vp), 1e-14_dp, &
        'free energy grad_scale')
    gm = 1
    st = lk_free_energy_f64(2.0_dp, m, s, c_null_ptr, c_null_ptr, 0.0_dp, 1.0_dp, 3_c_size_t, &
        0.0_dp, 1_c_int8_t, 2.0_dp, 1_c_int8_t, fe, c_loc(gm), c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_free_energy_f64 auto weight, accumulate')
    call check_close(t, fe(3), 1.0_dp / 3, 1e-16_dp, 'free energy auto weight 1/n')
    call check_close(t, gm, 1 + 2 * m / (1 + kl_eps) / 3, 1e-15_dp, &
        'free energy grad_mean accumulated with scale 2')
    st = lk_free_energy_f32(2.0_sp, real(m, sp), real(s, sp), c_null_ptr, c_null_ptr, 0.0_dp, &
        1.0_dp, 3_c_size_t, 0.5_dp, 0_c_int8_t, 1.0_dp, 0_c_int8_t, fe32, c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_free_energy_f32')
    call check_close(t, real(fe32(1), dp), 2.0_dp + 0.5_dp * kl, 1e-5_dp, 'free energy f32')
    fe = 42
    st = lk_free_energy_f64(2.0_dp, m, s, c_null_ptr, c_null_ptr, 0.0_dp, -1.0_dp, 3_c_size_t, &
        0.5_dp, 0_c_int8_t, 1.0_dp, 0_c_int8_t, fe, c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'free energy with prior scale -1')
    call check(t, all(fe == 42), 'free energy out untouched after a bad prior')
  end subroutine free_energy

  ! out_var[i, o] = sum_r (sum_f phi[i, f] W[o, f, r] + b[o, r])^2, with C's row-major arrays
  ! held here as phi(f, i), W(r, f, o), b(r, o), out(o, i).
  subroutine vr_variance(t)
    type(checker), intent(inout) :: t
    integer, parameter :: nrow = 3, nf = 2, no = 2, nk = 2
    real(dp) :: phi(nf, nrow), w(nk, nf, no), out(no, nrow), want(no, nrow), sr
    real(dp), target :: b(nk, no)
    real(sp) :: out32(no, nrow)
    integer(c_int32_t) :: st
    integer :: i, o, r, f

    do i = 1, nrow
      do f = 1, nf
        phi(f, i) = 0.5_dp * i - 0.3_dp * f
      end do
    end do
    do o = 1, no
      do f = 1, nf
        do r = 1, nk
          w(r, f, o) = 0.1_dp * (r + 2 * f) - 0.2_dp * o
        end do
      end do
      do r = 1, nk
        b(r, o) = 0.05_dp * r * o
      end do
    end do
    do i = 1, nrow
      do o = 1, no
        want(o, i) = 0
        do r = 1, nk
          sr = b(r, o)
          do f = 1, nf
            sr = sr + phi(f, i) * w(r, f, o)
          end do
          want(o, i) = want(o, i) + sr**2
        end do
      end do
    end do
    st = lk_vr_variance_f64(phi, int(nrow, c_size_t), int(nf, c_size_t), w, c_loc(b), &
        int(no, c_size_t), int(nk, c_size_t), out)
    call check_status(t, st, LK_OK, 'lk_vr_variance_f64')
    call check_close(t, reshape(out, [no * nrow]), reshape(want, [no * nrow]), 1e-14_dp, &
        'vr_variance values')
    st = lk_vr_variance_f32(real(phi, sp), int(nrow, c_size_t), int(nf, c_size_t), &
        real(w, sp), c_null_ptr, int(no, c_size_t), int(nk, c_size_t), out32)
    call check_status(t, st, LK_OK, 'lk_vr_variance_f32 without bias')
    ! Without the bias: recompute with b = 0.
    do i = 1, nrow
      do o = 1, no
        want(o, i) = 0
        do r = 1, nk
          want(o, i) = want(o, i) + sum(phi(:, i) * w(r, :, o))**2
        end do
      end do
    end do
    call check_close(t, reshape(real(out32, dp), [no * nrow]), reshape(want, [no * nrow]), &
        1e-5_dp, 'vr_variance f32 without bias')
    out = 42
    st = lk_vr_variance_f64(phi, int(nrow, c_size_t), 0_c_size_t, w, c_null_ptr, &
        int(no, c_size_t), int(nk, c_size_t), out)
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'vr_variance with 0 features')
    call check(t, all(out == 42), 'vr_variance out untouched after an error')
  end subroutine vr_variance

  subroutine normal_draw(t)
    type(checker), intent(inout) :: t
    real(dp) :: a, b, c
    a = lk_normal_draw(5_c_int64_t, 1_c_int64_t, 2_c_int64_t, 3_c_int64_t)
    b = lk_normal_draw(5_c_int64_t, 1_c_int64_t, 2_c_int64_t, 3_c_int64_t)
    c = lk_normal_draw(6_c_int64_t, 1_c_int64_t, 2_c_int64_t, 3_c_int64_t)
    call check(t, a == b .and. a /= c, 'lk_normal_draw is a function of its key')
  end subroutine normal_draw

end module family_probabilistic
