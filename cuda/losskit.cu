// The single NVRTC program that cuda/build_ptx.sh compiles to cuda/losskit.ptx.
// Every kernel is `extern "C"`, so its PTX name is stable: lk_pw_<loss>_<f32|f64>,
// lk_keep_*, lk_prepare, lk_finish_*, lk_ce_rows_*, lk_ce_block_*, lk_ce_warp_*.
#include "common.cuh"
#include "reduce.cu"
#include "pointwise.cu"
#include "cross_entropy.cu"
