// What one switchboard-load run is asked to do, from its command line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace switchboard::load {

struct options {
    std::string mode = "ingest";  // ingest | chat | ramp | scale
    std::string host = "127.0.0.1", port;
    std::string spawn;  // a server binary to start (and measure) instead of --url
    // ingest: a server started by someone else whose CPU time and page faults
    // per request to report (a spawned one is measured anyway).
    long server_pid = 0;
    std::vector<std::string> server_args;
    std::string label;
    std::string admin_password = "load-test-admin-password";
    std::size_t connections = 64, agents = 20, reply_every = 10;
    // ingest: agents loading their conversation list meanwhile, each once
    // every list_every seconds.
    std::size_t list_readers = 0;
    double list_every = 1;
    std::uint64_t users = 10000, requests = 0;
    double rate = 0, duration = 10;
    // ramp: the p99 push latency a rate must keep to pass, and the rate it stops at.
    double p99_bound_ms = 5, max_rate = 200000;
    // Message ids and agent names carry it, so runs against one server never collide.
    std::string run_id;
};

// The chat and ramp modes' rate when --rate is 0 (closed loop is ingest's only).
constexpr double chat_default_rate = 1000;

// Fills `o` from argv; returns an error message, empty when the line is valid.
std::string parse(int argc, char** argv, options& o);

extern const char* const usage;
// --help: the usage spelled out, with the defaults above.
std::string help();

}  // namespace switchboard::load
