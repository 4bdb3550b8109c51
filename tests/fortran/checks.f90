! Checks shared by the Fortran test program (built and run by capi/tests/fortran.rs).
!
! A family's test file (family_<name>.f90) defines a module family_<name> with a public
! subroutine run_<name>(t) that takes a type(checker) and calls the checks below; the runner
! finds the file by its name and calls run_<name>.
module checks
  use losskit
  implicit none
  private
  public :: checker, check, check_close, check_status, report

  type :: checker
    integer :: passed = 0
    integer :: failed = 0
  end type checker

  interface check_close
    module procedure check_close_scalar, check_close_array
  end interface check_close

contains

  subroutine check(t, ok, what)
    type(checker), intent(inout) :: t
    logical, intent(in) :: ok
    character(len=*), intent(in) :: what
    if (ok) then
      t%passed = t%passed + 1
    else
      t%failed = t%failed + 1
      print '(a, a)', 'FAILED: ', what
    end if
  end subroutine check

  ! |got - want| <= rtol * max(|want|, tiny): a relative check with an absolute floor.
  subroutine check_close_scalar(t, got, want, rtol, what)
    type(checker), intent(inout) :: t
    real(c_double), intent(in) :: got, want, rtol
    character(len=*), intent(in) :: what
    logical :: ok
    ok = abs(got - want) <= rtol * max(abs(want), 1e-100_c_double)
    if (.not. ok) print '(a, a, a, es24.16, a, es24.16)', 'FAILED: ', what, ': got ', got, &
        ', want ', want
    call check(t, ok, what)
  end subroutine check_close_scalar

  subroutine check_close_array(t, got, want, rtol, what)
    type(checker), intent(inout) :: t
    real(c_double), intent(in) :: got(:), want(:), rtol
    character(len=*), intent(in) :: what
    integer :: i
    logical :: ok
    ok = size(got) == size(want)
    if (ok) then
      do i = 1, size(got)
        if (abs(got(i) - want(i)) > rtol * max(abs(want(i)), 1e-100_c_double)) then
          print '(a, a, a, i0, a, es24.16, a, es24.16)', 'FAILED: ', what, ' at ', i, ': got ', &
              got(i), ', want ', want(i)
          ok = .false.
        end if
      end do
    end if
    call check(t, ok, what)
  end subroutine check_close_array

  subroutine check_status(t, got, want, what)
    type(checker), intent(inout) :: t
    integer(c_int32_t), intent(in) :: got, want
    character(len=*), intent(in) :: what
    if (got /= want) print '(a, a, a, a, a, a, a, a)', 'FAILED: ', what, ': status ', &
        lkf_status_name(got), ', want ', lkf_status_name(want), ': ', lkf_last_error()
    call check(t, got == want, what)
  end subroutine check_status

  subroutine report(t)
    type(checker), intent(in) :: t
    if (t%failed > 0) then
      print '(i0, a, i0, a)', t%failed, ' of ', t%passed + t%failed, ' checks FAILED'
      error stop 1
    end if
    print '(a, i0, a)', 'all checks passed (', t%passed, ')'
  end subroutine report

end module checks
