// Users writing to POST /webhook over a pool of keep-alive connections, either
// as fast as answers come (closed loop) or at a fixed total rate (open loop:
// each message has a scheduled time, and its latency counts from then, so
// queueing in the server or the tool is part of it).
#pragma once

#include "histogram.hpp"
#include "options.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace switchboard::load {

using clock_type = std::chrono::steady_clock;

inline std::uint64_t micros(clock_type::duration d) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

// User i of a run writes from this phone number.
std::string phone_of(std::uint64_t i, const options& o);
std::uint64_t user_of_phone(const std::string& phone);

struct webhook_load {
    std::uint64_t count = 0;  // messages 0 … count-1, message i on connection i mod connections
    std::size_t connections = 1;
    double rate = 0;                    // total messages per second; 0 is closed loop
    clock_type::time_point start{};     // message i is due at start + i / rate
    clock_type::time_point stop_at = clock_type::time_point::max();  // sends nothing after this
    std::function<std::string(std::uint64_t)> text_of, id_of;
    // Called on the load's thread just before message i goes out, and when it was acknowledged.
    std::function<void(std::uint64_t, clock_type::time_point scheduled)> on_send;
    std::function<void(std::uint64_t)> on_ack;

    histogram ack;  // latency from each message's scheduled time to its answer
    std::uint64_t acked = 0, errors = 0;
    std::uint64_t unanswered = 0;  // of the errors: the connection broke or could not be made again
    std::string first_failure;     // what the first of those was
};

// Runs `load` to the end on the calling thread (its own io_context). Throws
// when a first connection cannot be made (a wrong address fails at once); a
// connection that breaks later (the server restarting, stopped, killed)
// counts its message as unanswered, and the next message connects again.
void run_webhook_load(const options& o, webhook_load& load);

}  // namespace switchboard::load
