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
!   partial) are type(c_ptr): c_loc(x) or c_null_ptr. A list of structures counted by a
!   parameter n_x (groups, n_groups) is an assumed-size array x(*) of the type.
! * Counts are integer(c_size_t) by value: pass int(n, c_size_t) or a c_size_t variable.
! * C's unsigned types (uint8_t, uint32_t, ...) map to the signed kinds of the same size:
!   the bits are the same; values above the signed range read as negative.
! * f32/f64 pairs also have a generic name without the suffix (lk_mse for lk_mse_f32 and
!   lk_mse_f64), resolved by the kind of the real arguments, unless that name is already
!   taken by a type (lk_property_loss) or the pair takes a string (lk_total_property_loss:
!   a string literal cannot select a generic's specific, whose name is a character array):
!   then only the specific names exist. Pass a string as 'name'//c_null_char. Fortran
!   picks a generic's specific by type, kind and rank, so a generic name takes 1-D arrays
!   only: pass 2-D data x(D, rows) to the specific name (lk_mse_f64), or, for an input,
!   reshape(x, [size(x)]).
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

  ! Total energy, one value per structure (S values).
  integer(c_int32_t), parameter :: LK_PROPERTY_ENERGY = 0_c_int32_t

  ! Per-atom energy: the S structure energies, prediction and target each divided by the
  ! structure's atom count before the metric (every structure needs at least one atom).
  integer(c_int32_t), parameter :: LK_PROPERTY_PER_ATOM_ENERGY = 1_c_int32_t

  ! Forces: N x 3 values (row-major, x y z per atom); the metric averages all 3N components.
  integer(c_int32_t), parameter :: LK_PROPERTY_FORCES = 2_c_int32_t

  ! Stress: S x 3 x 3 values (row-major).
  integer(c_int32_t), parameter :: LK_PROPERTY_STRESS = 3_c_int32_t

  ! Virial: S x 3 x 3 values (row-major).
  integer(c_int32_t), parameter :: LK_PROPERTY_VIRIAL = 4_c_int32_t

  ! Local (per-atom) energies: N values.
  integer(c_int32_t), parameter :: LK_PROPERTY_LOCAL_ENERGIES = 5_c_int32_t

  ! mean of d^2, d = pred - target.
  integer(c_int32_t), parameter :: LK_METRIC_MSE = 0_c_int32_t

  ! sqrt(mean of d^2); gradient 0 where the value is 0.
  integer(c_int32_t), parameter :: LK_METRIC_RMSE = 1_c_int32_t

  ! mean of |d|.
  integer(c_int32_t), parameter :: LK_METRIC_MAE = 2_c_int32_t

  ! mean of Huber_delta(d): d^2/2 if |d| < delta else delta (|d| - delta/2); delta > 0.
  integer(c_int32_t), parameter :: LK_METRIC_HUBER = 3_c_int32_t

  ! mean of Huber_delta(d) / delta (graph-pes ScaleFreeHuber); delta > 0.
  integer(c_int32_t), parameter :: LK_METRIC_SCALE_FREE_HUBER = 4_c_int32_t

  ! Per-element losses; `out` receives n values (or one per row with `row_len`).
  integer(c_int32_t), parameter :: LK_REDUCTION_NONE = 0_c_int32_t

  ! L = sum of w*loss over kept elements; `out` receives 1 value.
  integer(c_int32_t), parameter :: LK_REDUCTION_SUM = 1_c_int32_t

  ! L = sum(w*loss) / sum(w) over kept elements (the default); `out` receives 1 value.
  integer(c_int32_t), parameter :: LK_REDUCTION_MEAN = 2_c_int32_t

  ! Like SUM, and `options.partial` (required) receives {sum(w*loss), sum(w)} in double (with
  ! their remainders, see `lk_partial`), to be merged across threads/ranks with
  ! `lk_partial_merge` and finished with `lk_partial_mean`; pass the global 1/sum(w)
  ! (1 / merged.weight) as `grad_scale` to get the gradient of the global mean.
  integer(c_int32_t), parameter :: LK_REDUCTION_PARTIAL = 3_c_int32_t

  ! A mean over nothing is 0, with gradient 0 (the default).
  integer(c_int32_t), parameter :: LK_EMPTY_ZERO = 0_c_int32_t

  ! A mean over nothing is NaN (PyTorch), with gradient 0.
  integer(c_int32_t), parameter :: LK_EMPTY_NAN = 1_c_int32_t

  ! A mean over nothing fails with `LK_ERR_EMPTY_MEAN`.
  integer(c_int32_t), parameter :: LK_EMPTY_ERROR = 2_c_int32_t

  ! astroNN's default magic number.
  real(c_double), parameter :: LK_ASTRONN_MAGIC = -9999.0_c_double

  ! astroNN's number of Monte-Carlo draws (the `draws` argument of lk_robust_*_crossentropy).
  integer(c_int32_t), parameter :: LK_ASTRONN_DRAWS = 25_c_int32_t

  ! The penalties average ReLU(...)^2 over the finite-difference nodes with equal weights
  ! (DRDMannTurb's code; the default).
  integer(c_int32_t), parameter :: LK_SPECTRA_NORM_MEAN = 0_c_int32_t

  ! The penalties average ReLU(...)^2 by the trapezoid rule in ln k1 over the nodes, divided
  ! by the length of the interval the nodes span (DRDMannTurb's documented norm).
  integer(c_int32_t), parameter :: LK_SPECTRA_NORM_TRAPEZOID = 1_c_int32_t

  ! Major version of losskit (semantic versioning).
  integer(c_int32_t), parameter :: LK_VERSION_MAJOR = 0_c_int32_t

  ! Minor version of losskit.
  integer(c_int32_t), parameter :: LK_VERSION_MINOR = 1_c_int32_t

  ! Patch version of losskit.
  integer(c_int32_t), parameter :: LK_VERSION_PATCH = 0_c_int32_t

  ! The most terms an lk_total holds.
  integer(c_int32_t), parameter :: LK_TOTAL_CAPACITY = 16_c_int32_t

  ! The size of a term's name buffer, including the terminating NUL: names have at most
  ! LK_TOTAL_NAME_CAPACITY - 1 bytes.
  integer(c_int32_t), parameter :: LK_TOTAL_NAME_CAPACITY = 32_c_int32_t

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

  ! No usable CUDA device: the driver library (libcuda) is missing or finds no GPU
  ! (`lk_cuda_*` functions only).
  integer(c_int32_t), parameter :: LK_ERR_NO_DEVICE = 13_c_int32_t

  ! A CUDA driver call failed (`lk_cuda_*` functions only); the message names the call and
  ! its CUresult.
  integer(c_int32_t), parameter :: LK_ERR_CUDA = 14_c_int32_t

  ! ---- Structures (bind(C) derived types) ----

  ! Which property loss to compute. Fill every field (there is no default: graph-pes'
  ! Huber delta is 0.5, PyTorch's is 1.0, so delta is always explicit).
  type, bind(C) :: lk_property_loss
    ! `LK_PROPERTY_*`.
    integer(c_int32_t) :: property
    ! `LK_METRIC_*`.
    integer(c_int32_t) :: metric
    ! The Huber threshold (> 0) for LK_METRIC_HUBER and LK_METRIC_SCALE_FREE_HUBER; ignored
    ! otherwise.
    real(c_double) :: delta
    ! Nonzero: per-species mean (forces and local energies only, LK_REDUCTION_MEAN only,
    ! `batch.species` required): the mean over each species' values, then the plain mean
    ! over the species present (those with nonzero total weight); RMSE takes the square
    ! root of that.
    integer(c_int8_t) :: per_species
  end type lk_property_loss

  ! A ragged batch of S structures with N atoms in all.
  type, bind(C) :: lk_batch
    ! S + 1 offsets (int64_t): the atoms of structure k are `ptr[k] .. ptr[k+1]-1`;
    ! `ptr[0] = 0`, non-decreasing, `ptr[S] = N`.
    type(c_ptr) :: ptr
    ! S, the number of structures.
    integer(c_size_t) :: n_structures
    ! N, the number of atoms.
    integer(c_size_t) :: n_atoms
    ! NULL, or N species ids in 0 .. 127 (e.g. atomic numbers), for the per-species mean.
    type(c_ptr) :: species
  end type lk_batch

  ! A mergeable partial result: the weighted sum of losses and the sum of weights, each as
  ! a rounded double and its remainder (four doubles, in this order).
  !
  ! `sum` and `weight` hold the rounded values; `sum + sum_lo` and `weight + weight_lo` are
  ! the sums before rounding (the remainders are at most half a unit in the last place of
  ! `sum` and `weight`). Zero-initialise it (`lk_partial p = {0};`); `{sum, weight}` with the
  ! remainders 0 is a valid partial. Merge partials with `lk_partial_merge`, which keeps
  ! the remainders (adding only `sum` and `weight`, as a plain `MPI_SUM` does, can lose a few
  ! units in the last place in double precision), and finish with `lk_partial_mean`.
  !
  ! MPI: merge over ranks with a user operation on a contiguous type of 4 doubles:
  !
  ! ```c
  ! static void merge_op(void *in, void *inout, int *len, MPI_Datatype *type) {
  ! for (int i = 0; i < *len; i++)
  ! lk_partial_merge((lk_partial *)inout + i, (const lk_partial *)in + i);
  ! }
  ! MPI_Datatype t; MPI_Op op;
  ! MPI_Type_contiguous(4, MPI_DOUBLE, &t); MPI_Type_commit(&t);
  ! MPI_Op_create(merge_op, 1, &op); /* 1: commutative */
  ! MPI_Allreduce(MPI_IN_PLACE, &mine, 1, t, op, comm);
  ! ```
  type, bind(C) :: lk_partial
    ! Sum of w*loss over kept elements (of row means with `row_len`), rounded to double.
    real(c_double) :: sum
    ! Sum of w over kept elements (number of rows counted with `row_len`), rounded.
    real(c_double) :: weight
    ! What rounding left out of `sum`: the sum is `sum + sum_lo`.
    real(c_double) :: sum_lo
    ! What rounding left out of `weight`: the sum of weights is `weight + weight_lo`.
    real(c_double) :: weight_lo
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
    ! NULL, or where to write the partial {sum, weight, sum_lo, weight_lo} on success
    ! (required with PARTIAL).
    type(c_ptr) :: partial
  end type lk_options

  ! The sums behind the true epoch RMSE / MAE, in double: sum w d^2, sum w |d|, sum w.
  ! Start from all zeros; accumulators of threads or MPI ranks merge by adding the three
  ! fields (MPI_SUM over 3 doubles, or lk_epoch_metric_merge).
  type, bind(C) :: lk_epoch_metric
    ! sum of w (pred - target)^2.
    real(c_double) :: sum_sq
    ! sum of w |pred - target|.
    real(c_double) :: sum_abs
    ! sum of w (the number of values when unweighted).
    real(c_double) :: weight
  end type lk_epoch_metric

  ! How a gradient is written by the spectra and penalty functions: the buffer receives
  ! `scale * dL/dx` (overwrite) or has it added (accumulate). A NULL
  ! `const lk_grad_options *` means `lk_grad_options_default()`.
  type, bind(C) :: lk_grad_options
    ! The factor applied to every gradient entry (finite; default 1).
    real(c_double) :: scale
    ! 0: overwrite the gradient buffers (default); nonzero: add to them.
    integer(c_int8_t) :: accumulate
  end type lk_grad_options

  ! Rockpool's ParameterBoundaryRegularizer: a pair of bounds kept once.
  ! -INFINITY / +INFINITY mean no bound (see lk_boundary_regularizer_default()); the f32
  ! functions round the bounds to float. lower must be <= upper and neither NaN.
  type, bind(C) :: lk_boundary_regularizer
    ! The lower bound (-INFINITY: none).
    real(c_double) :: lower
    ! The upper bound (+INFINITY: none).
    real(c_double) :: upper
  end type lk_boundary_regularizer

  ! One parameter group of lk_bounds_cost_f32 (float data).
  type, bind(C) :: lk_bounds_group_f32
    ! The parameters, `len` values (may be NULL only if len = 0).
    type(c_ptr) :: params
    ! Number of parameters.
    integer(c_size_t) :: len
    ! NULL: every element has the bound `lower_scalar`; else `len` per-element bounds.
    type(c_ptr) :: lower
    ! NULL: every element has the bound `upper_scalar`; else `len` per-element bounds.
    type(c_ptr) :: upper
    ! The common lower bound when `lower` is NULL (-INFINITY: none).
    real(c_float) :: lower_scalar
    ! The common upper bound when `upper` is NULL (+INFINITY: none).
    real(c_float) :: upper_scalar
    ! NULL, or `len` values receiving scale * d cost / d params.
    type(c_ptr) :: grad
  end type lk_bounds_group_f32

  ! One parameter group of lk_bounds_cost_f64 (double data); fields as lk_bounds_group_f32.
  type, bind(C) :: lk_bounds_group_f64
    ! The parameters, `len` values (may be NULL only if len = 0).
    type(c_ptr) :: params
    ! Number of parameters.
    integer(c_size_t) :: len
    ! NULL: every element has the bound `lower_scalar`; else `len` per-element bounds.
    type(c_ptr) :: lower
    ! NULL: every element has the bound `upper_scalar`; else `len` per-element bounds.
    type(c_ptr) :: upper
    ! The common lower bound when `lower` is NULL (-INFINITY: none).
    real(c_double) :: lower_scalar
    ! The common upper bound when `upper` is NULL (+INFINITY: none).
    real(c_double) :: upper_scalar
    ! NULL, or `len` values receiving scale * d cost / d params.
    type(c_ptr) :: grad
  end type lk_bounds_group_f64

  ! The coefficients of the spectra loss (DRDMannTurb's LossParameters). A term is on when
  ! its coefficient is > 0. `lk_spectra_params_default()` (all 0: the pure log-MSE, node
  ! mean); a NULL `const lk_spectra_params *` means the defaults.
  type, bind(C) :: lk_spectra_params
    ! alpha_1: slope penalty coefficient.
    real(c_double) :: alpha_pen1
    ! alpha_2: curvature penalty coefficient.
    real(c_double) :: alpha_pen2
    ! beta: weight regulariser coefficient.
    real(c_double) :: beta_reg
    ! gamma: coherence MSE coefficient.
    real(c_double) :: gamma_coherence
    ! LK_SPECTRA_NORM_MEAN or LK_SPECTRA_NORM_TRAPEZOID.
    integer(c_int32_t) :: norm
  end type lk_spectra_params

  ! A wavenumber grid prepared by `lk_spectra_grid_init_f32/_f64`. It points into the
  ! caller's workspace, which must stay alive and unchanged while the grid is used.
  ! Treat the fields as read-only.
  type, bind(C) :: lk_spectra_grid
    ! The workspace filled by lk_spectra_grid_init_* (4 len - 6 doubles).
    type(c_ptr) :: work
    ! L, the number of grid points.
    integer(c_size_t) :: len
    ! The reference height zref (> 0).
    real(c_double) :: zref
  end type lk_spectra_grid

  ! The per-term breakdown of `lk_spectra_eval_*`, in double for both precisions. Each term
  ! includes its coefficient; a term that is off is 0.
  type, bind(C) :: lk_spectra_terms
    ! mse + coherence + pen1 + pen2 + reg.
    real(c_double) :: total
    ! (1/(C L)) sum ln^2 |model/data|.
    real(c_double) :: mse
    ! gamma * mean over the three coherence blocks of (model - data)^2.
    real(c_double) :: coherence
    ! alpha_1 * mean ReLU(slope)^2 / zref.
    real(c_double) :: pen1
    ! alpha_2 * mean ReLU(curvature)^2 / zref^2.
    real(c_double) :: pen2
    ! beta * mean theta^2.
    real(c_double) :: reg
  end type lk_spectra_terms

  ! One term of an lk_total.
  type, bind(C) :: lk_total_term
    ! The name, NUL-terminated (copied from the caller's string).
    character(kind=c_char) :: name(LK_TOTAL_NAME_CAPACITY)
    ! The term's weight lambda.
    real(c_double) :: weight
    ! Its raw (unweighted) value L.
    real(c_double) :: raw
    ! lambda * L.
    real(c_double) :: weighted
  end type lk_total_term

  ! A weighted total: total = sum over terms of weight * raw, in double whatever the data
  ! type (an f64 term keeps its precision; the sum is compensated, in the order of the
  ! terms). Caller-allocated (on the stack is fine: about 900 bytes); start it with
  ! lk_total_init (or zero it); add terms with lk_total_add or lk_total_property_loss_f32/_f64.
  ! Names are unique: a repeated name is refused with LK_ERR_DUPLICATE_NAME (graph-pes
  ! silently overwrites it in its breakdown).
  type, bind(C) :: lk_total
    ! The number of terms in use (`terms[0 .. count-1]`).
    integer(c_size_t) :: count
    ! The weighted total.
    real(c_double) :: total
    ! The terms, in the order they were added.
    type(lk_total_term) :: terms(LK_TOTAL_CAPACITY)
  end type lk_total

  ! ---- Functions ----

  interface

    ! Interatomic-potential property loss (graph-pes PropertyLoss / PerAtomEnergyLoss) and
    ! its gradient with respect to the predictions.
    !
    ! Every property loss (lk_property_loss_f32 / _f64) takes:
    ! `loss`: which property and metric (see lk_property_loss);
    ! `pred`, `target`: n values each, n = S (energy, per-atom energy), 3N (forces),
    ! 9S (stress, virial) or N (local energies), else LK_ERR_LENGTH_MISMATCH;
    ! `batch`: the offsets (and species ids for the per-species mean);
    ! `structure_weight`: NULL, or S weights (finite, >= 0), repeated over each structure's
    ! values (its atoms' components for forces and local energies);
    ! `opts`: NULL for the defaults; the reduction, mask (n bytes), magic number, empty
    ! policy, grad_scale and grad_accumulate apply as for every loss; row_len must be 0;
    ! `out`: 1 value (n with LK_REDUCTION_NONE);
    ! `grad`: NULL, or n values receiving grad_scale * dL/dpred.
    ! The mean is sum(u_k l_i) / sum(u_k) over kept values, u_k the weight of value i's
    ! structure. A structure with zero atoms is valid, except for the per-atom energy
    ! (LK_ERR_INDEX_OUT_OF_RANGE naming the structure).
    !
    ! `f32` data.
    ! Fortran: structure_weight, grad = c_null_ptr or c_loc(array).
    function lk_property_loss_f32(loss, pred, target, n, batch, structure_weight, opts, &
        out, grad) &
        bind(C, name="lk_property_loss_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_batch, lk_options, &
          lk_property_loss
      type(lk_property_loss), intent(in) :: loss  ! const lk_property_loss *
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_batch), intent(in) :: batch  ! const lk_batch *
      type(c_ptr), value :: structure_weight  ! const float *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_property_loss_f32

    ! Interatomic-potential property loss and its gradient; `f64` data; arguments as for
    ! lk_property_loss_f32.
    ! Fortran: structure_weight, grad = c_null_ptr or c_loc(array).
    function lk_property_loss_f64(loss, pred, target, n, batch, structure_weight, opts, &
        out, grad) &
        bind(C, name="lk_property_loss_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_batch, lk_options, &
          lk_property_loss
      type(lk_property_loss), intent(in) :: loss  ! const lk_property_loss *
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_batch), intent(in) :: batch  ! const lk_batch *
      type(c_ptr), value :: structure_weight  ! const double *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_property_loss_f64

    ! The number of values of `property` in `batch` (S, S, 3N, 9S, 9S or N) into `*out`.
    function lk_property_len(property, batch, out) &
        bind(C, name="lk_property_len") result(res)
      import :: c_int32_t, c_size_t, lk_batch
      integer(c_int32_t), value :: property  ! int32_t
      type(lk_batch), intent(in) :: batch  ! const lk_batch *
      integer(c_size_t), intent(inout) :: out(*)  ! size_t *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_property_len

    ! Adds one batch of a property to an epoch accumulator (the true epoch RMSE / MAE, as
    ! torchmetrics computes graph-pes' evaluation RMSE): sum_sq += sum w d^2,
    ! sum_abs += sum w |d|, weight += sum w, with d = pred - target (per-atom energies divided
    ! by the atom counts) and w the structure weights (1 when `structure_weight` is NULL).
    ! Arguments as for lk_property_loss_f32 (`batch.species` is not used). `f32` data.
    ! Fortran: structure_weight = c_null_ptr or c_loc(array).
    function lk_epoch_metric_update_f32(metric, property, pred, target, n, batch, &
        structure_weight) &
        bind(C, name="lk_epoch_metric_update_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_batch, lk_epoch_metric
      type(lk_epoch_metric), intent(inout) :: metric  ! lk_epoch_metric *
      integer(c_int32_t), value :: property  ! int32_t
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_batch), intent(in) :: batch  ! const lk_batch *
      type(c_ptr), value :: structure_weight  ! const float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_epoch_metric_update_f32

    ! As lk_epoch_metric_update_f32, for `f64` data.
    ! Fortran: structure_weight = c_null_ptr or c_loc(array).
    function lk_epoch_metric_update_f64(metric, property, pred, target, n, batch, &
        structure_weight) &
        bind(C, name="lk_epoch_metric_update_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_batch, lk_epoch_metric
      type(lk_epoch_metric), intent(inout) :: metric  ! lk_epoch_metric *
      integer(c_int32_t), value :: property  ! int32_t
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_batch), intent(in) :: batch  ! const lk_batch *
      type(c_ptr), value :: structure_weight  ! const double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_epoch_metric_update_f64

    ! Adds `from`'s three sums into `into` (merging threads or ranks).
    function lk_epoch_metric_merge(into, from) &
        bind(C, name="lk_epoch_metric_merge") result(res)
      import :: c_int32_t, lk_epoch_metric
      type(lk_epoch_metric), intent(inout) :: into  ! lk_epoch_metric *
      type(lk_epoch_metric), intent(in) :: from  ! const lk_epoch_metric *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_epoch_metric_merge

    ! The epoch value of an accumulator into `*out`: LK_METRIC_MSE gives sum_sq / weight,
    ! LK_METRIC_RMSE its square root, LK_METRIC_MAE sum_abs / weight; with weight 0 the
    ! `empty` policy (LK_EMPTY_*) applies. Other metrics give LK_ERR_BAD_ENUM.
    function lk_epoch_metric_value(metric, kind, empty, out) &
        bind(C, name="lk_epoch_metric_value") result(res)
      import :: c_double, c_int32_t, lk_epoch_metric
      type(lk_epoch_metric), intent(in) :: metric  ! const lk_epoch_metric *
      integer(c_int32_t), value :: kind  ! int32_t
      integer(c_int32_t), value :: empty  ! int32_t
      real(c_double), intent(inout) :: out(*)  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_epoch_metric_value

    ! The batch size graph-pes logs a property's loss with into `*out`: N (atoms) for forces
    ! and local energies, S (structures) otherwise.
    function lk_property_batch_size(property, batch, out) &
        bind(C, name="lk_property_batch_size") result(res)
      import :: c_int32_t, c_size_t, lk_batch
      integer(c_int32_t), value :: property  ! int32_t
      type(lk_batch), intent(in) :: batch  ! const lk_batch *
      integer(c_size_t), intent(inout) :: out(*)  ! size_t *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_property_batch_size

    ! Adds one batch's value to a batch-size-weighted mean (Lightning's epoch aggregation of
    ! graph-pes' logged values, e.g. "rmse_batchwise"): acc->sum += batch_size * value,
    ! acc->weight += batch_size (nothing for batch_size 0), added as by lk_partial_merge
    ! (keeping the remainders). Start from a zeroed lk_partial; finish with lk_batchwise_mean
    ! (accumulators of several ranks merge with lk_partial_merge).
    function lk_batchwise_push(acc, value, batch_size) &
        bind(C, name="lk_batchwise_push") result(res)
      import :: c_double, c_int32_t, c_size_t, lk_partial
      type(lk_partial), intent(inout) :: acc  ! lk_partial *
      real(c_double), value :: value  ! double
      integer(c_size_t), value :: batch_size  ! size_t
      integer(c_int32_t) :: res  ! lk_status
    end function lk_batchwise_push

    ! (acc->sum + acc->sum_lo) / (acc->weight + acc->weight_lo) into `*out` (as
    ! lk_partial_mean), or the `empty` policy (LK_EMPTY_*) when the weight is 0.
    function lk_batchwise_mean(acc, empty, out) &
        bind(C, name="lk_batchwise_mean") result(res)
      import :: c_double, c_int32_t, lk_partial
      type(lk_partial), intent(in) :: acc  ! const lk_partial *
      integer(c_int32_t), value :: empty  ! int32_t
      real(c_double), intent(inout) :: out(*)  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_batchwise_mean

    ! Binary cross-entropy on probabilities (PyTorch binary_cross_entropy), pred in [0, 1]:
    ! loss_i = -(t log p + (1 - t) log(1 - p)) with each log clamped at -100;
    ! d/dpred = (p - t) / max(p (1 - p), 1e-12). Arguments as for every elementwise loss.
    ! PyTorch's `weight` with reduction "mean" divides by n, not by the sum of weights: use
    ! LK_REDUCTION_SUM with grad_scale = 1/n and divide `out` by n to match it.
    !
    ! `f32` data.
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_bce_f32(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_bce_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_bce_f32

    ! Binary cross-entropy on probabilities (PyTorch binary_cross_entropy), pred in [0, 1]:
    ! loss_i = -(t log p + (1 - t) log(1 - p)) with each log clamped at -100;
    ! d/dpred = (p - t) / max(p (1 - p), 1e-12). Arguments as for every elementwise loss.
    ! PyTorch's `weight` with reduction "mean" divides by n, not by the sum of weights: use
    ! LK_REDUCTION_SUM with grad_scale = 1/n and divide `out` by n to match it.
    !
    ! `f64` data.
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_bce_f64(pred, target, weight, n, opts, out, grad) &
        bind(C, name="lk_bce_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_bce_f64

    ! Binary cross-entropy with logits (PyTorch binary_cross_entropy_with_logits):
    ! loss_i = pw_j t softplus(-z) + (1 - t) softplus(z), softplus(x) = log(1 + e^x);
    ! d/dlogit = (1 - t) sigmoid(z) - pw_j t sigmoid(-z). `pos_weight`: NULL (pw = 1), or `cols`
    ! values (finite, >= 0) indexed by column j = i mod cols of data laid out as rows of `cols`
    ! (n must be a multiple of cols). Other arguments as for every elementwise loss.
    !
    ! `f32` data.
    ! Fortran: weight, pos_weight, grad = c_null_ptr or c_loc(array).
    function lk_bce_with_logits_f32(logits, target, weight, pos_weight, cols, n, opts, &
        out, grad) &
        bind(C, name="lk_bce_with_logits_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: logits(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      type(c_ptr), value :: pos_weight  ! const float *
      integer(c_size_t), value :: cols  ! size_t
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_bce_with_logits_f32

    ! Binary cross-entropy with logits (PyTorch binary_cross_entropy_with_logits):
    ! loss_i = pw_j t softplus(-z) + (1 - t) softplus(z), softplus(x) = log(1 + e^x);
    ! d/dlogit = (1 - t) sigmoid(z) - pw_j t sigmoid(-z). `pos_weight`: NULL (pw = 1), or `cols`
    ! values (finite, >= 0) indexed by column j = i mod cols of data laid out as rows of `cols`
    ! (n must be a multiple of cols). Other arguments as for every elementwise loss.
    !
    ! `f64` data.
    ! Fortran: weight, pos_weight, grad = c_null_ptr or c_loc(array).
    function lk_bce_with_logits_f64(logits, target, weight, pos_weight, cols, n, opts, &
        out, grad) &
        bind(C, name="lk_bce_with_logits_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: logits(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      type(c_ptr), value :: pos_weight  ! const double *
      integer(c_size_t), value :: cols  ! size_t
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_bce_with_logits_f64

    ! Binary focal loss on logits, gamma >= 0 (torchvision sigmoid_focal_loss without alpha):
    ! loss_i = q^gamma b, b = the BCE with logits, q = 1 - p_t = t sigmoid(-z) + (1 - t) sigmoid(z);
    ! gamma = 0 is the BCE with logits. Soft targets allowed. Arguments as for every elementwise
    ! loss, with `pred` = logits.
    !
    ! `f32` data.
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_binary_focal_f32(pred, target, weight, n, gamma, opts, out, grad) &
        bind(C, name="lk_binary_focal_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      real(c_float), value :: gamma  ! float
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_binary_focal_f32

    ! Binary focal loss on logits, gamma >= 0 (torchvision sigmoid_focal_loss without alpha):
    ! loss_i = q^gamma b, b = the BCE with logits, q = 1 - p_t = t sigmoid(-z) + (1 - t) sigmoid(z);
    ! gamma = 0 is the BCE with logits. Soft targets allowed. Arguments as for every elementwise
    ! loss, with `pred` = logits.
    !
    ! `f64` data.
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_binary_focal_f64(pred, target, weight, n, gamma, opts, out, grad) &
        bind(C, name="lk_binary_focal_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      real(c_double), value :: gamma  ! double
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_binary_focal_f64

    ! astroNN binary_crossentropy: with `from_logits` != 0, the BCE with logits; otherwise pred is
    ! clipped to [1e-7, 1 - 1e-7] and turned into the logit log(p / (1 - p)) first (gradient 0 where
    ! clipped). For astroNN's reduction set opts->use_magic = 1 (magic -9999, NaN also masked) and
    ! opts->row_len = labels per sample; astroNN's nll is this with LK_REDUCTION_SUM.
    !
    ! `f32` data.
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_astronn_bce_f32(pred, target, weight, n, from_logits, opts, out, grad) &
        bind(C, name="lk_astronn_bce_f32") result(res)
      import :: c_float, c_int32_t, c_int8_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      integer(c_int8_t), value :: from_logits  ! uint8_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_astronn_bce_f32

    ! astroNN binary_crossentropy: with `from_logits` != 0, the BCE with logits; otherwise pred is
    ! clipped to [1e-7, 1 - 1e-7] and turned into the logit log(p / (1 - p)) first (gradient 0 where
    ! clipped). For astroNN's reduction set opts->use_magic = 1 (magic -9999, NaN also masked) and
    ! opts->row_len = labels per sample; astroNN's nll is this with LK_REDUCTION_SUM.
    !
    ! `f64` data.
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_astronn_bce_f64(pred, target, weight, n, from_logits, opts, out, grad) &
        bind(C, name="lk_astronn_bce_f64") result(res)
      import :: c_double, c_int32_t, c_int8_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      integer(c_int8_t), value :: from_logits  ! uint8_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_astronn_bce_f64

    ! Binary accuracy (astroNN): loss_i = 1 if target_i == round(p_i) else 0, round half to even,
    ! p = pred, or sigmoid(pred) with `from_logits` != 0; NaN pred gives NaN. No gradient. Use
    ! opts->use_magic and opts->row_len for astroNN's per-sample mean over valid labels.
    !
    ! `f32` data.
    ! Fortran: weight = c_null_ptr or c_loc(array).
    function lk_binary_accuracy_f32(pred, target, weight, n, from_logits, opts, out) &
        bind(C, name="lk_binary_accuracy_f32") result(res)
      import :: c_float, c_int32_t, c_int8_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      integer(c_int8_t), value :: from_logits  ! uint8_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_binary_accuracy_f32

    ! Binary accuracy (astroNN): loss_i = 1 if target_i == round(p_i) else 0, round half to even,
    ! p = pred, or sigmoid(pred) with `from_logits` != 0; NaN pred gives NaN. No gradient. Use
    ! opts->use_magic and opts->row_len for astroNN's per-sample mean over valid labels.
    !
    ! `f64` data.
    ! Fortran: weight = c_null_ptr or c_loc(array).
    function lk_binary_accuracy_f64(pred, target, weight, n, from_logits, opts, out) &
        bind(C, name="lk_binary_accuracy_f64") result(res)
      import :: c_double, c_int32_t, c_int8_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      integer(c_int8_t), value :: from_logits  ! uint8_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_binary_accuracy_f64

    ! Softmax cross-entropy with class-index targets (PyTorch cross_entropy with weight,
    ! ignore_index, label_smoothing), plus an optional z-loss:
    ! loss_r = (1 - eps) w_y (-log p_y) + (eps / C) sum_k w_k (-log p_k) + z_loss w_y lse^2,
    ! p = softmax(logits_r), lse = log sum_k exp(logits_rk); mean = sum loss / sum w_y over rows
    ! not ignored (PyTorch's weighted mean); d/dlogit_k = p_k A - (1 - eps) w_y [k == y] - (eps/C)
    ! w_k,
    ! A = (1 - eps) w_y + (eps/C) sum w + 2 z_loss w_y lse.
    ! `logits`: rows x classes; `target`: rows class indices in [0, classes), or `ignore_index`
    ! (PyTorch's default -100) to leave a row out; `class_weight`: NULL or `classes` weights
    ! (finite, >= 0); `sample_weight`: NULL or `rows` weights; `opts`: NULL for the defaults (mask
    ! per row); `out`: 1 value, or `rows` values with LK_REDUCTION_NONE; `grad`: NULL or rows x
    ! classes values receiving grad_scale * dL/dlogits. A class index out of range fails with
    ! LK_ERR_INDEX_OUT_OF_RANGE (the message names the row).
    !
    ! `f32` data.
    ! Fortran: class_weight, sample_weight, grad = c_null_ptr or c_loc(array).
    function lk_cross_entropy_f32(logits, target, rows, classes, class_weight, &
        ignore_index, label_smoothing, z_loss, sample_weight, opts, out, grad) &
        bind(C, name="lk_cross_entropy_f32") result(res)
      import :: c_float, c_int32_t, c_int64_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: logits(*)  ! const float *
      integer(c_int64_t), intent(in) :: target(*)  ! const int64_t *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      type(c_ptr), value :: class_weight  ! const float *
      integer(c_int64_t), value :: ignore_index  ! int64_t
      real(c_float), value :: label_smoothing  ! float
      real(c_float), value :: z_loss  ! float
      type(c_ptr), value :: sample_weight  ! const float *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cross_entropy_f32

    ! Softmax cross-entropy with class-index targets (PyTorch cross_entropy with weight,
    ! ignore_index, label_smoothing), plus an optional z-loss:
    ! loss_r = (1 - eps) w_y (-log p_y) + (eps / C) sum_k w_k (-log p_k) + z_loss w_y lse^2,
    ! p = softmax(logits_r), lse = log sum_k exp(logits_rk); mean = sum loss / sum w_y over rows
    ! not ignored (PyTorch's weighted mean); d/dlogit_k = p_k A - (1 - eps) w_y [k == y] - (eps/C)
    ! w_k,
    ! A = (1 - eps) w_y + (eps/C) sum w + 2 z_loss w_y lse.
    ! `logits`: rows x classes; `target`: rows class indices in [0, classes), or `ignore_index`
    ! (PyTorch's default -100) to leave a row out; `class_weight`: NULL or `classes` weights
    ! (finite, >= 0); `sample_weight`: NULL or `rows` weights; `opts`: NULL for the defaults (mask
    ! per row); `out`: 1 value, or `rows` values with LK_REDUCTION_NONE; `grad`: NULL or rows x
    ! classes values receiving grad_scale * dL/dlogits. A class index out of range fails with
    ! LK_ERR_INDEX_OUT_OF_RANGE (the message names the row).
    !
    ! `f64` data.
    ! Fortran: class_weight, sample_weight, grad = c_null_ptr or c_loc(array).
    function lk_cross_entropy_f64(logits, target, rows, classes, class_weight, &
        ignore_index, label_smoothing, z_loss, sample_weight, opts, out, grad) &
        bind(C, name="lk_cross_entropy_f64") result(res)
      import :: c_double, c_int32_t, c_int64_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: logits(*)  ! const double *
      integer(c_int64_t), intent(in) :: target(*)  ! const int64_t *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      type(c_ptr), value :: class_weight  ! const double *
      integer(c_int64_t), value :: ignore_index  ! int64_t
      real(c_double), value :: label_smoothing  ! double
      real(c_double), value :: z_loss  ! double
      type(c_ptr), value :: sample_weight  ! const double *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cross_entropy_f64

    ! lk_cross_entropy that overwrites `logits` with grad_scale * dL/dlogits (rows left out get 0),
    ! row by row, so no second rows x classes buffer is needed. Arguments as for lk_cross_entropy
    ! without `grad`; `logits` may not overlap any other buffer; opts->grad_accumulate must be 0.
    ! On failure `logits` is untouched.
    !
    ! `f32` data.
    ! Fortran: class_weight, sample_weight = c_null_ptr or c_loc(array).
    function lk_cross_entropy_in_place_f32(logits, target, rows, classes, class_weight, &
        ignore_index, label_smoothing, z_loss, sample_weight, opts, out) &
        bind(C, name="lk_cross_entropy_in_place_f32") result(res)
      import :: c_float, c_int32_t, c_int64_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(inout) :: logits(*)  ! float *
      integer(c_int64_t), intent(in) :: target(*)  ! const int64_t *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      type(c_ptr), value :: class_weight  ! const float *
      integer(c_int64_t), value :: ignore_index  ! int64_t
      real(c_float), value :: label_smoothing  ! float
      real(c_float), value :: z_loss  ! float
      type(c_ptr), value :: sample_weight  ! const float *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cross_entropy_in_place_f32

    ! lk_cross_entropy that overwrites `logits` with grad_scale * dL/dlogits (rows left out get 0),
    ! row by row, so no second rows x classes buffer is needed. Arguments as for lk_cross_entropy
    ! without `grad`; `logits` may not overlap any other buffer; opts->grad_accumulate must be 0.
    ! On failure `logits` is untouched.
    !
    ! `f64` data.
    ! Fortran: class_weight, sample_weight = c_null_ptr or c_loc(array).
    function lk_cross_entropy_in_place_f64(logits, target, rows, classes, class_weight, &
        ignore_index, label_smoothing, z_loss, sample_weight, opts, out) &
        bind(C, name="lk_cross_entropy_in_place_f64") result(res)
      import :: c_double, c_int32_t, c_int64_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(inout) :: logits(*)  ! double *
      integer(c_int64_t), intent(in) :: target(*)  ! const int64_t *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      type(c_ptr), value :: class_weight  ! const double *
      integer(c_int64_t), value :: ignore_index  ! int64_t
      real(c_double), value :: label_smoothing  ! double
      real(c_double), value :: z_loss  ! double
      type(c_ptr), value :: sample_weight  ! const double *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cross_entropy_in_place_f64

    ! Softmax cross-entropy with probability targets (PyTorch cross_entropy with a float target):
    ! loss_r = -sum_k w_k t'_k log p_k, t' = (1 - eps) t + eps / C; the mean divides by the number
    ! of
    ! rows; d/dlogit_k = (sum_j w_j t'_j) p_k - w_k t'_k. `target`: rows x classes. Other arguments
    ! as for lk_cross_entropy.
    !
    ! `f32` data.
    ! Fortran: class_weight, sample_weight, grad = c_null_ptr or c_loc(array).
    function lk_cross_entropy_probs_f32(logits, target, rows, classes, class_weight, &
        label_smoothing, sample_weight, opts, out, grad) &
        bind(C, name="lk_cross_entropy_probs_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: logits(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      type(c_ptr), value :: class_weight  ! const float *
      real(c_float), value :: label_smoothing  ! float
      type(c_ptr), value :: sample_weight  ! const float *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cross_entropy_probs_f32

    ! Softmax cross-entropy with probability targets (PyTorch cross_entropy with a float target):
    ! loss_r = -sum_k w_k t'_k log p_k, t' = (1 - eps) t + eps / C; the mean divides by the number
    ! of
    ! rows; d/dlogit_k = (sum_j w_j t'_j) p_k - w_k t'_k. `target`: rows x classes. Other arguments
    ! as for lk_cross_entropy.
    !
    ! `f64` data.
    ! Fortran: class_weight, sample_weight, grad = c_null_ptr or c_loc(array).
    function lk_cross_entropy_probs_f64(logits, target, rows, classes, class_weight, &
        label_smoothing, sample_weight, opts, out, grad) &
        bind(C, name="lk_cross_entropy_probs_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: logits(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      type(c_ptr), value :: class_weight  ! const double *
      real(c_double), value :: label_smoothing  ! double
      type(c_ptr), value :: sample_weight  ! const double *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cross_entropy_probs_f64

    ! Negative log-likelihood on log-probabilities (PyTorch nll_loss): loss_r = -w_y log_probs_ry;
    ! mean = sum loss / sum w_y over rows not ignored; d/dlog_probs_k = -w_y [k == y]. Arguments as
    ! for lk_cross_entropy with `log_probs` in place of `logits`.
    !
    ! `f32` data.
    ! Fortran: class_weight, sample_weight, grad = c_null_ptr or c_loc(array).
    function lk_nll_f32(log_probs, target, rows, classes, class_weight, ignore_index, &
        sample_weight, opts, out, grad) &
        bind(C, name="lk_nll_f32") result(res)
      import :: c_float, c_int32_t, c_int64_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: log_probs(*)  ! const float *
      integer(c_int64_t), intent(in) :: target(*)  ! const int64_t *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      type(c_ptr), value :: class_weight  ! const float *
      integer(c_int64_t), value :: ignore_index  ! int64_t
      type(c_ptr), value :: sample_weight  ! const float *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_nll_f32

    ! Negative log-likelihood on log-probabilities (PyTorch nll_loss): loss_r = -w_y log_probs_ry;
    ! mean = sum loss / sum w_y over rows not ignored; d/dlog_probs_k = -w_y [k == y]. Arguments as
    ! for lk_cross_entropy with `log_probs` in place of `logits`.
    !
    ! `f64` data.
    ! Fortran: class_weight, sample_weight, grad = c_null_ptr or c_loc(array).
    function lk_nll_f64(log_probs, target, rows, classes, class_weight, ignore_index, &
        sample_weight, opts, out, grad) &
        bind(C, name="lk_nll_f64") result(res)
      import :: c_double, c_int32_t, c_int64_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: log_probs(*)  ! const double *
      integer(c_int64_t), intent(in) :: target(*)  ! const int64_t *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      type(c_ptr), value :: class_weight  ! const double *
      integer(c_int64_t), value :: ignore_index  ! int64_t
      type(c_ptr), value :: sample_weight  ! const double *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_nll_f64

    ! Multiclass focal loss on logits, gamma >= 0: loss_r = w_y (1 - p_y)^gamma (-log p_y),
    ! mean = sum loss / sum w_y. With `weight_in_probability` != 0, inferno's variant
    ! (1 - p_y^w_y)^gamma w_y (-log p_y). gamma = 0 is lk_cross_entropy. Other arguments as for
    ! lk_cross_entropy.
    !
    ! `f32` data.
    ! Fortran: class_weight, sample_weight, grad = c_null_ptr or c_loc(array).
    function lk_focal_f32(logits, target, rows, classes, class_weight, ignore_index, &
        gamma, weight_in_probability, sample_weight, opts, out, grad) &
        bind(C, name="lk_focal_f32") result(res)
      import :: c_float, c_int32_t, c_int64_t, c_int8_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: logits(*)  ! const float *
      integer(c_int64_t), intent(in) :: target(*)  ! const int64_t *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      type(c_ptr), value :: class_weight  ! const float *
      integer(c_int64_t), value :: ignore_index  ! int64_t
      real(c_float), value :: gamma  ! float
      integer(c_int8_t), value :: weight_in_probability  ! uint8_t
      type(c_ptr), value :: sample_weight  ! const float *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_focal_f32

    ! Multiclass focal loss on logits, gamma >= 0: loss_r = w_y (1 - p_y)^gamma (-log p_y),
    ! mean = sum loss / sum w_y. With `weight_in_probability` != 0, inferno's variant
    ! (1 - p_y^w_y)^gamma w_y (-log p_y). gamma = 0 is lk_cross_entropy. Other arguments as for
    ! lk_cross_entropy.
    !
    ! `f64` data.
    ! Fortran: class_weight, sample_weight, grad = c_null_ptr or c_loc(array).
    function lk_focal_f64(logits, target, rows, classes, class_weight, ignore_index, &
        gamma, weight_in_probability, sample_weight, opts, out, grad) &
        bind(C, name="lk_focal_f64") result(res)
      import :: c_double, c_int32_t, c_int64_t, c_int8_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: logits(*)  ! const double *
      integer(c_int64_t), intent(in) :: target(*)  ! const int64_t *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      type(c_ptr), value :: class_weight  ! const double *
      integer(c_int64_t), value :: ignore_index  ! int64_t
      real(c_double), value :: gamma  ! double
      integer(c_int8_t), value :: weight_in_probability  ! uint8_t
      type(c_ptr), value :: sample_weight  ! const double *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_focal_f64

    ! Categorical accuracy: loss_r = 1 if argmax_k pred_rk == target_r else 0 (ties go to the first
    ! index; a row holding NaN gives NaN); rows whose target is `ignore_index` are left out. No
    ! gradient. Other arguments as for lk_cross_entropy.
    !
    ! `f32` data.
    ! Fortran: sample_weight = c_null_ptr or c_loc(array).
    function lk_categorical_accuracy_f32(pred, target, rows, classes, ignore_index, &
        sample_weight, opts, out) &
        bind(C, name="lk_categorical_accuracy_f32") result(res)
      import :: c_float, c_int32_t, c_int64_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      integer(c_int64_t), intent(in) :: target(*)  ! const int64_t *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      integer(c_int64_t), value :: ignore_index  ! int64_t
      type(c_ptr), value :: sample_weight  ! const float *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_categorical_accuracy_f32

    ! Categorical accuracy: loss_r = 1 if argmax_k pred_rk == target_r else 0 (ties go to the first
    ! index; a row holding NaN gives NaN); rows whose target is `ignore_index` are left out. No
    ! gradient. Other arguments as for lk_cross_entropy.
    !
    ! `f64` data.
    ! Fortran: sample_weight = c_null_ptr or c_loc(array).
    function lk_categorical_accuracy_f64(pred, target, rows, classes, ignore_index, &
        sample_weight, opts, out) &
        bind(C, name="lk_categorical_accuracy_f64") result(res)
      import :: c_double, c_int32_t, c_int64_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      integer(c_int64_t), intent(in) :: target(*)  ! const int64_t *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      integer(c_int64_t), value :: ignore_index  ! int64_t
      type(c_ptr), value :: sample_weight  ! const double *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_categorical_accuracy_f64

    ! astroNN categorical_crossentropy with one-hot (or probability) targets `target` (rows x
    ! classes) in which opts->magic (with opts->use_magic != 0; NaN too) marks a missing label:
    ! with t = target with missing entries set to 0 and F = classes / (valid entries of the row),
    ! loss_r = -F sum_k t_k log p_k, p = softmax(pred) with `from_logits` != 0, otherwise
    ! p = pred / sum(pred) clipped to [1e-7, 1 - 1e-7]. A row without a valid label follows
    ! opts->empty (ZERO: left out; NAN: NaN; ERROR: fails). The mean is over rows.
    !
    ! `f32` data.
    ! Fortran: sample_weight, grad = c_null_ptr or c_loc(array).
    function lk_astronn_cce_f32(pred, target, rows, classes, from_logits, sample_weight, &
        opts, out, grad) &
        bind(C, name="lk_astronn_cce_f32") result(res)
      import :: c_float, c_int32_t, c_int8_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      integer(c_int8_t), value :: from_logits  ! uint8_t
      type(c_ptr), value :: sample_weight  ! const float *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_astronn_cce_f32

    ! astroNN categorical_crossentropy with one-hot (or probability) targets `target` (rows x
    ! classes) in which opts->magic (with opts->use_magic != 0; NaN too) marks a missing label:
    ! with t = target with missing entries set to 0 and F = classes / (valid entries of the row),
    ! loss_r = -F sum_k t_k log p_k, p = softmax(pred) with `from_logits` != 0, otherwise
    ! p = pred / sum(pred) clipped to [1e-7, 1 - 1e-7]. A row without a valid label follows
    ! opts->empty (ZERO: left out; NAN: NaN; ERROR: fails). The mean is over rows.
    !
    ! `f64` data.
    ! Fortran: sample_weight, grad = c_null_ptr or c_loc(array).
    function lk_astronn_cce_f64(pred, target, rows, classes, from_logits, sample_weight, &
        opts, out, grad) &
        bind(C, name="lk_astronn_cce_f64") result(res)
      import :: c_double, c_int32_t, c_int8_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      integer(c_int8_t), value :: from_logits  ! uint8_t
      type(c_ptr), value :: sample_weight  ! const double *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_astronn_cce_f64

    ! astroNN categorical_accuracy: loss_r = 1 if argmax target_r == argmax pred_r else 0, with
    ! missing target entries (opts->magic with opts->use_magic != 0, or NaN) set to 0 first; ties go
    ! to the first index. No gradient. `target`: rows x classes.
    !
    ! `f32` data.
    ! Fortran: sample_weight = c_null_ptr or c_loc(array).
    function lk_astronn_categorical_accuracy_f32(pred, target, rows, classes, &
        sample_weight, opts, out) &
        bind(C, name="lk_astronn_categorical_accuracy_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      type(c_ptr), value :: sample_weight  ! const float *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_astronn_categorical_accuracy_f32

    ! astroNN categorical_accuracy: loss_r = 1 if argmax target_r == argmax pred_r else 0, with
    ! missing target entries (opts->magic with opts->use_magic != 0, or NaN) set to 0 first; ties go
    ! to the first index. No gradient. `target`: rows x classes.
    !
    ! `f64` data.
    ! Fortran: sample_weight = c_null_ptr or c_loc(array).
    function lk_astronn_categorical_accuracy_f64(pred, target, rows, classes, &
        sample_weight, opts, out) &
        bind(C, name="lk_astronn_categorical_accuracy_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      type(c_ptr), value :: sample_weight  ! const double *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_astronn_categorical_accuracy_f64

    ! LK_OK when the CUDA path can run here (the driver library loads and finds a GPU),
    ! LK_ERR_NO_DEVICE when it cannot, LK_ERR_CUDA when cuInit fails otherwise.
    function lk_cuda_available() &
        bind(C, name="lk_cuda_available") result(res)
      import :: c_int32_t
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_available

    ! Bytes of device workspace an elementwise lk_cuda_* loss over n elements needs (every
    ! elementwise loss needs the same). Small: at most 49,280 bytes whatever n.
    function lk_cuda_elementwise_workspace_size(n) &
        bind(C, name="lk_cuda_elementwise_workspace_size") result(res)
      import :: c_size_t
      integer(c_size_t), value :: n  ! size_t
      integer(c_size_t) :: res  ! size_t
    end function lk_cuda_elementwise_workspace_size

    ! Bytes of device workspace lk_cuda_cross_entropy_* over rows x classes needs. Small: at
    ! most 49,280 bytes whatever the shape.
    function lk_cuda_cross_entropy_workspace_size(rows, classes) &
        bind(C, name="lk_cuda_cross_entropy_workspace_size") result(res)
      import :: c_size_t
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      integer(c_size_t) :: res  ! size_t
    end function lk_cuda_cross_entropy_workspace_size

    ! Waits for `stream`, then returns the device-side verdict of the last lk_cuda_* call that
    ! used `workspace` on it: LK_OK, or the error its first kernel found (LK_ERR_BAD_PARAMETER
    ! for a negative or non-finite weight, LK_ERR_INDEX_OUT_OF_RANGE for a class index
    ! outside [0, classes) — the message names the first such row —, LK_ERR_EMPTY_MEAN under
    ! LK_EMPTY_ERROR), in which case that call wrote no output. Also LK_ERR_NO_DEVICE /
    ! LK_ERR_CUDA as every lk_cuda_* function.
    ! Fortran: workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_workspace_status(workspace, stream) &
        bind(C, name="lk_cuda_workspace_status") result(res)
      import :: c_int32_t, c_ptr
      type(c_ptr), value :: workspace  ! const void *
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_workspace_status

    ! Mean squared error on the GPU: loss_i = (pred_i - target_i)^2, d/dpred = 2 (pred_i -
    ! target_i).
    !
    ! Every elementwise lk_cuda_* loss takes: `pred`, `target` (n device values each), `weight`
    ! (NULL or n device weights, finite and >= 0), the loss's own parameter if any, `opts`
    ! (host; NULL for the defaults; its mask and partial are device pointers), `out` (device:
    ! 1 value, n with LK_REDUCTION_NONE), `grad` (NULL or n device values receiving
    ! grad_scale * dL/dpred), the device `workspace` and its size in bytes, and the `stream`
    ! (CUstream). Asynchronous: see lk_cuda_workspace_status for device-side errors.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_mse_f32(pred, target, weight, n, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_mse_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_mse_f32

    ! Mean squared error on the GPU: loss_i = (pred_i - target_i)^2, d/dpred = 2 (pred_i -
    ! target_i).
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_mse_f64(pred, target, weight, n, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_mse_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_mse_f64

    ! Mean absolute error on the GPU: loss_i = |pred_i - target_i|, d/dpred = sign(pred_i -
    ! target_i) with sign(0) = 0.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_mae_f32(pred, target, weight, n, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_mae_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_mae_f32

    ! Mean absolute error on the GPU: loss_i = |pred_i - target_i|, d/dpred = sign(pred_i -
    ! target_i) with sign(0) = 0.
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_mae_f64(pred, target, weight, n, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_mae_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_mae_f64

    ! Root mean squared error on the GPU: L = sqrt(reduced (pred - target)^2); gradient 0 where L =
    ! 0; LK_REDUCTION_NONE is refused.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_rmse_f32(pred, target, weight, n, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_rmse_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_rmse_f32

    ! Root mean squared error on the GPU: L = sqrt(reduced (pred - target)^2); gradient 0 where L =
    ! 0; LK_REDUCTION_NONE is refused.
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_rmse_f64(pred, target, weight, n, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_rmse_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_rmse_f64

    ! Mean error (astroNN) on the GPU: loss_i = target_i - pred_i, d/dpred = -1.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_mean_error_f32(pred, target, weight, n, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_mean_error_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_mean_error_f32

    ! Mean error (astroNN) on the GPU: loss_i = target_i - pred_i, d/dpred = -1.
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_mean_error_f64(pred, target, weight, n, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_mean_error_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_mean_error_f64

    ! Mean squared logarithmic error (astroNN's clip at 1e-7) on the GPU: loss_i = (ln(max(pred_i,
    ! 1e-7) + 1) - ln(max(target_i, 1e-7) + 1))^2.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_msle_f32(pred, target, weight, n, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_msle_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_msle_f32

    ! Mean squared logarithmic error (astroNN's clip at 1e-7) on the GPU: loss_i = (ln(max(pred_i,
    ! 1e-7) + 1) - ln(max(target_i, 1e-7) + 1))^2.
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_msle_f64(pred, target, weight, n, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_msle_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_msle_f64

    ! Mean absolute percentage error (astroNN) on the GPU: loss_i = 100 |target_i - pred_i| /
    ! max(|target_i|, 1e-7).
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_mape_f32(pred, target, weight, n, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_mape_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_mape_f32

    ! Mean absolute percentage error (astroNN) on the GPU: loss_i = 100 |target_i - pred_i| /
    ! max(|target_i|, 1e-7).
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_mape_f64(pred, target, weight, n, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_mape_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_mape_f64

    ! Mean percentage error on the GPU: loss_i = 100 (target_i - pred_i) / target_i, |target_i|
    ! raised to at least 1e-7 keeping its sign.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_mpe_f32(pred, target, weight, n, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_mpe_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_mpe_f32

    ! Mean percentage error on the GPU: loss_i = 100 (target_i - pred_i) / target_i, |target_i|
    ! raised to at least 1e-7 keeping its sign.
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_mpe_f64(pred, target, weight, n, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_mpe_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_mpe_f64

    ! Huber loss on the GPU, delta > 0: loss_i = d^2/2 if |d| < delta else delta (|d| - delta/2), d
    ! = pred_i - target_i.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_huber_f32(pred, target, weight, n, delta, opts, out, grad, &
        workspace, workspace_bytes, stream) &
        bind(C, name="lk_cuda_huber_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      real(c_float), value :: delta  ! float
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_huber_f32

    ! Huber loss on the GPU, delta > 0: loss_i = d^2/2 if |d| < delta else delta (|d| - delta/2), d
    ! = pred_i - target_i.
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_huber_f64(pred, target, weight, n, delta, opts, out, grad, &
        workspace, workspace_bytes, stream) &
        bind(C, name="lk_cuda_huber_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      real(c_double), value :: delta  ! double
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_huber_f64

    ! Scale-free Huber (graph-pes) on the GPU, delta > 0: Huber_delta / delta.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_scale_free_huber_f32(pred, target, weight, n, delta, opts, out, &
        grad, workspace, workspace_bytes, stream) &
        bind(C, name="lk_cuda_scale_free_huber_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      real(c_float), value :: delta  ! float
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_scale_free_huber_f32

    ! Scale-free Huber (graph-pes) on the GPU, delta > 0: Huber_delta / delta.
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_scale_free_huber_f64(pred, target, weight, n, delta, opts, out, &
        grad, workspace, workspace_bytes, stream) &
        bind(C, name="lk_cuda_scale_free_huber_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      real(c_double), value :: delta  ! double
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_scale_free_huber_f64

    ! Smooth L1 on the GPU, beta >= 0: loss_i = d^2/(2 beta) if |d| < beta else |d| - beta/2.
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_smooth_l1_f32(pred, target, weight, n, beta, opts, out, grad, &
        workspace, workspace_bytes, stream) &
        bind(C, name="lk_cuda_smooth_l1_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      real(c_float), value :: beta  ! float
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_smooth_l1_f32

    ! Smooth L1 on the GPU, beta >= 0: loss_i = d^2/(2 beta) if |d| < beta else |d| - beta/2.
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_smooth_l1_f64(pred, target, weight, n, beta, opts, out, grad, &
        workspace, workspace_bytes, stream) &
        bind(C, name="lk_cuda_smooth_l1_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      real(c_double), value :: beta  ! double
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_smooth_l1_f64

    ! Log-cosh loss on the GPU: loss_i = ln cosh(pred_i - target_i), d/dpred = tanh(pred_i -
    ! target_i).
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_log_cosh_f32(pred, target, weight, n, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_log_cosh_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_log_cosh_f32

    ! Log-cosh loss on the GPU: loss_i = ln cosh(pred_i - target_i), d/dpred = tanh(pred_i -
    ! target_i).
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_log_cosh_f64(pred, target, weight, n, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_log_cosh_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_log_cosh_f64

    ! Binary focal loss on logits on the GPU, gamma >= 0: p = sigmoid(z), q = p (1 - t) + (1 - p) t,
    ! loss_i = q^gamma * BCEwithlogits(z, t); `pred` holds the logits z, `target` t in [0, 1].
    !
    ! `f32` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_binary_focal_f32(pred, target, weight, n, gamma, opts, out, grad, &
        workspace, workspace_bytes, stream) &
        bind(C, name="lk_cuda_binary_focal_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      real(c_float), value :: gamma  ! float
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_binary_focal_f32

    ! Binary focal loss on logits on the GPU, gamma >= 0: p = sigmoid(z), q = p (1 - t) + (1 - p) t,
    ! loss_i = q^gamma * BCEwithlogits(z, t); `pred` holds the logits z, `target` t in [0, 1].
    !
    ! `f64` data; arguments as for every elementwise loss (see the note before lk_cuda_mse_f32).
    ! Fortran: weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_binary_focal_f64(pred, target, weight, n, gamma, opts, out, grad, &
        workspace, workspace_bytes, stream) &
        bind(C, name="lk_cuda_binary_focal_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      real(c_double), value :: gamma  ! double
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_binary_focal_f64

    ! Binary cross-entropy with logits on the GPU: loss_i = pw_c t_i softplus(-z_i) + (1 - t_i)
    ! softplus(z_i), d/dz = (1 - t_i) sigmoid(z_i) - pw_c t_i sigmoid(-z_i), computed stably
    ! (z = +-inf with t in {0, 1} gives the finite limit).
    !
    ! `logits` z and `target` t: n device values (t in [0, 1]); `weight`: NULL or n per-element
    ! weights; `pos_weight`: NULL, or `classes` device values pw_c, the data being rows of
    ! `classes` values (element i has class i % classes; n a multiple of classes); other
    ! arguments as for every elementwise lk_cuda_* loss (see the note before lk_cuda_mse_f32).
    ! `f32` data.
    ! Fortran: weight, pos_weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_bce_with_logits_f32(logits, target, weight, pos_weight, n, classes, &
        opts, out, grad, workspace, workspace_bytes, stream) &
        bind(C, name="lk_cuda_bce_with_logits_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: logits(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      type(c_ptr), value :: pos_weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_bce_with_logits_f32

    ! Binary cross-entropy with logits on the GPU: loss_i = pw_c t_i softplus(-z_i) + (1 - t_i)
    ! softplus(z_i), d/dz = (1 - t_i) sigmoid(z_i) - pw_c t_i sigmoid(-z_i), computed stably
    ! (z = +-inf with t in {0, 1} gives the finite limit).
    !
    ! `logits` z and `target` t: n device values (t in [0, 1]); `weight`: NULL or n per-element
    ! weights; `pos_weight`: NULL, or `classes` device values pw_c, the data being rows of
    ! `classes` values (element i has class i % classes; n a multiple of classes); other
    ! arguments as for every elementwise lk_cuda_* loss (see the note before lk_cuda_mse_f32).
    ! `f64` data.
    ! Fortran: weight, pos_weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_bce_with_logits_f64(logits, target, weight, pos_weight, n, classes, &
        opts, out, grad, workspace, workspace_bytes, stream) &
        bind(C, name="lk_cuda_bce_with_logits_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: logits(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      type(c_ptr), value :: pos_weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_bce_with_logits_f64

    ! Softmax cross-entropy with class-index targets on the GPU, value and gradient fused.
    !
    ! Row r (logits z = `logits[r*classes ..]`, target y = `target[r]`, class weights w, 1 when
    ! `class_weight` is NULL; eps = `label_smoothing` in [0, 1]; lambda = `z_loss` >= 0;
    ! lse = ln sum_c exp(z_c)):
    ! loss_r = (1 - eps) w_y (lse - z_y) + eps/C sum_c w_c (lse - z_c) + lambda lse^2.
    ! A row is dropped when y == `ignore_index` (PyTorch's default: -100) or its mask byte
    ! (`opts->mask`, one per row, device) is 0; LK_REDUCTION_MEAN divides by the sum of w_y over
    ! kept rows (PyTorch's weighted mean, label smoothing included). A kept row's y must be in
    ! [0, classes) (checked on the device, see lk_cuda_workspace_status).
    ! `grad`: NULL, rows*classes device values receiving grad_scale * dL/dlogits, or equal to
    ! `logits` to overwrite the logits with their gradient (not with grad_accumulate).
    ! `out`: 1 value (rows with LK_REDUCTION_NONE). `opts->use_magic` and `opts->row_len` must
    ! be 0. `target`: rows int64 device values. Workspace:
    ! lk_cuda_cross_entropy_workspace_size(rows, classes) bytes. `f32` data.
    ! Fortran: class_weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_cross_entropy_f32(logits, target, class_weight, rows, classes, &
        ignore_index, label_smoothing, z_loss, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_cross_entropy_f32") result(res)
      import :: c_float, c_int32_t, c_int64_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: logits(*)  ! const float *
      integer(c_int64_t), intent(in) :: target(*)  ! const int64_t *
      type(c_ptr), value :: class_weight  ! const float *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      integer(c_int64_t), value :: ignore_index  ! int64_t
      real(c_float), value :: label_smoothing  ! float
      real(c_float), value :: z_loss  ! float
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_cross_entropy_f32

    ! Softmax cross-entropy with class-index targets on the GPU, value and gradient fused.
    !
    ! Row r (logits z = `logits[r*classes ..]`, target y = `target[r]`, class weights w, 1 when
    ! `class_weight` is NULL; eps = `label_smoothing` in [0, 1]; lambda = `z_loss` >= 0;
    ! lse = ln sum_c exp(z_c)):
    ! loss_r = (1 - eps) w_y (lse - z_y) + eps/C sum_c w_c (lse - z_c) + lambda lse^2.
    ! A row is dropped when y == `ignore_index` (PyTorch's default: -100) or its mask byte
    ! (`opts->mask`, one per row, device) is 0; LK_REDUCTION_MEAN divides by the sum of w_y over
    ! kept rows (PyTorch's weighted mean, label smoothing included). A kept row's y must be in
    ! [0, classes) (checked on the device, see lk_cuda_workspace_status).
    ! `grad`: NULL, rows*classes device values receiving grad_scale * dL/dlogits, or equal to
    ! `logits` to overwrite the logits with their gradient (not with grad_accumulate).
    ! `out`: 1 value (rows with LK_REDUCTION_NONE). `opts->use_magic` and `opts->row_len` must
    ! be 0. `target`: rows int64 device values. Workspace:
    ! lk_cuda_cross_entropy_workspace_size(rows, classes) bytes. `f64` data.
    ! Fortran: class_weight, grad, workspace, stream = c_null_ptr or c_loc(array).
    function lk_cuda_cross_entropy_f64(logits, target, class_weight, rows, classes, &
        ignore_index, label_smoothing, z_loss, opts, out, grad, workspace, &
        workspace_bytes, stream) &
        bind(C, name="lk_cuda_cross_entropy_f64") result(res)
      import :: c_double, c_int32_t, c_int64_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: logits(*)  ! const double *
      integer(c_int64_t), intent(in) :: target(*)  ! const int64_t *
      type(c_ptr), value :: class_weight  ! const double *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      integer(c_int64_t), value :: ignore_index  ! int64_t
      real(c_double), value :: label_smoothing  ! double
      real(c_double), value :: z_loss  ! double
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      type(c_ptr), value :: workspace  ! void *
      integer(c_size_t), value :: workspace_bytes  ! size_t
      type(c_ptr), value :: stream  ! void *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cuda_cross_entropy_f64

    ! The default gradient options: scale 1, overwrite.
    function lk_grad_options_default() &
        bind(C, name="lk_grad_options_default") result(res)
      import :: lk_grad_options
      type(lk_grad_options) :: res  ! lk_grad_options
    end function lk_grad_options_default

    ! Adds the partial `*from` into `*into`: each of the sum and the weight is added with its
    ! remainder, as a double-double (error-free addition of the rounded values, remainders
    ! added, renormalised), so that merging shards loses (almost) nothing and the merged mean
    ! equals the mean of one call on all the data to within one unit in the last place. The
    ! operation is commutative (same bits either way round); `into` may equal `from`.
    ! Errors: LK_ERR_NULL_POINTER, LK_ERR_MISALIGNED (then `*into` is unchanged).
    function lk_partial_merge(into, from) &
        bind(C, name="lk_partial_merge") result(res)
      import :: c_int32_t, lk_partial
      type(lk_partial), intent(inout) :: into  ! lk_partial *
      type(lk_partial), intent(in) :: from  ! const lk_partial *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_partial_merge

    ! The mean (sum + sum_lo) / (weight + weight_lo) of a (merged) partial into `*out`,
    ! rounded once; or, when the weight is not > 0, what `empty` (LK_EMPTY_*) says: 0, NaN,
    ! or LK_ERR_EMPTY_MEAN. For the gradient of this mean, evaluate each shard again with
    ! `grad_scale = 1 / p->weight`. Errors: LK_ERR_NULL_POINTER, LK_ERR_MISALIGNED,
    ! LK_ERR_BAD_ENUM, LK_ERR_EMPTY_MEAN (`*out` unchanged).
    function lk_partial_mean(p, empty, out) &
        bind(C, name="lk_partial_mean") result(res)
      import :: c_double, c_int32_t, lk_partial
      type(lk_partial), intent(in) :: p  ! const lk_partial *
      integer(c_int32_t), value :: empty  ! int32_t
      real(c_double), intent(inout) :: out(*)  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_partial_mean

    ! The default options: mean, empty mean = 0, no mask, no magic, grad_scale 1, overwrite.
    function lk_options_default() &
        bind(C, name="lk_options_default") result(res)
      import :: lk_options
      type(lk_options) :: res  ! lk_options
    end function lk_options_default

    ! No bounds: {-INFINITY, +INFINITY}.
    function lk_boundary_regularizer_default() &
        bind(C, name="lk_boundary_regularizer_default") result(res)
      import :: lk_boundary_regularizer
      type(lk_boundary_regularizer) :: res  ! lk_boundary_regularizer
    end function lk_boundary_regularizer_default

    ! Rockpool's summed_exp_boundary_loss: out = sum over the n elements of
    ! exp(x_k - upper) where x_k > upper, plus exp(lower - x_k) where x_k < lower;
    ! grad_k = exp(x_k - upper), -exp(lower - x_k) or 0 (times the scale of `grad_opts`).
    ! Pass -INFINITY / +INFINITY for no bound; 0 is a real bound (Rockpool treats 0 as none).
    ! `data`: n values; `grad_opts`: NULL for scale 1, overwrite; `out`: 1 value;
    ! `grad`: NULL or n values. A NaN element costs 0; NaN bounds, lower = +INFINITY,
    ! upper = -INFINITY or lower > upper give LK_ERR_BAD_PARAMETER.
    ! Fortran: grad_opts, grad = c_null_ptr or c_loc(array).
    function lk_summed_exp_boundary_loss_f32(data, n, lower, upper, grad_opts, out, grad) &
        bind(C, name="lk_summed_exp_boundary_loss_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t
      real(c_float), intent(in) :: data(*)  ! const float *
      integer(c_size_t), value :: n  ! size_t
      real(c_float), value :: lower  ! float
      real(c_float), value :: upper  ! float
      type(c_ptr), value :: grad_opts  ! const lk_grad_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_summed_exp_boundary_loss_f32

    ! Rockpool's summed_exp_boundary_loss for double data; see
    ! lk_summed_exp_boundary_loss_f32.
    ! Fortran: grad_opts, grad = c_null_ptr or c_loc(array).
    function lk_summed_exp_boundary_loss_f64(data, n, lower, upper, grad_opts, out, grad) &
        bind(C, name="lk_summed_exp_boundary_loss_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t
      real(c_double), intent(in) :: data(*)  ! const double *
      integer(c_size_t), value :: n  ! size_t
      real(c_double), value :: lower  ! double
      real(c_double), value :: upper  ! double
      type(c_ptr), value :: grad_opts  ! const lk_grad_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_summed_exp_boundary_loss_f64

    ! The boundary penalty of `data` with the bounds held in `*reg` (Rockpool's
    ! ParameterBoundaryRegularizer forward): as lk_summed_exp_boundary_loss_f32 with
    ! lower = reg->lower, upper = reg->upper rounded to float.
    ! Fortran: grad_opts, grad = c_null_ptr or c_loc(array).
    function lk_boundary_regularizer_f32(reg, data, n, grad_opts, out, grad) &
        bind(C, name="lk_boundary_regularizer_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_boundary_regularizer
      type(lk_boundary_regularizer), intent(in) :: reg  ! const lk_boundary_regularizer *
      real(c_float), intent(in) :: data(*)  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(c_ptr), value :: grad_opts  ! const lk_grad_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_boundary_regularizer_f32

    ! The boundary penalty of double `data` with the bounds held in `*reg`; see
    ! lk_boundary_regularizer_f32.
    ! Fortran: grad_opts, grad = c_null_ptr or c_loc(array).
    function lk_boundary_regularizer_f64(reg, data, n, grad_opts, out, grad) &
        bind(C, name="lk_boundary_regularizer_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_boundary_regularizer
      type(lk_boundary_regularizer), intent(in) :: reg  ! const lk_boundary_regularizer *
      real(c_double), intent(in) :: data(*)  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(c_ptr), value :: grad_opts  ! const lk_grad_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_boundary_regularizer_f64

    ! Rockpool's bounds_cost: out = sum over the groups and their elements of
    ! exp(p - upper) where p > upper, plus exp(lower - p) where p < lower, each element with
    ! its group's bounds (scalar or per element). Every group is checked (pointers, NaN
    ! bounds, lower > upper, overlaps) before anything is written; each group's `grad`, if
    ! not NULL, receives scale * d cost / d params. `groups`: n_groups structs (NULL only if
    ! n_groups = 0; an empty list costs 0); `grad_opts`: NULL for scale 1, overwrite;
    ! `out`: 1 value.
    ! Fortran: grad_opts = c_null_ptr or c_loc(array).
    function lk_bounds_cost_f32(groups, n_groups, grad_opts, out) &
        bind(C, name="lk_bounds_cost_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_bounds_group_f32
      type(lk_bounds_group_f32), intent(in) :: groups(*)  ! const lk_bounds_group_f32 *
      integer(c_size_t), value :: n_groups  ! size_t
      type(c_ptr), value :: grad_opts  ! const lk_grad_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_bounds_cost_f32

    ! Rockpool's bounds_cost for double parameters; see lk_bounds_cost_f32.
    ! Fortran: grad_opts = c_null_ptr or c_loc(array).
    function lk_bounds_cost_f64(groups, n_groups, grad_opts, out) &
        bind(C, name="lk_bounds_cost_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_bounds_group_f64
      type(lk_bounds_group_f64), intent(in) :: groups(*)  ! const lk_bounds_group_f64 *
      integer(c_size_t), value :: n_groups  ! size_t
      type(c_ptr), value :: grad_opts  ! const lk_grad_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_bounds_cost_f64

    ! The standard normal number that draw `draw` of entry (`row`, `cls`) gets under `seed` in
    ! lk_robust_categorical_crossentropy / lk_robust_binary_crossentropy (a counter-based
    ! SplitMix64 hash of the four words, then Box-Muller), to reproduce their distortion.
    function lk_normal_draw(seed, row, cls, draw) &
        bind(C, name="lk_normal_draw") result(res)
      import :: c_double, c_int64_t
      integer(c_int64_t), value :: seed  ! uint64_t
      integer(c_int64_t), value :: row  ! uint64_t
      integer(c_int64_t), value :: cls  ! uint64_t
      integer(c_int64_t), value :: draw  ! uint64_t
      real(c_double) :: res  ! double
    end function lk_normal_draw

    ! PyTorch gaussian_nll_loss with an elementwise variance: loss_i = 0.5 (ln v_i + (pred_i -
    ! target_i)^2 / v_i) [+ 0.5 ln(2 pi) if full], v_i = max(var_i, eps).
    !
    ! `pred`, `var`, `target`: n values; every var_i >= 0 (else LK_ERR_BAD_PARAMETER); eps > 0
    ! (PyTorch's default 1e-6). `grad` receives grad_scale * dL/dpred ((pred - target)/v),
    ! `grad_var` grad_scale * dL/dvar (0.5 (1/v - (pred - target)^2/v^2), taken at the clamped
    ! v as PyTorch does). Other arguments as for lk_mse_f32.
    ! Fortran: weight, grad, grad_var = c_null_ptr or c_loc(array).
    function lk_gaussian_nll_f32(pred, var, target, weight, n, full, eps, opts, out, &
        grad, grad_var) &
        bind(C, name="lk_gaussian_nll_f32") result(res)
      import :: c_float, c_int32_t, c_int8_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: var(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      integer(c_int8_t), value :: full  ! uint8_t
      real(c_float), value :: eps  ! float
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      type(c_ptr), value :: grad_var  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_gaussian_nll_f32

    ! PyTorch gaussian_nll_loss with an elementwise variance: loss_i = 0.5 (ln v_i + (pred_i -
    ! target_i)^2 / v_i) [+ 0.5 ln(2 pi) if full], v_i = max(var_i, eps).
    !
    ! `f64` data; as lk_gaussian_nll_f32.
    ! Fortran: weight, grad, grad_var = c_null_ptr or c_loc(array).
    function lk_gaussian_nll_f64(pred, var, target, weight, n, full, eps, opts, out, &
        grad, grad_var) &
        bind(C, name="lk_gaussian_nll_f64") result(res)
      import :: c_double, c_int32_t, c_int8_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: var(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      integer(c_int8_t), value :: full  ! uint8_t
      real(c_double), value :: eps  ! double
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      type(c_ptr), value :: grad_var  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_gaussian_nll_f64

    ! PyTorch poisson_nll_loss: with log_input, loss_i = exp(x_i) - t_i x_i (d/dx = exp(x) - t);
    ! else loss_i = x_i - t_i ln(x_i + eps) (d/dx = 1 - t/(x + eps)); full adds Stirling's t ln t -
    ! t + 0.5 ln(2 pi t) where t > 1.
    !
    ! `pred` is the input x (log-rate with log_input, else rate), `target` the counts t;
    ! eps >= 0 (PyTorch's default 1e-8). Other arguments as for lk_mse_f32.
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_poisson_nll_f32(pred, target, weight, n, log_input, full, eps, opts, out, &
        grad) &
        bind(C, name="lk_poisson_nll_f32") result(res)
      import :: c_float, c_int32_t, c_int8_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      integer(c_int8_t), value :: log_input  ! uint8_t
      integer(c_int8_t), value :: full  ! uint8_t
      real(c_float), value :: eps  ! float
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_poisson_nll_f32

    ! PyTorch poisson_nll_loss: with log_input, loss_i = exp(x_i) - t_i x_i (d/dx = exp(x) - t);
    ! else loss_i = x_i - t_i ln(x_i + eps) (d/dx = 1 - t/(x + eps)); full adds Stirling's t ln t -
    ! t + 0.5 ln(2 pi t) where t > 1.
    !
    ! `f64` data; as lk_poisson_nll_f32.
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_poisson_nll_f64(pred, target, weight, n, log_input, full, eps, opts, out, &
        grad) &
        bind(C, name="lk_poisson_nll_f64") result(res)
      import :: c_double, c_int32_t, c_int8_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      integer(c_int8_t), value :: log_input  ! uint8_t
      integer(c_int8_t), value :: full  ! uint8_t
      real(c_double), value :: eps  ! double
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_poisson_nll_f64

    ! PyTorch kl_div (input = log-probabilities x): loss_i = t_i (ln t_i - x_i), 0 where t_i = 0
    ! (d/dx = -t); with log_target, loss_i = exp(t_i) (t_i - x_i) (d/dx = -exp(t)), 0 at t = -inf.
    !
    ! PyTorch's reduction "mean" is LK_REDUCTION_MEAN; "batchmean" is LK_REDUCTION_SUM divided
    ! by the batch size (and grad_scale = 1/batch). Other arguments as for lk_mse_f32.
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_kl_div_f32(input, target, weight, n, log_target, opts, out, grad) &
        bind(C, name="lk_kl_div_f32") result(res)
      import :: c_float, c_int32_t, c_int8_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: input(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      integer(c_int8_t), value :: log_target  ! uint8_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_kl_div_f32

    ! PyTorch kl_div (input = log-probabilities x): loss_i = t_i (ln t_i - x_i), 0 where t_i = 0
    ! (d/dx = -t); with log_target, loss_i = exp(t_i) (t_i - x_i) (d/dx = -exp(t)), 0 at t = -inf.
    !
    ! `f64` data; as lk_kl_div_f32.
    ! Fortran: weight, grad = c_null_ptr or c_loc(array).
    function lk_kl_div_f64(input, target, weight, n, log_target, opts, out, grad) &
        bind(C, name="lk_kl_div_f64") result(res)
      import :: c_double, c_int32_t, c_int8_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: input(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      integer(c_int8_t), value :: log_target  ! uint8_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_kl_div_f64

    ! astroNN robust_mse: loss_i = 0.5 ((pred_i - target_i)^2 / V_i + ln V_i), V_i = exp(logvar_i) +
    ! labels_err_i^2.
    !
    ! `pred`, `logvar`, `labels_err`, `target`: n values (labels_err finite where the element
    ! is kept). `grad_pred` receives grad_scale * dL/dpred ((pred - target)/V), `grad_logvar`
    ! grad_scale * dL/dlogvar (0.5 exp(logvar)/V (1 - (pred - target)^2/V)). astroNN's own
    ! reduction: opts.use_magic = 1 (magic -9999) and opts.row_len = D labels per sample.
    ! Other arguments as for lk_mse_f32.
    ! Fortran: weight, grad_pred, grad_logvar = c_null_ptr or c_loc(array).
    function lk_robust_mse_f32(pred, logvar, labels_err, target, weight, n, opts, out, &
        grad_pred, grad_logvar) &
        bind(C, name="lk_robust_mse_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: logvar(*)  ! const float *
      real(c_float), intent(in) :: labels_err(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad_pred  ! float *
      type(c_ptr), value :: grad_logvar  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_robust_mse_f32

    ! astroNN robust_mse: loss_i = 0.5 ((pred_i - target_i)^2 / V_i + ln V_i), V_i = exp(logvar_i) +
    ! labels_err_i^2.
    !
    ! `f64` data; as lk_robust_mse_f32.
    ! Fortran: weight, grad_pred, grad_logvar = c_null_ptr or c_loc(array).
    function lk_robust_mse_f64(pred, logvar, labels_err, target, weight, n, opts, out, &
        grad_pred, grad_logvar) &
        bind(C, name="lk_robust_mse_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: logvar(*)  ! const double *
      real(c_double), intent(in) :: labels_err(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad_pred  ! double *
      type(c_ptr), value :: grad_logvar  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_robust_mse_f64

    ! KL divergence between diagonal Gaussians N(mean, scale^2) and the prior N(m0, s0^2), per
    ! parameter, with inferno's eps = 1e-6: KL_k = 0.5 (vp/vq + (mean - m0)^2/vq - 1 - ln(vp/vq)),
    ! vp = scale^2 + eps, vq = s0^2 + eps.
    !
    ! `prior_loc`, `prior_scale`: NULL for the scalars `prior_loc_value` (inferno: 0) and
    ! `prior_scale_value` (inferno: 1), or n values; every s0 finite and > 0 (else
    ! LK_ERR_BAD_PARAMETER). `grad_mean` receives grad_scale * dL/dmean ((mean - m0)/vq),
    ! `grad_scale` grad_scale * dL/dscale (scale (1/vq - 1/vp)). inferno's KL is the SUM over
    ! parameters: use LK_REDUCTION_SUM. opts.use_magic is refused. Other arguments as for
    ! lk_mse_f32.
    ! Fortran: prior_loc, prior_scale, weight, grad_mean, grad_scale = c_null_ptr or c_loc(array).
    function lk_gaussian_kl_f32(mean, scale, prior_loc, prior_scale, prior_loc_value, &
        prior_scale_value, weight, n, opts, out, grad_mean, grad_scale) &
        bind(C, name="lk_gaussian_kl_f32") result(res)
      import :: c_double, c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: mean(*)  ! const float *
      real(c_float), intent(in) :: scale(*)  ! const float *
      type(c_ptr), value :: prior_loc  ! const float *
      type(c_ptr), value :: prior_scale  ! const float *
      real(c_double), value :: prior_loc_value  ! double
      real(c_double), value :: prior_scale_value  ! double
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad_mean  ! float *
      type(c_ptr), value :: grad_scale  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_gaussian_kl_f32

    ! KL divergence between diagonal Gaussians N(mean, scale^2) and the prior N(m0, s0^2), per
    ! parameter, with inferno's eps = 1e-6: KL_k = 0.5 (vp/vq + (mean - m0)^2/vq - 1 - ln(vp/vq)),
    ! vp = scale^2 + eps, vq = s0^2 + eps.
    !
    ! `f64` data; as lk_gaussian_kl_f32.
    ! Fortran: prior_loc, prior_scale, weight, grad_mean, grad_scale = c_null_ptr or c_loc(array).
    function lk_gaussian_kl_f64(mean, scale, prior_loc, prior_scale, prior_loc_value, &
        prior_scale_value, weight, n, opts, out, grad_mean, grad_scale) &
        bind(C, name="lk_gaussian_kl_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: mean(*)  ! const double *
      real(c_double), intent(in) :: scale(*)  ! const double *
      type(c_ptr), value :: prior_loc  ! const double *
      type(c_ptr), value :: prior_scale  ! const double *
      real(c_double), value :: prior_loc_value  ! double
      real(c_double), value :: prior_scale_value  ! double
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad_mean  ! double *
      type(c_ptr), value :: grad_scale  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_gaussian_kl_f64

    ! inferno VariationalFreeEnergy (negative ELBO): nll + kl_weight * KL, KL = the sum over the n
    ! parameters of lk_gaussian_kl's terms.
    !
    ! `nll`: the value of the caller's NLL loss (its gradient comes from that loss's own call).
    ! `kl_weight` (finite, >= 0; inferno's default 1.0), or with `kl_weight_auto` nonzero 1/n.
    ! Prior as in lk_gaussian_kl. `out`: 3 values {free energy, KL, kl_weight used}.
    ! `grad_mean`, `grad_scale` (NULL or n values) receive grad_scale_factor * kl_weight *
    ! dKL/dmean and dKL/dscale, overwritten or (grad_accumulate nonzero) added to the
    ! gradient the NLL's back-propagation put there.
    ! Fortran: prior_loc, prior_scale, grad_mean, grad_scale = c_null_ptr or c_loc(array).
    function lk_free_energy_f32(nll, mean, scale, prior_loc, prior_scale, &
        prior_loc_value, prior_scale_value, n, kl_weight, kl_weight_auto, &
        grad_scale_factor, grad_accumulate, out, grad_mean, grad_scale) &
        bind(C, name="lk_free_energy_f32") result(res)
      import :: c_double, c_float, c_int32_t, c_int8_t, c_ptr, c_size_t
      real(c_float), value :: nll  ! float
      real(c_float), intent(in) :: mean(*)  ! const float *
      real(c_float), intent(in) :: scale(*)  ! const float *
      type(c_ptr), value :: prior_loc  ! const float *
      type(c_ptr), value :: prior_scale  ! const float *
      real(c_double), value :: prior_loc_value  ! double
      real(c_double), value :: prior_scale_value  ! double
      integer(c_size_t), value :: n  ! size_t
      real(c_double), value :: kl_weight  ! double
      integer(c_int8_t), value :: kl_weight_auto  ! uint8_t
      real(c_double), value :: grad_scale_factor  ! double
      integer(c_int8_t), value :: grad_accumulate  ! uint8_t
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad_mean  ! float *
      type(c_ptr), value :: grad_scale  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_free_energy_f32

    ! inferno VariationalFreeEnergy (negative ELBO): nll + kl_weight * KL, KL = the sum over the n
    ! parameters of lk_gaussian_kl's terms.
    !
    ! `f64` data; as lk_free_energy_f32.
    ! Fortran: prior_loc, prior_scale, grad_mean, grad_scale = c_null_ptr or c_loc(array).
    function lk_free_energy_f64(nll, mean, scale, prior_loc, prior_scale, &
        prior_loc_value, prior_scale_value, n, kl_weight, kl_weight_auto, &
        grad_scale_factor, grad_accumulate, out, grad_mean, grad_scale) &
        bind(C, name="lk_free_energy_f64") result(res)
      import :: c_double, c_int32_t, c_int8_t, c_ptr, c_size_t
      real(c_double), value :: nll  ! double
      real(c_double), intent(in) :: mean(*)  ! const double *
      real(c_double), intent(in) :: scale(*)  ! const double *
      type(c_ptr), value :: prior_loc  ! const double *
      type(c_ptr), value :: prior_scale  ! const double *
      real(c_double), value :: prior_loc_value  ! double
      real(c_double), value :: prior_scale_value  ! double
      integer(c_size_t), value :: n  ! size_t
      real(c_double), value :: kl_weight  ! double
      integer(c_int8_t), value :: kl_weight_auto  ! uint8_t
      real(c_double), value :: grad_scale_factor  ! double
      integer(c_int8_t), value :: grad_accumulate  ! uint8_t
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad_mean  ! double *
      type(c_ptr), value :: grad_scale  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_free_energy_f64

    ! inferno MSELossVR: loss_i = (mean_i - y_i)^2 + var_i (the exact expected squared error under a
    ! Gaussian output with that mean and variance).
    !
    ! `mean`, `var` (>= 0): n = S*B*O values, sample-major (S samples of B rows of O outputs);
    ! `target`: n_target = B*O values, repeated over the S samples (n must be a multiple of
    ! n_target; opts.use_magic only when n_target = n). The mean runs over samples x batch x
    ! outputs. `grad_mean` receives grad_scale * dL/dmean (2 (mean - y)), `grad_var` dL/dvar
    ! (1). Other arguments as for lk_mse_f32 (weight and mask: n values).
    ! Fortran: weight, grad_mean, grad_var = c_null_ptr or c_loc(array).
    function lk_mse_vr_f32(mean, var, target, weight, n, n_target, opts, out, grad_mean, &
        grad_var) &
        bind(C, name="lk_mse_vr_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: mean(*)  ! const float *
      real(c_float), intent(in) :: var(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      integer(c_size_t), value :: n_target  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad_mean  ! float *
      type(c_ptr), value :: grad_var  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_mse_vr_f32

    ! inferno MSELossVR: loss_i = (mean_i - y_i)^2 + var_i (the exact expected squared error under a
    ! Gaussian output with that mean and variance).
    !
    ! `f64` data; as lk_mse_vr_f32.
    ! Fortran: weight, grad_mean, grad_var = c_null_ptr or c_loc(array).
    function lk_mse_vr_f64(mean, var, target, weight, n, n_target, opts, out, grad_mean, &
        grad_var) &
        bind(C, name="lk_mse_vr_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: mean(*)  ! const double *
      real(c_double), intent(in) :: var(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      integer(c_size_t), value :: n_target  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad_mean  ! double *
      type(c_ptr), value :: grad_var  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_mse_vr_f64

    ! inferno BCEWithLogitsLossVR: loss_i = t_i softplus(-mean_i + var_i/2) + (1 - t_i)
    ! softplus(mean_i + var_i/2), an upper bound on the expected BCE with logits (equal to it when
    ! var = 0).
    !
    ! Arguments as for lk_mse_vr_f32 (one output: n = S*B logits, n_target = B targets in
    ! [0, 1]). `grad_mean` receives grad_scale * dL/dmean (-t s(-mean + var/2) + (1 - t)
    ! s(mean + var/2), s the sigmoid), `grad_var` dL/dvar (half the two sigmoid terms added).
    ! Fortran: weight, grad_mean, grad_var = c_null_ptr or c_loc(array).
    function lk_bce_with_logits_vr_f32(mean, var, target, weight, n, n_target, opts, out, &
        grad_mean, grad_var) &
        bind(C, name="lk_bce_with_logits_vr_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: mean(*)  ! const float *
      real(c_float), intent(in) :: var(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      type(c_ptr), value :: weight  ! const float *
      integer(c_size_t), value :: n  ! size_t
      integer(c_size_t), value :: n_target  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad_mean  ! float *
      type(c_ptr), value :: grad_var  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_bce_with_logits_vr_f32

    ! inferno BCEWithLogitsLossVR: loss_i = t_i softplus(-mean_i + var_i/2) + (1 - t_i)
    ! softplus(mean_i + var_i/2), an upper bound on the expected BCE with logits (equal to it when
    ! var = 0).
    !
    ! `f64` data; as lk_bce_with_logits_vr_f32.
    ! Fortran: weight, grad_mean, grad_var = c_null_ptr or c_loc(array).
    function lk_bce_with_logits_vr_f64(mean, var, target, weight, n, n_target, opts, out, &
        grad_mean, grad_var) &
        bind(C, name="lk_bce_with_logits_vr_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: mean(*)  ! const double *
      real(c_double), intent(in) :: var(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      type(c_ptr), value :: weight  ! const double *
      integer(c_size_t), value :: n  ! size_t
      integer(c_size_t), value :: n_target  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad_mean  ! double *
      type(c_ptr), value :: grad_var  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_bce_with_logits_vr_f64

    ! inferno CrossEntropyLossVR, per row r: loss_r = -mean[r, y] + ln sum_c exp(mean[r, c] + var[r,
    ! c]/2), an upper bound on the expected cross-entropy.
    !
    ! `mean`, `var` (>= 0): rows x classes values, row-major, rows = S*B (sample-major);
    ! `target`: n_target = B class indices (int64_t, 0 <= y < classes, else
    ! LK_ERR_INDEX_OUT_OF_RANGE), repeated over the S samples (row r uses target[r % B]);
    ! `row_weight` and opts.mask: NULL or one per row; `out`: 1 value, or rows values with
    ! LK_REDUCTION_NONE. `grad_mean` receives grad_scale * dL/dmean (p - onehot(y)),
    ! `grad_var` dL/dvar (p/2), p = softmax(mean + var/2). opts.row_len must be 0 and
    ! opts.use_magic 0.
    ! Fortran: row_weight, grad_mean, grad_var = c_null_ptr or c_loc(array).
    function lk_cross_entropy_vr_f32(mean, var, target, row_weight, rows, classes, &
        n_target, opts, out, grad_mean, grad_var) &
        bind(C, name="lk_cross_entropy_vr_f32") result(res)
      import :: c_float, c_int32_t, c_int64_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: mean(*)  ! const float *
      real(c_float), intent(in) :: var(*)  ! const float *
      integer(c_int64_t), intent(in) :: target(*)  ! const int64_t *
      type(c_ptr), value :: row_weight  ! const float *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      integer(c_size_t), value :: n_target  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad_mean  ! float *
      type(c_ptr), value :: grad_var  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cross_entropy_vr_f32

    ! inferno CrossEntropyLossVR, per row r: loss_r = -mean[r, y] + ln sum_c exp(mean[r, c] + var[r,
    ! c]/2), an upper bound on the expected cross-entropy.
    !
    ! `f64` data; as lk_cross_entropy_vr_f32.
    ! Fortran: row_weight, grad_mean, grad_var = c_null_ptr or c_loc(array).
    function lk_cross_entropy_vr_f64(mean, var, target, row_weight, rows, classes, &
        n_target, opts, out, grad_mean, grad_var) &
        bind(C, name="lk_cross_entropy_vr_f64") result(res)
      import :: c_double, c_int32_t, c_int64_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: mean(*)  ! const double *
      real(c_double), intent(in) :: var(*)  ! const double *
      integer(c_int64_t), intent(in) :: target(*)  ! const int64_t *
      type(c_ptr), value :: row_weight  ! const double *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      integer(c_size_t), value :: n_target  ! size_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad_mean  ! double *
      type(c_ptr), value :: grad_var  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_cross_entropy_vr_f64

    ! The logit variances of a Bayesian linear layer with a low-rank covariance factor: out_var[i,
    ! o] = sum_r (sum_f phi[i, f] W[o, f, r] + b[o, r])^2.
    !
    ! `phi`: rows x features (row-major); `factor_weight`: outputs x features x rank (inferno's
    ! factor["weight"]); `factor_bias`: NULL (no bias) or outputs x rank (factor["bias"]);
    ! `out_var`: rows x outputs, overwritten. Nothing is allocated.
    ! Fortran: factor_bias = c_null_ptr or c_loc(array).
    function lk_vr_variance_f32(phi, rows, features, factor_weight, factor_bias, outputs, &
        rank, out_var) &
        bind(C, name="lk_vr_variance_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t
      real(c_float), intent(in) :: phi(*)  ! const float *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: features  ! size_t
      real(c_float), intent(in) :: factor_weight(*)  ! const float *
      type(c_ptr), value :: factor_bias  ! const float *
      integer(c_size_t), value :: outputs  ! size_t
      integer(c_size_t), value :: rank  ! size_t
      real(c_float), intent(inout) :: out_var(*)  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_vr_variance_f32

    ! The logit variances of a Bayesian linear layer with a low-rank covariance factor: out_var[i,
    ! o] = sum_r (sum_f phi[i, f] W[o, f, r] + b[o, r])^2.
    !
    ! `f64` data; as lk_vr_variance_f32.
    ! Fortran: factor_bias = c_null_ptr or c_loc(array).
    function lk_vr_variance_f64(phi, rows, features, factor_weight, factor_bias, outputs, &
        rank, out_var) &
        bind(C, name="lk_vr_variance_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t
      real(c_double), intent(in) :: phi(*)  ! const double *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: features  ! size_t
      real(c_double), intent(in) :: factor_weight(*)  ! const double *
      type(c_ptr), value :: factor_bias  ! const double *
      integer(c_size_t), value :: outputs  ! size_t
      integer(c_size_t), value :: rank  ! size_t
      real(c_double), intent(inout) :: out_var(*)  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_vr_variance_f64

    ! astroNN robust_categorical_crossentropy with its Monte-Carlo distortion, the magic correction
    ! and the sample weight applied once: loss_i = u_i mean_m(-elu(u_i - d_mi)) + u_i + dep.
    !
    ! u_i = F_i sum_c -t_ic ln softmax(z_i)_c (F_i = classes / unmasked classes; a target equal
    ! to the magic number, with opts.use_magic, is masked); d_mi = the same at the distorted
    ! logits z_i + eps_mi * logit_var_i with eps = lk_normal_draw(seed, i, c, m), m < draws
    ! (astroNN: LK_ASTRONN_DRAWS); dep = mean over all rows x classes of (exp(logit_var) - 1).
    ! `y_true`, `logits`, `logit_var`: rows x classes, row-major; `sample_weight` and
    ! opts.mask: NULL or one per row (the weight multiplies the row once, in the reduction);
    ! `out`: 1 value, or rows values with LK_REDUCTION_NONE. `grad_logits`, `grad_logit_var`
    ! (NULL or rows x classes) receive grad_scale * dL/dlogits and dL/dlogit_var for these
    ! draws. A row with nothing unmasked follows opts.empty. opts.row_len must be 0.
    ! Fortran: sample_weight, grad_logits, grad_logit_var = c_null_ptr or c_loc(array).
    function lk_robust_categorical_crossentropy_f32(y_true, logits, logit_var, &
        sample_weight, rows, classes, draws, seed, opts, out, grad_logits, grad_logit_var) &
        bind(C, name="lk_robust_categorical_crossentropy_f32") result(res)
      import :: c_float, c_int32_t, c_int64_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: y_true(*)  ! const float *
      real(c_float), intent(in) :: logits(*)  ! const float *
      real(c_float), intent(in) :: logit_var(*)  ! const float *
      type(c_ptr), value :: sample_weight  ! const float *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      integer(c_size_t), value :: draws  ! size_t
      integer(c_int64_t), value :: seed  ! uint64_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad_logits  ! float *
      type(c_ptr), value :: grad_logit_var  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_robust_categorical_crossentropy_f32

    ! astroNN robust_categorical_crossentropy with its Monte-Carlo distortion, the magic correction
    ! and the sample weight applied once: loss_i = u_i mean_m(-elu(u_i - d_mi)) + u_i + dep.
    !
    ! `f64` data; as lk_robust_categorical_crossentropy_f32.
    ! Fortran: sample_weight, grad_logits, grad_logit_var = c_null_ptr or c_loc(array).
    function lk_robust_categorical_crossentropy_f64(y_true, logits, logit_var, &
        sample_weight, rows, classes, draws, seed, opts, out, grad_logits, grad_logit_var) &
        bind(C, name="lk_robust_categorical_crossentropy_f64") result(res)
      import :: c_double, c_int32_t, c_int64_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: y_true(*)  ! const double *
      real(c_double), intent(in) :: logits(*)  ! const double *
      real(c_double), intent(in) :: logit_var(*)  ! const double *
      type(c_ptr), value :: sample_weight  ! const double *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      integer(c_size_t), value :: draws  ! size_t
      integer(c_int64_t), value :: seed  ! uint64_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad_logits  ! double *
      type(c_ptr), value :: grad_logit_var  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_robust_categorical_crossentropy_f64

    ! astroNN robust_binary_crossentropy with its Monte-Carlo distortion, the corrections applied
    ! once: loss_i = u_i mean_m(-elu(u_i - d_mi)) + u_i + dep, u_i = the masked mean over the labels
    ! of softplus(z) - z t.
    !
    ! Arguments as for lk_robust_categorical_crossentropy_f32 (`classes` = labels per row).
    ! Fortran: sample_weight, grad_logits, grad_logit_var = c_null_ptr or c_loc(array).
    function lk_robust_binary_crossentropy_f32(y_true, logits, logit_var, sample_weight, &
        rows, classes, draws, seed, opts, out, grad_logits, grad_logit_var) &
        bind(C, name="lk_robust_binary_crossentropy_f32") result(res)
      import :: c_float, c_int32_t, c_int64_t, c_ptr, c_size_t, lk_options
      real(c_float), intent(in) :: y_true(*)  ! const float *
      real(c_float), intent(in) :: logits(*)  ! const float *
      real(c_float), intent(in) :: logit_var(*)  ! const float *
      type(c_ptr), value :: sample_weight  ! const float *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      integer(c_size_t), value :: draws  ! size_t
      integer(c_int64_t), value :: seed  ! uint64_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_float), intent(inout) :: out(*)  ! float *
      type(c_ptr), value :: grad_logits  ! float *
      type(c_ptr), value :: grad_logit_var  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_robust_binary_crossentropy_f32

    ! astroNN robust_binary_crossentropy with its Monte-Carlo distortion, the corrections applied
    ! once: loss_i = u_i mean_m(-elu(u_i - d_mi)) + u_i + dep, u_i = the masked mean over the labels
    ! of softplus(z) - z t.
    !
    ! `f64` data; as lk_robust_binary_crossentropy_f32.
    ! Fortran: sample_weight, grad_logits, grad_logit_var = c_null_ptr or c_loc(array).
    function lk_robust_binary_crossentropy_f64(y_true, logits, logit_var, sample_weight, &
        rows, classes, draws, seed, opts, out, grad_logits, grad_logit_var) &
        bind(C, name="lk_robust_binary_crossentropy_f64") result(res)
      import :: c_double, c_int32_t, c_int64_t, c_ptr, c_size_t, lk_options
      real(c_double), intent(in) :: y_true(*)  ! const double *
      real(c_double), intent(in) :: logits(*)  ! const double *
      real(c_double), intent(in) :: logit_var(*)  ! const double *
      type(c_ptr), value :: sample_weight  ! const double *
      integer(c_size_t), value :: rows  ! size_t
      integer(c_size_t), value :: classes  ! size_t
      integer(c_size_t), value :: draws  ! size_t
      integer(c_int64_t), value :: seed  ! uint64_t
      type(lk_options), intent(in) :: opts  ! const lk_options *
      real(c_double), intent(inout) :: out(*)  ! double *
      type(c_ptr), value :: grad_logits  ! double *
      type(c_ptr), value :: grad_logit_var  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_robust_binary_crossentropy_f64

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

    ! The default spectra coefficients: all 0 (the pure log-MSE), node-mean norm.
    function lk_spectra_params_default() &
        bind(C, name="lk_spectra_params_default") result(res)
      import :: lk_spectra_params
      type(lk_spectra_params) :: res  ! lk_spectra_params
    end function lk_spectra_params_default

    ! The workspace length (in doubles) for a grid of `len` points: 4 len - 6, or 0 for
    ! len < 2.
    function lk_spectra_workspace_len(len) &
        bind(C, name="lk_spectra_workspace_len") result(res)
      import :: c_size_t
      integer(c_size_t), value :: len  ! size_t
      integer(c_size_t) :: res  ! size_t
    end function lk_spectra_workspace_len

    ! Prepares a wavenumber grid: checks k1 (len >= 1 values, finite, > 0, strictly
    ! increasing) and zref (finite, > 0), fills `work` (exactly lk_spectra_workspace_len(len)
    ! doubles: 1/h1, 1/h2 and the trapezoid weights, computed in double, where
    ! h1_j = ln k1(j+1) - ln k1(j) and h2_j = (h1_j + h1_(j+1))/2) and fills `*grid`, which
    ! keeps a pointer to `work`. Nothing is written on error.
    function lk_spectra_grid_init_f32(k1, len, zref, work, work_len, grid) &
        bind(C, name="lk_spectra_grid_init_f32") result(res)
      import :: c_double, c_float, c_int32_t, c_size_t, lk_spectra_grid
      real(c_float), intent(in) :: k1(*)  ! const float *
      integer(c_size_t), value :: len  ! size_t
      real(c_float), value :: zref  ! float
      real(c_double), intent(inout) :: work(*)  ! double *
      integer(c_size_t), value :: work_len  ! size_t
      type(lk_spectra_grid), intent(inout) :: grid  ! lk_spectra_grid *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_spectra_grid_init_f32

    ! Prepares a wavenumber grid (double k1); see lk_spectra_grid_init_f32.
    function lk_spectra_grid_init_f64(k1, len, zref, work, work_len, grid) &
        bind(C, name="lk_spectra_grid_init_f64") result(res)
      import :: c_double, c_int32_t, c_size_t, lk_spectra_grid
      real(c_double), intent(in) :: k1(*)  ! const double *
      integer(c_size_t), value :: len  ! size_t
      real(c_double), value :: zref  ! double
      real(c_double), intent(inout) :: work(*)  ! double *
      integer(c_size_t), value :: work_len  ! size_t
      type(lk_spectra_grid), intent(inout) :: grid  ! lk_spectra_grid *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_spectra_grid_init_f64

    ! DRDMannTurb's spectra-fitting loss (LossAggregator.eval) with its per-term breakdown
    ! and gradients:
    ! total = MSE + (Coh if gamma > 0) + (Pen1 if alpha_1 > 0) + (Pen2 if alpha_2 > 0)
    ! + (Reg if beta > 0), where, with l_ij = ln|model_ij| and x = ln k1,
    ! MSE = mean over the C*L entries of ln^2 |model_ij / data_ij|,
    ! Pen1 = alpha_1 * mean over C*(L-1) nodes of ReLU(d1_ij)^2 / zref,
    ! d1_ij = (l_i,j+1 - l_ij) / h1_j,
    ! Pen2 = alpha_2 * mean over C*(L-2) nodes of ReLU(d2_ij)^2 / zref^2,
    ! d2_ij = (d1_i,j+1 - d1_ij) / h2_j,
    ! Reg = beta * mean(theta^2),
    ! Coh = gamma * mean((coh_model - coh_data)^2) (three equal blocks Cu, Cv, Cw).
    !
    ! `grid`: from lk_spectra_grid_init_*; `params`: NULL for the defaults (pure MSE);
    ! `model`, `data`: components x len row-major spectra (k1 F(k1); components >= 1);
    ! `theta`: NULL or n_theta = 0 when there is no network (Reg is then 0);
    ! `coh_model`, `coh_data`: n_coh = 3M values each ([Cu; Cv; Cw]), or n_coh = 0;
    ! `grad_opts`: NULL for scale 1, overwrite;
    ! `terms`: receives the breakdown (required);
    ! `grad_model` (components x len), `grad_theta` (n_theta), `grad_coh` (n_coh): NULL, or
    ! receive scale * d total / d input (0 for a term that is off).
    !
    ! Returns LK_ERR_BAD_PARAMETER for an active penalty on too short a grid (Pen1 needs
    ! len >= 2, Pen2 len >= 3) or a non-finite coefficient. EXCEPTION to "outputs are written
    ! only on LK_OK": if the total is NaN, the status is LK_ERR_NOT_FINITE and `terms` and
    ! the gradients ARE written, so the caller can see which term failed. A total of +inf (a
    ! zero spectrum value) is returned with LK_OK.
    ! Fortran: theta, grad_opts, grad_model, grad_theta, grad_coh = c_null_ptr or c_loc(array).
    function lk_spectra_eval_f32(grid, params, model, data, components, theta, n_theta, &
        coh_model, coh_data, n_coh, grad_opts, terms, grad_model, grad_theta, grad_coh) &
        bind(C, name="lk_spectra_eval_f32") result(res)
      import :: c_float, c_int32_t, c_ptr, c_size_t, lk_spectra_grid, lk_spectra_params, &
          lk_spectra_terms
      type(lk_spectra_grid), intent(in) :: grid  ! const lk_spectra_grid *
      type(lk_spectra_params), intent(in) :: params  ! const lk_spectra_params *
      real(c_float), intent(in) :: model(*)  ! const float *
      real(c_float), intent(in) :: data(*)  ! const float *
      integer(c_size_t), value :: components  ! size_t
      type(c_ptr), value :: theta  ! const float *
      integer(c_size_t), value :: n_theta  ! size_t
      real(c_float), intent(in) :: coh_model(*)  ! const float *
      real(c_float), intent(in) :: coh_data(*)  ! const float *
      integer(c_size_t), value :: n_coh  ! size_t
      type(c_ptr), value :: grad_opts  ! const lk_grad_options *
      type(lk_spectra_terms), intent(inout) :: terms  ! lk_spectra_terms *
      type(c_ptr), value :: grad_model  ! float *
      type(c_ptr), value :: grad_theta  ! float *
      type(c_ptr), value :: grad_coh  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_spectra_eval_f32

    ! DRDMannTurb's spectra-fitting loss for double data; see lk_spectra_eval_f32.
    ! Fortran: theta, grad_opts, grad_model, grad_theta, grad_coh = c_null_ptr or c_loc(array).
    function lk_spectra_eval_f64(grid, params, model, data, components, theta, n_theta, &
        coh_model, coh_data, n_coh, grad_opts, terms, grad_model, grad_theta, grad_coh) &
        bind(C, name="lk_spectra_eval_f64") result(res)
      import :: c_double, c_int32_t, c_ptr, c_size_t, lk_spectra_grid, lk_spectra_params, &
          lk_spectra_terms
      type(lk_spectra_grid), intent(in) :: grid  ! const lk_spectra_grid *
      type(lk_spectra_params), intent(in) :: params  ! const lk_spectra_params *
      real(c_double), intent(in) :: model(*)  ! const double *
      real(c_double), intent(in) :: data(*)  ! const double *
      integer(c_size_t), value :: components  ! size_t
      type(c_ptr), value :: theta  ! const double *
      integer(c_size_t), value :: n_theta  ! size_t
      real(c_double), intent(in) :: coh_model(*)  ! const double *
      real(c_double), intent(in) :: coh_data(*)  ! const double *
      integer(c_size_t), value :: n_coh  ! size_t
      type(c_ptr), value :: grad_opts  ! const lk_grad_options *
      type(lk_spectra_terms), intent(inout) :: terms  ! lk_spectra_terms *
      type(c_ptr), value :: grad_model  ! double *
      type(c_ptr), value :: grad_theta  ! double *
      type(c_ptr), value :: grad_coh  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_spectra_eval_f64

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

    ! Empties `*total` (count 0, total 0, every name cleared).
    function lk_total_init(total) &
        bind(C, name="lk_total_init") result(res)
      import :: c_int32_t, lk_total
      type(lk_total), intent(inout) :: total  ! lk_total *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_total_init

    ! Adds a term whose raw value was computed elsewhere: weighted = weight * raw, and
    ! `total->total` is recomputed. Errors: NULL pointers, an empty name or one longer than
    ! LK_TOTAL_NAME_CAPACITY - 1 bytes or a non-finite weight (LK_ERR_BAD_PARAMETER), a
    ! repeated name (LK_ERR_DUPLICATE_NAME), no room left (LK_ERR_CAPACITY); `*total` is then
    ! unchanged.
    !
    ! To make a loss's gradient a term's share of the total's gradient, call it with
    ! `opts.grad_scale = weight` and `opts.grad_accumulate = 1` into a zeroed gradient buffer
    ! (or use lk_total_property_loss_f32/_f64, which does this).
    function lk_total_add(total, name, weight, raw) &
        bind(C, name="lk_total_add") result(res)
      import :: c_char, c_double, c_int32_t, lk_total
      type(lk_total), intent(inout) :: total  ! lk_total *
      character(kind=c_char), intent(in) :: name(*)  ! const char *
      real(c_double), value :: weight  ! double
      real(c_double), value :: raw  ! double
      integer(c_int32_t) :: res  ! lk_status
    end function lk_total_add

    ! Evaluates a property loss (arguments as for lk_property_loss_f32, without `out`) as a
    ! term of `total`: the loss value becomes the term's raw value, and `grad` (NULL, or n
    ! values) receives grad += weight * opts.grad_scale * dL/dpred (always accumulated, so
    ! zero it before the first term; several terms may share one buffer).
    ! LK_REDUCTION_NONE is refused. Name, weight and capacity are checked before anything is
    ! computed; on any error neither `*total` nor `grad` is changed.
    !
    ! `f32` data (the weight is rounded to float for the gradient; the total stays double).
    ! Fortran: structure_weight, grad = c_null_ptr or c_loc(array).
    function lk_total_property_loss_f32(total, name, weight, loss, pred, target, n, &
        batch, structure_weight, opts, grad) &
        bind(C, name="lk_total_property_loss_f32") result(res)
      import :: c_char, c_double, c_float, c_int32_t, c_ptr, c_size_t, lk_batch, &
          lk_options, lk_property_loss, lk_total
      type(lk_total), intent(inout) :: total  ! lk_total *
      character(kind=c_char), intent(in) :: name(*)  ! const char *
      real(c_double), value :: weight  ! double
      type(lk_property_loss), intent(in) :: loss  ! const lk_property_loss *
      real(c_float), intent(in) :: pred(*)  ! const float *
      real(c_float), intent(in) :: target(*)  ! const float *
      integer(c_size_t), value :: n  ! size_t
      type(lk_batch), intent(in) :: batch  ! const lk_batch *
      type(c_ptr), value :: structure_weight  ! const float *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      type(c_ptr), value :: grad  ! float *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_total_property_loss_f32

    ! As lk_total_property_loss_f32, for `f64` data.
    ! Fortran: structure_weight, grad = c_null_ptr or c_loc(array).
    function lk_total_property_loss_f64(total, name, weight, loss, pred, target, n, &
        batch, structure_weight, opts, grad) &
        bind(C, name="lk_total_property_loss_f64") result(res)
      import :: c_char, c_double, c_int32_t, c_ptr, c_size_t, lk_batch, lk_options, &
          lk_property_loss, lk_total
      type(lk_total), intent(inout) :: total  ! lk_total *
      character(kind=c_char), intent(in) :: name(*)  ! const char *
      real(c_double), value :: weight  ! double
      type(lk_property_loss), intent(in) :: loss  ! const lk_property_loss *
      real(c_double), intent(in) :: pred(*)  ! const double *
      real(c_double), intent(in) :: target(*)  ! const double *
      integer(c_size_t), value :: n  ! size_t
      type(lk_batch), intent(in) :: batch  ! const lk_batch *
      type(c_ptr), value :: structure_weight  ! const double *
      type(lk_options), intent(in) :: opts  ! const lk_options *
      type(c_ptr), value :: grad  ! double *
      integer(c_int32_t) :: res  ! lk_status
    end function lk_total_property_loss_f64
  end interface

  ! ---- Generic names: the f32/f64 pair by the kind of the reals ----

  interface lk_epoch_metric_update
    procedure :: lk_epoch_metric_update_f32, lk_epoch_metric_update_f64
  end interface lk_epoch_metric_update

  interface lk_bce
    procedure :: lk_bce_f32, lk_bce_f64
  end interface lk_bce

  interface lk_bce_with_logits
    procedure :: lk_bce_with_logits_f32, lk_bce_with_logits_f64
  end interface lk_bce_with_logits

  interface lk_binary_focal
    procedure :: lk_binary_focal_f32, lk_binary_focal_f64
  end interface lk_binary_focal

  interface lk_astronn_bce
    procedure :: lk_astronn_bce_f32, lk_astronn_bce_f64
  end interface lk_astronn_bce

  interface lk_binary_accuracy
    procedure :: lk_binary_accuracy_f32, lk_binary_accuracy_f64
  end interface lk_binary_accuracy

  interface lk_cross_entropy
    procedure :: lk_cross_entropy_f32, lk_cross_entropy_f64
  end interface lk_cross_entropy

  interface lk_cross_entropy_in_place
    procedure :: lk_cross_entropy_in_place_f32, lk_cross_entropy_in_place_f64
  end interface lk_cross_entropy_in_place

  interface lk_cross_entropy_probs
    procedure :: lk_cross_entropy_probs_f32, lk_cross_entropy_probs_f64
  end interface lk_cross_entropy_probs

  interface lk_nll
    procedure :: lk_nll_f32, lk_nll_f64
  end interface lk_nll

  interface lk_focal
    procedure :: lk_focal_f32, lk_focal_f64
  end interface lk_focal

  interface lk_categorical_accuracy
    procedure :: lk_categorical_accuracy_f32, lk_categorical_accuracy_f64
  end interface lk_categorical_accuracy

  interface lk_astronn_cce
    procedure :: lk_astronn_cce_f32, lk_astronn_cce_f64
  end interface lk_astronn_cce

  interface lk_astronn_categorical_accuracy
    procedure :: lk_astronn_categorical_accuracy_f32, lk_astronn_categorical_accuracy_f64
  end interface lk_astronn_categorical_accuracy

  interface lk_cuda_mse
    procedure :: lk_cuda_mse_f32, lk_cuda_mse_f64
  end interface lk_cuda_mse

  interface lk_cuda_mae
    procedure :: lk_cuda_mae_f32, lk_cuda_mae_f64
  end interface lk_cuda_mae

  interface lk_cuda_rmse
    procedure :: lk_cuda_rmse_f32, lk_cuda_rmse_f64
  end interface lk_cuda_rmse

  interface lk_cuda_mean_error
    procedure :: lk_cuda_mean_error_f32, lk_cuda_mean_error_f64
  end interface lk_cuda_mean_error

  interface lk_cuda_msle
    procedure :: lk_cuda_msle_f32, lk_cuda_msle_f64
  end interface lk_cuda_msle

  interface lk_cuda_mape
    procedure :: lk_cuda_mape_f32, lk_cuda_mape_f64
  end interface lk_cuda_mape

  interface lk_cuda_mpe
    procedure :: lk_cuda_mpe_f32, lk_cuda_mpe_f64
  end interface lk_cuda_mpe

  interface lk_cuda_huber
    procedure :: lk_cuda_huber_f32, lk_cuda_huber_f64
  end interface lk_cuda_huber

  interface lk_cuda_scale_free_huber
    procedure :: lk_cuda_scale_free_huber_f32, lk_cuda_scale_free_huber_f64
  end interface lk_cuda_scale_free_huber

  interface lk_cuda_smooth_l1
    procedure :: lk_cuda_smooth_l1_f32, lk_cuda_smooth_l1_f64
  end interface lk_cuda_smooth_l1

  interface lk_cuda_log_cosh
    procedure :: lk_cuda_log_cosh_f32, lk_cuda_log_cosh_f64
  end interface lk_cuda_log_cosh

  interface lk_cuda_binary_focal
    procedure :: lk_cuda_binary_focal_f32, lk_cuda_binary_focal_f64
  end interface lk_cuda_binary_focal

  interface lk_cuda_bce_with_logits
    procedure :: lk_cuda_bce_with_logits_f32, lk_cuda_bce_with_logits_f64
  end interface lk_cuda_bce_with_logits

  interface lk_cuda_cross_entropy
    procedure :: lk_cuda_cross_entropy_f32, lk_cuda_cross_entropy_f64
  end interface lk_cuda_cross_entropy

  interface lk_summed_exp_boundary_loss
    procedure :: lk_summed_exp_boundary_loss_f32, lk_summed_exp_boundary_loss_f64
  end interface lk_summed_exp_boundary_loss

  interface lk_bounds_cost
    procedure :: lk_bounds_cost_f32, lk_bounds_cost_f64
  end interface lk_bounds_cost

  interface lk_gaussian_nll
    procedure :: lk_gaussian_nll_f32, lk_gaussian_nll_f64
  end interface lk_gaussian_nll

  interface lk_poisson_nll
    procedure :: lk_poisson_nll_f32, lk_poisson_nll_f64
  end interface lk_poisson_nll

  interface lk_kl_div
    procedure :: lk_kl_div_f32, lk_kl_div_f64
  end interface lk_kl_div

  interface lk_robust_mse
    procedure :: lk_robust_mse_f32, lk_robust_mse_f64
  end interface lk_robust_mse

  interface lk_gaussian_kl
    procedure :: lk_gaussian_kl_f32, lk_gaussian_kl_f64
  end interface lk_gaussian_kl

  interface lk_free_energy
    procedure :: lk_free_energy_f32, lk_free_energy_f64
  end interface lk_free_energy

  interface lk_mse_vr
    procedure :: lk_mse_vr_f32, lk_mse_vr_f64
  end interface lk_mse_vr

  interface lk_bce_with_logits_vr
    procedure :: lk_bce_with_logits_vr_f32, lk_bce_with_logits_vr_f64
  end interface lk_bce_with_logits_vr

  interface lk_cross_entropy_vr
    procedure :: lk_cross_entropy_vr_f32, lk_cross_entropy_vr_f64
  end interface lk_cross_entropy_vr

  interface lk_vr_variance
    procedure :: lk_vr_variance_f32, lk_vr_variance_f64
  end interface lk_vr_variance

  interface lk_robust_categorical_crossentropy
    procedure :: lk_robust_categorical_crossentropy_f32, lk_robust_categorical_crossentropy_f64
  end interface lk_robust_categorical_crossentropy

  interface lk_robust_binary_crossentropy
    procedure :: lk_robust_binary_crossentropy_f32, lk_robust_binary_crossentropy_f64
  end interface lk_robust_binary_crossentropy

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

  interface lk_spectra_grid_init
    procedure :: lk_spectra_grid_init_f32, lk_spectra_grid_init_f64
  end interface lk_spectra_grid_init

  interface lk_spectra_eval
    procedure :: lk_spectra_eval_f32, lk_spectra_eval_f64
  end interface lk_spectra_eval


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
