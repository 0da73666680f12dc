// A process's threads as /proc shows them, by the name each gave itself
// (pthread_setname_np): which the server runs, and at what priority.
#pragma once

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace switchboard::test {

// The scheduling policy of each thread of process `pid` (0: this one) named
// `name`, and for SCHED_OTHER its nice value: 100 + nice.
std::vector<int> policies_of_threads_named(const std::string& name, int pid = 0);

// Whether `until()` came true within `timeout`, looked at each 10 ms (a
// poll interval, not a synchronisation).
template <class Condition>
bool within(std::chrono::milliseconds timeout, Condition until) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!until()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace switchboard::test
