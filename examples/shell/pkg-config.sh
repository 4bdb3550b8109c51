# C against an installed losskit, found by pkg-config (PREFIX as given to scripts/install.sh).
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
# Linked to liblosskit.so; the rpath lets the program find it at run time.
cc -o quickstart quickstart.c $(pkg-config --cflags --libs losskit) \
   -Wl,-rpath,"$(pkg-config --variable=libdir losskit)"
# Or linked to liblosskit.a, with the system libraries it needs (pkg-config --static).
cc -o quickstart_static quickstart.c $(pkg-config --cflags losskit) \
   "$(pkg-config --variable=libdir losskit)/liblosskit.a" \
   $(pkg-config --static --libs-only-l losskit | sed 's/-llosskit//')
