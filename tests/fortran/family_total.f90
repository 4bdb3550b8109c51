! The total family (a weighted total of named terms in a caller-allocated lk_total) from
! Fortran (run by capi/tests/fortran.rs). Expected values: the per-atom energy RMSE of
! SPEC.md section 6.6 (1.2747548784) and, for the other terms, the graph-pes formulas
! written out here in double (MSE, MAE and their derivatives); the total's gradient is
! also checked against central differences of the total rebuilt from scratch.
module family_total
  use, intrinsic :: ieee_arithmetic, only: ieee_value, ieee_quiet_nan
  use losskit
  use checks
  implicit none
  private
  public :: run_total

  integer, parameter :: dp = c_double, sp = c_float
  real(dp), parameter :: rmse_spec = 1.2747548784_dp

  ! SPEC 6.6: energies 10, 20 vs 8, 26 for structures of 2 and 4 atoms.
  integer(c_int64_t), target, save :: ptr(3) = [0_c_int64_t, 2_c_int64_t, 6_c_int64_t]
  real(dp), parameter :: e_true(2) = [8.0_dp, 26.0_dp], atoms(2) = [2.0_dp, 4.0_dp]

contains

  subroutine run_total(t)
    type(checker), intent(inout) :: t
    integer :: before
    before = t%passed + t%failed
    call three_terms(t)
    call finite_differences(t)
    call add_and_f32(t)
    call errors(t)
    call capacity(t)
    print '(a, i0, a)', 'family total: ', t%passed + t%failed - before, ' checks'
  end subroutine run_total

  ! A term's name as a Fortran string (the C chars up to the NUL).
  function term_name(term) result(s)
    type(lk_total_term), intent(in) :: term
    character(len=:), allocatable :: s
    integer :: i
    s = ''
    do i = 1, size(term%name)
      if (term%name(i) == c_null_char) exit
      s = s//term%name(i)
    end do
  end function term_name

  ! Per-atom energy RMSE (weight 1), energy MSE (weight 0.5) and energy MAE (weight 0.25,
  ! with opts%grad_scale = mae_scale) into one total, all three gradients accumulated in
  ! grad: grad += weight * grad_scale * dL/dpred.
  subroutine build(e_pred, mae_scale, total, grad, st)
    real(dp), intent(in) :: e_pred(2), mae_scale
    type(lk_total), intent(inout) :: total
    real(dp), target, intent(inout) :: grad(2)
    integer(c_int32_t), intent(out) :: st(4)
    type(lk_batch) :: batch
    type(lk_options) :: opts
    batch = lk_batch(c_loc(ptr), 2_c_size_t, 6_c_size_t, c_null_ptr)
    st(1) = lk_total_init(total)
    st(2) = lk_total_property_loss_f64(total, 'per_atom_energy_rmse'//c_null_char, 1.0_dp, &
        lk_property_loss(LK_PROPERTY_PER_ATOM_ENERGY, LK_METRIC_RMSE, 0.0_dp, 0_c_int8_t), &
        e_pred, e_true, 2_c_size_t, batch, c_null_ptr, lk_options_default(), c_loc(grad))
    st(3) = lk_total_property_loss_f64(total, 'energy_mse'//c_null_char, 0.5_dp, &
        lk_property_loss(LK_PROPERTY_ENERGY, LK_METRIC_MSE, 0.0_dp, 0_c_int8_t), &
        e_pred, e_true, 2_c_size_t, batch, c_null_ptr, lk_options_default(), c_loc(grad))
    opts = lk_options_default()
    opts%grad_scale = mae_scale
    st(4) = lk_total_property_loss_f64(total, 'energy_mae'//c_null_char, 0.25_dp, &
        lk_property_loss(LK_PROPERTY_ENERGY, LK_METRIC_MAE, 0.0_dp, 0_c_int8_t), &
        e_pred, e_true, 2_c_size_t, batch, c_null_ptr, opts, c_loc(grad))
  end subroutine build

  subroutine three_terms(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: e_pred(2) = [10.0_dp, 20.0_dp]
    type(lk_total) :: total
    real(dp), target :: grad(2)
    real(dp) :: d(2), want_grad(2)
    integer(c_int32_t) :: st(4)
    grad = 0
    call build(e_pred, 4.0_dp, total, grad, st)
    call check(t, all(st == LK_OK), 'lk_total_init and three lk_total_property_loss calls')
    call check(t, total%count == 3, 'count = 3')
    call check(t, term_name(total%terms(1)) == 'per_atom_energy_rmse' .and. &
        term_name(total%terms(2)) == 'energy_mse' .and. &
        term_name(total%terms(3)) == 'energy_mae', 'term names in order: '// &
        term_name(total%terms(1))//', '//term_name(total%terms(2))//', '// &
        term_name(total%terms(3)))
    call check(t, term_name(total%terms(4)) == '', 'unused terms have empty names')
    d = e_pred - e_true
    call check_close(t, total%terms(1)%raw, rmse_spec, 1e-10_dp, 'per-atom RMSE raw (SPEC 6.6)')
    call check_close(t, total%terms(2)%raw, sum(d**2) / 2, 1e-15_dp, 'energy MSE raw')
    call check_close(t, total%terms(3)%raw, sum(abs(d)) / 2, 1e-15_dp, 'energy MAE raw')
    call check_close(t, total%terms(2)%weight, 0.5_dp, 0.0_dp, 'term weight')
    call check_close(t, total%terms(2)%weighted, 0.5_dp * sum(d**2) / 2, 1e-15_dp, &
        'weighted = weight * raw')
    call check_close(t, total%total, rmse_spec + 0.5_dp * 20 + 0.25_dp * 4, 1e-10_dp, &
        'total = sum of weight * raw')
    ! grad = 1 * e/(S L N) + 0.5 * 2 d / S + 0.25 * 4 * sign(d) / S, e = d / N.
    want_grad = d / atoms / (2 * total%terms(1)%raw * atoms) + 0.5_dp * d + &
        sign(1.0_dp, d) / 2
    call check_close(t, grad, want_grad, 1e-14_dp, 'the total''s gradient, accumulated')
  end subroutine three_terms

  subroutine finite_differences(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: h = 1e-6_dp
    real(dp) :: e_pred(2), p(2), fd(2), up, down
    real(dp), target :: grad(2), scratch(2)
    type(lk_total) :: total
    integer(c_int32_t) :: st(4)
    integer :: i
    e_pred = [9.25_dp, 21.5_dp]
    grad = 0
    ! grad_scale 1 for every term: grad is then d total / d pred.
    call build(e_pred, 1.0_dp, total, grad, st)
    call check(t, all(st == LK_OK), 'total at the base point')
    do i = 1, 2
      p = e_pred
      p(i) = e_pred(i) + h
      scratch = 0
      call build(p, 1.0_dp, total, scratch, st)
      up = total%total
      p(i) = e_pred(i) - h
      call build(p, 1.0_dp, total, scratch, st)
      down = total%total
      fd(i) = (up - down) / (2 * h)
    end do
    call check_close(t, grad, fd, 1e-7_dp, 'total gradient vs finite differences')
  end subroutine finite_differences

  ! lk_total_add (a raw value from elsewhere) and an f32 term (the total stays double).
  subroutine add_and_f32(t)
    type(checker), intent(inout) :: t
    real(sp), parameter :: p32(2) = [10.0_sp, 20.0_sp], y32(2) = [8.0_sp, 26.0_sp]
    real(sp), target :: g32(2)
    type(lk_total) :: total
    type(lk_batch) :: batch
    integer(c_int32_t) :: st
    batch = lk_batch(c_loc(ptr), 2_c_size_t, 6_c_size_t, c_null_ptr)
    st = lk_total_init(total)
    st = lk_total_add(total, 'extra'//c_null_char, 2.0_dp, 0.25_dp)
    call check_status(t, st, LK_OK, 'lk_total_add')
    call check_close(t, total%total, 0.5_dp, 1e-15_dp, 'total after lk_total_add')
    g32 = 1
    st = lk_total_property_loss_f32(total, 'f32_mse'//c_null_char, 3.0_dp, &
        lk_property_loss(LK_PROPERTY_ENERGY, LK_METRIC_MSE, 0.0_dp, 0_c_int8_t), &
        p32, y32, 2_c_size_t, batch, c_null_ptr, lk_options_default(), c_loc(g32))
    call check_status(t, st, LK_OK, 'lk_total_property_loss_f32')
    call check(t, total%count == 2, 'count after two terms')
    call check_close(t, total%terms(2)%raw, 20.0_dp, 1e-6_dp, 'f32 term raw')
    call check_close(t, total%total, 0.5_dp + 60, 1e-6_dp, 'total with an f32 term')
    ! grad += 3 * 2 d / 2 onto the 1 already there.
    call check_close(t, real(g32, dp), [1.0_dp + 6, 1.0_dp - 18], 1e-6_dp, &
        'f32 term gradient is accumulated')
  end subroutine add_and_f32

  ! Errors leave the total and the gradient as they were.
  subroutine errors(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: e_pred(2) = [10.0_dp, 20.0_dp]
    type(lk_total) :: total
    type(lk_batch) :: batch
    type(lk_options) :: opts
    type(lk_property_loss) :: mse
    real(dp), target :: grad(2)
    real(dp) :: before
    integer(c_int32_t) :: st
    batch = lk_batch(c_loc(ptr), 2_c_size_t, 6_c_size_t, c_null_ptr)
    mse = lk_property_loss(LK_PROPERTY_ENERGY, LK_METRIC_MSE, 0.0_dp, 0_c_int8_t)
    st = lk_total_init(total)
    grad = 0
    st = lk_total_property_loss_f64(total, 'energy'//c_null_char, 1.0_dp, mse, e_pred, e_true, &
        2_c_size_t, batch, c_null_ptr, lk_options_default(), c_loc(grad))
    call check_status(t, st, LK_OK, 'first term')
    before = total%total
    grad = -7
    st = lk_total_property_loss_f64(total, 'energy'//c_null_char, 2.0_dp, mse, e_pred, e_true, &
        2_c_size_t, batch, c_null_ptr, lk_options_default(), c_loc(grad))
    call check_status(t, st, LK_ERR_DUPLICATE_NAME, 'a repeated name')
    st = lk_total_add(total, 'energy'//c_null_char, 1.0_dp, 1.0_dp)
    call check_status(t, st, LK_ERR_DUPLICATE_NAME, 'a repeated name (lk_total_add)')
    st = lk_total_add(total, c_null_char, 1.0_dp, 1.0_dp)
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'an empty name')
    st = lk_total_add(total, repeat('n', 32)//c_null_char, 1.0_dp, 1.0_dp)
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'a name of 32 bytes')
    st = lk_total_add(total, 'w'//c_null_char, ieee_value(1.0_dp, ieee_quiet_nan), 1.0_dp)
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'a NaN weight')
    opts = lk_options_default()
    opts%reduction = LK_REDUCTION_NONE
    st = lk_total_property_loss_f64(total, 'none'//c_null_char, 1.0_dp, mse, e_pred, e_true, &
        2_c_size_t, batch, c_null_ptr, opts, c_loc(grad))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'LK_REDUCTION_NONE is refused')
    st = lk_total_property_loss_f64(total, 'short'//c_null_char, 1.0_dp, mse, e_pred, e_true, &
        1_c_size_t, batch, c_null_ptr, lk_options_default(), c_loc(grad))
    call check_status(t, st, LK_ERR_LENGTH_MISMATCH, 'a term with the wrong length')
    call check(t, total%count == 1 .and. total%total == before .and. all(grad == -7), &
        'total and gradient untouched after the errors')
    st = lk_total_add(total, repeat('n', 31)//c_null_char, 1.0_dp, 1.0_dp)
    call check_status(t, st, LK_OK, 'a name of 31 bytes')
    call check(t, term_name(total%terms(2)) == repeat('n', 31), 'the 31-byte name is kept')
  end subroutine errors

  ! LK_TOTAL_CAPACITY terms fit; one more is refused.
  subroutine capacity(t)
    type(checker), intent(inout) :: t
    type(lk_total) :: total
    character(len=8) :: name
    integer(c_int32_t) :: st
    integer :: i
    logical :: ok
    st = lk_total_init(total)
    ok = .true.
    do i = 1, LK_TOTAL_CAPACITY
      write (name, '(a, i0)') 'term', i
      st = lk_total_add(total, trim(name)//c_null_char, 1.0_dp, real(i, dp))
      ok = ok .and. st == LK_OK
    end do
    call check(t, ok, 'LK_TOTAL_CAPACITY terms fit')
    st = lk_total_add(total, 'one_more'//c_null_char, 1.0_dp, 1.0_dp)
    call check_status(t, st, LK_ERR_CAPACITY, 'one term more than LK_TOTAL_CAPACITY')
    call check_close(t, total%total, real(LK_TOTAL_CAPACITY * (LK_TOTAL_CAPACITY + 1) / 2, dp), &
        1e-15_dp, 'total of the full list')
  end subroutine capacity

end module family_total
