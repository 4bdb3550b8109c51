// The CUDA driver API entry points losskit and cudarc use, on the host: one device
// ("losskit CUDA emulator", compute capability 7.0), its primary context, streams and events
// that complete at once (every call runs synchronously), device memory that is host memory,
// modules that resolve kernel names to the kernels compiled from cuda/*.cu (kernels.cpp).
// Every other driver symbol cudarc can load is a stub returning CUDA_ERROR_NOT_SUPPORTED
// (stubs.cpp).
//
// Device allocations are separate mappings with an inaccessible page on each side; the
// buffer ends at the upper guard page up to its rounding to 256 bytes (CUDA's alignment),
// and those at most 255 bytes past the end are a canary checked at free and after every
// launch. New allocations are filled with 0xff bytes (NaN), as a GPU gives no zeroed memory.
// memcpy/memset check that the device range lies inside one allocation.
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "runtime.h"

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

enum : int {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_INVALID_ADDRESS_SPACE = 717,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_NOT_SUPPORTED = 801,
};

namespace {

struct Context {
    unsigned magic = 0x4c4b4358;  // "LKCX"
};
struct Stream {
    unsigned magic = 0x4c4b5354;  // "LKST"
    Context *ctx;
};
struct Event {
    unsigned magic = 0x4c4b4556;  // "LKEV"
};
struct Module {
    unsigned magic = 0x4c4b4d44;  // "LKMD"
};

Context primary;
int primary_refs = 0;
std::atomic<bool> initialised{false};
thread_local std::vector<Context *> ctx_stack;

struct Allocation {
    char *map;
    size_t map_len;
    size_t size;
    size_t padded;
};
std::mutex mem_mutex;
std::map<uintptr_t, Allocation> allocations;  // keyed by the device pointer
const unsigned char kCanary = 0xa5;

size_t page() { return (size_t)sysconf(_SC_PAGESIZE); }

void check_canary(uintptr_t p, const Allocation &a) {
    const unsigned char *c = (const unsigned char *)p;
    for (size_t i = a.size; i < a.padded; ++i) {
        if (c[i] != kCanary)
            lkemu::fatal("a write past the end of a device allocation of %zu bytes (at byte %zu)", a.size, i);
    }
}

void check_all_canaries() {
    std::lock_guard<std::mutex> l(mem_mutex);
    for (auto &kv : allocations) check_canary(kv.first, kv.second);
}

// Whether [p, p + n) lies inside one live allocation.
bool device_range(CUdeviceptr p, size_t n) {
    std::lock_guard<std::mutex> l(mem_mutex);
    auto it = allocations.upper_bound((uintptr_t)p);
    if (it == allocations.begin()) return false;
    --it;
    return p >= it->first && p + n <= it->first + it->second.size && p + n >= p;
}

Context *current_ctx() { return ctx_stack.empty() ? nullptr : ctx_stack.back(); }

// A stream handle: NULL and the special handles 1 (legacy) and 2 (per-thread) mean the
// current context's default stream.
CUresult stream_ok(void *s) {
    if ((uintptr_t)s < 3) return current_ctx() ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
    return ((Stream *)s)->magic == 0x4c4b5354 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

// ---- the PTX check -------------------------------------------------------------------------

struct PtxEntry {
    size_t param_bytes = 0;
    unsigned maxntid[3] = {0, 0, 0};
};

size_t param_size(const std::string &decl) {
    // ".param .align 8 .b8 name[112]" or ".param .u64 name"
    size_t lb = decl.find('[');
    if (lb != std::string::npos) {
        size_t elem = decl.find(".b8") != std::string::npos ? 1 : 0;
        if (!elem) lkemu::fatal("PTX parameter not understood: %s", decl.c_str());
        return strtoull(decl.c_str() + lb + 1, nullptr, 10);
    }
    static const char *w8[] = {".u64", ".s64", ".b64", ".f64"};
    static const char *w4[] = {".u32", ".s32", ".b32", ".f32"};
    for (const char *t : w8)
        if (decl.find(t) != std::string::npos) return 8;
    for (const char *t : w4)
        if (decl.find(t) != std::string::npos) return 4;
    lkemu::fatal("PTX parameter not understood: %s", decl.c_str());
}

std::map<std::string, PtxEntry> parse_ptx(const char *ptx) {
    std::map<std::string, PtxEntry> out;
    const char *p = ptx;
    while ((p = strstr(p, ".entry ")) != nullptr) {
        p += 7;
        const char *open = strchr(p, '(');
        const char *close = open ? strchr(open, ')') : nullptr;
        if (!open || !close) lkemu::fatal("PTX .entry without a parameter list");
        std::string name(p, open);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
        PtxEntry e;
        std::string params(open + 1, close);
        size_t start = 0;
        while (start < params.size()) {
            size_t comma = params.find(',', start);
            std::string decl = params.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (decl.find(".param") != std::string::npos) e.param_bytes += param_size(decl);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        const char *body = strchr(close, '{');
        const char *mx = strstr(close, ".maxntid");
        if (mx && body && mx < body) {
            sscanf(mx + 8, " %u , %u , %u", &e.maxntid[0], &e.maxntid[1], &e.maxntid[2]);
        }
        out[name] = e;
        p = close;
    }
    return out;
}

// The kernels of the PTX must be exactly those compiled here, with the same parameter
// size and launch bounds; any difference means the emulator and the PTX drifted apart.
void check_ptx(const char *ptx) {
    auto entries = parse_ptx(ptx);
    int bad = 0;
    for (size_t i = 0; i < lkemu::kernel_count; ++i) {
        const lkemu::Kernel &k = lkemu::kernels[i];
        auto it = entries.find(k.name);
        if (it == entries.end()) {
            fprintf(stderr, "losskit CUDA emulator: kernel %s is not in the PTX\n", k.name);
            ++bad;
            continue;
        }
        const PtxEntry &e = it->second;
        if (e.param_bytes != k.param_bytes) {
            fprintf(stderr, "losskit CUDA emulator: kernel %s takes %zu parameter bytes in the PTX, %zu here\n",
                    k.name, e.param_bytes, k.param_bytes);
            ++bad;
        }
        unsigned n = e.maxntid[0] * (e.maxntid[1] ? e.maxntid[1] : 1) * (e.maxntid[2] ? e.maxntid[2] : 1);
        if (e.maxntid[0] == 0 || n != k.max_threads || e.maxntid[1] > 1 || e.maxntid[2] > 1) {
            fprintf(stderr, "losskit CUDA emulator: kernel %s has .maxntid %u, %u, %u in the PTX, %u, 1, 1 here\n",
                    k.name, e.maxntid[0], e.maxntid[1], e.maxntid[2], k.max_threads);
            ++bad;
        }
        entries.erase(it);
    }
    for (auto &kv : entries) {
        fprintf(stderr, "losskit CUDA emulator: the PTX has kernel %s, which the emulator was not built with\n",
                kv.first.c_str());
        ++bad;
    }
    if (bad) lkemu::fatal("the PTX given to cuModuleLoadData does not match the kernels compiled from cuda/*.cu "
                          "(%d differences); rebuild the emulator and the PTX from the same sources", bad);
}

const lkemu::Kernel *find_kernel(const char *name) {
    for (size_t i = 0; i < lkemu::kernel_count; ++i)
        if (strcmp(lkemu::kernels[i].name, name) == 0) return &lkemu::kernels[i];
    return nullptr;
}

struct ErrorText {
    int code;
    const char *name;
    const char *text;
};
const ErrorText error_texts[] = {
    {0, "CUDA_SUCCESS", "no error"},
    {1, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {3, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {100, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {101, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {200, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {201, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {400, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {500, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources requested for launch"},
    {717, "CUDA_ERROR_INVALID_ADDRESS_SPACE", "invalid address space"},
    {801, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported (by the losskit CUDA emulator)"},
    {999, "CUDA_ERROR_UNKNOWN", "unknown error"},
};

}  // namespace

#define API extern "C" __attribute__((visibility("default")))

// ---- initialisation, device ----------------------------------------------------------------

API CUresult cuInit(unsigned flags) {
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    initialised = true;
    return CUDA_SUCCESS;
}
API CUresult cuDriverGetVersion(int *v) {
    if (!v) return CUDA_ERROR_INVALID_VALUE;
    *v = 12060;
    return CUDA_SUCCESS;
}
API CUresult cuDeviceGetCount(int *n) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (!n) return CUDA_ERROR_INVALID_VALUE;
    *n = 1;
    return CUDA_SUCCESS;
}
API CUresult cuDeviceGet(CUdevice *d, int ordinal) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (!d) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal != 0) return CUDA_ERROR_INVALID_DEVICE;
    *d = 0;
    return CUDA_SUCCESS;
}
API CUresult cuDeviceGetName(char *name, int len, CUdevice d) {
    if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!name || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    snprintf(name, (size_t)len, "losskit CUDA emulator (host)");
    return CUDA_SUCCESS;
}
API CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice d) {
    if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!bytes) return CUDA_ERROR_INVALID_VALUE;
    *bytes = (size_t)4 << 30;
    return CUDA_SUCCESS;
}
API CUresult cuDeviceGetUuid(unsigned char *uuid, CUdevice d) {
    if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!uuid) return CUDA_ERROR_INVALID_VALUE;
    memcpy(uuid, "losskit-emulator", 16);
    return CUDA_SUCCESS;
}
API CUresult cuDeviceGetUuid_v2(unsigned char *uuid, CUdevice d) { return cuDeviceGetUuid(uuid, d); }
API CUresult cuDeviceGetAttribute(int *v, int attr, CUdevice d) {
    if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!v) return CUDA_ERROR_INVALID_VALUE;
    switch (attr) {
        case 1: *v = 1024; break;               // MAX_THREADS_PER_BLOCK
        case 2: *v = 1024; break;               // MAX_BLOCK_DIM_X
        case 3: case 4: *v = 1024; break;       // MAX_BLOCK_DIM_Y / Z (64 on GPUs; unused)
        case 5: *v = 2147483647; break;         // MAX_GRID_DIM_X
        case 6: case 7: *v = 65535; break;      // MAX_GRID_DIM_Y / Z
        case 8: *v = 48 * 1024; break;          // MAX_SHARED_MEMORY_PER_BLOCK
        case 10: *v = 32; break;                // WARP_SIZE
        case 16: *v = 1; break;                 // MULTIPROCESSOR_COUNT
        case 75: *v = 7; break;                 // COMPUTE_CAPABILITY_MAJOR
        case 76: *v = 0; break;                 // COMPUTE_CAPABILITY_MINOR
        default: *v = 0; break;                 // not supported (memory pools included)
    }
    return CUDA_SUCCESS;
}

// ---- contexts -------------------------------------------------------------------------------

API CUresult cuDevicePrimaryCtxRetain(void **ctx, CUdevice d) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!ctx) return CUDA_ERROR_INVALID_VALUE;
    __atomic_add_fetch(&primary_refs, 1, __ATOMIC_SEQ_CST);
    *ctx = &primary;
    return CUDA_SUCCESS;
}
API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) {
    if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
    __atomic_sub_fetch(&primary_refs, 1, __ATOMIC_SEQ_CST);
    return CUDA_SUCCESS;
}
API CUresult cuDevicePrimaryCtxRelease(CUdevice d) { return cuDevicePrimaryCtxRelease_v2(d); }
API CUresult cuCtxSetCurrent(void *ctx) {
    if (ctx && ctx != &primary) return CUDA_ERROR_INVALID_CONTEXT;
    if (!ctx) {
        if (!ctx_stack.empty()) ctx_stack.pop_back();
        return CUDA_SUCCESS;
    }
    if (ctx_stack.empty()) ctx_stack.push_back((Context *)ctx);
    else ctx_stack.back() = (Context *)ctx;
    return CUDA_SUCCESS;
}
API CUresult cuCtxGetCurrent(void **ctx) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (!ctx) return CUDA_ERROR_INVALID_VALUE;
    *ctx = current_ctx();
    return CUDA_SUCCESS;
}
API CUresult cuCtxPushCurrent_v2(void *ctx) {
    if (ctx != &primary) return CUDA_ERROR_INVALID_CONTEXT;
    ctx_stack.push_back((Context *)ctx);
    return CUDA_SUCCESS;
}
API CUresult cuCtxPopCurrent_v2(void **ctx) {
    if (ctx_stack.empty()) return CUDA_ERROR_INVALID_CONTEXT;
    if (ctx) *ctx = ctx_stack.back();
    ctx_stack.pop_back();
    return CUDA_SUCCESS;
}
API CUresult cuCtxGetDevice(CUdevice *d) {
    if (!current_ctx()) return CUDA_ERROR_INVALID_CONTEXT;
    if (!d) return CUDA_ERROR_INVALID_VALUE;
    *d = 0;
    return CUDA_SUCCESS;
}
API CUresult cuCtxSynchronize() { return current_ctx() ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT; }
API CUresult cuCtxGetStreamPriorityRange(int *least, int *greatest) {
    if (least) *least = 0;
    if (greatest) *greatest = 0;
    return CUDA_SUCCESS;
}
API CUresult cuCtxSetFlags(unsigned) { return CUDA_SUCCESS; }

