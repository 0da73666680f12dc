// Logging to stderr, one line per event, as text or JSON.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace switchboard::log {

enum class level { debug, info, warn, error };
enum class format { text, json };

std::optional<level> level_from_string(std::string_view s);
std::optional<format> format_from_string(std::string_view s);

void configure(level min_level, format fmt);
bool enabled(level l);

using field = std::pair<std::string_view, std::string>;
void write(level l, std::string_view message, std::initializer_list<field> fields = {});
void write_fields(level l, std::string_view message, std::span<const field> fields);

inline void debug(std::string_view m, std::initializer_list<field> f = {}) { write(level::debug, m, f); }
inline void info(std::string_view m, std::initializer_list<field> f = {}) { write(level::info, m, f); }
inline void warn(std::string_view m, std::initializer_list<field> f = {}) { write(level::warn, m, f); }
inline void error(std::string_view m, std::initializer_list<field> f = {}) { write(level::error, m, f); }

// Logs what a finished coroutine threw, if anything: the completion handler
// of every co_spawn that has no one waiting for its result.
void failure(std::string_view what, std::exception_ptr e, level l = level::error);

// A problem that can happen many times a second, such as a full disk failing
// every write: a line for each would bury everything else in the log (and
// fill the disk it may share). The first time is logged at once; after that
// at most one line each `every`, saying how many it held back; and one line
// once it has stopped, with how many there were and for how long.
class repeated_problem {
public:
    using clock = std::chrono::steady_clock;
    repeated_problem(level l, std::string message, std::string stopped_message,
                     std::chrono::seconds every = std::chrono::seconds(10));

    // From any thread.
    void occurred(std::initializer_list<field> fields, clock::time_point now = clock::now());
    // From any thread: all is well again. One atomic load while it was.
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
    clock::time_point first_, last_line_;
};

// ISO-8601 UTC with milliseconds and a `Z`, the one timestamp format of the project.
std::string iso8601_now();

}  // namespace switchboard::log
