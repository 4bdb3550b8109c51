// losskit from C++: the header is plain C with extern "C" guards; wrap the status in an
// exception if that suits your code.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "losskit.h"

// Throws a failed status as an exception carrying losskit's message.
static void check(lk_status st) {
    if (st != LK_OK) {
        char message[256];
        lk_last_error_message(message, sizeof message);
        throw std::runtime_error(std::string(lk_status_name(st)) + ": " + message);
    }
}

int main() {
    const std::vector<float> pred{0.5f, 1.0f, 2.0f, 4.0f}, target(4, 1.0f);
    std::vector<float> grad(pred.size());
    lk_options opts = lk_options_default();
    opts.reduction = LK_REDUCTION_SUM;
    float loss = 0;

    check(lk_huber_f32(pred.data(), target.data(), nullptr, pred.size(), 1.0f /* delta */, &opts,
                       &loss, grad.data()));
    std::printf("huber sum = %g\n", loss);  // 0.125 + 0 + 0.5 + 2.5 = 3.125
    std::printf("grad = %g %g %g %g\n", grad[0], grad[1], grad[2], grad[3]);  // -0.5 0 1 1

    try {
        check(lk_huber_f32(pred.data(), target.data(), nullptr, pred.size(), 0.0f, &opts, &loss,
                           grad.data()));
    } catch (const std::exception &e) {
        std::printf("error: %s\n", e.what());  // LK_ERR_BAD_PARAMETER: ... `delta` ...
    }
    return 0;
}
