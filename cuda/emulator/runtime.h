// The emulator's internal interface between the driver API (driver.cpp), the fiber
// scheduler (runtime.cpp) and the compiled kernels (kernels.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace lkemu {

// One compiled kernel: its name, the size of its by-value parameter and the most threads
// per block it was declared for (__launch_bounds__), and a function that copies the
// parameter from the launch's argument block and runs the kernel body for one thread.
struct Kernel {
    const char *name;
    size_t param_bytes;
    unsigned max_threads;
    void (*run)(const void *param);
};

// The kernels compiled from cuda/*.cu (kernels.cpp).
extern const Kernel kernels[];
extern const size_t kernel_count;

// Runs a whole grid (1-D or 3-D) synchronously on the calling thread; launches are
// serialised process-wide. Aborts with a message on barrier or shuffle misuse.
void run_grid(const Kernel &k, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
              unsigned bz, const void *param);

// Prints "losskit CUDA emulator: <message>" and aborts.
[[noreturn]] void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace lkemu
