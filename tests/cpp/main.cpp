// Runs every family registered with LK_FAMILY (see check.hpp).
#include "check.hpp"

int main() {
    lkt::Checker t;
    for (const auto &[name, run] : lkt::families()) {
        const int before = t.passed + t.failed;
        run(t);
        std::printf("family %s: %d checks\n", name, t.passed + t.failed - before);
    }
    if (t.failed > 0) {
        std::printf("%d of %d checks FAILED\n", t.failed, t.passed + t.failed);
        return 1;
    }
    std::printf("all checks passed (%d)\n", t.passed);
    return 0;
}
