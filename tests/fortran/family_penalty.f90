! The penalty family (Rockpool's boundary penalties) from Fortran (run by
! capi/tests/fortran.rs). Expected values: SPEC.md section 6.2 (10 e for 2 * ones(10) and
! -2 * ones(10) with bounds [-1, 1]; 0 at the bounds) and 6.6 (sebl([1.5, -2, 0.3]) =
! 4.3670030992, bounds_cost of [0.5, 2, -3] = 10.1073379); the rest from the documented
! formula exp(x - upper) / exp(lower - x) and its derivative written out here, and central
! differences of the library's values.
module family_penalty
  use, intrinsic :: ieee_arithmetic, only: ieee_value, ieee_positive_inf, ieee_negative_inf, &
      ieee_quiet_nan
  use losskit
  use checks
  implicit none
  private
  public :: run_penalty

  integer, parameter :: dp = c_double, sp = c_float

contains

  subroutine run_penalty(t)
    type(checker), intent(inout) :: t
    integer :: before
    before = t%passed + t%failed
    call summed_exp(t)
    call summed_exp_finite_differences(t)
    call regularizer(t)
    call bounds_cost(t)
    call errors(t)
    print '(a, i0, a)', 'family penalty: ', t%passed + t%failed - before, ' checks'
  end subroutine run_penalty

  subroutine summed_exp(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: e = exp(1.0_dp)
    real(dp) :: x(10), out(1)
    real(sp) :: xf(10), outf(1)
    real(dp), target :: g(10)
    real(sp), target :: gf(10)
    integer(c_int32_t) :: st
    integer :: i
    x = 2
    st = lk_summed_exp_boundary_loss_f64(x, 10_c_size_t, -1.0_dp, 1.0_dp, c_null_ptr, out, c_loc(g))
    call check_status(t, st, LK_OK, 'sebl f64')
    call check_close(t, out(1), 10 * e, 1e-15_dp, 'sebl(2 * ones(10), -1, 1) = 10 e (SPEC 6.2)')
    call check_close(t, g, [(e, i = 1, 10)], 1e-15_dp, 'sebl gradient exp(x - upper)')
    xf = -2
    st = lk_summed_exp_boundary_loss(xf, 10_c_size_t, -1.0_sp, 1.0_sp, c_null_ptr, outf, c_loc(gf))
    call check_status(t, st, LK_OK, 'sebl f32 (generic)')
    call check_close(t, real(outf(1), dp), 10 * e, 1e-6_dp, 'sebl(-2 * ones(10)) = 10 e f32 (SPEC 6.2)')
    call check_close(t, real(gf, dp), [(-e, i = 1, 10)], 1e-6_dp, 'sebl f32 gradient -exp(lower - x)')
    ! At the bounds: 0, gradient 0.
    x = [(merge(1.0_dp, -1.0_dp, mod(i, 2) == 0), i = 1, 10)]
    st = lk_summed_exp_boundary_loss_f64(x, 10_c_size_t, -1.0_dp, 1.0_dp, c_null_ptr, out, c_loc(g))
    call check(t, st == LK_OK .and. out(1) == 0 .and. all(g == 0), &
        'sebl at the bounds is 0 (SPEC 6.2)')
    x(1:3) = [1.5_dp, -2.0_dp, 0.3_dp]
    st = lk_summed_exp_boundary_loss_f64(x, 3_c_size_t, -1.0_dp, 1.0_dp, c_null_ptr, out, c_loc(g))
    call check_close(t, out(1), 4.3670030992_dp, 1e-10_dp, 'sebl([1.5, -2, 0.3]) (SPEC 6.6)')
    call check_close(t, g(1:3), [exp(0.5_dp), -e, 0.0_dp], 1e-15_dp, 'sebl([1.5, -2, 0.3]) gradient')
  end subroutine summed_exp

  subroutine summed_exp_finite_differences(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: h = 1e-6_dp, lo = -0.5_dp, up = 0.75_dp
    real(dp) :: x(7), p(7), fd(7), out(1), plus(1), minus(1), want
    real(dp), target :: g(7)
    integer(c_int32_t) :: st
    integer :: i
    x = [-2.0_dp, -0.6_dp, 0.1_dp, 0.7_dp, 1.1_dp, 3.0_dp, -1.25_dp]
    st = lk_summed_exp_boundary_loss_f64(x, 7_c_size_t, lo, up, c_null_ptr, out, c_loc(g))
    call check_status(t, st, LK_OK, 'sebl on mixed values')
    want = sum(merge(exp(x - up), 0.0_dp, x > up)) + sum(merge(exp(lo - x), 0.0_dp, x < lo))
    call check_close(t, out(1), want, 1e-15_dp, 'sebl = sum exp(x - up) + sum exp(lo - x)')
    do i = 1, 7
      p = x
      p(i) = x(i) + h
      st = lk_summed_exp_boundary_loss_f64(p, 7_c_size_t, lo, up, c_null_ptr, plus, c_null_ptr)
      p(i) = x(i) - h
      st = lk_summed_exp_boundary_loss_f64(p, 7_c_size_t, lo, up, c_null_ptr, minus, c_null_ptr)
      fd(i) = (plus(1) - minus(1)) / (2 * h)
    end do
    call check(t, maxval(abs(g - fd)) <= 1e-7_dp * maxval(abs(fd)), &
        'sebl gradient vs finite differences')
  end subroutine summed_exp_finite_differences

  ! The regulariser: no bounds by default; a lower bound of 0 is a real bound here (Rockpool
  ! treats it as none, SPEC 6.6); gradient scale and accumulation.
  subroutine regularizer(t)
    type(checker), intent(inout) :: t
    real(dp) :: x(3), out(1)
    real(sp) :: xf(1), outf(1)
    real(dp), target :: g(3)
    type(lk_boundary_regularizer) :: reg
    type(lk_grad_options), target :: go
    integer(c_int32_t) :: st
    reg = lk_boundary_regularizer_default()
    call check(t, reg%lower == ieee_value(1.0_dp, ieee_negative_inf) .and. &
        reg%upper == ieee_value(1.0_dp, ieee_positive_inf), 'default bounds are -inf, +inf')
    x = [1.5_dp, -2.0_dp, 0.3_dp]
    st = lk_boundary_regularizer_f64(reg, x, 3_c_size_t, c_null_ptr, out, c_loc(g))
    call check(t, st == LK_OK .and. out(1) == 0 .and. all(g == 0), 'no bounds cost 0')
    reg%lower = 0
    x(1) = -5
    st = lk_boundary_regularizer_f64(reg, x, 1_c_size_t, c_null_ptr, out, c_loc(g))
    call check_status(t, st, LK_OK, 'lower bound 0')
    call check_close(t, out(1), exp(5.0_dp), 1e-15_dp, 'a lower bound of 0 is a bound: e^5')
    call check_close(t, g(1), -exp(5.0_dp), 1e-15_dp, 'its gradient -e^5')
    xf = -5
    st = lk_boundary_regularizer_f32(reg, xf, 1_c_size_t, c_null_ptr, outf, c_null_ptr)
    call check_close(t, real(outf(1), dp), exp(5.0_dp), 1e-6_dp, 'f32 regulariser')
    go = lk_grad_options_default()
    go%scale = 2
    go%accumulate = 1_c_int8_t
    g(1) = 1
    st = lk_boundary_regularizer_f64(reg, x, 1_c_size_t, c_loc(go), out, c_loc(g))
    call check_close(t, g(1), 1 - 2 * exp(5.0_dp), 1e-15_dp, 'grad += 2 * d cost / dx')
  end subroutine regularizer

  ! Two parameter groups in one array (the module binds groups(*)): scalar bounds [-1, 1],
  ! and per-element lower bounds with no upper bound.
  subroutine bounds_cost(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: e = exp(1.0_dp)
    real(dp), target :: a(3) = [0.5_dp, 2.0_dp, -3.0_dp], b(2) = [5.0_dp, -1.0_dp]
    real(dp), target :: b_lo(2) = [4.0_dp, 0.0_dp], ga(3), gb(2)
    real(sp), target :: af(3) = [0.5_sp, 2.0_sp, -3.0_sp], gaf(3)
    type(lk_bounds_group_f64) :: groups(2), no_groups(0)
    type(lk_bounds_group_f32) :: gf(1)
    type(lk_grad_options), target :: go
    real(dp) :: out(1)
    real(sp) :: outf(1)
    integer(c_int32_t) :: st
    groups(1) = lk_bounds_group_f64(c_loc(a), 3_c_size_t, c_null_ptr, c_null_ptr, -1.0_dp, &
        1.0_dp, c_loc(ga))
    st = lk_bounds_cost_f64(groups, 1_c_size_t, c_null_ptr, out)
    call check_status(t, st, LK_OK, 'bounds_cost, one group')
    call check_close(t, out(1), 10.1073379_dp, 1e-8_dp, 'bounds_cost [0.5, 2, -3] (SPEC 6.6)')
    call check_close(t, out(1), e + e**2, 1e-15_dp, 'bounds_cost = e + e^2')
    call check_close(t, ga, [0.0_dp, e, -e**2], 1e-15_dp, 'bounds_cost gradient')
    groups(2) = lk_bounds_group_f64(c_loc(b), 2_c_size_t, c_loc(b_lo), c_null_ptr, 0.0_dp, &
        ieee_value(1.0_dp, ieee_positive_inf), c_loc(gb))
    go = lk_grad_options_default()
    go%scale = 0.5_dp
    st = lk_bounds_cost(groups, 2_c_size_t, c_loc(go), out)
    call check_status(t, st, LK_OK, 'bounds_cost, two groups (generic)')
    call check_close(t, out(1), e + e**2 + e, 1e-15_dp, 'two groups: + exp(0 - (-1))')
    call check_close(t, ga, 0.5_dp * [0.0_dp, e, -e**2], 1e-15_dp, 'group 1 gradient, scale 0.5')
    call check_close(t, gb, 0.5_dp * [0.0_dp, -e], 1e-15_dp, 'group 2 gradient, scale 0.5')
    st = lk_bounds_cost_f64(no_groups, 0_c_size_t, c_null_ptr, out)
    call check(t, st == LK_OK .and. out(1) == 0, 'no groups cost 0')
    gf(1) = lk_bounds_group_f32(c_loc(af), 3_c_size_t, c_null_ptr, c_null_ptr, -1.0_sp, 1.0_sp, &
        c_loc(gaf))
    st = lk_bounds_cost_f32(gf, 1_c_size_t, c_null_ptr, outf)
    call check_status(t, st, LK_OK, 'bounds_cost f32')
    call check_close(t, real(outf(1), dp), 10.1073379_dp, 1e-6_dp, 'bounds_cost f32 (SPEC 6.6)')
    call check_close(t, real(gaf, dp), [0.0_dp, e, -e**2], 1e-6_dp, 'bounds_cost f32 gradient')
  end subroutine bounds_cost

  ! Bad input: the status, and nothing written.
  subroutine errors(t)
    type(checker), intent(inout) :: t
    real(dp), target :: a(3) = [0.5_dp, 2.0_dp, -3.0_dp], b(2) = [5.0_dp, -1.0_dp]
    real(dp), target :: ga(3), gb(2)
    type(lk_bounds_group_f64) :: groups(2)
    type(lk_boundary_regularizer) :: reg
    real(dp) :: out(1)
    integer(c_int32_t) :: st
    out = -1
    ga = 9
    gb = 9
    st = lk_summed_exp_boundary_loss_f64(a, 3_c_size_t, 1.0_dp, -1.0_dp, c_null_ptr, out, c_loc(ga))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'sebl with lower > upper')
    st = lk_summed_exp_boundary_loss_f64(a, 3_c_size_t, ieee_value(1.0_dp, ieee_quiet_nan), &
        1.0_dp, c_null_ptr, out, c_loc(ga))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'sebl with a NaN bound')
    reg = lk_boundary_regularizer(2.0_dp, 1.0_dp)
    st = lk_boundary_regularizer_f64(reg, a, 3_c_size_t, c_null_ptr, out, c_loc(ga))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'regulariser with lower > upper')
    st = lk_summed_exp_boundary_loss_f64(a, 3_c_size_t, -1.0_dp, 1.0_dp, c_null_ptr, out, c_loc(a))
    call check_status(t, st, LK_ERR_ALIASING, 'sebl gradient written over the data')

    groups(1) = lk_bounds_group_f64(c_loc(a), 3_c_size_t, c_null_ptr, c_null_ptr, -1.0_dp, &
        1.0_dp, c_loc(ga))
    groups(2) = lk_bounds_group_f64(c_loc(b), 2_c_size_t, c_null_ptr, c_null_ptr, &
        ieee_value(1.0_dp, ieee_quiet_nan), 1.0_dp, c_loc(gb))
    st = lk_bounds_cost_f64(groups, 2_c_size_t, c_null_ptr, out)
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'a NaN bound in group 2')
    groups(2)%lower_scalar = 0
    groups(2)%params = c_null_ptr
    st = lk_bounds_cost_f64(groups, 2_c_size_t, c_null_ptr, out)
    call check_status(t, st, LK_ERR_NULL_POINTER, 'group 2 params NULL')
    groups(2)%params = c_loc(b)
    groups(2)%grad = c_loc(ga(2))
    st = lk_bounds_cost_f64(groups, 2_c_size_t, c_null_ptr, out)
    call check_status(t, st, LK_ERR_ALIASING, 'group 2 gradient overlaps group 1''s')
    call check(t, out(1) == -1 .and. all(ga == 9) .and. all(gb == 9), &
        'outputs untouched after the errors')
  end subroutine errors

end module family_penalty
