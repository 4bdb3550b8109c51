! losskit from Fortran: the mean squared error of a prediction and its gradient, in one call.
program quickstart
  use losskit   ! include/losskit.f90; it re-exports iso_c_binding
  implicit none
  real(c_double) :: pred(4) = [0.5_c_double, 1.0_c_double, 2.0_c_double, 4.0_c_double]
  real(c_double) :: obs(4) = 1.0_c_double
  real(c_double), target :: grad(4)   ! TARGET: passed as c_loc(grad)
  real(c_double) :: loss(1)           ! outputs are arrays, even of one value
  integer(c_int32_t) :: st

  ! The generic lk_mse picks lk_mse_f64 for real(c_double) data. No weights: c_null_ptr.
  st = lk_mse(pred, obs, c_null_ptr, size(pred, kind=c_size_t), lk_options_default(), &
      loss, c_loc(grad))
  if (st /= LK_OK) then
    print '(a, ": ", a)', lkf_status_name(st), lkf_last_error()
    error stop 1
  end if
  print '(a, f0.4)', 'loss = ', loss(1)        ! (0.25 + 0 + 1 + 9) / 4 = 2.5625
  print '(a, 4f8.4)', 'grad = ', grad          ! 2 (pred - obs) / 4
end program quickstart
