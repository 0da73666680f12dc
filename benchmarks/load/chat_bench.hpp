// Users in open chats writing to agents who watch /ws and answer some of the
// messages: set up once, then measured at one rate (chat mode) or at several
// (ramp mode).
#pragma once

#include "histogram.hpp"
#include "options.hpp"

#include <cstdint>
#include <memory>

namespace switchboard::load {

struct phase_result {
    double rate = 0, seconds = 0;
    std::uint64_t messages = 0;  // acknowledged by the webhook
    std::uint64_t errors = 0;    // webhook requests and replies refused
    std::uint64_t lost_pushes = 0;   // acknowledged but never pushed to the agent
    std::uint64_t lost_replies = 0;  // sent by the agent but never delivered outbound
    std::uint64_t replies_delivered = 0;
    std::uint64_t socket_drops = 0;  // agent sockets the server closed (they reconnect and resume)
    histogram ack, push, delivery;
};

class chat_bench {
public:
    // Starts the outbound receiver and, with --spawn, the server (setting o.port).
    explicit chat_bench(options& o);
    ~chat_bench();
    chat_bench(const chat_bench&) = delete;
    chat_bench& operator=(const chat_bench&) = delete;

    // Every user writes once; agents log in, open a chat with each user (not
    // through the queue, whose position notices would swamp the setup) and
    // connect to /ws. Throws if any of it fails.
    void setup();

    // Users write at `rate` messages per second for `seconds`; returns once every
    // acknowledged message was pushed and every reply delivered, or after a grace period.
    phase_result run_phase(double rate, double seconds);

    long long server_rss_kb() const;  // -1 when the tool did not start the server

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace switchboard::load
