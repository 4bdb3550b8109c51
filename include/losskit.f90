! losskit: the Fortran 2003 interface to the losskit C library (include/losskit.h).
!
! Generated from include/losskit.h by capi/tests/fortran.rs; do not edit. Regenerate with:
!   LOSSKIT_BLESS=1 cargo test -p losskit-capi --test fortran
!
! Build: compile this file with your sources (it makes losskit.mod) and link liblosskit.a
! (plus -lpthread -ldl -lm) or liblosskit.so:
!   gfortran -c losskit.f90 && gfortran app.f90 losskit.o liblosskit.a -lpthread -ldl -lm
!
! Calling conventions
! * Every lk_ function returns an integer(c_int32_t) status: LK_OK (0) or an LK_ERR_*
!   code. lkf_status_name(st) names it; lkf_last_error() describes the calling thread's
!   last failure. Outputs are written only when the status is LK_OK.
! * Arrays are assumed-size dummies, x(*): pass the array (or its first element). A single
!   output value still needs an array: real(c_double) :: loss(1).
! * Optional pointers are type(c_ptr), value: pass c_null_ptr for "none", or c_loc(x) for
!   an array x that has the TARGET attribute. Optional are the arguments named weight,
!   weights, mask, grad, partial, grad_*, *_grad, *_weight(s), *_mask and opt_* (each
!   interface below says which), e.g.
!     st = lk_mse_f64(pred, target, c_null_ptr, n, opts, loss, c_loc(grad))
! * Structures (lk_options, ...) are derived types passed by reference: start from
!   opts = lk_options_default(), set fields, pass opts. Their pointer fields (mask,
!   partial) are type(c_ptr): c_loc(x) or c_null_ptr.
! * Counts are integer(c_size_t) by value: pass int(n, c_size_t) or a c_size_t variable.
! * C's unsigned types (uint8_t, uint32_t, ...) map to the signed kinds of the same size:
!   the bits are the same; values above the signed range read as negative.
! * f32/f64 pairs also have a generic name without the suffix (lk_mse for lk_mse_f32 and
!   lk_mse_f64), resolved by the kind of the real arguments.
! * The module re-exports iso_c_binding: `use losskit` is enough.
!
! Array layout: C's row-major [rows x classes] is Fortran's column-major x(classes, rows).
! Declare 2-D data with the fastest (class) index first, x(n_classes, n_rows), and pass x:
! the C element [r][c] is x(c+1, r+1). Data kept as y(n_rows, n_classes) must be passed as
! transpose(y) (a copy, or better, store it the other way round), and a gradient received
! for it transposed back. Class indices and offsets are 0-based on the C side.
module losskit
  use, intrinsic :: iso_c_binding
  implicit none
  public
  private :: lkf_strlen

  ! ---- Constants ----

  ! Per-element losses; `out` receives n values (or one per row with `row_len`).
  integer(c_int32_t), parameter :: LK_REDUCTION_NONE = 0_c_int32_t

  ! L = sum of w*loss over kept elements; `out` receives 1 value.
  integer(c_int32_t), parameter :: LK_REDUCTION_SUM = 1_c_int32_t

  ! L = sum(w*loss) / sum(w) over kept elements (the default); `out` receives 1 value.
  integer(c_int32_t), parameter :: LK_REDUCTION_MEAN = 2_c_int32_t

  ! Like SUM, and `options.partial` (required) receives {sum(w*loss), sum(w)} in double, to
  ! be merged across threads/ranks; pass the global 1/sum(w) as `grad_scale` to get the
  ! gradient of the global mean.
  integer(c_int32_t), parameter :: LK_REDUCTION_PARTIAL = 3_c_int32_t

  ! A mean over nothing is 0, with gradient 0 (the default).
  integer(c_int32_t), parameter :: LK_EMPTY_ZERO = 0_c_int32_t

  ! A mean over nothing is NaN (PyTorch), with gradient 0.
  integer(c_int32_t), parameter :: LK_EMPTY_NAN = 1_c_int32_t

  ! A mean over nothing fails with `LK_ERR_EMPTY_MEAN`.
  integer(c_int32_t), parameter :: LK_EMPTY_ERROR = 2_c_int32_t

  ! astroNN's default magic number.
  real(c_double), parameter :: LK_ASTRONN_MAGIC = -9999.0_c_double

  ! Major version of losskit (semantic versioning).
  integer(c_int32_t), parameter :: LK_VERSION_MAJOR = 0_c_int32_t

  ! Minor version of losskit.
  integer(c_int32_t), parameter :: LK_VERSION_MINOR = 1_c_int32_t

  ! Patch version of losskit.
  integer(c_int32_t), parameter :: LK_VERSION_PATCH = 0_c_int32_t

  ! Success.
  integer(c_int32_t), parameter :: LK_OK = 0_c_int32_t

  ! A required pointer was NULL.
  integer(c_int32_t), parameter :: LK_ERR_NULL_POINTER = 1_c_int32_t

  ! Buffer lengths disagree (or a length is not a whole number of rows).
  integer(c_int32_t), parameter :: LK_ERR_LENGTH_MISMATCH = 2_c_int32_t

  ! A parameter is outside its domain (e.g. delta <= 0, a negative or NaN weight).
  integer(c_int32_t), parameter :: LK_ERR_BAD_PARAMETER = 3_c_int32_t

  ! An enum field (reduction, empty policy) holds an unknown value.
  integer(c_int32_t), parameter :: LK_ERR_BAD_ENUM = 4_c_int32_t

  ! A mean over no elements under `LK_EMPTY_ERROR`.
  integer(c_int32_t), parameter :: LK_ERR_EMPTY_MEAN = 5_c_int32_t

  ! A class index or offset is out of range.
  integer(c_int32_t), parameter :: LK_ERR_INDEX_OUT_OF_RANGE = 6_c_int32_t

  ! A pointer is not aligned for its element type.
  integer(c_int32_t), parameter :: LK_ERR_MISALIGNED = 7_c_int32_t

  ! An output buffer overlaps another buffer of the call.
  integer(c_int32_t), parameter :: LK_ERR_ALIASING = 8_c_int32_t

  ! An internal error (a bug in losskit); the outputs are untouched.
  integer(c_int32_t), parameter :: LK_ERR_PANIC = 9_c_int32_t

  ! The result is not finite where the function reports that (see its documentation).
  integer(c_int32_t), parameter :: LK_ERR_NOT_FINITE = 10_c_int32_t

  ! A fixed-capacity container is full.
  integer(c_int32_t), parameter :: LK_ERR_CAPACITY = 11_c_int32_t

  ! A name was given twice where names must be unique.
  integer(c_int32_t), parameter :: LK_ERR_DUPLICATE_NAME = 12_c_int32_t

  ! ---- Structures (bind(C) derived types) ----

  ! A mergeable partial result: the weighted sum of losses and the sum of weights.
  type, bind(C) :: lk_partial
    ! Sum of w*loss over kept elements (of row means with `row_len`).
    real(c_double) :: sum
    ! Sum of w over kept elements (number of rows counted with `row_len`).
    real(c_double) :: weight
  end type lk_partial

  ! Options shared by every loss. Get the defaults from `lk_options_default()`; a NULL
  ! `const lk_options *` also means the defaults.
  type, bind(C) :: lk_options
    ! `LK_REDUCTION_*`.
    integer(c_int32_t) :: reduction
    ! `LK_EMPTY_*`: what a mean over nothing gives.
    integer(c_int32_t) :: empty
    ! NULL, or one byte per element: nonzero keeps the element.
    type(c_ptr) :: mask
    ! Nonzero: a target equal to `magic`, or NaN, is masked (astroNN).
    integer(c_int8_t) :: use_magic
    ! The magic number (default -9999.0), compared after rounding to the data type.
    real(c_double) :: magic
    ! 0, or D > 0: the data are rows of length D; each row's masked mean is taken first,
    ! then the rows are reduced (astroNN's per-sample mean).
    integer(c_size_t) :: row_len
    ! The gradient written is `grad_scale * dL/dpred` (default 1).
    real(c_double) :: grad_scale
    ! 0: overwrite the gradient buffer; nonzero: add to it.
    integer(c_int8_t) :: grad_accumulate
    ! NULL, or where to write {sum, weight} on success (required with PARTIAL).
    type(c_ptr) :: partial
  end type lk_options

  ! ---- Functions ----

  interface

    ! The default options: mean, empty mean = 0, no mask, no magic, grad_scale 1, overwrite.
    function lk_options_default() &
        bind(C, name="lk_options_default") result(res)
      import :: lk_options
      type(lk_options) :: res  ! lk_options
    end function lk_options_default

    ! Mean squared error: loss_i = (pred_i - target_i)^2, d/dpred = 2 (pred_i - target_i).
    !
    ! Every elementwise loss (lk_mse, lk_mae, lk_rmse, lk_mean_error, lk_msle, lk_mape,
    ! lk_mpe, lk_huber, lk_scale_free_huber, lk_smooth_l1, lk_log_cosh) takes:
    ! `pred`, `target`: n values each (may be NULL only if n = 0);
    ! `weight`: NULL, or n weights, each finite and >= 0;
    ! the loss's own parameter, if any (delta, beta);
    ! `opts`: NULL for lk_options_default();
    ! `out`: 1 value, or with LK_REDUCTION_NONE n values (n / row_len with row_len);
    ! `grad`: NULL, or n values receiving grad_scale * dL/dpred.
    ! Masked elements (mask byte 0, magic target, weight 0) add nothing to the sum, the
    ! normaliser or the gradient.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_mse_f32(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_mse_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_mse_f32

    ! Mean squared error: loss_i = (pred_i - target_i)^2, d/dpred = 2 (pred_i - target_i).
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_mse_f64(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_mse_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_mse_f64

    ! Mean absolute error (L1): loss_i = |pred_i - target_i|, d/dpred = sign(pred_i - target_i) with
    ! sign(0) = 0.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_mae_f32(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_mae_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_mae_f32

    ! Mean absolute error (L1): loss_i = |pred_i - target_i|, d/dpred = sign(pred_i - target_i) with
    ! sign(0) = 0.
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_mae_f64(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_mae_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_mae_f64

    ! Root mean squared error: L = sqrt(sum w (pred - target)^2 / sum w); gradient 0 where L = 0.
    ! Reduction NONE is refused (LK_ERR_BAD_PARAMETER); PARTIAL gives the pair of the squares.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_rmse_f32(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_rmse_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_rmse_f32

    ! Root mean squared error: L = sqrt(sum w (pred - target)^2 / sum w); gradient 0 where L = 0.
    ! Reduction NONE is refused (LK_ERR_BAD_PARAMETER); PARTIAL gives the pair of the squares.
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_rmse_f64(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_rmse_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_rmse_f64

    ! Mean error (bias), astroNN: loss_i = target_i - pred_i, d/dpred = -1.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_mean_error_f32(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_mean_error_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_mean_error_f32

    ! Mean error (bias), astroNN: loss_i = target_i - pred_i, d/dpred = -1.
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_mean_error_f64(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_mean_error_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_mean_error_f64

    ! Mean squared logarithmic error, astroNN: loss_i = (ln(max(pred_i, 1e-7) + 1) -
    ! ln(max(target_i, 1e-7) + 1))^2; gradient 0 where pred is clipped.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_msle_f32(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_msle_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_msle_f32

    ! Mean squared logarithmic error, astroNN: loss_i = (ln(max(pred_i, 1e-7) + 1) -
    ! ln(max(target_i, 1e-7) + 1))^2; gradient 0 where pred is clipped.
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_msle_f64(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_msle_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_msle_f64

    ! Mean absolute percentage error, astroNN: loss_i = 100 |target_i - pred_i| / max(|target_i|,
    ! 1e-7).
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_mape_f32(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_mape_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_mape_f32

    ! Mean absolute percentage error, astroNN: loss_i = 100 |target_i - pred_i| / max(|target_i|,
    ! 1e-7).
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_mape_f64(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_mape_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_mape_f64

    ! Mean percentage error (astroNN's intended formula): loss_i = 100 (target_i - pred_i) /
    ! target_i, with |target_i| raised to at least 1e-7 keeping its sign. astroNN's code has an
    ! operator-precedence bug (target - pred/target); this is the documented formula.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_mpe_f32(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_mpe_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_mpe_f32

    ! Mean percentage error (astroNN's intended formula): loss_i = 100 (target_i - pred_i) /
    ! target_i, with |target_i| raised to at least 1e-7 keeping its sign. astroNN's code has an
    ! operator-precedence bug (target - pred/target); this is the documented formula.
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_mpe_f64(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_mpe_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_mpe_f64

    ! Huber loss (PyTorch huber_loss), delta > 0: loss_i = d^2/2 if |d| < delta else delta (|d| -
    ! delta/2), d = pred_i - target_i; d/dpred = d or delta sign(d).
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_huber_f32(pred, target, weight, n, delta, opts, out, grad) &
        bind(C, name="lk_huber_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      real(c_float), value :: delta  ! float
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_huber_f32

    ! Huber loss (PyTorch huber_loss), delta > 0: loss_i = d^2/2 if |d| < delta else delta (|d| -
    ! delta/2), d = pred_i - target_i; d/dpred = d or delta sign(d).
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_huber_f64(pred, target, weight, n, delta, opts, out, grad) &
        bind(C, name="lk_huber_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      real(c_double), value :: delta  ! double
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_huber_f64

    ! graph-pes scale-free Huber loss, delta > 0: Huber_delta(d) / delta.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_scale_free_huber_f32(pred, target, weight, n, delta, opts, out, grad) &
        bind(C, name="lk_scale_free_huber_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      real(c_float), value :: delta  ! float
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_scale_free_huber_f32

    ! graph-pes scale-free Huber loss, delta > 0: Huber_delta(d) / delta.
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_scale_free_huber_f64(pred, target, weight, n, delta, opts, out, grad) &
        bind(C, name="lk_scale_free_huber_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      real(c_double), value :: delta  ! double
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_scale_free_huber_f64

    ! Smooth L1 loss (PyTorch smooth_l1_loss), beta >= 0: loss_i = d^2/(2 beta) if |d| < beta else
    ! |d| - beta/2; beta = 0 is L1.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_smooth_l1_f32(pred, target, weight, n, beta, opts, out, grad) &
        bind(C, name="lk_smooth_l1_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      real(c_float), value :: beta  ! float
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_smooth_l1_f32

    ! Smooth L1 loss (PyTorch smooth_l1_loss), beta >= 0: loss_i = d^2/(2 beta) if |d| < beta else
    ! |d| - beta/2; beta = 0 is L1.
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_smooth_l1_f64(pred, target, weight, n, beta, opts, out, grad) &
        bind(C, name="lk_smooth_l1_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      real(c_double), value :: beta  ! double
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_smooth_l1_f64

    ! Log-cosh loss: loss_i = ln cosh(pred_i - target_i), d/dpred = tanh(pred_i - target_i).
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_log_cosh_f32(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_log_cosh_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_log_cosh_f32

    ! Log-cosh loss: loss_i = ln cosh(pred_i - target_i), d/dpred = tanh(pred_i - target_i).
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_mse_f32).
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_log_cosh_f64(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_log_cosh_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_log_cosh_f64

    ! The library's version as a static NUL-terminated string, e.g. "0.1.0".
    ! Compare with `LK_VERSION_MAJOR/MINOR/PATCH` to detect a header/library mismatch.
    function lk_version() &
        bind(C, name="lk_version") result(res)
      import :: c_ptr
      type(c_ptr) :: res  ! const char *
    end function lk_version

    ! The name of a status code as a static NUL-terminated string ("LK_OK",
    ! "LK_ERR_NULL_POINTER", ...; "LK_ERR_UNKNOWN" for a value that is no status).
    function lk_status_name(status) &
        bind(C, name="lk_status_name") result(res)
      import :: c_int32_t, c_ptr
      integer(c_int32_t), value :: status  ! lk_status
      type(c_ptr) :: res  ! const char *
    end function lk_status_name

    ! Copies the message of the calling thread's last failed call into `buf` (at most `len`
    ! bytes including the terminating NUL; the message is cut short if needed) and returns
    ! the message's full length in bytes without the NUL. An empty string if no call failed.
    ! `buf` may be NULL when `len` is 0, to ask for the length.
    !
    ! # Safety
    ! `buf` must be valid for `len` bytes of writes.
    function lk_last_error_message(buf, len) &
        bind(C, name="lk_last_error_message") result(res)
      import :: c_char, c_size_t
      character(kind=c_char), intent(inout) :: buf(*)  ! char *
      integer(c_size_t), value :: len  ! size_t
      integer(c_size_t) :: res  ! size_t
    end function lk_last_error_message
  end interface

  ! ---- Generic names: the f32/f64 pair by the kind of the reals ----

  interface lk_mse
    procedure :: lk_mse_f32, lk_mse_f64
  end interface lk_mse

  interface lk_mae
    procedure :: lk_mae_f32, lk_mae_f64
  end interface lk_mae

  interface lk_rmse
    procedure :: lk_rmse_f32, lk_rmse_f64
  end interface lk_rmse

  interface lk_mean_error
    procedure :: lk_mean_error_f32, lk_mean_error_f64
  end interface lk_mean_error

  interface lk_msle
    procedure :: lk_msle_f32, lk_msle_f64
  end interface lk_msle

  interface lk_mape
    procedure :: lk_mape_f32, lk_mape_f64
  end interface lk_mape

  interface lk_mpe
    procedure :: lk_mpe_f32, lk_mpe_f64
  end interface lk_mpe

  interface lk_huber
    procedure :: lk_huber_f32, lk_huber_f64
  end interface lk_huber

  interface lk_scale_free_huber
    procedure :: lk_scale_free_huber_f32, lk_scale_free_huber_f64
  end interface lk_scale_free_huber

  interface lk_smooth_l1
    procedure :: lk_smooth_l1_f32, lk_smooth_l1_f64
  end interface lk_smooth_l1

  interface lk_log_cosh
    procedure :: lk_log_cosh_f32, lk_log_cosh_f64
  end interface lk_log_cosh


  interface
    ! C's strlen, for lkf_string.
    function lkf_strlen(s) bind(C, name="strlen") result(res)
      import :: c_ptr, c_size_t
      type(c_ptr), value :: s
      integer(c_size_t) :: res
    end function lkf_strlen
  end interface

contains

  ! The Fortran string of a NUL-terminated C string (lk_version(), lk_status_name(...));
  ! '' for c_null_ptr.
  function lkf_string(p) result(s)
    type(c_ptr), intent(in) :: p
    character(len=:), allocatable :: s
    character(kind=c_char), pointer :: chars(:)
    integer :: i, n
    if (.not. c_associated(p)) then
      s = ''
      return
    end if
    n = int(lkf_strlen(p))
    call c_f_pointer(p, chars, [n])
    allocate(character(len=n) :: s)
    do i = 1, n
      s(i:i) = chars(i)
    end do
  end function lkf_string

  ! The name of a status code, e.g. 'LK_ERR_BAD_PARAMETER'.
  function lkf_status_name(status) result(s)
    integer(c_int32_t), intent(in) :: status
    character(len=:), allocatable :: s
    s = lkf_string(lk_status_name(status))
  end function lkf_status_name

  ! The library's version, e.g. '0.1.0'.
  function lkf_version() result(s)
    character(len=:), allocatable :: s
    s = lkf_string(lk_version())
  end function lkf_version

  ! The message of the calling thread's last failed call ('' if none failed).
  function lkf_last_error() result(s)
    character(len=:), allocatable :: s
    character(kind=c_char) :: buf(512)
    integer(c_size_t) :: n
    integer :: i
    n = lk_last_error_message(buf, int(size(buf), c_size_t))
    n = min(n, int(size(buf) - 1, c_size_t))
    allocate(character(len=n) :: s)
    do i = 1, int(n)
      s(i:i) = buf(i)
    end do
  end function lkf_last_error

end module losskit
