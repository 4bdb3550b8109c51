// The fiber scheduler: runs a grid block by block, each CUDA thread of a block on its own
// ucontext fiber, switching only where CUDA threads synchronise (__syncthreads,
// __syncwarp, shuffles). Between two synchronisation points a thread runs alone, so the
// order in which threads run decides which of two racing writes wins; that order is
// forward, reverse or random (LOSSKIT_CUDA_EMU_ORDER=forward|reverse|random, seed
// LOSSKIT_CUDA_EMU_SEED), for the threads of a block and for the blocks of a grid.
//
// Misuse aborts with a message: a __syncthreads that not every thread of the block reaches
// (a thread exited, or threads wait at different __syncthreads), a warp operation whose
// mask names a lane that exited or waits elsewhere, lanes of one warp in different warp
// operations, a lane outside its own mask, a shuffle width other than 32.
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <vector>

#include "device.h"
#include "runtime.h"

extern "C" char __start_lkemu_shared[] __attribute__((weak));
extern "C" char __stop_lkemu_shared[] __attribute__((weak));

// Context switches: on x86-64 a few instructions that save the callee-saved registers on
// the stack and swap stack pointers (swapcontext also makes a system call per switch to
// save the signal mask, which made it most of the run time); elsewhere ucontext. The
// floating-point control state (MXCSR, x87 control word) is not switched: every fiber runs
// on the launching thread, and the kernels never change rounding or exception modes.
#if defined(__x86_64__)
#define LKEMU_ASM_SWITCH 1
extern "C" void lkemu_switch(void **save_sp, void *new_sp);
asm(R"(
    .text
    .globl lkemu_switch
    .hidden lkemu_switch
    .type lkemu_switch, @function
lkemu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size lkemu_switch, .-lkemu_switch
)");
#else
#define LKEMU_ASM_SWITCH 0
#endif

