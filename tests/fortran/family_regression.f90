! The regression family from Fortran (run by capi/tests/fortran.rs): values and gradients
! against formulas written here, finite differences, the generic names, masks, weights, the
! row-major layout of rows, partial sums, gradient accumulation, and error statuses.
module family_regression
  use, intrinsic :: ieee_arithmetic, only: ieee_is_nan
  use losskit
  use checks
  implicit none
  private
  public :: run_regression

  integer, parameter :: dp = c_double, sp = c_float

contains

  subroutine run_regression(t)
    type(checker), intent(inout) :: t
    integer :: before
    before = t%passed + t%failed
    call mse_f64(t)
    call weighted_mse_f32(t)
    call huber_finite_differences(t)
    call log_cosh_f32(t)
    call mask_and_per_element(t)
    call rows_layout(t)
    call partial_merge(t)
    call accumulate(t)
    call errors(t)
    call strings(t)
    print '(a, i0, a)', 'family regression: ', t%passed + t%failed - before, ' checks'
  end subroutine run_regression

  subroutine mse_f64(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: pred(5) = [1.0_dp, 2.0_dp, -0.5_dp, 4.0_dp, 0.25_dp]
    real(dp), parameter :: y(5) = [0.5_dp, 2.5_dp, 1.0_dp, 3.0_dp, 0.0_dp]
    real(dp), target :: grad(5)
    real(dp) :: loss(1)
    type(lk_options) :: opts
    integer(c_int32_t) :: st
    opts = lk_options_default()
    st = lk_mse_f64(pred, y, c_null_ptr, 5_c_size_t, opts, loss, c_loc(grad))
    call check_status(t, st, LK_OK, 'lk_mse_f64 status')
    call check_close(t, loss(1), sum((pred - y)**2) / 5, 1e-15_dp, 'lk_mse_f64 value')
    call check_close(t, grad, 2 * (pred - y) / 5, 1e-15_dp, 'lk_mse_f64 gradient')
    ! Without a gradient.
    loss = 0
    st = lk_mse_f64(pred, y, c_null_ptr, 5_c_size_t, opts, loss, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_mse_f64 without gradient')
    call check_close(t, loss(1), sum((pred - y)**2) / 5, 1e-15_dp, 'lk_mse_f64 value only')
    ! Sum reduction.
    opts%reduction = LK_REDUCTION_SUM
    st = lk_mse_f64(pred, y, c_null_ptr, 5_c_size_t, opts, loss, c_loc(grad))
    call check_status(t, st, LK_OK, 'lk_mse_f64 sum status')
    call check_close(t, loss(1), sum((pred - y)**2), 1e-15_dp, 'lk_mse_f64 sum value')
    call check_close(t, grad, 2 * (pred - y), 1e-15_dp, 'lk_mse_f64 sum gradient')
  end subroutine mse_f64

  ! The generic name lk_mse picks lk_mse_f32 for real(c_float) data; weights by c_loc.
  subroutine weighted_mse_f32(t)
    type(checker), intent(inout) :: t
    real(sp), parameter :: pred(4) = [1.5_sp, -2.0_sp, 0.25_sp, 3.0_sp]
    real(sp), parameter :: y(4) = [1.0_sp, -1.0_sp, 0.75_sp, 1.0_sp]
    real(sp), target :: w(4) = [1.0_sp, 2.0_sp, 0.0_sp, 0.5_sp]
    real(sp), target :: grad(4)
    real(sp) :: loss(1)
    real(dp) :: d(4), wd(4), sw
    integer(c_int32_t) :: st
    st = lk_mse(pred, y, c_loc(w), 4_c_size_t, lk_options_default(), loss, c_loc(grad))
    call check_status(t, st, LK_OK, 'lk_mse (f32) status')
    d = real(pred, dp) - real(y, dp)
    wd = real(w, dp)
    sw = sum(wd)
    call check_close(t, real(loss(1), dp), sum(wd * d**2) / sw, 1e-6_dp, 'weighted lk_mse_f32 value')
    call check_close(t, real(grad, dp), 2 * wd * d / sw, 1e-6_dp, 'weighted lk_mse_f32 gradient')
  end subroutine weighted_mse_f32

  ! The gradient of lk_huber_f64 against central differences of its value.
  subroutine huber_finite_differences(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: y(6) = [0.0_dp, 1.0_dp, -1.0_dp, 2.0_dp, 0.5_dp, -3.0_dp]
    real(dp), parameter :: delta = 1.0_dp, h = 1e-6_dp
    real(dp) :: pred(6), p(6), fd(6), want, d
    real(dp), target :: grad(6)
    real(dp) :: loss(1), up(1), down(1)
    integer(c_int32_t) :: st
    integer :: i
    pred = [0.3_dp, 2.7_dp, -1.2_dp, 0.1_dp, 0.45_dp, 1.0_dp]
    st = lk_huber_f64(pred, y, c_null_ptr, 6_c_size_t, delta, lk_options_default(), loss, &
        c_loc(grad))
    call check_status(t, st, LK_OK, 'lk_huber_f64 status')
    want = 0
    do i = 1, 6
      d = pred(i) - y(i)
      if (abs(d) < delta) then
        want = want + d**2 / 2
      else
        want = want + delta * (abs(d) - delta / 2)
      end if
    end do
    call check_close(t, loss(1), want / 6, 1e-15_dp, 'lk_huber_f64 value')
    do i = 1, 6
      p = pred
      p(i) = pred(i) + h
      st = lk_huber(p, y, c_null_ptr, 6_c_size_t, delta, lk_options_default(), up, c_null_ptr)
      p(i) = pred(i) - h
      st = lk_huber(p, y, c_null_ptr, 6_c_size_t, delta, lk_options_default(), down, c_null_ptr)
      fd(i) = (up(1) - down(1)) / (2 * h)
    end do
    call check_close(t, grad, fd, 1e-6_dp, 'lk_huber_f64 gradient vs finite differences')
  end subroutine huber_finite_differences

  subroutine log_cosh_f32(t)
    type(checker), intent(inout) :: t
    real(sp), parameter :: pred(3) = [0.5_sp, -1.5_sp, 2.0_sp]
    real(sp), parameter :: y(3) = [0.0_sp, 0.5_sp, 2.25_sp]
    real(sp), target :: grad(3)
    real(sp) :: loss(1)
    real(dp) :: d(3)
    integer(c_int32_t) :: st
    st = lk_log_cosh_f32(pred, y, c_null_ptr, 3_c_size_t, lk_options_default(), loss, c_loc(grad))
    call check_status(t, st, LK_OK, 'lk_log_cosh_f32 status')
    d = real(pred, dp) - real(y, dp)
    call check_close(t, real(loss(1), dp), sum(log(cosh(d))) / 3, 1e-6_dp, 'lk_log_cosh_f32 value')
    call check_close(t, real(grad, dp), tanh(d) / 3, 1e-6_dp, 'lk_log_cosh_f32 gradient')
  end subroutine log_cosh_f32

  ! A keep-mask through the options, and per-element values (LK_REDUCTION_NONE).
  subroutine mask_and_per_element(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: pred(5) = [1.0_dp, 5.0_dp, -2.0_dp, 0.0_dp, 3.0_dp]
    real(dp), parameter :: y(5) = [2.0_dp, 1.0_dp, -2.5_dp, 1.0_dp, 3.0_dp]
    integer(c_int8_t), target :: mask(5) = [1_c_int8_t, 0_c_int8_t, 1_c_int8_t, 1_c_int8_t, &
        1_c_int8_t]
    real(dp), target :: grad(5)
    real(dp) :: out(5), keep(5)
    type(lk_options) :: opts
    integer(c_int32_t) :: st
    keep = real(mask, dp)
    opts = lk_options_default()
    opts%reduction = LK_REDUCTION_NONE
    opts%mask = c_loc(mask)
    st = lk_mae_f64(pred, y, c_null_ptr, 5_c_size_t, opts, out, c_loc(grad))
    call check_status(t, st, LK_OK, 'lk_mae_f64 none status')
    call check_close(t, out, abs(pred - y) * keep, 1e-15_dp, 'lk_mae_f64 per-element values')
    ! sign(0) = 0 (element 5), unlike Fortran's sign().
    call check_close(t, grad, merge(0.0_dp, sign(1.0_dp, pred - y), pred == y) * keep, 1e-15_dp, &
        'lk_mae_f64 per-element gradient')
    ! The mean over the kept elements only.
    opts%reduction = LK_REDUCTION_MEAN
    st = lk_mae_f64(pred, y, c_null_ptr, 5_c_size_t, opts, out, c_loc(grad))
    call check_status(t, st, LK_OK, 'lk_mae_f64 masked mean status')
    call check_close(t, out(1), sum(abs(pred - y) * keep) / 4, 1e-15_dp, 'lk_mae_f64 masked mean')
    ! Nothing kept: the empty policy decides.
    mask = 0_c_int8_t
    opts%empty = LK_EMPTY_NAN
    st = lk_mae_f64(pred, y, c_null_ptr, 5_c_size_t, opts, out, c_loc(grad))
    call check_status(t, st, LK_OK, 'lk_mae_f64 empty NaN status')
    call check(t, ieee_is_nan(out(1)), 'lk_mae_f64 empty mean is NaN with LK_EMPTY_NAN')
    call check(t, all(grad == 0), 'lk_mae_f64 empty mean has gradient 0')
  end subroutine mask_and_per_element

  ! C's row-major [rows x D] is Fortran's x(D, rows): with row_len = D each row's mean is
  ! taken first (astroNN), and out(r) belongs to the column x(:, r).
  subroutine rows_layout(t)
    type(checker), intent(inout) :: t
    integer, parameter :: d = 3, rows = 4
    real(dp) :: pred(d, rows), y(d, rows), out(rows), want(rows)
    real(dp), target :: grad(d, rows)
    type(lk_options) :: opts
    integer(c_int32_t) :: st
    integer :: i, r
    do r = 1, rows
      do i = 1, d
        pred(i, r) = 0.5_dp * i - 0.25_dp * r
        y(i, r) = 0.1_dp * i * r
      end do
    end do
    opts = lk_options_default()
    opts%row_len = int(d, c_size_t)
    opts%reduction = LK_REDUCTION_NONE
    st = lk_mse_f64(pred, y, c_null_ptr, int(d * rows, c_size_t), opts, out, c_loc(grad))
    call check_status(t, st, LK_OK, 'lk_mse_f64 rows status')
    do r = 1, rows
      want(r) = sum((pred(:, r) - y(:, r))**2) / d
    end do
    call check_close(t, out, want, 1e-14_dp, 'lk_mse_f64 one mean per row x(:, r)')
    call check_close(t, reshape(grad, [d * rows]), reshape(2 * (pred - y) / d, [d * rows]), &
        1e-14_dp, 'lk_mse_f64 per-row gradient')
    opts%reduction = LK_REDUCTION_MEAN
    st = lk_mse_f64(pred, y, c_null_ptr, int(d * rows, c_size_t), opts, out, c_loc(grad))
    call check_status(t, st, LK_OK, 'lk_mse_f64 mean of rows status')
    call check_close(t, out(1), sum(want) / rows, 1e-14_dp, 'lk_mse_f64 mean of row means')
    call check_close(t, reshape(grad, [d * rows]), reshape(2 * (pred - y) / (d * rows), &
        [d * rows]), 1e-14_dp, 'lk_mse_f64 mean-of-rows gradient')
  end subroutine rows_layout

  ! Two shards with LK_REDUCTION_PARTIAL, merged, give the mean and the gradient of the
  ! whole (grad_scale = 1 / global weight).
  subroutine partial_merge(t)
    type(checker), intent(inout) :: t
    integer, parameter :: n = 10, k = 6
    real(dp) :: pred(n), y(n), whole(1), s(1), m(1), merged
    real(dp), target :: w(n), grad_whole(n), grad(n)
    type(lk_partial), target :: part(2)
    type(lk_options) :: opts
    integer(c_int32_t) :: st
    integer :: i
    do i = 1, n
      pred(i) = sin(real(i, dp))
      y(i) = cos(real(i, dp))
      w(i) = 0.5_dp + mod(i, 3)
    end do
    st = lk_smooth_l1_f64(pred, y, c_loc(w), int(n, c_size_t), 0.5_dp, lk_options_default(), &
        whole, c_loc(grad_whole))
    call check_status(t, st, LK_OK, 'lk_smooth_l1_f64 whole status')
    opts = lk_options_default()
    opts%reduction = LK_REDUCTION_PARTIAL
    opts%partial = c_loc(part(1))
    st = lk_smooth_l1_f64(pred(1:k), y(1:k), c_loc(w(1)), int(k, c_size_t), 0.5_dp, opts, s, &
        c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_smooth_l1_f64 shard 1 status')
    opts%partial = c_loc(part(2))
    st = lk_smooth_l1_f64(pred(k + 1:n), y(k + 1:n), c_loc(w(k + 1)), int(n - k, c_size_t), &
        0.5_dp, opts, s, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_smooth_l1_f64 shard 2 status')
    ! Merged keeping the remainders of the sums, then the mean rounded once.
    st = lk_partial_merge(part(1), part(2))
    call check_status(t, st, LK_OK, 'lk_partial_merge status')
    call check_close(t, part(1)%weight, sum(w), 1e-15_dp, 'merged weight')
    st = lk_partial_mean(part(1), LK_EMPTY_ERROR, m)
    call check_status(t, st, LK_OK, 'lk_partial_mean status')
    merged = m(1)
    call check_close(t, merged, whole(1), 2.3e-16_dp, 'merged partial sums give the mean')
    ! The gradient of the global mean, shard by shard.
    opts%grad_scale = 1 / part(1)%weight
    opts%partial = c_loc(part(1))
    st = lk_smooth_l1_f64(pred(1:k), y(1:k), c_loc(w(1)), int(k, c_size_t), 0.5_dp, opts, s, &
        c_loc(grad(1)))
    call check_status(t, st, LK_OK, 'lk_smooth_l1_f64 shard 1 gradient status')
    st = lk_smooth_l1_f64(pred(k + 1:n), y(k + 1:n), c_loc(w(k + 1)), int(n - k, c_size_t), &
        0.5_dp, opts, s, c_loc(grad(k + 1)))
    call check_status(t, st, LK_OK, 'lk_smooth_l1_f64 shard 2 gradient status')
    call check_close(t, grad, grad_whole, 1e-15_dp, 'sharded gradient equals the whole gradient')
  end subroutine partial_merge

  subroutine accumulate(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: pred(3) = [1.0_dp, 2.0_dp, 3.0_dp], y(3) = [0.0_dp, 0.0_dp, 0.0_dp]
    real(dp), target :: grad(3)
    real(dp) :: loss(1)
    type(lk_options) :: opts
    integer(c_int32_t) :: st
    grad = 1
    opts = lk_options_default()
    opts%grad_accumulate = 1_c_int8_t
    opts%grad_scale = 0.5_dp
    st = lk_mse_f64(pred, y, c_null_ptr, 3_c_size_t, opts, loss, c_loc(grad))
    call check_status(t, st, LK_OK, 'accumulate status')
    call check_close(t, grad, 1 + 0.5_dp * 2 * pred / 3, 1e-15_dp, 'grad += grad_scale * dL/dpred')
  end subroutine accumulate

  ! Bad input gives the documented status and leaves the outputs untouched.
  subroutine errors(t)
    type(checker), intent(inout) :: t
    real(dp), target :: pred(4) = [1.0_dp, 2.0_dp, 3.0_dp, 4.0_dp]
    real(dp), parameter :: y(4) = [0.0_dp, 1.0_dp, 0.0_dp, 1.0_dp]
    real(dp), target :: grad(4), w(4)
    integer(c_int8_t), target :: none_kept(4) = 0_c_int8_t
    real(dp) :: loss(1)
    type(lk_options) :: opts
    integer(c_int32_t) :: st
    character(len=:), allocatable :: message

    grad = -7
    loss = -7
    st = lk_huber_f64(pred, y, c_null_ptr, 4_c_size_t, 0.0_dp, lk_options_default(), loss, &
        c_loc(grad))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'huber delta = 0')
    message = lkf_last_error()
    call check(t, index(message, 'delta') > 0, 'the last error names delta: '//message)
    call check(t, loss(1) == -7 .and. all(grad == -7), 'outputs untouched after an error')

    opts = lk_options_default()
    opts%reduction = 42
    st = lk_mse_f64(pred, y, c_null_ptr, 4_c_size_t, opts, loss, c_null_ptr)
    call check_status(t, st, LK_ERR_BAD_ENUM, 'unknown reduction')

    opts = lk_options_default()
    opts%reduction = LK_REDUCTION_PARTIAL
    st = lk_mse_f64(pred, y, c_null_ptr, 4_c_size_t, opts, loss, c_null_ptr)
    call check_status(t, st, LK_ERR_NULL_POINTER, 'PARTIAL without options%partial')

    w = [1.0_dp, -1.0_dp, 1.0_dp, 1.0_dp]
    st = lk_mse_f64(pred, y, c_loc(w), 4_c_size_t, lk_options_default(), loss, c_null_ptr)
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'negative weight')

    opts = lk_options_default()
    opts%mask = c_loc(none_kept)
    opts%empty = LK_EMPTY_ERROR
    st = lk_mse_f64(pred, y, c_null_ptr, 4_c_size_t, opts, loss, c_null_ptr)
    call check_status(t, st, LK_ERR_EMPTY_MEAN, 'empty mean with LK_EMPTY_ERROR')

    st = lk_mse_f64(pred, y, c_null_ptr, 4_c_size_t, lk_options_default(), loss, c_loc(pred))
    call check_status(t, st, LK_ERR_ALIASING, 'gradient written over pred')

    opts = lk_options_default()
    opts%reduction = LK_REDUCTION_NONE
    st = lk_rmse_f64(pred, y, c_null_ptr, 4_c_size_t, opts, grad, c_null_ptr)
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'rmse refuses LK_REDUCTION_NONE')

    opts = lk_options_default()
    opts%row_len = 3_c_size_t
    st = lk_mse_f64(pred, y, c_null_ptr, 4_c_size_t, opts, loss, c_null_ptr)
    call check_status(t, st, LK_ERR_LENGTH_MISMATCH, 'n not a whole number of rows')
    call check(t, loss(1) == -7, 'loss untouched after the errors')
  end subroutine errors

  subroutine strings(t)
    type(checker), intent(inout) :: t
    character(len=32) :: v
    write (v, '(i0, ".", i0, ".", i0)') LK_VERSION_MAJOR, LK_VERSION_MINOR, LK_VERSION_PATCH
    call check(t, lkf_version() == trim(v), 'lk_version() matches LK_VERSION_*: '//lkf_version())
    call check(t, lkf_status_name(LK_OK) == 'LK_OK', 'lk_status_name(LK_OK)')
    call check(t, lkf_status_name(LK_ERR_ALIASING) == 'LK_ERR_ALIASING', &
        'lk_status_name(LK_ERR_ALIASING)')
    call check(t, lkf_status_name(999_c_int32_t) == 'LK_ERR_UNKNOWN', 'lk_status_name(999)')
  end subroutine strings

end module family_regression