// ---- streams and events: everything has completed when the call returns --------------------

API CUresult cuStreamCreate(void **s, unsigned) {
    if (!current_ctx()) return CUDA_ERROR_INVALID_CONTEXT;
    if (!s) return CUDA_ERROR_INVALID_VALUE;
    Stream *st = new Stream;
    st->ctx = current_ctx();
    *s = st;
    return CUDA_SUCCESS;
}
API CUresult cuStreamCreateWithPriority(void **s, unsigned flags, int) { return cuStreamCreate(s, flags); }
API CUresult cuStreamDestroy_v2(void *s) {
    if ((uintptr_t)s < 3 || ((Stream *)s)->magic != 0x4c4b5354) return CUDA_ERROR_INVALID_HANDLE;
    ((Stream *)s)->magic = 0;
    delete (Stream *)s;
    return CUDA_SUCCESS;
}
API CUresult cuStreamSynchronize(void *s) { return stream_ok(s); }
API CUresult cuStreamQuery(void *s) { return stream_ok(s); }
API CUresult cuStreamWaitEvent(void *s, void *e, unsigned) {
    if (!e || ((Event *)e)->magic != 0x4c4b4556) return CUDA_ERROR_INVALID_HANDLE;
    return stream_ok(s);
}
API CUresult cuStreamGetCtx(void *s, void **ctx) {
    if (!ctx) return CUDA_ERROR_INVALID_VALUE;
    CUresult r = stream_ok(s);
    if (r != CUDA_SUCCESS) return r;
    *ctx = (uintptr_t)s < 3 ? current_ctx() : ((Stream *)s)->ctx;
    return CUDA_SUCCESS;
}
API CUresult cuStreamIsCapturing(void *s, int *status) {
    if (status) *status = 0;  // CU_STREAM_CAPTURE_STATUS_NONE
    return stream_ok(s);
}
API CUresult cuLaunchHostFunc(void *s, void (*fn)(void *), void *data) {
    CUresult r = stream_ok(s);
    if (r != CUDA_SUCCESS) return r;
    fn(data);
    return CUDA_SUCCESS;
}
API CUresult cuEventCreate(void **e, unsigned) {
    if (!e) return CUDA_ERROR_INVALID_VALUE;
    *e = new Event;
    return CUDA_SUCCESS;
}
API CUresult cuEventRecord(void *e, void *s) {
    if (!e || ((Event *)e)->magic != 0x4c4b4556) return CUDA_ERROR_INVALID_HANDLE;
    return stream_ok(s);
}
API CUresult cuEventRecordWithFlags(void *e, void *s, unsigned) { return cuEventRecord(e, s); }
API CUresult cuEventSynchronize(void *e) {
    return e && ((Event *)e)->magic == 0x4c4b4556 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}
