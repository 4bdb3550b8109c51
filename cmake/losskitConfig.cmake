# CMake package of losskit, installed by scripts/install.sh into PREFIX/lib/cmake/losskit.
#
#   find_package(losskit 0.1 REQUIRED)
#   target_link_libraries(app PRIVATE losskit::losskit)
#
# Targets:
#   losskit::losskit         the library: the static one, or the shared one if
#                            LOSSKIT_USE_SHARED is ON when find_package runs
#   losskit::losskit_static  liblosskit.a, with the system libraries it needs
#   losskit::losskit_shared  liblosskit.so (liblosskit.dylib), if installed
# Variables:
#   losskit_INCLUDE_DIR      the directory of losskit.h and losskit.f90
#   losskit_FORTRAN_MODULE   losskit.f90: add it to the sources of a Fortran target
#   losskit_VERSION          the version (from losskitConfigVersion.cmake)

if(TARGET losskit::losskit)
  return()
endif()

get_filename_component(_losskit_libdir "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
get_filename_component(_losskit_prefix "${_losskit_libdir}/.." ABSOLUTE)
set(losskit_INCLUDE_DIR "${_losskit_prefix}/include")
set(losskit_FORTRAN_MODULE "${losskit_INCLUDE_DIR}/losskit.f90")

if(NOT EXISTS "${losskit_INCLUDE_DIR}/losskit.h" OR NOT EXISTS "${_losskit_libdir}/liblosskit.a")
  set(losskit_FOUND FALSE)
  set(losskit_NOT_FOUND_MESSAGE
      "losskit.h or liblosskit.a is missing under ${_losskit_prefix}; reinstall with scripts/install.sh")
  return()
endif()

if(APPLE)
  set(_losskit_system_libs m)
  set(_losskit_shared_file "${_losskit_libdir}/liblosskit.dylib")
elseif(UNIX)
  set(_losskit_system_libs pthread dl m)
  set(_losskit_shared_file "${_losskit_libdir}/liblosskit.so")
else()
  set(_losskit_system_libs "")
  set(_losskit_shared_file "")
endif()

add_library(losskit::losskit_static STATIC IMPORTED)
set_target_properties(losskit::losskit_static PROPERTIES
  IMPORTED_LOCATION "${_losskit_libdir}/liblosskit.a"
  INTERFACE_INCLUDE_DIRECTORIES "${losskit_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES "${_losskit_system_libs}")

if(_losskit_shared_file AND EXISTS "${_losskit_shared_file}")
  add_library(losskit::losskit_shared SHARED IMPORTED)
  set_target_properties(losskit::losskit_shared PROPERTIES
    IMPORTED_LOCATION "${_losskit_shared_file}"
    INTERFACE_INCLUDE_DIRECTORIES "${losskit_INCLUDE_DIR}")
endif()

add_library(losskit::losskit INTERFACE IMPORTED)
if(LOSSKIT_USE_SHARED)
  if(NOT TARGET losskit::losskit_shared)
    set(losskit_FOUND FALSE)
    set(losskit_NOT_FOUND_MESSAGE "LOSSKIT_USE_SHARED is ON but ${_losskit_shared_file} is not installed")
    return()
  endif()
  set_property(TARGET losskit::losskit PROPERTY INTERFACE_LINK_LIBRARIES losskit::losskit_shared)
else()
  set_property(TARGET losskit::losskit PROPERTY INTERFACE_LINK_LIBRARIES losskit::losskit_static)
endif()

unset(_losskit_libdir)
unset(_losskit_prefix)
unset(_losskit_system_libs)
unset(_losskit_shared_file)
