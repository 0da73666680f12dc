// One log line for a problem that repeats, rather than one each time.
#pragma once

#include "switchboard/core/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>

namespace switchboard::log {

// A problem that can happen many times a second, such as a full disk failing
// every write: a line for each would bury everything else in the log (and
// fill the disk it may share). The first time is logged at once; after that
// at most one line each `every`, saying how many it held back; and one line
// once it has stopped, with how many there were and for how long.
//
// It has stopped at the first success that comes `every` or more after its
// last failure. A success in between does not end it: a store that fails
// large writes and takes small ones, or an endpoint that answers one request
// in three, is one problem, not a new one (and a new first line) each time.
class repeated_problem {
public:
    using clock = std::chrono::steady_clock;
    repeated_problem(level l, std::string message, std::string stopped_message,
                     std::chrono::seconds every = std::chrono::seconds(10));

    // From any thread.
    void occurred(std::initializer_list<field> fields, clock::time_point now = clock::now());
    // From any thread: this went well. One atomic load while all was well.
    void stopped(clock::time_point now = clock::now()) {
        if (ongoing_.load(std::memory_order_relaxed)) log_stopped(now);
    }

private:
    void log_stopped(clock::time_point now);

    level level_;
    std::string message_, stopped_message_;
    clock::duration every_;
    std::atomic<bool> ongoing_{false};
    std::mutex mutex_;
    std::uint64_t times_ = 0, held_back_ = 0;
    clock::time_point first_, last_line_, last_failure_;
};

}  // namespace switchboard::log