API CUresult cuEventQuery(void *e) { return cuEventSynchronize(e); }
API CUresult cuEventDestroy_v2(void *e) {
    if (!e || ((Event *)e)->magic != 0x4c4b4556) return CUDA_ERROR_INVALID_HANDLE;
    ((Event *)e)->magic = 0;
    delete (Event *)e;
    return CUDA_SUCCESS;
}
// No timing: the emulator measures nothing.
API CUresult cuEventElapsedTime(float *ms, void *, void *) {
    if (ms) *ms = 0.0f;
    return CUDA_ERROR_NOT_SUPPORTED;
}
API CUresult cuEventElapsedTime_v2(float *ms, void *a, void *b) { return cuEventElapsedTime(ms, a, b); }

// ---- memory ---------------------------------------------------------------------------------

API CUresult cuMemAlloc_v2(CUdeviceptr *dp, size_t size) {
    if (!current_ctx()) return CUDA_ERROR_INVALID_CONTEXT;
    if (!dp || size == 0) return CUDA_ERROR_INVALID_VALUE;
    size_t pg = page();
    size_t padded = (size + 255) & ~(size_t)255;
    size_t body = (padded + pg - 1) / pg * pg;
    size_t len = body + 2 * pg;
    void *m = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return CUDA_ERROR_OUT_OF_MEMORY;
    char *base = (char *)m;
    mprotect(base, pg, PROT_NONE);
    mprotect(base + pg + body, pg, PROT_NONE);
    char *p = base + pg + body - padded;
    memset(p, 0xff, size);
    memset(p + size, kCanary, padded - size);
    {
        std::lock_guard<std::mutex> l(mem_mutex);
        allocations[(uintptr_t)p] = Allocation{base, len, size, padded};
    }
    *dp = (CUdeviceptr)(uintptr_t)p;
    return CUDA_SUCCESS;
}
API CUresult cuMemFree_v2(CUdeviceptr dp) {
    if (dp == 0) return CUDA_SUCCESS;
    Allocation a;
    {
        std::lock_guard<std::mutex> l(mem_mutex);
        auto it = allocations.find((uintptr_t)dp);
        if (it == allocations.end()) return CUDA_ERROR_INVALID_VALUE;
        a = it->second;
        allocations.erase(it);
    }
    check_canary((uintptr_t)dp, a);
    munmap(a.map, a.map_len);
    return CUDA_SUCCESS;
}
API CUresult cuMemAllocAsync(CUdeviceptr *dp, size_t size, void *s) {
    CUresult r = stream_ok(s);
    return r != CUDA_SUCCESS ? r : cuMemAlloc_v2(dp, size);
}
API CUresult cuMemFreeAsync(CUdeviceptr dp, void *s) {
    CUresult r = stream_ok(s);
    return r != CUDA_SUCCESS ? r : cuMemFree_v2(dp);
}
API CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total) {
    if (free_bytes) *free_bytes = (size_t)4 << 30;
    if (total) *total = (size_t)4 << 30;
    return CUDA_SUCCESS;
}
API CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n) {
    if (n == 0) return CUDA_SUCCESS;
    if (!device_range(dst, n) || !src) return CUDA_ERROR_INVALID_VALUE;
    memcpy((void *)(uintptr_t)dst, src, n);
    return CUDA_SUCCESS;
}
API CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n) {
    if (n == 0) return CUDA_SUCCESS;
    if (!device_range(src, n) || !dst) return CUDA_ERROR_INVALID_VALUE;
    memcpy(dst, (const void *)(uintptr_t)src, n);
    return CUDA_SUCCESS;
}
API CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t n) {
    if (n == 0) return CUDA_SUCCESS;
    if (!device_range(dst, n) || !device_range(src, n)) return CUDA_ERROR_INVALID_VALUE;
    memmove((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, n);
    return CUDA_SUCCESS;
}
API CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, void *s) {
    CUresult r = stream_ok(s);
    return r != CUDA_SUCCESS ? r : cuMemcpyHtoD_v2(dst, src, n);
}
API CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, void *s) {
    CUresult r = stream_ok(s);
    return r != CUDA_SUCCESS ? r : cuMemcpyDtoH_v2(dst, src, n);
}
API CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, void *s) {
    CUresult r = stream_ok(s);
    return r != CUDA_SUCCESS ? r : cuMemcpyDtoD_v2(dst, src, n);
}
API CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char v, size_t n) {
    if (n == 0) return CUDA_SUCCESS;
    if (!device_range(dst, n)) return CUDA_ERROR_INVALID_VALUE;
    memset((void *)(uintptr_t)dst, v, n);
    return CUDA_SUCCESS;
}
API CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char v, size_t n, void *s) {
    CUresult r = stream_ok(s);
    return r != CUDA_SUCCESS ? r : cuMemsetD8_v2(dst, v, n);
}
API CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned v, size_t n) {
    if (n == 0) return CUDA_SUCCESS;
    if (!device_range(dst, 4 * n)) return CUDA_ERROR_INVALID_VALUE;
    unsigned *p = (unsigned *)(uintptr_t)dst;
    for (size_t i = 0; i < n; ++i) p[i] = v;
    return CUDA_SUCCESS;
}
API CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned v, size_t n, void *s) {
    CUresult r = stream_ok(s);
    return r != CUDA_SUCCESS ? r : cuMemsetD32_v2(dst, v, n);
}

