// One HTTP/1.1 connection: reads a request, answers it, repeats. Requests on
// one connection are handled strictly in order, which keeps pipelining safe.
#pragma once

#include "server_impl.hpp"
#include "upgraded_connection.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace switchboard::http {

class connection : public std::enable_shared_from_this<connection> {
public:
    // The socket's own executor type, not a type-erased one: every read and
    // write of every request copies, moves and queries the stream's executor.
    using socket_type = upgraded_socket;

    connection(socket_type socket, std::shared_ptr<server::impl> owner);

    net::awaitable<void> run();
    // Called on the connection's strand: close now if between requests,
    // otherwise after the response in flight.
    void stop();
    net::any_io_executor executor() { return strand_; }

private:
    net::awaitable<bool> read_request(beast::flat_buffer& buffer, bhttp::request_parser<bhttp::string_body>& parser,
                                      bool first);
    // `timeout_reason` is the rejection counted when the read ran out of time.
    // `body_limit`: the request's own, which a 413 names.
    net::awaitable<void> answer_read_error(beast::error_code ec, std::string_view timeout_reason,
                                           std::size_t body_limit);
    // Reads are tried at once on the non-blocking socket, and wait for the
    // socket to turn readable only when the kernel has nothing: `read` is a
    // synchronous read that leaves its state in the buffer and parser, so it
    // can be called again after the wait.
    template <class Read>
    net::awaitable<beast::error_code> read_nonblocking(Read read);
    net::awaitable<beast::error_code> wait_readable();
    // For a request that could not be read: counts the rejection under
    // `code`, answers with the error, then lingers and closes.
    net::awaitable<void> refuse_and_close(unsigned status, std::string_view code, std::string message);
    // `res` as the last answer on this connection; `reason` counts it.
    net::awaitable<void> refuse_and_close(response res, std::string_view reason);
    // An answer whose header response_head() wrote.
    net::awaitable<beast::error_code> write(const std::string& head, const std::string& body);
    // Every write of the connection: `bytes` under the write deadline, its
    // error checked against the watchdog. Defined in connection.cpp, its
    // only user.
    template <class Buffers>
    net::awaitable<beast::error_code> write_timed(Buffers bytes);
    net::awaitable<beast::error_code> write_streamed(response& res, unsigned version, bool keep_alive);
    net::awaitable<void> linger_and_close();
    void close();
    class chunk_writer;  // a streamed answer's chunks, under the write deadline

    // Deadlines. Beast's stream timer arms and cancels a timer for each read
    // and write, four times a request, each a trip through the reactor's
    // lock and a cancelled handler through the scheduler: about a tenth of a
    // webhook's instructions in memory. Here each phase only stores its
    // deadline, and one timer per connection enforces it; a deadline that
    // moves later needs nothing from the timer, since it wakes at least every
    // `watch_interval_` and then aims at the deadline as it stands. While
    // the connection works rather than waits on the peer (a handler, the
    // next chunk of a streamed answer) the deadline is never.
    using clock = std::chrono::steady_clock;
    void expire_at(clock::time_point at);
    void expire_after(clock::duration d) { expire_at(clock::now() + d); }
    void expire_never() { deadline_ = clock::time_point::max(); }
    void arm_watchdog();
    void on_watchdog(beast::error_code ec);
    void stop_watchdog();
    // An operation's error, or `timeout` if its deadline passed meanwhile:
    // once the watchdog has fired, the connection only winds down.
    beast::error_code checked(beast::error_code ec) const { return timed_out_ ? beast::error::timeout : ec; }

    net::any_io_executor strand_;  // kept apart: the socket moves away on an upgrade
    // A bare socket: the deadlines are the watchdog's, so Beast's timed
    // stream would only add a layer to each operation.
    socket_type socket_;
    bool handed_over_ = false;
    std::shared_ptr<server::impl> owner_;
    // Held from a large body's admission until its answer is written: one
    // of the server's max_large_bodies. After owner_: given back before it goes.
    struct large_body_slot {
        explicit large_body_slot(server::impl& owner) : owner_(owner) {}
        ~large_body_slot() { owner_.give_large_body(); }
        large_body_slot(const large_body_slot&) = delete;
        large_body_slot& operator=(const large_body_slot&) = delete;
        server::impl& owner_;
    };
    std::optional<large_body_slot> large_body_;
    std::string remote_address_;
    bool from_proxy_ = false;  // a trusted reverse proxy: the client is in X-Forwarded-For
    clock::time_point accepted_at_;
    bool idle_ = true;  // no byte of a request received yet
    bool stopping_ = false;
    net::steady_timer watchdog_;
    clock::duration watch_interval_;  // the shortest per-request timeout
    clock::time_point deadline_ = clock::time_point::max();
    clock::time_point watchdog_at_ = clock::time_point::max();  // when the armed timer fires
    bool watching_ = false;
    bool timed_out_ = false;
};

}  // namespace switchboard::http
