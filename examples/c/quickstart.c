/* losskit from C: the mean squared error of a prediction and its gradient, in one call. */
#include <stdio.h>

#include "losskit.h"

int main(void) {
    const double pred[4] = {0.5, 1.0, 2.0, 4.0};
    const double target[4] = {1.0, 1.0, 1.0, 1.0};
    double loss, grad[4];
    lk_options opts = lk_options_default(); /* a plain mean; NULL would do the same */

    lk_status st = lk_mse_f64(pred, target, NULL /* no weights */, 4, &opts, &loss, grad);
    if (st != LK_OK) {
        char message[256];
        lk_last_error_message(message, sizeof message);
        fprintf(stderr, "lk_mse_f64: %s: %s\n", lk_status_name(st), message);
        return 1;
    }
    printf("loss = %g\n", loss); /* (0.25 + 0 + 1 + 9) / 4 = 2.5625 */
    printf("grad = %g %g %g %g\n", grad[0], grad[1], grad[2], grad[3]); /* 2 (pred - target) / 4 */
    return 0;
}
