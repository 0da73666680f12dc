// A WebSocket client for tests, with a deadline on every read. Event frames
// may be single objects or arrays of them: `next_event` flattens both.
#pragma once

#include "http_client.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::test {

class ws_client {
public:
    // Connects and upgrades; throws with the HTTP status if the server refuses.
    // `tiny_buffer`: a 4 KiB receive buffer, to play a client that stops reading.
    ws_client(unsigned short port, const std::string& target, const header_list& headers = {},
              bool tiny_buffer = false);
    ~ws_client();

    // The upgrade's refusal status, or 101.
    static unsigned try_upgrade(unsigned short port, const std::string& target, const header_list& headers = {});

    void send(const std::string& text);
    void send_binary(const std::string& bytes);
    // The next JSON object the server sent; throws after `timeout`.
    boost::json::object next(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Like next, but nullopt when nothing arrives within `timeout`.
    std::optional<boost::json::object> try_next(std::chrono::milliseconds timeout);
    // The next object with this "type" (others are skipped and returned by `skipped`).
    boost::json::object next_of_type(const std::string& type, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Nothing arrives within `window` (a negative check: keep it short).
    bool quiet_for(std::chrono::milliseconds window);
    // The close code once the server closes; nullopt if it does not within `timeout`.
    std::optional<unsigned> wait_close(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Drops the TCP connection without a close handshake.
    void drop();
    // A `tiny_buffer` client that has stalled starts reading.
    void start_reading();
    std::size_t frames_received() const;

private:
    void write(const std::string& payload, bool binary);
    struct impl;
    std::unique_ptr<impl> impl_;
};

// Every numbered event a console that resumes from the start reads, up to
// its hello's seq (from the hub's ring, or after a restart from the stored
// log), on a socket of its own opened with `token`. Throws on a resync.
std::vector<boost::json::object> resumed_from_start(unsigned short port, const std::string& token);

}  // namespace switchboard::test
