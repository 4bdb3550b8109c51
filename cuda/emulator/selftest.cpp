// Checks that the emulator's own checks can fail: kernels with a divergent __syncthreads,
// warp operations some lanes miss, a read of shared memory nobody wrote, a race whose
// outcome depends on the thread order, a write past a device allocation, and PTX that does
// not match the compiled kernels. Each misuse must abort with its message (run in a child
// process); the correct kernels must give the expected results. Built and run by
// cuda/emulator/test.sh:  selftest path/to/losskit.ptx
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "device.h"
#include "runtime.h"

#define LK_BLOCK_TEST 256

extern "C" {
int cuInit(unsigned);
int cuDevicePrimaryCtxRetain(void **, int);
int cuCtxSetCurrent(void *);
int cuModuleLoadData(void **, const void *);
int cuMemAlloc_v2(unsigned long long *, size_t);
int cuMemFree_v2(unsigned long long);
}

namespace {

struct Out {
    double *d;
    unsigned *u;
};

__global__ void exits_before_barrier(Out) {
    if (threadIdx.x < 100) __syncthreads();
}
__global__ void two_barriers(Out) {
    if (threadIdx.x % 2) {
        __syncthreads();
    } else {
        __syncthreads();
    }
}
__global__ void shuffle_with_exited_lane(Out o) {
    if (threadIdx.x == 5) return;
    o.d[threadIdx.x] = __shfl_down_sync(0xffffffffu, 1.0, 1);
}
__global__ void mixed_warp_ops(Out o) {
    if (threadIdx.x & 1) {
        o.d[threadIdx.x] = __shfl_sync(0xffffffffu, 1.0, 0);
    } else {
        __syncwarp();
    }
}
__global__ void reads_unwritten_shared(Out o) {
    __shared__ double sh[LK_BLOCK_TEST];
    if (threadIdx.x == 1) sh[1] = 2.0;
    __syncthreads();
    if (threadIdx.x == 0) o.d[0] = sh[1] + sh[2];  // sh[2] was never written: NaN
}
__global__ void racy_last_writer(Out o) {
    __shared__ unsigned last;
    last = threadIdx.x;  // every thread writes, no barrier: a race
    __syncthreads();
    if (threadIdx.x == 0) o.u[blockIdx.x] = last;
}
// A correct warp reduction and block reduction: the same result in every order.
__global__ void warp_and_block_sums(Out o) {
    double v = threadIdx.x + 1.0;
    for (unsigned k = 16; k > 0; k >>= 1) v += __shfl_down_sync(0xffffffffu, v, k);
    v = __shfl_sync(0xffffffffu, v, 0);
    __shared__ double sh[LK_BLOCK_TEST];
    sh[threadIdx.x] = v;
    __syncthreads();
    for (unsigned s = LK_BLOCK_TEST / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) sh[threadIdx.x] += sh[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) o.d[blockIdx.x] = sh[0];
}

template <void (*K)(Out)> void run(const void *p) {
    Out o;
    memcpy(&o, p, sizeof o);
    K(o);
}
template <void (*K)(Out)> lkemu::Kernel kernel(const char *name) { return {name, sizeof(Out), 256, &run<K>}; }

int failures = 0;

void expect(bool ok, const char *what) {
    printf("%s: %s\n", ok ? "ok" : "FAILED", what);
    if (!ok) ++failures;
}

// Runs f in a child; expects it to abort with `message` on stderr.
void expect_abort(const char *what, const char *message, const std::function<void()> &f) {
    int fds[2];
    if (pipe(fds) != 0) abort();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        f();
        _exit(0);
    }
    close(fds[1]);
    std::string err;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) err.append(buf, (size_t)n);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    bool aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
    bool said = err.find(message) != std::string::npos;
    expect(aborted && said, what);
    if (!(aborted && said)) fprintf(stderr, "  (status %d, stderr: %s)\n", status, err.c_str());
}

void launch(const lkemu::Kernel &k, unsigned grid, Out o) { lkemu::run_grid(k, grid, 1, 1, 256, 1, 1, &o); }

