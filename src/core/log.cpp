// The logger: each line is built whole and written with one call, so lines
// from different threads never interleave.
#include "switchboard/core/log.hpp"

#include "switchboard/core/time.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <unistd.h>
#include <vector>

namespace switchboard::log {

namespace {
std::atomic<level> min_level{level::info};
std::atomic<format> out_format{format::text};

constexpr std::string_view level_names[] = {"debug", "info", "warn", "error"};
}  // namespace

std::optional<level> level_from_string(std::string_view s) {
    for (int i = 0; i < 4; ++i)
        if (level_names[i] == s) return static_cast<level>(i);
    return std::nullopt;
}

std::optional<format> format_from_string(std::string_view s) {
    if (s == "text") return format::text;
    if (s == "json") return format::json;
    return std::nullopt;
}

void configure(level l, format f) {
    min_level = l;
    out_format = f;
}

bool enabled(level l) { return l >= min_level.load(std::memory_order_relaxed); }

std::string iso8601_now() { return to_iso8601(std::chrono::system_clock::now()); }

void failure(std::string_view what, std::exception_ptr e, level l) {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        write(l, what, {{"error", ex.what()}});
    } catch (...) {
        write(l, what, {{"error", "unknown exception"}});
    }
}

void write(level l, std::string_view message, std::initializer_list<field> fields) {
    write_fields(l, message, {fields.begin(), fields.size()});
}

void write_fields(level l, std::string_view message, std::span<const field> fields) {
    if (!enabled(l)) return;
    std::string line;
    if (out_format.load(std::memory_order_relaxed) == format::json) {
        boost::json::object o;
        o["ts"] = iso8601_now();
        o["level"] = level_names[static_cast<int>(l)];
        o["msg"] = message;
        for (auto& [k, v] : fields) o[k] = v;
        line = boost::json::serialize(o);
    } else {
        line = iso8601_now() + ' ' + std::string(level_names[static_cast<int>(l)]) + ' ' + std::string(message);
        for (auto& [k, v] : fields) {
            line += ' ';
            line += k;
            line += '=';
            bool quote = v.empty() || v.find_first_of(" \"=") != std::string::npos;
            if (quote) line += '"';
            line += v;
            if (quote) line += '"';
        }
    }
    line += '\n';
    // One write(2) per line: atomic with respect to other threads' lines.
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
}

repeated_problem::repeated_problem(level l, std::string message, std::string stopped_message,
                                   std::chrono::seconds every)
    : level_(l), message_(std::move(message)), stopped_message_(std::move(stopped_message)), every_(every) {}

void repeated_problem::occurred(std::initializer_list<field> fields, clock::time_point now) {
    std::unique_lock lock(mutex_);
    ++times_;
    if (!ongoing_.load(std::memory_order_relaxed)) {
        ongoing_.store(true, std::memory_order_relaxed);
        first_ = last_line_ = now;
        lock.unlock();
        write(level_, message_, fields);
        return;
    }
    if (now - last_line_ < every_) {
        ++held_back_;
        return;
    }
    auto held_back = std::exchange(held_back_, 0);
    last_line_ = now;
    lock.unlock();
    // The fields of this one, and how many like it were not logged.
    std::vector<field> all(fields);
    all.emplace_back("held_back", std::to_string(held_back));
    write_fields(level_, message_, all);
}

void repeated_problem::log_stopped(clock::time_point now) {
    std::unique_lock lock(mutex_);
    if (!ongoing_.load(std::memory_order_relaxed)) return;
    ongoing_.store(false, std::memory_order_relaxed);
    auto times = std::exchange(times_, 0);
    held_back_ = 0;
    auto lasted = std::chrono::duration<double>(now - first_).count();
    lock.unlock();
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", lasted);
    write(level::info, stopped_message_, {{"times", std::to_string(times)}, {"seconds", seconds}});
}

}  // namespace switchboard::log
