! The spectra family (DRDMannTurb's spectra-fitting aggregate) from Fortran (run by
! capi/tests/fortran.rs). Expected values: SPEC.md section 6.6 (the single-component and
! the non-uniform cases), the documented formulas written out here in double (log-MSE,
! slope and curvature penalties with the node mean, weight regulariser, coherence, and the
! derivatives of the simple terms), and central differences of the library's total.
!
! Layout: C's components x len row-major spectra are Fortran's y(len, components).
module family_spectra
  use, intrinsic :: ieee_arithmetic, only: ieee_is_nan
  use losskit
  use checks
  implicit none
  private
  public :: run_spectra

  integer, parameter :: dp = c_double, sp = c_float

  ! SPEC 6.6, non-uniform case: k1 = [0.1, 0.2, 0.5, 1], C = 2, theta = [0.5, -1, 2].
  real(dp), parameter :: nk1(4) = [0.1_dp, 0.2_dp, 0.5_dp, 1.0_dp]
  real(dp), parameter :: ny(4, 2) = reshape([4.0_dp, 3.0_dp, 2.5_dp, 1.0_dp, &
      -0.5_dp, -0.4_dp, -0.45_dp, -0.1_dp], [4, 2])
  real(dp), parameter :: nt(4, 2) = reshape([3.0_dp, 3.0_dp, 2.0_dp, 1.5_dp, &
      -0.6_dp, -0.3_dp, -0.4_dp, -0.2_dp], [4, 2])
  real(dp), parameter :: theta(3) = [0.5_dp, -1.0_dp, 2.0_dp]