std::string replace_once(std::string s, const std::string &from, const std::string &to) {
    size_t at = s.find(from);
    if (at == std::string::npos) {
        fprintf(stderr, "selftest: '%s' not in the PTX\n", from.c_str());
        exit(2);
    }
    return s.replace(at, from.size(), to);
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: selftest path/to/losskit.ptx\n");
        return 2;
    }
    static double d[512];
    static unsigned u[4];
    Out o = {d, u};

    expect_abort("a thread exits while the others wait at __syncthreads", "a __syncthreads that not every thread reaches",
                 [&] { launch(kernel<exits_before_barrier>("exits_before_barrier"), 1, o); });
    expect_abort("threads wait at two different __syncthreads", "threads of a block at different __syncthreads",
                 [&] { launch(kernel<two_barriers>("two_barriers"), 1, o); });
    expect_abort("a shuffle a lane of its mask never reaches", "a warp operation that a lane named in its mask does not reach",
                 [&] { launch(kernel<shuffle_with_exited_lane>("shuffle_with_exited_lane"), 1, o); });
    expect_abort("lanes of a warp in __shfl_sync and __syncwarp", "lanes of one warp in different warp operations",
                 [&] { launch(kernel<mixed_warp_ops>("mixed_warp_ops"), 1, o); });

    launch(kernel<reads_unwritten_shared>("reads_unwritten_shared"), 1, o);
    expect(d[0] != d[0], "shared memory no thread wrote reads as NaN");

    setenv("LOSSKIT_CUDA_EMU_ORDER", "forward", 1);
    launch(kernel<racy_last_writer>("racy_last_writer"), 2, o);
    unsigned forward = u[0];
    setenv("LOSSKIT_CUDA_EMU_ORDER", "reverse", 1);
    launch(kernel<racy_last_writer>("racy_last_writer"), 2, o);
    expect(forward == 255 && u[0] == 0, "a shared-memory race gives another result in reverse order");

    const char *orders[] = {"forward", "reverse", "random"};
    for (const char *order : orders) {
        setenv("LOSSKIT_CUDA_EMU_ORDER", order, 1);
        for (int i = 0; i < 3; ++i) d[i] = 0.0;
        launch(kernel<warp_and_block_sums>("warp_and_block_sums"), 3, o);
        // Each warp sums lanes 1..32 of its own offset: sum over threads of the warp total.
        double want = 0.0;
        for (unsigned w = 0; w < 8; ++w) {
            double s = 0.0;
            for (unsigned l = 0; l < 32; ++l) s += w * 32 + l + 1.0;
            want += 32 * s;
        }
        std::string what = std::string("shuffle and block reductions are right in ") + order + " order";
        expect(d[0] == want && d[1] == want && d[2] == want, what.c_str());
    }
    unsetenv("LOSSKIT_CUDA_EMU_ORDER");

    // The driver: a write past an allocation, and the PTX check.
    void *ctx = nullptr;
    if (cuInit(0) || cuDevicePrimaryCtxRetain(&ctx, 0) || cuCtxSetCurrent(ctx)) return 2;
    expect_abort("a write past the end of a device allocation", "a write past the end of a device allocation", [&] {
        unsigned long long p = 0;
        cuMemAlloc_v2(&p, 10);
        ((char *)(uintptr_t)p)[10] = 1;
        cuMemFree_v2(p);
    });
    std::ifstream f(argv[1], std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string ptx = ss.str();
    void *module = nullptr;
    expect(!ptx.empty() && cuModuleLoadData(&module, ptx.c_str()) == 0, "the committed PTX matches the kernels");
    expect_abort("PTX with another parameter size", "takes 104 parameter bytes in the PTX, 112 here", [&] {
        std::string bad = replace_once(ptx, "lk_keep_f32_param_0[112]", "lk_keep_f32_param_0[104]");
        cuModuleLoadData(&module, bad.c_str());
    });
    expect_abort("PTX without one of the kernels", "kernel lk_prepare is not in the PTX", [&] {
        std::string bad = replace_once(ptx, ".entry lk_prepare(", ".entry lk_prepare2(");
        cuModuleLoadData(&module, bad.c_str());
    });
    expect_abort("PTX with other launch bounds", ".maxntid 128, 1, 1 in the PTX", [&] {
        std::string bad = replace_once(ptx, ".maxntid 256, 1, 1", ".maxntid 128, 1, 1");
        cuModuleLoadData(&module, bad.c_str());
    });
    if (failures) {
        printf("selftest: %d check(s) failed\n", failures);
        return 1;
    }
    printf("selftest: the emulator's checks work\n");
    return 0;
}
