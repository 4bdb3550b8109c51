// The kernels of cuda/losskit.cu, compiled unchanged for the host through device.h, and the
// table the driver (driver.cpp) looks them up in. The table is checked against the PTX
// handed to cuModuleLoadData (names, parameter sizes, .maxntid), so the emulator and the
// committed PTX cannot drift apart silently.
#include "device.h"
#include "../losskit.cu"
#include "runtime.h"

namespace {

template <typename F> struct ParamOf;
template <typename A> struct ParamOf<void(A)> {
    using type = A;
};

template <typename A, void (*K)(A)> void run(const void *param) {
    A a;
    memcpy(&a, param, sizeof(A));
    K(a);
}

}  // namespace

// Every kernel is declared __launch_bounds__(LK_BLOCK) in cuda/*.cu.
#define LKEMU_KERNEL(name)                                                            \
    lkemu::Kernel {                                                                   \
        #name, sizeof(ParamOf<decltype(name)>::type), LK_BLOCK,                       \
            &run<ParamOf<decltype(name)>::type, name>                                 \
    }

const lkemu::Kernel lkemu::kernels[] = {
    LKEMU_KERNEL(lk_keep_f32),
    LKEMU_KERNEL(lk_keep_f64),
    LKEMU_KERNEL(lk_prepare),
    LKEMU_KERNEL(lk_finish_f32),
    LKEMU_KERNEL(lk_finish_f64),
    LKEMU_KERNEL(lk_pw_mse_f32),
    LKEMU_KERNEL(lk_pw_mse_f64),
    LKEMU_KERNEL(lk_pw_mae_f32),
    LKEMU_KERNEL(lk_pw_mae_f64),
    LKEMU_KERNEL(lk_pw_mean_error_f32),
    LKEMU_KERNEL(lk_pw_mean_error_f64),
    LKEMU_KERNEL(lk_pw_msle_f32),
    LKEMU_KERNEL(lk_pw_msle_f64),
    LKEMU_KERNEL(lk_pw_mape_f32),
    LKEMU_KERNEL(lk_pw_mape_f64),
    LKEMU_KERNEL(lk_pw_mpe_f32),
    LKEMU_KERNEL(lk_pw_mpe_f64),
    LKEMU_KERNEL(lk_pw_huber_f32),
    LKEMU_KERNEL(lk_pw_huber_f64),
    LKEMU_KERNEL(lk_pw_scale_free_huber_f32),
    LKEMU_KERNEL(lk_pw_scale_free_huber_f64),
    LKEMU_KERNEL(lk_pw_smooth_l1_f32),
    LKEMU_KERNEL(lk_pw_smooth_l1_f64),
    LKEMU_KERNEL(lk_pw_log_cosh_f32),
    LKEMU_KERNEL(lk_pw_log_cosh_f64),
    LKEMU_KERNEL(lk_pw_bce_logits_f32),
    LKEMU_KERNEL(lk_pw_bce_logits_f64),
    LKEMU_KERNEL(lk_pw_binary_focal_f32),
    LKEMU_KERNEL(lk_pw_binary_focal_f64),
    LKEMU_KERNEL(lk_ce_rows_f32),
    LKEMU_KERNEL(lk_ce_rows_f64),
    LKEMU_KERNEL(lk_ce_block_f32),
    LKEMU_KERNEL(lk_ce_block_f64),
    LKEMU_KERNEL(lk_ce_warp_f32),
    LKEMU_KERNEL(lk_ce_warp_f64),
};
const size_t lkemu::kernel_count = sizeof(lkemu::kernels) / sizeof(lkemu::kernels[0]);
