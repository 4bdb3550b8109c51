# Fortran against an installed losskit: compile the module source with the program.
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
gfortran -o quickstart_f "$(pkg-config --variable=fortran_module losskit)" quickstart.f90 \
   $(pkg-config --libs losskit) -Wl,-rpath,"$(pkg-config --variable=libdir losskit)"
