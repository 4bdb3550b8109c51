! The classification family (binary losses and row-wise softmax losses) from Fortran (run by
! capi/tests/fortran.rs). C's row-major [rows x classes] data is held here as x(classes, rows)
! and passed as it is; class indices are 0-based int64. Expected values: SPEC.md section 6.6
! (inferno binary focal 0.1732867951, CE 0.2413112967, multiclass focal 0.0110927501 and
! 0.0707352897 with a class weight; astroNN BCE from logits 0.3936693358 / 0.2200948493, CCE
! from logits 2.5859844122 / 0.6114089467) and 6.4 (astroNN nll and accuracies); the rest from
! the documented formulas written out here in double (log-softmax, softplus, their
! derivatives) and from central differences of the library's own values.
module family_classification
  use losskit
  use checks
  implicit none
  private
  public :: run_classification

  integer, parameter :: dp = c_double, sp = c_float
  ! The logits of most tests: nr rows of nc classes, stored x(nc, nr).
  integer, parameter :: nc = 3, nr = 4
  integer(c_size_t), parameter :: rows = int(nr, c_size_t), classes = int(nc, c_size_t)
  ! PyTorch's default ignore_index.
  integer(c_int64_t), parameter :: ignore = -100_c_int64_t
  real(dp), parameter :: magic = -9999.0_dp