contains

  subroutine run_spectra(t)
    type(checker), intent(inout) :: t
    integer :: before
    before = t%passed + t%failed
    call single_component(t)
    call nonuniform(t)
    call nonuniform_finite_differences(t)
    call coherence(t)
    call errors(t)
    print '(a, i0, a)', 'family spectra: ', t%passed + t%failed - before, ' checks'
  end subroutine run_spectra

  ! SPEC 6.6: k1 = [1, 10, 100], one component y = [1, 2, 8], data = 1.
  subroutine single_component(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: k1(3) = [1.0_dp, 10.0_dp, 100.0_dp], y(3) = [1.0_dp, 2.0_dp, 8.0_dp]
    real(dp), parameter :: d(3) = 1.0_dp
    real(sp), parameter :: k1f(3) = [1.0_sp, 10.0_sp, 100.0_sp], yf(3) = [1.0_sp, 2.0_sp, 8.0_sp]
    real(sp), parameter :: df(3) = 1.0_sp
    real(dp), target :: work(6), grad(3)
    real(sp), target :: gradf(3)
    real(dp) :: none(0)
    real(sp) :: nonef(0)
    type(lk_spectra_grid) :: grid
    type(lk_spectra_params) :: p
    type(lk_spectra_terms) :: terms
    type(lk_grad_options), target :: g
    integer(c_int32_t) :: st
    call check(t, lk_spectra_workspace_len(3_c_size_t) == 6, 'lk_spectra_workspace_len(3) = 6')
    call check(t, lk_spectra_workspace_len(1_c_size_t) == 0, 'lk_spectra_workspace_len(1) = 0')
    st = lk_spectra_grid_init_f64(k1, 3_c_size_t, 1.0_dp, work, 6_c_size_t, grid)
    call check_status(t, st, LK_OK, 'lk_spectra_grid_init_f64')
    call check_close(t, work(1), 1 / log(10.0_dp), 1e-15_dp, 'work(1) = 1/h1')
    call check(t, grid%len == 3 .and. grid%zref == 1, 'grid fields')
    p = lk_spectra_params_default()
    p%alpha_pen1 = 1
    p%alpha_pen2 = 1
    st = lk_spectra_eval_f64(grid, p, y, d, 1_c_size_t, c_null_ptr, 0_c_size_t, none, none, &
        0_c_size_t, c_null_ptr, terms, c_loc(grad), c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_spectra_eval_f64')
    call check_close(t, terms%mse, 1.6015100464_dp, 1e-10_dp, 'MSE (SPEC 6.6)')
    call check_close(t, terms%mse, (log(2.0_dp)**2 + log(8.0_dp)**2) / 3, 1e-15_dp, &
        'MSE = (ln^2 2 + ln^2 8)/3')
    call check_close(t, terms%pen1, 0.2265476457_dp, 1e-8_dp, 'Pen1 (SPEC 6.6)')
    call check_close(t, terms%pen2, 0.0170918144_dp, 1e-8_dp, 'Pen2 (SPEC 6.6)')
    call check_close(t, terms%total, terms%mse + terms%pen1 + terms%pen2, 1e-15_dp, 'total')
    call check(t, terms%reg == 0 .and. terms%coherence == 0, 'terms that are off are 0')

    ! zref = 2 divides Pen1 by 2 and Pen2 by 4.
    st = lk_spectra_grid_init(k1, 3_c_size_t, 2.0_dp, work, 6_c_size_t, grid)
    st = lk_spectra_eval(grid, p, y, d, 1_c_size_t, c_null_ptr, 0_c_size_t, none, none, &
        0_c_size_t, c_null_ptr, terms, c_null_ptr, c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_spectra_eval (generic), zref 2')
    call check_close(t, terms%pen1, 0.1132738229_dp, 1e-8_dp, 'Pen1, zref 2 (SPEC 6.6)')
    call check_close(t, terms%pen2, 0.0042729536_dp, 3e-8_dp, 'Pen2, zref 2 (SPEC 6.6)')

    ! The MSE alone (default parameters): d MSE / d y_j = 2 ln|y_j/d_j| / (C L y_j), scaled.
    g = lk_grad_options_default()
    g%scale = 0.5_dp
    st = lk_spectra_eval_f64(grid, lk_spectra_params_default(), y, d, 1_c_size_t, c_null_ptr, &
        0_c_size_t, none, none, 0_c_size_t, c_loc(g), terms, c_loc(grad), c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'MSE alone')
    call check_close(t, terms%total, terms%mse, 0.0_dp, 'total = MSE with the defaults')
    call check_close(t, grad, 0.5_dp * 2 * log(y / d) / (3 * y), 1e-14_dp, &
        'scaled MSE gradient')
    ! Accumulate onto what is there.
    g%accumulate = 1_c_int8_t
    st = lk_spectra_eval_f64(grid, lk_spectra_params_default(), y, d, 1_c_size_t, c_null_ptr, &
        0_c_size_t, none, none, 0_c_size_t, c_loc(g), terms, c_loc(grad), c_null_ptr, c_null_ptr)
    call check_close(t, grad, 2 * 0.5_dp * 2 * log(y / d) / (3 * y), 1e-14_dp, &
        'accumulated MSE gradient')

    ! f32: the same values (computed in double inside), and the f64 gradient.
    st = lk_spectra_grid_init_f32(k1f, 3_c_size_t, 1.0_sp, work, 6_c_size_t, grid)
    call check_status(t, st, LK_OK, 'lk_spectra_grid_init_f32')
    st = lk_spectra_eval_f32(grid, p, yf, df, 1_c_size_t, c_null_ptr, 0_c_size_t, nonef, nonef, &
        0_c_size_t, c_null_ptr, terms, c_loc(gradf), c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'lk_spectra_eval_f32')
    call check_close(t, terms%mse, 1.6015100464_dp, 1e-7_dp, 'MSE f32')
    call check_close(t, terms%pen1, 0.2265476457_dp, 1e-6_dp, 'Pen1 f32')
    call check_close(t, terms%pen2, 0.0170918144_dp, 1e-6_dp, 'Pen2 f32')
    st = lk_spectra_grid_init_f64(k1, 3_c_size_t, 1.0_dp, work, 6_c_size_t, grid)
    st = lk_spectra_eval_f64(grid, p, y, d, 1_c_size_t, c_null_ptr, 0_c_size_t, none, none, &
        0_c_size_t, c_null_ptr, terms, c_loc(grad), c_null_ptr, c_null_ptr)
    call check_close(t, real(gradf, dp), grad, 1e-6_dp, 'f32 gradient = f64 gradient')
  end subroutine single_component

  ! The penalties with the node mean, written out from the documented formulas:
  ! l = ln|y|, x = ln k1, d1_j = (l_j+1 - l_j)/h1_j, d2_j = (d1_j+1 - d1_j)/h2_j,
  ! Pen1 = a1 mean ReLU(d1)^2 / zref, Pen2 = a2 mean ReLU(d2)^2 / zref^2.
  subroutine penalties(y, k1, zref, a1, a2, pen1, pen2)
    real(dp), intent(in) :: y(:, :), k1(:), zref, a1, a2
    real(dp), intent(out) :: pen1, pen2
    real(dp) :: h1(size(k1) - 1), d1(size(k1) - 1), d2(size(k1) - 2)
    integer :: c, j, l, nc
    l = size(k1)
    nc = size(y, 2)
    h1 = log(k1(2:l)) - log(k1(1:l - 1))
    pen1 = 0
    pen2 = 0
    do c = 1, nc
      d1 = (log(abs(y(2:l, c))) - log(abs(y(1:l - 1, c)))) / h1
      do j = 1, l - 2
        d2(j) = (d1(j + 1) - d1(j)) / ((h1(j) + h1(j + 1)) / 2)
      end do
      pen1 = pen1 + sum(max(d1, 0.0_dp)**2)
      pen2 = pen2 + sum(max(d2, 0.0_dp)**2)
    end do
    pen1 = a1 * pen1 / (nc * (l - 1)) / zref
    pen2 = a2 * pen2 / (nc * (l - 2)) / zref**2
  end subroutine penalties

  subroutine nonuniform(t)
    type(checker), intent(inout) :: t
    real(dp), target :: work(10), gt(3), th(3)
    real(sp), target :: gtf(3), thf(3)
    real(dp) :: none(0), pen1, pen2
    real(sp) :: nonef(0)
    type(lk_spectra_grid) :: grid
    type(lk_spectra_params) :: p
    type(lk_spectra_terms) :: terms
    integer(c_int32_t) :: st
    th = theta
    st = lk_spectra_grid_init_f64(nk1, 4_c_size_t, 90.0_dp, work, 10_c_size_t, grid)
    call check_status(t, st, LK_OK, 'grid init, zref 90')
    p = lk_spectra_params_default()
    p%alpha_pen1 = 1
    p%alpha_pen2 = 1
    p%beta_reg = 1e-5_dp
    st = lk_spectra_eval_f64(grid, p, ny, nt, 2_c_size_t, c_loc(th), 3_c_size_t, none, none, &
        0_c_size_t, c_null_ptr, terms, c_null_ptr, c_loc(gt), c_null_ptr)
    call check_status(t, st, LK_OK, 'non-uniform eval, zref 90')
    call check_close(t, terms%mse, 0.1134104944_dp, 1e-9_dp, 'non-uniform MSE (SPEC 6.6)')
    call check_close(t, terms%mse, sum(log(abs(ny / nt))**2) / 8, 1e-14_dp, &
        'non-uniform MSE = mean ln^2|y/t|')
    call check_close(t, terms%pen1, 3.05988524e-5_dp, 3e-8_dp, 'Pen1, zref 90 (SPEC 6.6)')
    call check_close(t, terms%pen2, 1.18965761e-5_dp, 3e-8_dp, 'Pen2, zref 90 (SPEC 6.6)')
    call check_close(t, terms%reg, 1.75e-5_dp, 1e-12_dp, 'Reg (SPEC 6.6)')
    call check_close(t, terms%total, 0.1134704899_dp, 1e-9_dp, 'total, zref 90 (SPEC 6.6)')
    call check_close(t, gt, 2 * 1e-5_dp * theta / 3, 1e-14_dp, 'd Reg / d theta = 2 beta theta / n')
    call penalties(ny, nk1, 90.0_dp, 1.0_dp, 1.0_dp, pen1, pen2)
    call check_close(t, terms%pen1, pen1, 1e-12_dp, 'Pen1 = the formula written here')
    call check_close(t, terms%pen2, pen2, 1e-12_dp, 'Pen2 = the formula written here')

    st = lk_spectra_grid_init_f64(nk1, 4_c_size_t, 1.0_dp, work, 10_c_size_t, grid)
    p%alpha_pen1 = 1e-5_dp
    p%beta_reg = 2e-4_dp
    st = lk_spectra_eval_f64(grid, p, ny, nt, 2_c_size_t, c_loc(th), 3_c_size_t, none, none, &
        0_c_size_t, c_null_ptr, terms, c_null_ptr, c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'non-uniform eval, zref 1')
    call check_close(t, terms%pen1, 2.75389672e-8_dp, 3e-8_dp, 'Pen1, zref 1 (SPEC 6.6)')
    call check_close(t, terms%pen2, 0.0963622661_dp, 1e-9_dp, 'Pen2, zref 1 (SPEC 6.6)')
    call check_close(t, terms%reg, 3.5e-4_dp, 1e-12_dp, 'Reg, beta 2e-4 (SPEC 6.6)')
    call check_close(t, terms%total, 0.2101227881_dp, 1e-9_dp, 'total, zref 1 (SPEC 6.6)')
    call penalties(ny, nk1, 1.0_dp, 1e-5_dp, 1.0_dp, pen1, pen2)
    call check_close(t, terms%pen2, pen2, 1e-12_dp, 'Pen2, zref 1 = the formula written here')

    ! f32 through the generic names, which take rank-1 arrays only (Fortran resolves a
    ! generic by rank too): the 2-D spectra go in as reshape(x, [8]).
    thf = real(theta, sp)
    st = lk_spectra_grid_init(real(nk1, sp), 4_c_size_t, 1.0_sp, work, 10_c_size_t, grid)
    call check_status(t, st, LK_OK, 'grid init f32 (generic)')
    st = lk_spectra_eval(grid, p, reshape(real(ny, sp), [8]), reshape(real(nt, sp), [8]), &
        2_c_size_t, c_loc(thf), 3_c_size_t, nonef, nonef, 0_c_size_t, c_null_ptr, terms, &
        c_null_ptr, c_loc(gtf), c_null_ptr)
    call check_status(t, st, LK_OK, 'non-uniform eval f32 (generic)')
    call check_close(t, terms%total, 0.2101227881_dp, 1e-6_dp, 'total f32')
    call check_close(t, real(gtf, dp), 2 * 2e-4_dp * theta / 3, 1e-6_dp, 'd Reg / d theta f32')
  end subroutine nonuniform

  ! d total / d model (all terms on) against central differences of the total.
  subroutine nonuniform_finite_differences(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: h = 1e-6_dp
    real(dp), target :: work(10), th(3), grad(4, 2)
    real(dp) :: none(0), y(4, 2), fd(4, 2), up
    type(lk_spectra_grid) :: grid
    type(lk_spectra_params) :: p
    type(lk_spectra_terms) :: terms
    integer(c_int32_t) :: st
    integer :: i, c
    th = theta
    st = lk_spectra_grid_init_f64(nk1, 4_c_size_t, 1.0_dp, work, 10_c_size_t, grid)
    p = lk_spectra_params_default()
    p%alpha_pen1 = 0.5_dp
    p%alpha_pen2 = 1
    p%beta_reg = 2e-4_dp
    st = lk_spectra_eval_f64(grid, p, ny, nt, 2_c_size_t, c_loc(th), 3_c_size_t, none, none, &
        0_c_size_t, c_null_ptr, terms, c_loc(grad), c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_OK, 'eval with the model gradient')
    do c = 1, 2
      do i = 1, 4
        y = ny
        y(i, c) = ny(i, c) + h * abs(ny(i, c))
        st = lk_spectra_eval_f64(grid, p, y, nt, 2_c_size_t, c_loc(th), 3_c_size_t, none, none, &
            0_c_size_t, c_null_ptr, terms, c_null_ptr, c_null_ptr, c_null_ptr)
        up = terms%total
        y(i, c) = ny(i, c) - h * abs(ny(i, c))
        st = lk_spectra_eval_f64(grid, p, y, nt, 2_c_size_t, c_loc(th), 3_c_size_t, none, none, &
            0_c_size_t, c_null_ptr, terms, c_null_ptr, c_null_ptr, c_null_ptr)
        fd(i, c) = (up - terms%total) / (2 * h * abs(ny(i, c)))
      end do
    end do
    call check(t, maxval(abs(grad - fd)) <= 1e-6_dp * maxval(abs(fd)), &
        'd total / d model vs finite differences')
  end subroutine nonuniform_finite_differences

  ! Coherence = gamma * mean (m - d)^2 over the 3M values, gradient 2 gamma (m - d) / (3M);
  ! the trapezoid norm is accepted.
  subroutine coherence(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: cm(3) = [0.2_dp, 0.4_dp, 0.6_dp], cd(3) = [0.0_dp, 0.5_dp, 0.5_dp]
    real(dp), target :: work(10), gc(3)
    type(lk_spectra_grid) :: grid
    type(lk_spectra_params) :: p
    type(lk_spectra_terms) :: terms
    integer(c_int32_t) :: st
    st = lk_spectra_grid_init_f64(nk1, 4_c_size_t, 1.0_dp, work, 10_c_size_t, grid)
    p = lk_spectra_params_default()
    p%norm = LK_SPECTRA_NORM_TRAPEZOID
    p%alpha_pen2 = 1
    p%gamma_coherence = 2
    st = lk_spectra_eval_f64(grid, p, ny, nt, 2_c_size_t, c_null_ptr, 0_c_size_t, cm, cd, &
        3_c_size_t, c_null_ptr, terms, c_null_ptr, c_null_ptr, c_loc(gc))
    call check_status(t, st, LK_OK, 'eval with coherence, trapezoid norm')
    call check_close(t, terms%coherence, 2 * sum((cm - cd)**2) / 3, 1e-14_dp, 'coherence')
    call check_close(t, gc, 2 * 2 * (cm - cd) / 3, 1e-14_dp, 'coherence gradient')
    call check(t, terms%pen2 > 0, 'trapezoid Pen2 is on')
  end subroutine coherence

  subroutine errors(t)
    type(checker), intent(inout) :: t
    real(dp), parameter :: k1(3) = [1.0_dp, 10.0_dp, 100.0_dp]
    real(dp), parameter :: bad_k1(3) = [1.0_dp, 0.0_dp, 100.0_dp]
    real(dp), target :: y(3) = [0.0_dp, 2.0_dp, 8.0_dp]
    real(dp), parameter :: d(3) = [0.0_dp, 1.0_dp, 1.0_dp]
    real(dp), target :: work(6), grad(3)
    real(dp) :: none(0)
    type(lk_spectra_grid) :: grid
    type(lk_spectra_params) :: p
    type(lk_spectra_terms) :: terms
    integer(c_int32_t) :: st
    work = -7
    grad = 5
    st = lk_spectra_grid_init_f64(bad_k1, 3_c_size_t, 1.0_dp, work, 6_c_size_t, grid)
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'k1 not increasing')
    st = lk_spectra_grid_init_f64(k1, 3_c_size_t, 0.0_dp, work, 6_c_size_t, grid)
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'zref = 0')
    st = lk_spectra_grid_init_f64(k1, 3_c_size_t, 1.0_dp, work, 5_c_size_t, grid)
    call check_status(t, st, LK_ERR_LENGTH_MISMATCH, 'work_len 5 for 3 points')
    call check(t, all(work == -7), 'workspace untouched after the errors')

    ! The curvature penalty needs 3 points.
    st = lk_spectra_grid_init_f64(k1, 2_c_size_t, 1.0_dp, work, 2_c_size_t, grid)
    p = lk_spectra_params_default()
    p%alpha_pen2 = 1
    st = lk_spectra_eval_f64(grid, p, y, d, 1_c_size_t, c_null_ptr, 0_c_size_t, none, none, &
        0_c_size_t, c_null_ptr, terms, c_null_ptr, c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'Pen2 on a grid of 2 points')

    st = lk_spectra_grid_init_f64(k1, 3_c_size_t, 1.0_dp, work, 6_c_size_t, grid)
    p%norm = 7
    st = lk_spectra_eval_f64(grid, p, y, d, 1_c_size_t, c_null_ptr, 0_c_size_t, none, none, &
        0_c_size_t, c_null_ptr, terms, c_loc(grad), c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_ERR_BAD_ENUM, 'unknown norm')
    p%norm = LK_SPECTRA_NORM_MEAN
    st = lk_spectra_eval_f64(grid, p, y, d, 0_c_size_t, c_null_ptr, 0_c_size_t, none, none, &
        0_c_size_t, c_null_ptr, terms, c_loc(grad), c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_ERR_LENGTH_MISMATCH, '0 components')
    st = lk_spectra_eval_f64(grid, p, y, d, 1_c_size_t, c_null_ptr, 0_c_size_t, none, none, &
        0_c_size_t, c_null_ptr, terms, c_loc(y), c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_ERR_ALIASING, 'the gradient written over the model')
    call check(t, all(grad == 5), 'gradient untouched after the errors')

    ! 0/0 in the log-ratio: LK_ERR_NOT_FINITE, and the terms and gradient ARE written.
    terms = lk_spectra_terms(0.0_dp, 0.0_dp, 0.0_dp, 0.0_dp, 0.0_dp, 0.0_dp)
    st = lk_spectra_eval_f64(grid, p, y, d, 1_c_size_t, c_null_ptr, 0_c_size_t, none, none, &
        0_c_size_t, c_null_ptr, terms, c_loc(grad), c_null_ptr, c_null_ptr)
    call check_status(t, st, LK_ERR_NOT_FINITE, '0/0 in the log-ratio')
    call check(t, ieee_is_nan(terms%total) .and. ieee_is_nan(terms%mse), 'NaN terms are reported')
    call check(t, ieee_is_nan(grad(1)), 'the NaN entry''s gradient is NaN')
    call check_close(t, grad(2:3), 2 * log(y(2:3)) / (3 * y(2:3)), 1e-14_dp, &
        'the other gradient entries are written')
  end subroutine errors

end module family_spectra
