// Checks shared by the C++ test program (built and run by capi/tests/cpp.rs with
// g++ -std=c++17 -Wall -Wextra -Werror -pedantic).
//
// A family's test file (family_<name>.cpp) starts its checks with LK_FAMILY(<name>) { ... };
// the runner compiles every .cpp file of tests/cpp, and main.cpp runs every registered family.
#pragma once

#include "losskit.h"

#include <cmath>
#include <cstdio>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace lkt {

struct Checker {
    int passed = 0;
    int failed = 0;

    void check(bool ok, const std::string &what) {
        if (ok) {
            ++passed;
        } else {
            ++failed;
            std::printf("FAILED: %s\n", what.c_str());
        }
    }

    // |got - want| <= rtol * max(|want|, 1e-100).
    void close(double got, double want, double rtol, const std::string &what) {
        const bool ok = std::fabs(got - want) <= rtol * std::fmax(std::fabs(want), 1e-100);
        if (!ok) {
            std::printf("FAILED: %s: got %.17g, want %.17g\n", what.c_str(), got, want);
        }
        check(ok, what);
    }

    template <class A, class B>
    void close_all(const A &got, const B &want, double rtol, const std::string &what) {
        bool ok = std::size(got) == std::size(want);
        for (std::size_t i = 0; ok && i < std::size(got); ++i) {
            const double g = static_cast<double>(got[i]);
            const double w = static_cast<double>(want[i]);
            if (!(std::fabs(g - w) <= rtol * std::fmax(std::fabs(w), 1e-100))) {
                std::printf("FAILED: %s at %zu: got %.17g, want %.17g\n", what.c_str(), i, g, w);
                ok = false;
            }
        }
        check(ok, what);
    }

    void status(lk_status got, lk_status want, const std::string &what) {
        if (got != want) {
            char message[256];
            lk_last_error_message(message, sizeof message);
            std::printf("FAILED: %s: status %s, want %s: %s\n", what.c_str(),
                        lk_status_name(got), lk_status_name(want), message);
        }
        check(got == want, what);
    }
};

using Family = void (*)(Checker &);

inline std::vector<std::pair<const char *, Family>> &families() {
    static std::vector<std::pair<const char *, Family>> all;
    return all;
}

struct Register {
    Register(const char *name, Family f) { families().emplace_back(name, f); }
};

}  // namespace lkt

#define LK_FAMILY(name)                                                     \
    static void run_##name(lkt::Checker &t);                                \
    static const lkt::Register register_##name(#name, run_##name);          \
    static void run_##name(lkt::Checker &t)