contains

  subroutine run_classification(t)
    type(checker), intent(inout) :: t
    integer :: before
    before = t%passed + t%failed
    call cross_entropy_plain(t)
    call cross_entropy_options(t)
    call cross_entropy_in_place(t)
    call nll_and_probability_targets(t)
    call focal(t)
    call binary(t)
    call astronn(t)
    call errors(t)
    print '(a, i0, a)', 'family classification: ', t%passed + t%failed - before, ' checks'
  end subroutine run_classification

  ! log softmax of one row of logits (a column here): z - (m + log sum exp(z - m)).
  pure function log_softmax(z) result(l)
    real(dp), intent(in) :: z(:)
    real(dp) :: l(size(z))
    real(dp) :: m
    m = maxval(z)
    l = z - (m + log(sum(exp(z - m))))
  end function log_softmax

  ! log(1 + e^x), without overflow.
  elemental function softplus(x) result(s)
    real(dp), intent(in) :: x
    real(dp) :: s
    s = max(x, 0.0_dp) + log(1 + exp(-abs(x)))
  end function softplus

  elemental function sigmoid(x) result(s)
    real(dp), intent(in) :: x
    real(dp) :: s
    s = 1 / (1 + exp(-x))
  end function sigmoid

  ! x(c, r) = C's logits[r-1][c-1].
  subroutine make_logits(x)
    real(dp), intent(out) :: x(nc, nr)
    integer :: c, r
    do r = 1, nr
      do c = 1, nc
        x(c, r) = 1.5_dp * sin(real(2 * c + 5 * r, dp)) + 0.25_dp * c
      end do
    end do
  end subroutine make_logits

  ! The plain mean cross-entropy of x against y and its gradient:
  ! L = -(1/R) sum_r ls_r[y_r], dL/dx_rk = (softmax_rk - [k == y_r]) / R.
  subroutine plain_reference(x, y, want, want_grad)
    real(dp), intent(in) :: x(nc, nr)
    integer(c_int64_t), intent(in) :: y(nr)
    real(dp), intent(out) :: want, want_grad(nc, nr)
    real(dp) :: ls(nc)
    integer :: r
    want = 0
    do r = 1, nr
      ls = log_softmax(x(:, r))
      want = want - ls(y(r) + 1) / nr
      want_grad(:, r) = exp(ls) / nr
      want_grad(y(r) + 1, r) = want_grad(y(r) + 1, r) - 1.0_dp / nr
    end do
  end subroutine plain_reference

  ! Mean cross-entropy with class-index targets, f64 and f32, per-row values, a sum with an
  ! accumulated, scaled gradient, the generic name on 1-D data, and data kept the other way
  ! round (xt(rows, classes)) passed as transpose(xt) (assigned first: a copy either way).
  subroutine cross_entropy_plain(t)
    type(checker), intent(inout) :: t
    integer(c_int64_t), parameter :: y(nr) = [2_c_int64_t, 0_c_int64_t, 1_c_int64_t, 1_c_int64_t]
    real(dp) :: x(nc, nr), xt(nr, nc), want_grad(nc, nr), want, out(1), again(1), each(nr)
    real(dp) :: ls(nc), xc(nc, nr)
    real(dp), target :: grad(nc, nr)
    real(sp) :: x32(nc, nr), out32(1)
    real(sp), target :: grad32(nc, nr)
    type(lk_options) :: opts
    integer(c_int32_t) :: st
    integer :: r
    call make_logits(x)
    call plain_reference(x, y, want, want_grad)
    st = lk_cross_entropy_f64(x, y, rows, classes, c_null_ptr, ignore, 0.0_dp, 0.0_dp, &
        c_null_ptr, lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_OK, 'lk_cross_entropy_f64 status')
    call check_close(t, out(1), want, 1e-14_dp, 'cross-entropy of x(classes, rows)')
    call check_close(t, reshape(grad, [nc * nr]), reshape(want_grad, [nc * nr]), 1e-12_dp, &
        'cross-entropy gradient, class by class within each row')

    ! f32: the reference from the f32 logits, in double.
    x32 = real(x, sp)
    call plain_reference(real(x32, dp), y, want, want_grad)
    st = lk_cross_entropy_f32(x32, y, rows, classes, c_null_ptr, ignore, 0.0_sp, 0.0_sp, &
        c_null_ptr, lk_options_default(), out32, c_loc(grad32))
    call check_status(t, st, LK_OK, 'lk_cross_entropy_f32 status')
    call check_close(t, real(out32(1), dp), want, 1e-6_dp, 'cross-entropy f32')
    call check_close(t, real(reshape(grad32, [nc * nr]), dp), reshape(want_grad, [nc * nr]), &
        1e-5_dp, 'cross-entropy f32 gradient')

    ! Per-row values (generic name, 1-D data): -ls_r[y_r].
    opts = lk_options_default()
    opts%reduction = LK_REDUCTION_NONE
    st = lk_cross_entropy(reshape(x, [nc * nr]), y, rows, classes, c_null_ptr, ignore, 0.0_dp, &
        0.0_dp, c_null_ptr, opts, each, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_cross_entropy (generic) per-row status')
    do r = 1, nr
      ls = log_softmax(x(:, r))
      call check_close(t, each(r), -ls(y(r) + 1), 1e-14_dp, 'per-row cross-entropy -ls_r[y_r]')
    end do

    ! Sum, grad_scale 0.5, accumulated onto the mean's gradient: g + 0.5 R g = 3 g.
    call plain_reference(x, y, want, want_grad)
    st = lk_cross_entropy_f64(x, y, rows, classes, c_null_ptr, ignore, 0.0_dp, 0.0_dp, &
        c_null_ptr, lk_options_default(), out, c_loc(grad))
    opts = lk_options_default()
    opts%reduction = LK_REDUCTION_SUM
    opts%grad_scale = 0.5_dp
    opts%grad_accumulate = 1_c_int8_t
    st = lk_cross_entropy_f64(x, y, rows, classes, c_null_ptr, ignore, 0.0_dp, 0.0_dp, &
        c_null_ptr, opts, out, c_loc(grad))
    call check_status(t, st, LK_OK, 'cross-entropy sum status')
    call check_close(t, out(1), nr * want, 1e-14_dp, 'cross-entropy sum = R * mean')
    call check_close(t, reshape(grad, [nc * nr]), reshape(3 * want_grad, [nc * nr]), 1e-12_dp, &
        'accumulated, scaled gradient of the sum')

    ! Data kept as xt(rows, classes): pass transpose(xt) (a copy in the C layout).
    xt = transpose(x)
    xc = transpose(xt)
    st = lk_cross_entropy_f64(xc, y, rows, classes, c_null_ptr, ignore, 0.0_dp, &
        0.0_dp, c_null_ptr, lk_options_default(), again, c_null_ptr)
    call check(t, st == LK_OK .and. abs(again(1) - want) <= 1e-14_dp * want, &
        'transpose(xt) of data kept (rows, classes) gives the same cross-entropy')
  end subroutine cross_entropy_plain

  ! The options of the cross-entropy: class weights w, label smoothing eps, z-loss lambda, an
  ! ignored row and sample weights s. With p = softmax, ls = log p, lse = log sum exp x_r:
  ! l_r = (1 - eps) w_y (-ls_y) + (eps/C) sum_k w_k (-ls_k) + lambda w_y lse^2,
  ! L = sum_r s_r l_r / sum_r s_r w_y (rows not ignored),
  ! dL/dx_rk = s_r (p_k A - (1 - eps) w_y [k == y] - (eps/C) w_k) / sum_r s_r w_y,
  ! A = (1 - eps) w_y + (eps/C) sum w + 2 lambda w_y lse.
  subroutine options_reference(x, y, w, eps, lambda, s, want, want_grad)
    real(dp), intent(in) :: x(nc, nr), w(nc), eps, lambda, s(nr)
    integer(c_int64_t), intent(in) :: y(nr)
    real(dp), intent(out) :: want, want_grad(nc, nr)
    real(dp) :: ls(nc), lse, norm, a
    integer :: r, k
    want = 0
    norm = 0
    want_grad = 0
    do r = 1, nr
      if (y(r) == ignore) cycle
      k = int(y(r)) + 1
      ls = log_softmax(x(:, r))
      lse = x(1, r) - ls(1)
      want = want + s(r) * ((1 - eps) * w(k) * (-ls(k)) + eps / nc * sum(w * (-ls)) &
          + lambda * w(k) * lse**2)
      norm = norm + s(r) * w(k)
      a = (1 - eps) * w(k) + eps / nc * sum(w) + 2 * lambda * w(k) * lse
      want_grad(:, r) = s(r) * (exp(ls) * a - eps / nc * w)
      want_grad(k, r) = want_grad(k, r) - s(r) * (1 - eps) * w(k)
    end do
    want = want / norm
    want_grad = want_grad / norm
  end subroutine options_reference

  subroutine cross_entropy_options(t)
    type(checker), intent(inout) :: t
    integer(c_int64_t), parameter :: y(nr) = [2_c_int64_t, ignore, 0_c_int64_t, 1_c_int64_t]
    real(dp), parameter :: eps = 0.1_dp, lambda = 0.01_dp, h = 1e-6_dp
    real(dp), target :: w(nc) = [0.5_dp, 2.0_dp, 1.0_dp], s(nr) = [1.0_dp, 3.0_dp, 0.5_dp, 2.0_dp]
    real(sp), target :: w32(nc), s32(nr)
    real(dp) :: x(nc, nr), p(nc, nr), want_grad(nc, nr), fd(nc, nr), want, out(1), up(1), down(1)
    real(dp), target :: grad(nc, nr)
    real(sp) :: x32(nc, nr), out32(1)
    real(sp), target :: grad32(nc, nr)
    integer(c_int32_t) :: st
    integer :: c, r
    call make_logits(x)
    call options_reference(x, y, w, eps, lambda, s, want, want_grad)
    st = lk_cross_entropy_f64(x, y, rows, classes, c_loc(w), ignore, eps, lambda, c_loc(s), &
        lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_OK, 'cross-entropy with every option, status')
    call check_close(t, out(1), want, 1e-14_dp, &
        'cross-entropy with class weights, smoothing, z-loss, ignore_index, sample weights')
    call check_close(t, reshape(grad, [nc * nr]), reshape(want_grad, [nc * nr]), 1e-12_dp, &
        'its gradient (the ignored row gets 0)')
    call check(t, all(grad(:, 2) == 0), 'the ignored row has gradient exactly 0')
    do r = 1, nr
      do c = 1, nc
        p = x
        p(c, r) = x(c, r) + h
        st = lk_cross_entropy_f64(p, y, rows, classes, c_loc(w), ignore, eps, lambda, c_loc(s), &
            lk_options_default(), up, c_null_ptr)
        p(c, r) = x(c, r) - h
        st = lk_cross_entropy_f64(p, y, rows, classes, c_loc(w), ignore, eps, lambda, c_loc(s), &
            lk_options_default(), down, c_null_ptr)
        fd(c, r) = (up(1) - down(1)) / (2 * h)
      end do
    end do
    call check(t, maxval(abs(grad - fd)) <= 1e-7_dp * maxval(abs(fd)), &
        'cross-entropy gradient vs finite differences')

    x32 = real(x, sp)
    w32 = real(w, sp)
    s32 = real(s, sp)
    call options_reference(real(x32, dp), y, real(w32, dp), real(0.1_sp, dp), &
        real(0.01_sp, dp), real(s32, dp), want, want_grad)
    st = lk_cross_entropy_f32(x32, y, rows, classes, c_loc(w32), ignore, 0.1_sp, 0.01_sp, &
        c_loc(s32), lk_options_default(), out32, c_loc(grad32))
    call check_status(t, st, LK_OK, 'cross-entropy f32 with every option, status')
    call check_close(t, real(out32(1), dp), want, 1e-6_dp, 'cross-entropy f32 with every option')
    call check_close(t, real(reshape(grad32, [nc * nr]), dp), reshape(want_grad, [nc * nr]), &
        1e-5_dp, 'its f32 gradient')
  end subroutine cross_entropy_options

  ! The in-place cross-entropy: the logits x(classes, rows) become grad_scale * dL/dx.
  subroutine cross_entropy_in_place(t)
    type(checker), intent(inout) :: t
    integer(c_int64_t), parameter :: y(nr) = [1_c_int64_t, 2_c_int64_t, ignore, 0_c_int64_t]
    real(dp), target :: w(nc) = [1.0_dp, 0.25_dp, 3.0_dp]
    real(dp), parameter :: s(nr) = 1.0_dp
    real(dp) :: x(nc, nr), buf(nc, nr), want_grad(nc, nr), want, out(1)
    real(sp) :: x32(nc, nr), buf32(nc, nr), out32(1)
    type(lk_options) :: opts
    integer(c_int32_t) :: st
    call make_logits(x)
    call options_reference(x, y, w, 0.2_dp, 0.0_dp, s, want, want_grad)
    buf = x
    st = lk_cross_entropy_in_place_f64(buf, y, rows, classes, c_loc(w), ignore, 0.2_dp, 0.0_dp, &
        c_null_ptr, lk_options_default(), out)
    call check_status(t, st, LK_OK, 'lk_cross_entropy_in_place_f64 status')
    call check_close(t, out(1), want, 1e-14_dp, 'in-place cross-entropy value')
    call check_close(t, reshape(buf, [nc * nr]), reshape(want_grad, [nc * nr]), 1e-12_dp, &
        'the logits now hold the gradient')
    call check(t, all(buf(:, 3) == 0), 'the ignored row of the logits is set to 0')

    ! grad_scale applies; the generic name on 1-D data.
    opts = lk_options_default()
    opts%grad_scale = -2.0_dp
    buf = x
    st = in_place_1d(buf, opts, out)
    call check_status(t, st, LK_OK, 'in-place with grad_scale -2 status')
    call check_close(t, reshape(buf, [nc * nr]), reshape(-2 * want_grad, [nc * nr]), 1e-12_dp, &
        'in-place gradient times grad_scale')

    x32 = real(x, sp)
    buf32 = x32
    st = lk_cross_entropy_in_place_f32(buf32, y, rows, classes, c_null_ptr, ignore, 0.2_sp, &
        0.0_sp, c_null_ptr, lk_options_default(), out32)
    call check_status(t, st, LK_OK, 'lk_cross_entropy_in_place_f32 status')
    ! Without class weights this time: the reference again with w = 1.
    call options_reference(real(x32, dp), y, [1.0_dp, 1.0_dp, 1.0_dp], real(0.2_sp, dp), &
        0.0_dp, s, want, want_grad)
    call check_close(t, real(out32(1), dp), want, 1e-6_dp, 'in-place cross-entropy f32')
    call check_close(t, real(reshape(buf32, [nc * nr]), dp), reshape(want_grad, [nc * nr]), &
        1e-5_dp, 'in-place gradient f32')

    ! Accumulating into the logits is refused, and they are left as they were.
    opts = lk_options_default()
    opts%grad_accumulate = 1_c_int8_t
    buf = x
    out = -7
    st = lk_cross_entropy_in_place_f64(buf, y, rows, classes, c_null_ptr, ignore, 0.0_dp, &
        0.0_dp, c_null_ptr, opts, out)
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'in-place with grad_accumulate')
    call check(t, all(buf == x) .and. out(1) == -7, 'logits and out untouched after the refusal')

  contains

    integer(c_int32_t) function in_place_1d(b, o, v) result(res)
      real(dp), intent(inout) :: b(nc, nr)
      type(lk_options), intent(in) :: o
      real(dp), intent(inout) :: v(1)
      real(dp) :: flat(nc * nr)
      flat = reshape(b, [nc * nr])
      res = lk_cross_entropy_in_place(flat, y, rows, classes, c_loc(w), ignore, 0.2_dp, 0.0_dp, &
          c_null_ptr, o, v)
      b = reshape(flat, [nc, nr])
    end function in_place_1d

  end subroutine cross_entropy_in_place

  ! NLL on log-probabilities (= the cross-entropy of their logits) and the cross-entropy with
  ! probability targets T(classes, rows).
  subroutine nll_and_probability_targets(t)
    type(checker), intent(inout) :: t
    integer(c_int64_t), parameter :: y(nr) = [0_c_int64_t, 2_c_int64_t, 2_c_int64_t, 1_c_int64_t]
    real(dp), target :: w(nc) = [2.0_dp, 0.5_dp, 1.5_dp]
    real(dp), parameter :: eps = 0.2_dp
    real(dp) :: x(nc, nr), lp(nc, nr), tp(nc, nr), tt(nc), want_grad(nc, nr), want, norm, a
    real(dp) :: out(1)
    real(dp), target :: grad(nc, nr)
    real(sp) :: lp32(nc, nr), out32(1)
    integer(c_int32_t) :: st
    integer :: r, k
    call make_logits(x)
    want = 0
    norm = 0
    want_grad = 0
    do r = 1, nr
      lp(:, r) = log_softmax(x(:, r))
      k = int(y(r)) + 1
      want = want - w(k) * lp(k, r)
      norm = norm + w(k)
      want_grad(k, r) = -w(k)
    end do
    st = lk_nll_f64(lp, y, rows, classes, c_loc(w), ignore, c_null_ptr, lk_options_default(), &
        out, c_loc(grad))
    call check_status(t, st, LK_OK, 'lk_nll_f64 status')
    call check_close(t, out(1), want / norm, 1e-14_dp, 'weighted NLL = sum w_y (-lp_y) / sum w_y')
    call check_close(t, reshape(grad, [nc * nr]), reshape(want_grad / norm, [nc * nr]), &
        1e-14_dp, 'NLL gradient -w_y [k == y] / sum w_y')
    lp32 = real(lp, sp)
    st = lk_nll_f32(lp32, y, rows, classes, c_null_ptr, ignore, c_null_ptr, &
        lk_options_default(), out32, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_nll_f32 status')
    call check_close(t, real(out32(1), dp), &
        -sum([(lp(int(y(r)) + 1, r), r = 1, nr)]) / nr, 1e-6_dp, 'NLL f32')

    ! Soft targets (each column sums to 1), class weights, smoothing eps:
    ! t' = (1 - eps) t + eps / C, l_r = -sum_k w_k t'_k lp_k, L = mean over rows,
    ! dL/dx_rk = ((sum_j w_j t'_j) p_k - w_k t'_k) / R.
    do r = 1, nr
      tp(:, r) = [0.2_dp * r, 1.0_dp, 0.5_dp]
      tp(:, r) = tp(:, r) / sum(tp(:, r))
    end do
    want = 0
    do r = 1, nr
      tt = (1 - eps) * tp(:, r) + eps / nc
      want = want - sum(w * tt * lp(:, r)) / nr
      a = sum(w * tt)
      want_grad(:, r) = (a * exp(lp(:, r)) - w * tt) / nr
    end do
    st = lk_cross_entropy_probs_f64(x, tp, rows, classes, c_loc(w), eps, c_null_ptr, &
        lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_OK, 'lk_cross_entropy_probs_f64 status')
    call check_close(t, out(1), want, 1e-14_dp, 'cross-entropy with probability targets')
    call check_close(t, reshape(grad, [nc * nr]), reshape(want_grad, [nc * nr]), 1e-12_dp, &
        'its gradient')
  end subroutine nll_and_probability_targets

  ! SPEC 6.6 (inferno, z = [2, 0.5, -1], y = 0): CE 0.2413112967, focal (gamma 2)
  ! 0.0110927501; with class weight w_0 = 2 inferno's element (1 - p^2)^2 2 CE = 0.0707352897,
  ! the plain weighting (1 - p)^2 2 CE = 0.0221855002. Then the focal gradient against
  ! central differences, and gamma = 0 = the cross-entropy.
  subroutine focal(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: z(3) = [2.0_dp, 0.5_dp, -1.0_dp], h = 1e-6_dp
    real(sp), parameter :: z32(3) = [2.0_sp, 0.5_sp, -1.0_sp]
    integer(c_int64_t), parameter :: y0(1) = [0_c_int64_t]
    integer(c_int64_t), parameter :: y(nr) = [1_c_int64_t, 1_c_int64_t, 0_c_int64_t, 2_c_int64_t]
    real(dp), target :: w0(3) = [2.0_dp, 1.0_dp, 1.0_dp], w(nc) = [0.3_dp, 1.0_dp, 2.0_dp]
    real(dp) :: x(nc, nr), p(nc, nr), fd(nc, nr), out(1), up(1), down(1), ce(1)
    real(dp), target :: grad(nc, nr)
    real(sp) :: out32(1)
    type(lk_options) :: none
    integer(c_int32_t) :: st
    integer :: c, r
    none = lk_options_default()
    none%reduction = LK_REDUCTION_NONE
    st = lk_cross_entropy_f64(z, y0, 1_c_size_t, 3_c_size_t, c_null_ptr, ignore, 0.0_dp, &
        0.0_dp, c_null_ptr, lk_options_default(), out, c_null_ptr)
    call check_close(t, out(1), 0.2413112967_dp, 1e-9_dp, 'CE of [2, 0.5, -1] (SPEC 6.6)')
    st = lk_focal_f64(z, y0, 1_c_size_t, 3_c_size_t, c_null_ptr, ignore, 2.0_dp, 0_c_int8_t, &
        c_null_ptr, lk_options_default(), out, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_focal_f64 status')
    call check_close(t, out(1), 0.0110927501_dp, 1e-8_dp, 'multiclass focal gamma 2 (SPEC 6.6)')
    st = lk_focal_f32(z32, y0, 1_c_size_t, 3_c_size_t, c_null_ptr, ignore, 2.0_sp, 0_c_int8_t, &
        c_null_ptr, lk_options_default(), out32, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_focal_f32 status')
    call check_close(t, real(out32(1), dp), 0.0110927501_dp, 1e-5_dp, 'multiclass focal f32')
    st = lk_focal_f64(z, y0, 1_c_size_t, 3_c_size_t, c_loc(w0), ignore, 2.0_dp, 1_c_int8_t, &
        c_null_ptr, none, out, c_null_ptr)
    call check_close(t, out(1), 0.0707352897_dp, 1e-8_dp, &
        'inferno weighted focal element (1 - p^w)^2 w CE (SPEC 6.6)')
    st = lk_focal_f64(z, y0, 1_c_size_t, 3_c_size_t, c_loc(w0), ignore, 2.0_dp, 0_c_int8_t, &
        c_null_ptr, none, out, c_null_ptr)
    call check_close(t, out(1), 0.0221855002_dp, 1e-8_dp, &
        'plain weighted focal element (1 - p)^2 w CE (SPEC 6.6)')

    call make_logits(x)
    st = lk_focal_f64(x, y, rows, classes, c_loc(w), ignore, 1.5_dp, 0_c_int8_t, c_null_ptr, &
        lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_OK, 'focal gamma 1.5 with class weights, status')
    do r = 1, nr
      do c = 1, nc
        p = x
        p(c, r) = x(c, r) + h
        st = lk_focal_f64(p, y, rows, classes, c_loc(w), ignore, 1.5_dp, 0_c_int8_t, &
            c_null_ptr, lk_options_default(), up, c_null_ptr)
        p(c, r) = x(c, r) - h
        st = lk_focal_f64(p, y, rows, classes, c_loc(w), ignore, 1.5_dp, 0_c_int8_t, &
            c_null_ptr, lk_options_default(), down, c_null_ptr)
        fd(c, r) = (up(1) - down(1)) / (2 * h)
      end do
    end do
    call check(t, maxval(abs(grad - fd)) <= 1e-7_dp * maxval(abs(fd)), &
        'focal gradient vs finite differences')
    st = lk_focal_f64(x, y, rows, classes, c_loc(w), ignore, 0.0_dp, 0_c_int8_t, c_null_ptr, &
        lk_options_default(), out, c_null_ptr)
    st = lk_cross_entropy_f64(x, y, rows, classes, c_loc(w), ignore, 0.0_dp, 0.0_dp, c_null_ptr, &
        lk_options_default(), ce, c_null_ptr)
    call check_close(t, out(1), ce(1), 1e-14_dp, 'focal with gamma 0 = the cross-entropy')
  end subroutine focal

  ! BCE with logits with a per-column pos_weight on z(cols, rows), BCE on probabilities, and
  ! the binary focal loss (SPEC 6.6 and central differences).
  subroutine binary(t)
    type(checker), intent(inout) :: t
    integer, parameter :: nb = 2, rb = 3
    real(dp), target :: pw(nb) = [2.0_dp, 0.5_dp]
    real(sp), target :: pw32(nb) = [2.0_sp, 0.5_sp]
    real(dp), parameter :: h = 1e-6_dp
    real(dp) :: z(nb, rb), y(nb, rb), pwc(nb, rb), prob(nb, rb), v(nb, rb), fd(nb, rb)
    real(dp) :: zz(nb, rb), want, out(1), up(1), down(1)
    real(dp), target :: grad(nb, rb)
    real(sp) :: out32(1)
    real(sp), target :: grad32(nb, rb)
    integer(c_int32_t) :: st
    integer :: i, j
    z = reshape([0.5_dp, -1.0_dp, 2.0_dp, 0.0_dp, -0.3_dp, 1.2_dp], [nb, rb])
    y = reshape([1.0_dp, 0.0_dp, 0.3_dp, 1.0_dp, 0.0_dp, 0.8_dp], [nb, rb])
    pwc = spread(pw, 2, rb)
    ! l = pw_j t softplus(-z) + (1 - t) softplus(z); dl/dz = (1 - t) sigma(z) - pw_j t sigma(-z).
    want = sum(pwc * y * softplus(-z) + (1 - y) * softplus(z)) / (nb * rb)
    st = lk_bce_with_logits_f64(z, y, c_null_ptr, c_loc(pw), int(nb, c_size_t), &
        int(nb * rb, c_size_t), lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_OK, 'lk_bce_with_logits_f64 status')
    call check_close(t, out(1), want, 1e-14_dp, 'BCE with logits, pos_weight per column')
    call check_close(t, reshape(grad, [nb * rb]), &
        reshape(((1 - y) * sigmoid(z) - pwc * y * sigmoid(-z)) / (nb * rb), [nb * rb]), &
        1e-13_dp, 'BCE with logits gradient')
    st = lk_bce_with_logits_f32(real(z, sp), real(y, sp), c_null_ptr, c_loc(pw32), &
        int(nb, c_size_t), int(nb * rb, c_size_t), lk_options_default(), out32, c_loc(grad32))
    call check_status(t, st, LK_OK, 'lk_bce_with_logits_f32 status')
    call check_close(t, real(out32(1), dp), want, 1e-6_dp, 'BCE with logits f32')
    call check_close(t, real(reshape(grad32, [nb * rb]), dp), reshape(grad, [nb * rb]), 1e-5_dp, &
        'BCE with logits f32 gradient')

    ! BCE on probabilities: -(t log p + (1 - t) log(1 - p)), d/dp = (p - t) / (p (1 - p)).
    prob = sigmoid(z)
    st = lk_bce(reshape(prob, [nb * rb]), reshape(y, [nb * rb]), c_null_ptr, &
        int(nb * rb, c_size_t), lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_OK, 'lk_bce (generic) status')
    call check_close(t, out(1), sum(-(y * log(prob) + (1 - y) * log(1 - prob))) / (nb * rb), &
        1e-14_dp, 'BCE on probabilities')
    call check_close(t, reshape(grad, [nb * rb]), &
        reshape((prob - y) / (prob * (1 - prob)) / (nb * rb), [nb * rb]), 1e-13_dp, &
        'BCE on probabilities gradient')

    ! Binary focal, SPEC 6.6: z = 0, t = 1, gamma = 2 gives ln(2) / 4.
    st = lk_binary_focal_f64([0.0_dp], [1.0_dp], c_null_ptr, 1_c_size_t, 2.0_dp, &
        lk_options_default(), out, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_binary_focal_f64 status')
    call check_close(t, out(1), 0.1732867951_dp, 1e-9_dp, 'binary focal (SPEC 6.6)')
    st = lk_binary_focal_f32([0.0_sp], [1.0_sp], c_null_ptr, 1_c_size_t, 2.0_sp, &
        lk_options_default(), out32, c_null_ptr)
    call check_close(t, real(out32(1), dp), log(2.0_dp) / 4, 1e-6_dp, 'binary focal f32')
    ! Per element, q = t sigma(-z) + (1 - t) sigma(z): l = q^gamma * (the BCE with logits).
    st = lk_binary_focal_f64(z, y, c_null_ptr, int(nb * rb, c_size_t), 2.0_dp, &
        lk_options_default(), out, c_loc(grad))
    v = (y * sigmoid(-z) + (1 - y) * sigmoid(z))**2 * (y * softplus(-z) + (1 - y) * softplus(z))
    call check_close(t, out(1), sum(v) / (nb * rb), 1e-14_dp, 'binary focal mean, soft targets')
    do j = 1, rb
      do i = 1, nb
        zz = z
        zz(i, j) = z(i, j) + h
        st = lk_binary_focal_f64(zz, y, c_null_ptr, int(nb * rb, c_size_t), 2.0_dp, &
            lk_options_default(), up, c_null_ptr)
        zz(i, j) = z(i, j) - h
        st = lk_binary_focal_f64(zz, y, c_null_ptr, int(nb * rb, c_size_t), 2.0_dp, &
            lk_options_default(), down, c_null_ptr)
        fd(i, j) = (up(1) - down(1)) / (2 * h)
      end do
    end do
    call check(t, maxval(abs(grad - fd)) <= 1e-7_dp * maxval(abs(fd)), &
        'binary focal gradient vs finite differences')
  end subroutine binary

  ! astroNN with the magic number -9999 (SPEC 6.4 and 6.6): per-sample values of y(3, 2).
  subroutine astronn(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: h = 1e-6_dp
    real(dp) :: yb(3, 2), zb(3, 2), yc(3, 2), zc(3, 2), ya(3, 2), pa(3, 2), p(3, 2), fd(3, 2)
    real(dp) :: v(2), out(1), up(1), down(1)
    real(dp), target :: grad(3, 2)
    real(sp) :: v32(2)
    type(lk_options) :: o
    integer(c_int32_t) :: st
    integer :: i, j
    o = lk_options_default()
    o%use_magic = 1_c_int8_t
    o%reduction = LK_REDUCTION_NONE
    o%row_len = 3_c_size_t
    yb = reshape([1.0_dp, magic, 1.0_dp, 1.0_dp, magic, 0.0_dp], [3, 2])
    zb = reshape([0.5_dp, 0.0_dp, 1.0_dp, 2.0_dp, 0.0_dp, -1.0_dp], [3, 2])
    st = lk_astronn_bce_f64(zb, yb, c_null_ptr, 6_c_size_t, 1_c_int8_t, o, v, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_astronn_bce_f64 status')
    call check_close(t, v, [0.3936693358_dp, 0.2200948493_dp], 1e-9_dp, &
        'astroNN BCE from logits per sample (SPEC 6.6)')
    ! On probabilities sigma(z): the same (SPEC 6.4).
    st = lk_astronn_bce_f64(sigmoid(zb), yb, c_null_ptr, 6_c_size_t, 0_c_int8_t, o, v, c_null_ptr)
    call check_close(t, v, [0.3936693358_dp, 0.2200948493_dp], 1e-9_dp, &
        'astroNN BCE on sigma(z) = from logits (SPEC 6.4)')
    st = lk_astronn_bce_f32(real(zb, sp), real(yb, sp), c_null_ptr, 6_c_size_t, 1_c_int8_t, o, &
        v32, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_astronn_bce_f32 status')
    call check_close(t, real(v32, dp), [0.3936693358_dp, 0.2200948493_dp], 1e-6_dp, &
        'astroNN BCE f32')
    ! astroNN's nll: the sum over samples, pred taken as probabilities clipped to
    ! [1e-7, 1 - 1e-7]: ln(2)/2 + (3/2)(-log(1 - 1e-7)), about 0.34657377 (SPEC 6.4).
    o%reduction = LK_REDUCTION_SUM
    st = lk_astronn_bce_f64(zb, yb, c_null_ptr, 6_c_size_t, 0_c_int8_t, o, out, c_null_ptr)
    call check_close(t, out(1), log(2.0_dp) / 2 - 1.5_dp * log(1 - 1e-7_dp), 1e-9_dp, &
        'astroNN nll = sum of clipped BCE')
    call check_close(t, out(1), 0.34657377_dp, 1e-6_dp, 'astroNN nll (SPEC 6.4)')

    ! CCE from logits of z(3, 2) against one-hot y with a magic slot (SPEC 6.6).
    o%reduction = LK_REDUCTION_NONE
    o%row_len = 0_c_size_t
    yc = reshape([1.0_dp, magic, 1.0_dp, 1.0_dp, magic, 0.0_dp], [3, 2])
    zc = reshape([1.0_dp, 0.0_dp, 1.0_dp, 2.0_dp, 1.0_dp, 0.0_dp], [3, 2])
    st = lk_astronn_cce_f64(zc, yc, 2_c_size_t, 3_c_size_t, 1_c_int8_t, c_null_ptr, o, v, &
        c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_astronn_cce_f64 status')
    call check_close(t, v, [2.5859844122_dp, 0.6114089467_dp], 1e-9_dp, &
        'astroNN CCE from logits per sample (SPEC 6.6)')
    st = lk_astronn_cce_f32(real(zc, sp), real(yc, sp), 2_c_size_t, 3_c_size_t, 1_c_int8_t, &
        c_null_ptr, o, v32, c_null_ptr)
    call check_close(t, real(v32, dp), [2.5859844122_dp, 0.6114089467_dp], 1e-6_dp, &
        'astroNN CCE f32')
    ! Its mean's gradient against central differences (the magic slot gets 0).
    o%reduction = LK_REDUCTION_MEAN
    st = lk_astronn_cce_f64(zc, yc, 2_c_size_t, 3_c_size_t, 1_c_int8_t, c_null_ptr, o, out, &
        c_loc(grad))
    do j = 1, 2
      do i = 1, 3
        p = zc
        p(i, j) = zc(i, j) + h
        st = lk_astronn_cce_f64(p, yc, 2_c_size_t, 3_c_size_t, 1_c_int8_t, c_null_ptr, o, up, &
            c_null_ptr)
        p(i, j) = zc(i, j) - h
        st = lk_astronn_cce_f64(p, yc, 2_c_size_t, 3_c_size_t, 1_c_int8_t, c_null_ptr, o, down, &
            c_null_ptr)
        fd(i, j) = (up(1) - down(1)) / (2 * h)
      end do
    end do
    call check(t, maxval(abs(grad - fd)) <= 1e-7_dp * maxval(abs(fd)), &
        'astroNN CCE gradient vs finite differences')

    ! Accuracies (SPEC 6.4): y = [[1,M,1],[0,M,1]], pred = [[1,0,0],[1,0,0]].
    o%reduction = LK_REDUCTION_NONE
    ya = reshape([1.0_dp, magic, 1.0_dp, 0.0_dp, magic, 1.0_dp], [3, 2])
    pa = reshape([1.0_dp, 0.0_dp, 0.0_dp, 1.0_dp, 0.0_dp, 0.0_dp], [3, 2])
    st = lk_astronn_categorical_accuracy_f64(pa, ya, 2_c_size_t, 3_c_size_t, c_null_ptr, o, v)
    call check_status(t, st, LK_OK, 'lk_astronn_categorical_accuracy_f64 status')
    call check(t, all(v == [1.0_dp, 0.0_dp]), 'astroNN categorical accuracy [1, 0] (SPEC 6.4)')
    o%row_len = 3_c_size_t
    st = lk_binary_accuracy_f32(real(pa, sp), real(ya, sp), c_null_ptr, 6_c_size_t, 0_c_int8_t, &
        o, v32)
    call check_status(t, st, LK_OK, 'lk_binary_accuracy_f32 status')
    call check(t, all(v32 == [0.5_sp, 0.0_sp]), 'astroNN binary accuracy [0.5, 0] (SPEC 6.4)')
  end subroutine astronn

  ! Bad input: the status, and outputs (or the in-place logits) left untouched.
  subroutine errors(t)
    type(checker), intent(inout) :: t
    integer(c_int64_t), parameter :: good(nr) = [2_c_int64_t, 0_c_int64_t, 1_c_int64_t, 1_c_int64_t]
    integer(c_int64_t), parameter :: high(nr) = [2_c_int64_t, 0_c_int64_t, 3_c_int64_t, 1_c_int64_t]
    integer(c_int64_t), parameter :: low(nr) = [-1_c_int64_t, 0_c_int64_t, 1_c_int64_t, 1_c_int64_t]
    real(dp), target :: pw(2) = [1.0_dp, -0.5_dp]
    real(dp) :: x(nc, nr), buf(nc, nr), out(1), acc(1)
    real(dp), target :: grad(nc, nr)
    real(sp) :: x32(nc, nr), out32(1)
    real(sp), target :: grad32(nc, nr)
    integer(c_int32_t) :: st
    character(len=:), allocatable :: message
    call make_logits(x)
    out = -7
    grad = -7
    st = lk_cross_entropy_f64(x, high, rows, classes, c_null_ptr, ignore, 0.0_dp, 0.0_dp, &
        c_null_ptr, lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_ERR_INDEX_OUT_OF_RANGE, 'cross-entropy, class 3 of 3')
    message = lkf_last_error()
    call check(t, index(message, 'row') > 0, 'the last error names the row: '//message)
    st = lk_cross_entropy_f64(x, low, rows, classes, c_null_ptr, ignore, 0.0_dp, 0.0_dp, &
        c_null_ptr, lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_ERR_INDEX_OUT_OF_RANGE, 'cross-entropy, class -1 (not ignore)')
    st = lk_nll_f64(x, high, rows, classes, c_null_ptr, ignore, c_null_ptr, &
        lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_ERR_INDEX_OUT_OF_RANGE, 'NLL, class out of range')
    st = lk_focal_f64(x, high, rows, classes, c_null_ptr, ignore, 2.0_dp, 0_c_int8_t, &
        c_null_ptr, lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_ERR_INDEX_OUT_OF_RANGE, 'focal, class out of range')
    st = lk_categorical_accuracy_f64(x, high, rows, classes, ignore, c_null_ptr, &
        lk_options_default(), acc)
    call check_status(t, st, LK_ERR_INDEX_OUT_OF_RANGE, 'categorical accuracy, class out of range')
    st = lk_focal_f64(x, good, rows, classes, c_null_ptr, ignore, -1.0_dp, 0_c_int8_t, &
        c_null_ptr, lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'focal, gamma -1')
    message = lkf_last_error()
    call check(t, index(message, 'gamma') > 0, 'the last error names gamma: '//message)
    st = lk_binary_focal_f64(x, x, c_null_ptr, 12_c_size_t, -0.5_dp, lk_options_default(), out, &
        c_loc(grad))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'binary focal, gamma -0.5')
    st = lk_cross_entropy_f64(x, good, rows, classes, c_null_ptr, ignore, 1.5_dp, 0.0_dp, &
        c_null_ptr, lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'cross-entropy, label_smoothing 1.5')
    st = lk_cross_entropy_f64(x, good, rows, classes, c_null_ptr, ignore, 0.0_dp, -1.0_dp, &
        c_null_ptr, lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'cross-entropy, negative z_loss')
    st = lk_bce_with_logits_f64(x, x, c_null_ptr, c_loc(pw), 2_c_size_t, 12_c_size_t, &
        lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'BCE with logits, negative pos_weight')
    call check(t, out(1) == -7 .and. all(grad == -7), 'outputs untouched after the errors')

    ! In place: the logits stay as they were.
    buf = x
    st = lk_cross_entropy_in_place_f64(buf, high, rows, classes, c_null_ptr, ignore, 0.0_dp, &
        0.0_dp, c_null_ptr, lk_options_default(), out)
    call check_status(t, st, LK_ERR_INDEX_OUT_OF_RANGE, 'in-place cross-entropy, class 3 of 3')
    call check(t, all(buf == x) .and. out(1) == -7, 'in-place logits untouched after the error')

    x32 = real(x, sp)
    out32 = -7
    grad32 = -7
    st = lk_cross_entropy_f32(x32, high, rows, classes, c_null_ptr, ignore, 0.0_sp, 0.0_sp, &
        c_null_ptr, lk_options_default(), out32, c_loc(grad32))
    call check_status(t, st, LK_ERR_INDEX_OUT_OF_RANGE, 'cross-entropy f32, class out of range')
    st = lk_focal_f32(x32, good, rows, classes, c_null_ptr, ignore, -2.0_sp, 1_c_int8_t, &
        c_null_ptr, lk_options_default(), out32, c_loc(grad32))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'focal f32, gamma -2')
    call check(t, out32(1) == -7 .and. all(grad32 == -7), 'f32 outputs untouched')
  end subroutine errors

end module family_classification
