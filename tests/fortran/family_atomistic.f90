! The atomistic family (graph-pes property losses over ragged batches, epoch metrics) from
! Fortran (run by capi/tests/fortran.rs). Expected values: SPEC.md section 6.5 (MAE and
! RMSE of [1,2,3] vs 0) and 6.6 (per-atom energy RMSE 1.2747548784, energy RMSE
! 4.4721359550, Huber 0.1975, scale-free Huber 0.395); the rest from the documented
! formulas written out here in double (weighted means, per-species means, their
! derivatives) and from central differences of the library's own values.
module family_atomistic
  use losskit
  use checks
  implicit none
  private
  public :: run_atomistic

  integer, parameter :: dp = c_double, sp = c_float

contains

  subroutine run_atomistic(t)
    type(checker), intent(inout) :: t
    integer :: before
    before = t%passed + t%failed
    call per_atom_energy(t)
    call spec_graph_pes(t)
    call forces_weighted(t)
    call forces_per_species(t)
    call forces_finite_differences(t)
    call sizes(t)
    call epoch_metrics(t)
    call errors(t)
    print '(a, i0, a)', 'family atomistic: ', t%passed + t%failed - before, ' checks'
  end subroutine run_atomistic

  ! SPEC 6.6: energies 10, 20 vs 8, 26 for structures of 2 and 4 atoms.
  subroutine per_atom_energy(t)
    type(checker), intent(inout) :: t
    integer(c_int64_t), target :: ptr(3) = [0_c_int64_t, 2_c_int64_t, 6_c_int64_t]
    real(dp), parameter :: e_pred(2) = [10.0_dp, 20.0_dp], e_true(2) = [8.0_dp, 26.0_dp]
    real(dp), parameter :: atoms(2) = [2.0_dp, 4.0_dp]
    real(dp), parameter :: want = 1.2747548784_dp
    real(sp), parameter :: e_pred32(2) = [10.0_sp, 20.0_sp], e_true32(2) = [8.0_sp, 26.0_sp]
    real(dp), target :: grad(2)
    real(sp), target :: grad32(2)
    real(dp) :: out(1), e(2)
    real(sp) :: out32(1)
    type(lk_batch) :: batch
    type(lk_property_loss) :: per_atom
    integer(c_int32_t) :: st
    batch = lk_batch(c_loc(ptr), 2_c_size_t, 6_c_size_t, c_null_ptr)
    per_atom = lk_property_loss(LK_PROPERTY_PER_ATOM_ENERGY, LK_METRIC_RMSE, 0.0_dp, 0_c_int8_t)
    st = lk_property_loss_f64(per_atom, e_pred, e_true, 2_c_size_t, batch, c_null_ptr, &
        lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_OK, 'lk_property_loss_f64 per-atom energy status')
    call check_close(t, out(1), want, 1e-10_dp, 'per-atom energy RMSE (SPEC 6.6)')
    ! L = sqrt(mean e^2), e_k = (pred_k - true_k) / N_k: dL/dpred_k = e_k / (S L N_k).
    e = (e_pred - e_true) / atoms
    call check_close(t, grad, e / (2 * out(1) * atoms), 1e-14_dp, 'per-atom energy RMSE gradient')
    st = lk_property_loss_f32(per_atom, e_pred32, e_true32, 2_c_size_t, batch, c_null_ptr, &
        lk_options_default(), out32, c_loc(grad32))
    call check_status(t, st, LK_OK, 'lk_property_loss_f32 per-atom energy status')
    call check_close(t, real(out32(1), dp), want, 1e-6_dp, 'per-atom energy RMSE f32')
    call check_close(t, real(grad32, dp), e / (2 * want * atoms), 1e-6_dp, &
        'per-atom energy RMSE f32 gradient')
    st = lk_property_loss_f64(lk_property_loss(LK_PROPERTY_ENERGY, LK_METRIC_RMSE, 0.0_dp, &
        0_c_int8_t), e_pred, e_true, 2_c_size_t, batch, c_null_ptr, lk_options_default(), &
        out, c_null_ptr)
    call check_status(t, st, LK_OK, 'energy RMSE status')
    call check_close(t, out(1), 4.4721359550_dp, 1e-10_dp, 'energy RMSE (SPEC 6.6)')
  end subroutine per_atom_energy

  ! SPEC 6.5 (MAE and RMSE of local energies [1,2,3] vs 0 in one structure of 3 atoms) and
  ! SPEC 6.6 (Huber and scale-free Huber, delta 0.5, on errors [0.2, 1.0]).
  subroutine spec_graph_pes(t)
    type(checker), intent(inout) :: t
    integer(c_int64_t), target :: p3(2) = [0_c_int64_t, 3_c_int64_t]
    integer(c_int64_t), target :: p2(3) = [0_c_int64_t, 1_c_int64_t, 2_c_int64_t]
    real(dp), parameter :: x(3) = [1.0_dp, 2.0_dp, 3.0_dp], zero(3) = 0.0_dp
    real(dp), parameter :: hp(2) = [0.2_dp, 1.0_dp], ht(2) = 0.0_dp
    real(dp), target :: grad(3)
    real(dp) :: out(1)
    type(lk_batch) :: one, two
    integer(c_int32_t) :: st
    one = lk_batch(c_loc(p3), 1_c_size_t, 3_c_size_t, c_null_ptr)
    two = lk_batch(c_loc(p2), 2_c_size_t, 2_c_size_t, c_null_ptr)
    st = lk_property_loss_f64(lk_property_loss(LK_PROPERTY_LOCAL_ENERGIES, LK_METRIC_MAE, &
        0.0_dp, 0_c_int8_t), x, zero, 3_c_size_t, one, c_null_ptr, lk_options_default(), out, &
        c_loc(grad))
    call check_status(t, st, LK_OK, 'local energies MAE status')
    call check_close(t, out(1), 2.0_dp, 1e-15_dp, 'MAE([1,2,3], 0) = 2 (SPEC 6.5)')
    call check_close(t, grad, [1.0_dp, 1.0_dp, 1.0_dp] / 3, 1e-15_dp, 'MAE gradient sign(d)/3')
    st = lk_property_loss_f64(lk_property_loss(LK_PROPERTY_LOCAL_ENERGIES, LK_METRIC_RMSE, &
        0.0_dp, 0_c_int8_t), x, zero, 3_c_size_t, one, c_null_ptr, lk_options_default(), out, &
        c_loc(grad))
    call check_close(t, out(1), sqrt(14.0_dp / 3), 1e-15_dp, 'RMSE([1,2,3], 0) (SPEC 6.5)')
    call check_close(t, grad, x / (3 * sqrt(14.0_dp / 3)), 1e-14_dp, 'RMSE gradient d/(n L)')
    ! RMSE of identical vectors is 0, and its gradient 0 (not NaN).
    st = lk_property_loss_f64(lk_property_loss(LK_PROPERTY_LOCAL_ENERGIES, LK_METRIC_RMSE, &
        0.0_dp, 0_c_int8_t), x, x, 3_c_size_t, one, c_null_ptr, lk_options_default(), out, &
        c_loc(grad))
    call check(t, st == LK_OK .and. out(1) == 0 .and. all(grad == 0), &
        'RMSE of identical vectors is 0 with gradient 0 (SPEC 6.5)')
    st = lk_property_loss_f64(lk_property_loss(LK_PROPERTY_ENERGY, LK_METRIC_HUBER, 0.5_dp, &
        0_c_int8_t), hp, ht, 2_c_size_t, two, c_null_ptr, lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_OK, 'Huber status')
    call check_close(t, out(1), 0.1975_dp, 1e-14_dp, 'Huber(0.5) on [0.2, 1.0] (SPEC 6.6)')
    ! d/2 inside delta, delta * sign(d) / 2 outside (mean over 2).
    call check_close(t, grad(1:2), [0.2_dp / 2, 0.5_dp / 2], 1e-14_dp, 'Huber gradient')
    st = lk_property_loss_f64(lk_property_loss(LK_PROPERTY_ENERGY, LK_METRIC_SCALE_FREE_HUBER, &
        0.5_dp, 0_c_int8_t), hp, ht, 2_c_size_t, two, c_null_ptr, lk_options_default(), out, &
        c_null_ptr)
    call check_close(t, out(1), 0.395_dp, 1e-14_dp, 'scale-free Huber(0.5) (SPEC 6.6)')
  end subroutine spec_graph_pes

  ! Forces of 2 structures (1 and 2 atoms), stored f(3, N): C's row-major N x 3. Structure
  ! weights u = (2, 0.5) repeat over each atom's 3 components: L = sum u d^2 / sum u.
  subroutine forces_weighted(t)
    type(checker), intent(inout) :: t
    integer(c_int64_t), target :: ptr(3) = [0_c_int64_t, 1_c_int64_t, 3_c_int64_t]
    real(dp), target :: sw(2) = [2.0_dp, 0.5_dp]
    real(dp) :: f_pred(3, 3), f_true(3, 3), u(3, 3), d(3, 3), out(1), each(3, 3)
    real(dp), target :: grad(3, 3)
    type(lk_batch) :: batch
    type(lk_options) :: opts
    integer(c_int32_t) :: st
    integer :: i, a
    do a = 1, 3
      do i = 1, 3
        f_pred(i, a) = sin(real(3 * a + i, dp))
        f_true(i, a) = 0.5_dp * cos(real(2 * a - i, dp))
      end do
    end do
    u(:, 1) = sw(1)
    u(:, 2:3) = sw(2)
    d = f_pred - f_true
    batch = lk_batch(c_loc(ptr), 2_c_size_t, 3_c_size_t, c_null_ptr)
    st = lk_property_loss_f64(lk_property_loss(LK_PROPERTY_FORCES, LK_METRIC_MSE, 0.0_dp, &
        0_c_int8_t), f_pred, f_true, 9_c_size_t, batch, c_loc(sw), lk_options_default(), out, &
        c_loc(grad))
    call check_status(t, st, LK_OK, 'weighted forces MSE status')
    call check_close(t, out(1), sum(u * d**2) / sum(u), 1e-14_dp, 'weighted forces MSE')
    call check_close(t, reshape(grad, [9]), reshape(2 * u * d / sum(u), [9]), 1e-14_dp, &
        'weighted forces MSE gradient, atom by atom')
    ! Per-value losses with LK_REDUCTION_NONE (no weights): |d| in the same layout.
    opts = lk_options_default()
    opts%reduction = LK_REDUCTION_NONE
    st = lk_property_loss_f64(lk_property_loss(LK_PROPERTY_FORCES, LK_METRIC_MAE, 0.0_dp, &
        0_c_int8_t), f_pred, f_true, 9_c_size_t, batch, c_null_ptr, opts, each, c_null_ptr)
    call check_status(t, st, LK_OK, 'forces MAE none status')
    call check_close(t, reshape(each, [9]), reshape(abs(d), [9]), 1e-15_dp, &
        'forces per-component |d|')
  end subroutine forces_weighted

  ! The per-species mean: species 1 (atoms 1, 3: 6 components) and 8 (atom 2: 3 components)
  ! weigh equally: L = (mean_1 |d| + mean_8 |d|) / 2, dL/dp = sign(d) / (2 W_s).
  subroutine forces_per_species(t)
    type(checker), intent(inout) :: t
    integer(c_int64_t), target :: ptr(3) = [0_c_int64_t, 1_c_int64_t, 3_c_int64_t]
    integer(c_int64_t), target :: species(3) = [1_c_int64_t, 8_c_int64_t, 1_c_int64_t]
    real(dp) :: f_pred(3, 3), f_true(3, 3), d(3, 3), want_grad(3, 3), out(1), want
    real(dp), target :: grad(3, 3)
    type(lk_batch) :: batch
    type(lk_property_loss) :: loss
    integer(c_int32_t) :: st
    integer :: i, a
    do a = 1, 3
      do i = 1, 3
        f_pred(i, a) = real(i * a, dp) / 4
        f_true(i, a) = real(mod(i + 2 * a, 5), dp) / 3
      end do
    end do
    d = f_pred - f_true
    batch = lk_batch(c_loc(ptr), 2_c_size_t, 3_c_size_t, c_loc(species))
    loss = lk_property_loss(LK_PROPERTY_FORCES, LK_METRIC_MAE, 0.0_dp, 1_c_int8_t)
    st = lk_property_loss_f64(loss, f_pred, f_true, 9_c_size_t, batch, c_null_ptr, &
        lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_OK, 'per-species forces MAE status')
    want = ((sum(abs(d(:, 1))) + sum(abs(d(:, 3)))) / 6 + sum(abs(d(:, 2))) / 3) / 2
    call check_close(t, out(1), want, 1e-14_dp, 'per-species forces MAE')
    want_grad = sign(1.0_dp, d) / 12
    want_grad(:, 2) = sign(1.0_dp, d(:, 2)) / 6
    where (d == 0) want_grad = 0
    call check_close(t, reshape(grad, [9]), reshape(want_grad, [9]), 1e-14_dp, &
        'per-species forces MAE gradient')
    ! Without species ids in the batch the per-species mean is refused.
    batch%species = c_null_ptr
    st = lk_property_loss_f64(loss, f_pred, f_true, 9_c_size_t, batch, c_null_ptr, &
        lk_options_default(), out, c_null_ptr)
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'per-species mean without species ids')
  end subroutine forces_per_species

  ! The weighted forces RMSE gradient (f64) against central differences of its value.
  subroutine forces_finite_differences(t)
    type(checker), intent(inout) :: t
    integer(c_int64_t), target :: ptr(4) = [0_c_int64_t, 2_c_int64_t, 2_c_int64_t, 4_c_int64_t]
    real(dp), target :: sw(3) = [1.0_dp, 5.0_dp, 0.25_dp]
    real(dp), parameter :: h = 1e-6_dp
    real(dp) :: f_pred(3, 4), f_true(3, 4), p(3, 4), fd(3, 4), out(1), up(1), down(1)
    real(dp), target :: grad(3, 4)
    type(lk_batch) :: batch
    type(lk_property_loss) :: loss
    integer(c_int32_t) :: st
    integer :: i, a
    do a = 1, 4
      do i = 1, 3
        f_pred(i, a) = cos(real(5 * a + i, dp))
        f_true(i, a) = sin(real(a - 2 * i, dp))
      end do
    end do
    ! Structure 2 has no atoms (valid for forces).
    batch = lk_batch(c_loc(ptr), 3_c_size_t, 4_c_size_t, c_null_ptr)
    loss = lk_property_loss(LK_PROPERTY_FORCES, LK_METRIC_RMSE, 0.0_dp, 0_c_int8_t)
    st = lk_property_loss_f64(loss, f_pred, f_true, 12_c_size_t, batch, c_loc(sw), &
        lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_OK, 'forces RMSE status')
    do a = 1, 4
      do i = 1, 3
        p = f_pred
        p(i, a) = f_pred(i, a) + h
        st = lk_property_loss_f64(loss, p, f_true, 12_c_size_t, batch, c_loc(sw), &
            lk_options_default(), up, c_null_ptr)
        p(i, a) = f_pred(i, a) - h
        st = lk_property_loss_f64(loss, p, f_true, 12_c_size_t, batch, c_loc(sw), &
            lk_options_default(), down, c_null_ptr)
        fd(i, a) = (up(1) - down(1)) / (2 * h)
      end do
    end do
    call check(t, maxval(abs(grad - fd)) <= 1e-7_dp * maxval(abs(fd)), &
        'forces RMSE gradient vs finite differences')
  end subroutine forces_finite_differences

  subroutine sizes(t)
    type(checker), intent(inout) :: t
    integer(c_int64_t), target :: ptr(3) = [0_c_int64_t, 2_c_int64_t, 7_c_int64_t]
    integer(c_size_t) :: n(1)
    type(lk_batch) :: batch
    integer(c_int32_t) :: st
    batch = lk_batch(c_loc(ptr), 2_c_size_t, 7_c_size_t, c_null_ptr)
    st = lk_property_len(LK_PROPERTY_FORCES, batch, n)
    call check(t, st == LK_OK .and. n(1) == 21, 'lk_property_len(forces) = 3N')
    st = lk_property_len(LK_PROPERTY_STRESS, batch, n)
    call check(t, st == LK_OK .and. n(1) == 18, 'lk_property_len(stress) = 9S')
    st = lk_property_len(LK_PROPERTY_PER_ATOM_ENERGY, batch, n)
    call check(t, st == LK_OK .and. n(1) == 2, 'lk_property_len(per-atom energy) = S')
    st = lk_property_batch_size(LK_PROPERTY_LOCAL_ENERGIES, batch, n)
    call check(t, st == LK_OK .and. n(1) == 7, 'lk_property_batch_size(local energies) = N')
    st = lk_property_batch_size(LK_PROPERTY_VIRIAL, batch, n)
    call check(t, st == LK_OK .and. n(1) == 2, 'lk_property_batch_size(virial) = S')
  end subroutine sizes

  ! The true epoch RMSE / MAE over two batches (merged from two accumulators) against the
  ! sums written here, and the batch-size-weighted mean of batch values.
  subroutine epoch_metrics(t)
    type(checker), intent(inout) :: t
    integer(c_int64_t), target :: ptr(3) = [0_c_int64_t, 2_c_int64_t, 6_c_int64_t]
    integer(c_int64_t), target :: p1(2) = [0_c_int64_t, 1_c_int64_t]
    real(dp), parameter :: e_pred(2) = [10.0_dp, 20.0_dp], e_true(2) = [8.0_dp, 26.0_dp]
    real(sp), parameter :: a32(1) = [3.0_sp], z32(1) = [0.0_sp]
    real(dp), target :: sw(2) = [1.0_dp, 3.0_dp]
    type(lk_epoch_metric) :: m1, m2
    type(lk_partial) :: bw
    type(lk_batch) :: batch, b1
    real(dp) :: out(1)
    integer(c_int32_t) :: st
    batch = lk_batch(c_loc(ptr), 2_c_size_t, 6_c_size_t, c_null_ptr)
    b1 = lk_batch(c_loc(p1), 1_c_size_t, 1_c_size_t, c_null_ptr)
    m1 = lk_epoch_metric(0.0_dp, 0.0_dp, 0.0_dp)
    m2 = m1
    ! Batch 1 (f64, weights 1 and 3): d = (2, -6); batch 2 (f32, generic name): d = 3.
    st = lk_epoch_metric_update_f64(m1, LK_PROPERTY_ENERGY, e_pred, e_true, 2_c_size_t, batch, &
        c_loc(sw))
    call check_status(t, st, LK_OK, 'epoch update f64')
    st = lk_epoch_metric_update(m2, LK_PROPERTY_ENERGY, a32, z32, 1_c_size_t, b1, c_null_ptr)
    call check_status(t, st, LK_OK, 'epoch update f32 (generic)')
    st = lk_epoch_metric_merge(m1, m2)
    call check_status(t, st, LK_OK, 'epoch merge')
    call check_close(t, m1%sum_sq, 1 * 4.0_dp + 3 * 36 + 9, 1e-15_dp, 'merged sum_sq')
    call check_close(t, m1%weight, 5.0_dp, 1e-15_dp, 'merged weight')
    st = lk_epoch_metric_value(m1, LK_METRIC_RMSE, LK_EMPTY_ZERO, out)
    call check_status(t, st, LK_OK, 'epoch RMSE status')
    call check_close(t, out(1), sqrt((4.0_dp + 108 + 9) / 5), 1e-15_dp, 'epoch RMSE')
    st = lk_epoch_metric_value(m1, LK_METRIC_MAE, LK_EMPTY_ZERO, out)
    call check_close(t, out(1), (2.0_dp + 18 + 3) / 5, 1e-15_dp, 'epoch MAE')
    st = lk_epoch_metric_value(m1, LK_METRIC_HUBER, LK_EMPTY_ZERO, out)
    call check_status(t, st, LK_ERR_BAD_ENUM, 'epoch value of a Huber metric')
    st = lk_epoch_metric_value(lk_epoch_metric(0.0_dp, 0.0_dp, 0.0_dp), LK_METRIC_MSE, &
        LK_EMPTY_ERROR, out)
    call check_status(t, st, LK_ERR_EMPTY_MEAN, 'empty epoch with LK_EMPTY_ERROR')

    bw = lk_partial(0.0_dp, 0.0_dp, 0.0_dp, 0.0_dp)
    st = lk_batchwise_push(bw, 4.0_dp, 2_c_size_t)
    st = lk_batchwise_push(bw, 1.0_dp, 6_c_size_t)
    st = lk_batchwise_mean(bw, LK_EMPTY_ZERO, out)
    call check_status(t, st, LK_OK, 'batchwise mean status')
    call check_close(t, out(1), (2 * 4.0_dp + 6 * 1.0_dp) / 8, 1e-15_dp, 'batchwise mean')
  end subroutine epoch_metrics

  ! Bad input: the status, and outputs left untouched.
  subroutine errors(t)
    type(checker), intent(inout) :: t
    integer(c_int64_t), target :: ptr(3) = [0_c_int64_t, 2_c_int64_t, 6_c_int64_t]
    integer(c_int64_t), target :: bad_ptr(3) = [0_c_int64_t, 4_c_int64_t, 2_c_int64_t]
    integer(c_int64_t), target :: empty_ptr(3) = [0_c_int64_t, 0_c_int64_t, 6_c_int64_t]
    real(dp), parameter :: e_pred(2) = [10.0_dp, 20.0_dp], e_true(2) = [8.0_dp, 26.0_dp]
    real(dp), target :: grad(2), sw(2)
    real(dp) :: out(1)
    type(lk_batch) :: batch
    type(lk_property_loss) :: energy
    type(lk_options) :: opts
    integer(c_int32_t) :: st
    character(len=:), allocatable :: message
    energy = lk_property_loss(LK_PROPERTY_ENERGY, LK_METRIC_MSE, 0.0_dp, 0_c_int8_t)
    out = -7
    grad = -7
    batch = lk_batch(c_loc(bad_ptr), 2_c_size_t, 6_c_size_t, c_null_ptr)
    st = lk_property_loss_f64(energy, e_pred, e_true, 2_c_size_t, batch, c_null_ptr, &
        lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_ERR_INDEX_OUT_OF_RANGE, 'decreasing offsets')
    batch = lk_batch(c_loc(ptr), 2_c_size_t, 6_c_size_t, c_null_ptr)
    st = lk_property_loss_f64(energy, e_pred, e_true, 1_c_size_t, batch, c_null_ptr, &
        lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_ERR_LENGTH_MISMATCH, 'energy of 2 structures with n = 1')
    st = lk_property_loss_f64(lk_property_loss(LK_PROPERTY_ENERGY, LK_METRIC_HUBER, 0.0_dp, &
        0_c_int8_t), e_pred, e_true, 2_c_size_t, batch, c_null_ptr, lk_options_default(), out, &
        c_loc(grad))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'Huber delta 0')
    message = lkf_last_error()
    call check(t, index(message, 'delta') > 0, 'the last error names delta: '//message)
    st = lk_property_loss_f64(lk_property_loss(99_c_int32_t, LK_METRIC_MSE, 0.0_dp, 0_c_int8_t), &
        e_pred, e_true, 2_c_size_t, batch, c_null_ptr, lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_ERR_BAD_ENUM, 'unknown property')
    sw = [1.0_dp, -1.0_dp]
    st = lk_property_loss_f64(energy, e_pred, e_true, 2_c_size_t, batch, c_loc(sw), &
        lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'negative structure weight')
    opts = lk_options_default()
    opts%row_len = 2_c_size_t
    st = lk_property_loss_f64(energy, e_pred, e_true, 2_c_size_t, batch, c_null_ptr, opts, out, &
        c_loc(grad))
    call check_status(t, st, LK_ERR_BAD_PARAMETER, 'row_len must be 0 for a property loss')
    batch = lk_batch(c_loc(empty_ptr), 2_c_size_t, 6_c_size_t, c_null_ptr)
    st = lk_property_loss_f64(lk_property_loss(LK_PROPERTY_PER_ATOM_ENERGY, LK_METRIC_MSE, &
        0.0_dp, 0_c_int8_t), e_pred, e_true, 2_c_size_t, batch, c_null_ptr, &
        lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_ERR_INDEX_OUT_OF_RANGE, 'per-atom energy of a structure of 0 atoms')
    batch = lk_batch(c_null_ptr, 2_c_size_t, 6_c_size_t, c_null_ptr)
    st = lk_property_loss_f64(energy, e_pred, e_true, 2_c_size_t, batch, c_null_ptr, &
        lk_options_default(), out, c_loc(grad))
    call check_status(t, st, LK_ERR_NULL_POINTER, 'NULL offsets')
    call check(t, out(1) == -7 .and. all(grad == -7), 'outputs untouched after the errors')
  end subroutine errors

end module family_atomistic