namespace lkemu {

enum class State { Runnable, AtBarrier, AtWarpOp, Done };

struct Fiber {
#if LKEMU_ASM_SWITCH
    void *sp;  // saved stack pointer while switched out
#else
    ucontext_t ctx;
#endif
    dim3 tid;
    unsigned linear;
    State state;
    // Where the fiber waits (barrier or warp operation).
    const char *file;
    int line;
    // A pending warp operation.
    int op;  // 0 = __syncwarp, else the shuffle op of device.h
    unsigned mask;
    uint64_t bits;
    unsigned arg;
    unsigned size;
    uint64_t result;
};

Fiber *current = nullptr;
dim3 block_idx, block_dim, grid_dim;

namespace {

const size_t kStack = 256 * 1024;
std::mutex launch_mutex;
#if LKEMU_ASM_SWITCH
void *scheduler_sp;
#else
ucontext_t scheduler;
#endif
std::vector<Fiber> fibers;
std::vector<char *> stacks;
const Kernel *running = nullptr;
const void *running_param = nullptr;
size_t page_size() { return (size_t)sysconf(_SC_PAGESIZE); }

enum class Order { Forward, Reverse, Random };

Order order() {
    const char *s = getenv("LOSSKIT_CUDA_EMU_ORDER");
    if (!s || !*s || strcmp(s, "forward") == 0) return Order::Forward;
    if (strcmp(s, "reverse") == 0) return Order::Reverse;
    if (strcmp(s, "random") == 0) return Order::Random;
    fatal("LOSSKIT_CUDA_EMU_ORDER=%s: expected forward, reverse or random", s);
}

std::mt19937_64 &rng() {
    static std::mt19937_64 g([] {
        const char *s = getenv("LOSSKIT_CUDA_EMU_SEED");
        return s ? strtoull(s, nullptr, 0) : 1ull;
    }());
    return g;
}

void arrange(std::vector<unsigned> &v, Order o) {
    for (unsigned i = 0; i < v.size(); ++i) v[i] = i;
    if (o == Order::Reverse) {
        for (size_t i = 0; i < v.size() / 2; ++i) std::swap(v[i], v[v.size() - 1 - i]);
    } else if (o == Order::Random) {
        std::shuffle(v.begin(), v.end(), rng());
    }
}

// A stack with an inaccessible guard page below it (stacks grow down).
char *new_stack() {
    size_t pg = page_size();
    void *p = mmap(nullptr, kStack + pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) fatal("cannot map a fiber stack");
    mprotect(p, pg, PROT_NONE);
    return (char *)p + pg;
}

void fiber_main() {
    Fiber *f = current;
    running->run(running_param);
    f->state = State::Done;
#if LKEMU_ASM_SWITCH
    lkemu_switch(&f->sp, scheduler_sp);
    __builtin_unreachable();
#endif
    // (ucontext) Returning resumes uc_link, the scheduler.
}

void yield_to_scheduler(Fiber *f) {
#if LKEMU_ASM_SWITCH
    lkemu_switch(&f->sp, scheduler_sp);
#else
    swapcontext(&f->ctx, &scheduler);
#endif
}

void start_fiber(Fiber &f, char *stack) {
#if LKEMU_ASM_SWITCH
    // The frame lkemu_switch pops: r15..r12, rbx, rbp, then the return address fiber_main,
    // entered with the stack as after a call (rsp = 8 mod 16).
    uintptr_t top = ((uintptr_t)stack + kStack) & ~(uintptr_t)15;
    uint64_t *sp = (uint64_t *)top;
    *--sp = 0;                           // fiber_main's (never used) return address
    *--sp = (uint64_t)(uintptr_t)&fiber_main;
    for (int i = 0; i < 6; ++i) *--sp = 0;  // rbp, rbx, r12..r15
    f.sp = sp;
#else
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = stack;
    f.ctx.uc_stack.ss_size = kStack;
    f.ctx.uc_link = &scheduler;
    makecontext(&f.ctx, fiber_main, 0);
#endif
}

void switch_to(Fiber &f) {
#if LKEMU_ASM_SWITCH
    lkemu_switch(&scheduler_sp, f.sp);
#else
    swapcontext(&scheduler, &f.ctx);
#endif
}

const char *where(const Fiber &f) {
    static char buf[512];
    switch (f.state) {
        case State::Done: snprintf(buf, sizeof buf, "has exited"); break;
        case State::Runnable: snprintf(buf, sizeof buf, "is running"); break;
        case State::AtBarrier: snprintf(buf, sizeof buf, "waits at __syncthreads (%s:%d)", f.file, f.line); break;
        case State::AtWarpOp:
            snprintf(buf, sizeof buf, "waits at %s (%s:%d)",
                     f.op == 0 ? "__syncwarp" : f.op == 1 ? "__shfl_down_sync" : f.op == 2 ? "__shfl_sync"
                                                : f.op == 3 ? "__shfl_up_sync" : "__shfl_xor_sync",
                     f.file, f.line);
            break;
    }
    return buf;
}

[[noreturn]] void misuse(const char *what, const Fiber &a, const Fiber &b) {
    char wa[512];
    snprintf(wa, sizeof wa, "%s", where(a));
    fatal("%s in kernel %s, block (%u,%u,%u): thread %u %s, but thread %u %s", what, running->name,
          block_idx.x, block_idx.y, block_idx.z, a.linear, wa, b.linear, where(b));
}

// Releases the warp operations whose every participant has arrived; aborts on misuse.
bool resolve_warps(unsigned threads) {
    bool released = false;
    for (unsigned w0 = 0; w0 < threads; w0 += 32) {
        unsigned lanes = threads - w0 < 32 ? threads - w0 : 32;
        Fiber *lead = nullptr;
        for (unsigned l = 0; l < lanes; ++l) {
            if (fibers[w0 + l].state == State::AtWarpOp) {
                lead = &fibers[w0 + l];
                break;
            }
        }
        if (!lead) continue;
        unsigned mask = lead->mask;
        for (unsigned l = 0; l < lanes; ++l) {
            Fiber &f = fibers[w0 + l];
            bool named = (mask >> l) & 1u;
            if (f.state == State::AtWarpOp) {
                if (!((f.mask >> l) & 1u)) misuse("a warp operation whose mask leaves out the calling lane", f, f);
                if (f.mask != mask || f.op != lead->op || f.line != lead->line || strcmp(f.file, lead->file) != 0 ||
                    (f.op != 0 && (f.size != lead->size)))
                    misuse("lanes of one warp in different warp operations", *lead, f);
            } else if (named) {
                misuse("a warp operation that a lane named in its mask does not reach", *lead, f);
            }
        }
        for (unsigned l = lanes; l < 32; ++l) {
            if ((mask >> l) & 1u) fatal("a warp operation in kernel %s names lane %u of a warp of %u threads", running->name, l, lanes);
        }
        for (unsigned l = 0; l < lanes; ++l) {
            Fiber &f = fibers[w0 + l];
            if (f.state != State::AtWarpOp) continue;
            uint64_t r = f.bits;
            if (f.op == 1) {  // down: lane l reads lane l + delta, itself past the end
                unsigned src = l + f.arg;
                if (src < 32 && src < lanes) r = fibers[w0 + src].bits;
            } else if (f.op == 2) {  // indexed
                r = fibers[w0 + (f.arg % 32) % lanes].bits;
            } else if (f.op == 3) {  // up
                if (l >= f.arg) r = fibers[w0 + l - f.arg].bits;
            } else if (f.op == 4) {  // xor
                unsigned src = l ^ f.arg;
                if (src < lanes) r = fibers[w0 + src].bits;
            }
            if (f.op != 0 && f.op != 2) {
                unsigned src = f.op == 1 ? l + f.arg : f.op == 3 ? l - f.arg : l ^ f.arg;
                if (src < 32 && !((mask >> src) & 1u) && src != l)
                    fatal("kernel %s: lane %u shuffles from lane %u, which is not in the mask", running->name, l, src);
            }
            f.result = r;
            f.state = State::Runnable;
            released = true;
        }
    }
    return released;
}

// Releases a __syncthreads that every thread of the block has reached; aborts on misuse.
void resolve_barrier(unsigned threads) {
    Fiber *lead = nullptr;
    for (unsigned i = 0; i < threads; ++i) {
        if (fibers[i].state == State::AtBarrier) {
            lead = &fibers[i];
            break;
        }
    }
    if (!lead) fatal("kernel %s: scheduler found no runnable thread and no barrier", running->name);
    for (unsigned i = 0; i < threads; ++i) {
        Fiber &f = fibers[i];
        if (f.state == State::Done) misuse("a __syncthreads that not every thread reaches", *lead, f);
        if (f.state != State::AtBarrier) misuse("a __syncthreads that not every thread reaches", *lead, f);
        if (f.line != lead->line || strcmp(f.file, lead->file) != 0)
            misuse("threads of a block at different __syncthreads", *lead, f);
    }
    for (unsigned i = 0; i < threads; ++i) fibers[i].state = State::Runnable;
}

void run_block(unsigned threads, const std::vector<unsigned> &thread_order) {
    // Poison shared memory: a value no thread of this block wrote reads as NaN.
    if (__start_lkemu_shared && __stop_lkemu_shared)
        memset(__start_lkemu_shared, 0xff, (size_t)(__stop_lkemu_shared - __start_lkemu_shared));
    for (unsigned i = 0; i < threads; ++i) {
        Fiber &f = fibers[i];
        f.linear = i;
        f.tid = {i % block_dim.x, (i / block_dim.x) % block_dim.y, i / (block_dim.x * block_dim.y)};
        f.state = State::Runnable;
        start_fiber(f, stacks[i]);
    }
    for (;;) {
        bool all_done = true;
        for (unsigned i : thread_order) {
            Fiber &f = fibers[i];
            if (f.state == State::Runnable) {
                current = &f;
                switch_to(f);
                current = nullptr;
            }
            if (f.state != State::Done) all_done = false;
        }
        if (all_done) return;
        if (resolve_warps(threads)) continue;
        resolve_barrier(threads);
    }
}

}  // namespace

void fatal(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "losskit CUDA emulator: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    fflush(stderr);
    abort();
}

const dim3 &thread_idx() {
    if (!current) fatal("threadIdx read outside a kernel");
    return current->tid;
}

void syncthreads(const char *file, int line) {
    Fiber *f = current;
    f->state = State::AtBarrier;
    f->file = file;
    f->line = line;
    yield_to_scheduler(f);
}

void syncwarp(unsigned mask, const char *file, int line) {
    Fiber *f = current;
    f->state = State::AtWarpOp;
    f->op = 0;
    f->mask = mask;
    f->file = file;
    f->line = line;
    yield_to_scheduler(f);
}

uint64_t shuffle(int op, unsigned mask, uint64_t bits, unsigned arg, int width, unsigned size, const char *file,
                 int line) {
    Fiber *f = current;
    if (width != 32) fatal("kernel %s: shuffle width %d at %s:%d (only 32 is emulated)", running->name, width, file, line);
    f->state = State::AtWarpOp;
    f->op = op;
    f->mask = mask;
    f->bits = bits;
    f->arg = arg;
    f->size = size;
    f->file = file;
    f->line = line;
    yield_to_scheduler(f);
    return f->result;
}

void run_grid(const Kernel &k, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
              const void *param) {
    std::lock_guard<std::mutex> lock(launch_mutex);
    unsigned threads = bx * by * bz;
    if (fibers.size() < threads) fibers.resize(threads);
    while (stacks.size() < threads) stacks.push_back(new_stack());
    running = &k;
    running_param = param;
    grid_dim = {gx, gy, gz};
    block_dim = {bx, by, bz};
    Order o = order();
    std::vector<unsigned> thread_order(threads);
    arrange(thread_order, o);
    std::vector<unsigned> blocks((size_t)gx * gy * gz);
    arrange(blocks, o);
    for (unsigned b : blocks) {
        block_idx = {b % gx, (b / gx) % gy, b / (gx * gy)};
        if (o == Order::Random) arrange(thread_order, o);
        run_block(threads, thread_order);
    }
    running = nullptr;
}

}  // namespace lkemu
