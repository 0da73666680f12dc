// One agent's WebSocket: a reader coroutine (resume, typing, viewing) and a writer
// coroutine that drains, in order, control frames and the hub's event ring
// from this socket's own cursor. Internal to src/ws.
#pragma once

#include "../http/beast.hpp"
#include "../http/upgraded_connection.hpp"

#include <boost/beast/websocket.hpp>

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace switchboard::ws {

struct hub_core;

class agent_socket : public std::enable_shared_from_this<agent_socket> {
public:
    agent_socket(std::shared_ptr<hub_core> hub, std::unique_ptr<http::upgraded_connection> conn, std::string username,
                 std::string display_name, std::string session);
    ~agent_socket();

    void start();
    // Thread-safe: each posts to the socket's strand.
    void wake();
    void push_frame(std::shared_ptr<const std::string> frame, bool droppable);
    void close(beast::websocket::close_code code, std::string reason);

    const std::string& username() const { return username_; }
    const std::string& session() const { return session_; }
    // Read by the hub without the strand: the writer publishes them.
    std::atomic<bool> waiting{false};
    std::atomic<std::uint64_t> cursor{0};  // the next event seq this socket sends
    std::atomic<bool> writing{false};

private:
    net::awaitable<void> run();
    net::awaitable<void> reader();
    net::awaitable<void> writer();
    // False for a frame that is not one of ours (not JSON, an unknown type,
    // a field missing): it changes nothing and counts as a rejection.
    bool handle_client_frame(const std::string& text);
    void stop();

    std::shared_ptr<hub_core> hub_;
    net::any_io_executor strand_;
    beast::websocket::stream<http::upgraded_socket> ws_;
    std::unique_ptr<http::upgraded_connection> conn_;  // until the handshake is done
    std::string username_, display_name_, session_;
    net::steady_timer signal_;
    net::steady_timer cut_off_;  // a write in flight when closing: how long it may take
    std::deque<std::shared_ptr<const std::string>> side_;  // hello, resync, backfill, typing, viewers
    bool live_ = false;  // ring events flow once the client has had its chance to resume
    std::chrono::steady_clock::time_point last_ring_write{};  // for the coalescing window
    bool stopped_ = false;
    std::optional<beast::websocket::close_reason> closing_;
};

}  // namespace switchboard::ws
