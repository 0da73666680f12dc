#include "switchboard/core/repeated_problem.hpp"

#include <cstdio>
#include <utility>
#include <vector>

namespace switchboard::log {

repeated_problem::repeated_problem(level l, std::string message, std::string stopped_message,
                                   std::chrono::seconds every)
    : level_(l), message_(std::move(message)), stopped_message_(std::move(stopped_message)), every_(every) {}

void repeated_problem::occurred(std::initializer_list<field> fields, clock::time_point now) {
    std::unique_lock lock(mutex_);
    ++times_;
    last_failure_ = now;
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
    if (!ongoing_.load(std::memory_order_relaxed) || now - last_failure_ < every_) return;
    ongoing_.store(false, std::memory_order_relaxed);
    auto times = std::exchange(times_, 0);
    held_back_ = 0;
    auto lasted = std::chrono::duration<double>(last_failure_ - first_).count();
    lock.unlock();
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", lasted);
    write(level::info, stopped_message_, {{"times", std::to_string(times)}, {"seconds", seconds}});
}

}  // namespace switchboard::log