// ---- modules and launches -------------------------------------------------------------------

API CUresult cuModuleLoadData(void **module, const void *image) {
    if (!current_ctx()) return CUDA_ERROR_INVALID_CONTEXT;
    if (!module || !image) return CUDA_ERROR_INVALID_VALUE;
    const char *ptx = (const char *)image;
    if (!strstr(ptx, ".version") || !strstr(ptx, ".target")) return CUDA_ERROR_INVALID_IMAGE;
    check_ptx(ptx);
    *module = new Module;
    return CUDA_SUCCESS;
}
API CUresult cuModuleUnload(void *module) {
    if (!module || ((Module *)module)->magic != 0x4c4b4d44) return CUDA_ERROR_INVALID_HANDLE;
    ((Module *)module)->magic = 0;
    delete (Module *)module;
    return CUDA_SUCCESS;
}
API CUresult cuModuleGetFunction(void **f, void *module, const char *name) {
    if (!module || ((Module *)module)->magic != 0x4c4b4d44) return CUDA_ERROR_INVALID_HANDLE;
    if (!f || !name) return CUDA_ERROR_INVALID_VALUE;
    const lkemu::Kernel *k = find_kernel(name);
    if (!k) return CUDA_ERROR_NOT_FOUND;
    *f = (void *)k;
    return CUDA_SUCCESS;
}
API CUresult cuFuncGetAttribute(int *v, int attr, void *f) {
    const lkemu::Kernel *k = (const lkemu::Kernel *)f;
    if (k < lkemu::kernels || k >= lkemu::kernels + lkemu::kernel_count) return CUDA_ERROR_INVALID_HANDLE;
    if (!v) return CUDA_ERROR_INVALID_VALUE;
    *v = attr == 0 ? (int)k->max_threads : 0;  // MAX_THREADS_PER_BLOCK
    return CUDA_SUCCESS;
}
API CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                            unsigned shared_bytes, void *s, void **params, void **extra) {
    CUresult r = stream_ok(s);
    if (r != CUDA_SUCCESS) return r;
    // A function handle is the address of an entry of the kernel table.
    const lkemu::Kernel *k = (const lkemu::Kernel *)f;
    if (k < lkemu::kernels || k >= lkemu::kernels + lkemu::kernel_count) return CUDA_ERROR_INVALID_HANDLE;
    if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0) return CUDA_ERROR_INVALID_VALUE;
    if ((unsigned long long)bx * by * bz > k->max_threads) return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
    // The kernels use static shared memory only, and take one by-value parameter.
    if (shared_bytes != 0 || extra != nullptr) return CUDA_ERROR_NOT_SUPPORTED;
    if (!params || !params[0]) return CUDA_ERROR_INVALID_VALUE;
    lkemu::run_grid(*k, gx, gy, gz, bx, by, bz, params[0]);
    check_all_canaries();
    return CUDA_SUCCESS;
}

// ---- errors ---------------------------------------------------------------------------------

API CUresult cuGetErrorString(CUresult e, const char **s) {
    if (!s) return CUDA_ERROR_INVALID_VALUE;
    for (const ErrorText &t : error_texts) {
        if (t.code == e) {
            *s = t.text;
            return CUDA_SUCCESS;
        }
    }
    *s = nullptr;
    return CUDA_ERROR_INVALID_VALUE;
}
API CUresult cuGetErrorName(CUresult e, const char **s) {
    if (!s) return CUDA_ERROR_INVALID_VALUE;
    for (const ErrorText &t : error_texts) {
        if (t.code == e) {
            *s = t.name;
            return CUDA_SUCCESS;
        }
    }
    *s = nullptr;
    return CUDA_ERROR_INVALID_VALUE;
}
