// The per-connection coroutine: deadlines, limits and error answers of SPEC §6.
#include "connection.hpp"

#include "response_head.hpp"
#include "switchboard/core/log.hpp"
#include "upgraded_connection.hpp"

#include <boost/beast/websocket/rfc6455.hpp>

namespace switchboard::http {

namespace {

// The client a trusted proxy names: the last address in X-Forwarded-For,
// which the proxy appended (those before it, the client may have written).
std::optional<std::string> forwarded_client(std::string_view header) {
    auto comma = header.rfind(',');
    auto last = comma == std::string_view::npos ? header : header.substr(comma + 1);
    while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
    while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
    boost::system::error_code ec;
    auto address = net::ip::make_address(last, ec);
    if (ec) return std::nullopt;
    return address.to_string();
}

request to_request(bhttp::request<bhttp::string_body>&& in, const std::string& remote, bool from_proxy) {
    request out;
    out.method = verb_from_string(in.method_string());
    out.target = std::string(in.target());
    auto q = out.target.find('?');
    out.path = out.target.substr(0, q);
    if (q != std::string::npos) out.query = out.target.substr(q + 1);
    for (auto& f : in) out.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    out.body = std::move(in.body());
    out.remote_address = remote;
    if (from_proxy)
        if (auto client = forwarded_client(in["X-Forwarded-For"])) out.remote_address = std::move(*client);
    return out;
}

}  // namespace

connection::connection(socket_type socket, std::shared_ptr<server::impl> owner)
    : strand_(socket.get_executor()),
      socket_(std::move(socket)),
      owner_(std::move(owner)),
      accepted_at_(clock::now()),
      watchdog_(strand_),
      watch_interval_(std::min({owner_->limits.header_timeout, owner_->limits.keepalive_timeout,
                                owner_->limits.body_timeout, owner_->limits.write_timeout})) {
    beast::error_code ec;
    socket_.non_blocking(true, ec);  // see read_nonblocking and write_timed
    auto ep = socket_.remote_endpoint(ec);
    if (!ec) remote_address_ = ep.address().to_string();
    auto& proxies = owner_->limits.trusted_proxies;
    from_proxy_ = std::find(proxies.begin(), proxies.end(), remote_address_) != proxies.end();
}

void connection::stop() {
    stopping_ = true;
    if (handed_over_) return;
    // Bytes already in the socket are a request in flight: let it finish.
    beast::error_code ec;
    if (idle_ && socket_.available(ec) == 0) socket_.cancel(ec);
}

void connection::expire_at(clock::time_point at) {
    deadline_ = at;
    if (watching_ && at < watchdog_at_) arm_watchdog();
}

void connection::arm_watchdog() {
    // Re-aiming the timer cancels any wait still pending on it, so however
    // often this runs, one wait is left.
    watchdog_at_ = std::min(deadline_, clock::now() + watch_interval_);
    watchdog_.expires_at(watchdog_at_);
    // Weak: the coroutine in run() owns the connection, and a connection it
    // left by an exception must not be kept alive by its own watchdog.
    watchdog_.async_wait([weak = weak_from_this()](beast::error_code ec) {
        if (auto self = weak.lock()) self->on_watchdog(ec);
    });
}

void connection::on_watchdog(beast::error_code ec) {
    if (ec || !watching_) return;  // re-aimed or stopped
    if (clock::now() < deadline_) return arm_watchdog();
    timed_out_ = true;
    watching_ = false;
    beast::error_code ignored;
    socket_.cancel(ignored);
}

void connection::stop_watchdog() {
    watching_ = false;
    watchdog_.cancel();
}

template <class Buffers>
net::awaitable<beast::error_code> connection::write_timed(Buffers bytes) {
    // Tried at once: an answer nearly always fits the socket's buffer, and an
    // asynchronous write that completes at once is posted to the scheduler,
    // which wakes the other io thread and moves the connection to it.
    beast::error_code ec;
    auto n = net::write(socket_, bytes, ec);
    if (ec != net::error::would_block) co_return checked(ec);
    beast::buffers_suffix<Buffers> rest(bytes);
    rest.consume(n);
    // The deadline is for progress, not for the whole answer: a client
    // taking a large file slowly but steadily (16 MiB over a slow link) is
    // served, and one that takes nothing for --write-timeout is dropped.
    while (beast::buffer_bytes(rest) > 0) {
        expire_after(owner_->limits.write_timeout);
        std::tie(ec, n) = co_await socket_.async_write_some(rest, use_tuple);
        if ((ec = checked(ec))) break;
        rest.consume(n);
    }
    if (ec == beast::error::timeout) owner_->reject("write_timeout");  // a client that does not read is dropped
    co_return ec;
}

void connection::close() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
}

net::awaitable<beast::error_code> connection::wait_readable() {
    auto [ec] = co_await socket_.async_wait(tcp::socket::wait_read, use_tuple);
    co_return checked(ec);
}

template <class Read>
net::awaitable<beast::error_code> connection::read_nonblocking(Read read) {
    for (;;) {
        beast::error_code ec;
        read(ec);
        if (ec != net::error::would_block) co_return checked(ec);
        if (auto wait_ec = co_await wait_readable()) co_return wait_ec;
    }
}

net::awaitable<bool> connection::read_request(beast::flat_buffer& buffer,
                                              bhttp::request_parser<bhttp::string_body>& parser, bool first) {
    auto& limits = owner_->limits;
    // The first request's headers are due header_timeout after connect; a
    // later one's after its first byte, which may take keepalive_timeout.
    auto header_deadline = accepted_at_ + limits.header_timeout;
    if (buffer.size() == 0) {
        idle_ = true;
        if (stopping_) co_return false;
        if (first)
            expire_at(header_deadline);
        else
            expire_after(limits.keepalive_timeout);
        // Asynchronous: between requests the socket is nearly always empty,
        // and this read, attempted at once, then waits without a system call
        // more; it is posted only when it finds bytes at once.
        auto [read_ec, n] = co_await socket_.async_read_some(buffer.prepare(2048), use_tuple);
        if (auto ec = checked(read_ec)) {
            if (ec == beast::error::timeout && first) owner_->reject("header_timeout");
            co_return false;
        }
        buffer.commit(n);
        if (!first) header_deadline = clock::now() + limits.header_timeout;
    }
    idle_ = false;

    parser.header_limit(static_cast<std::uint32_t>(limits.max_header));
    // Beast checks a Content-Length against the limit as it reads the
    // header, before the route is known: the largest any route takes, and
    // the route's own once the header says which it is.
    auto& routes = owner_->routes;
    parser.body_limit(std::max(limits.max_body, routes.largest_body()));
    auto large_route = [&] {
        auto& h = parser.get();
        auto target = std::string_view(h.target().data(), h.target().size());
        auto method = h.method_string();
        return routes.large_body_route(verb_from_string(std::string_view(method.data(), method.size())),
                                       target.substr(0, target.find('?')));
    };
    auto limit = limits.max_body;
    expire_at(header_deadline);
    if (auto ec = co_await read_nonblocking([&](beast::error_code& e) {
            bhttp::read_header(socket_, buffer, parser, e);
        })) {
        if (auto large = ec == bhttp::error::body_limit ? large_route() : std::nullopt) limit = large->max_body;
        co_await answer_read_error(ec, "header_timeout", limit);
        co_return false;
    }
    if (routes.largest_body() && (parser.chunked() || parser.content_length().value_or(0) > limits.max_body)) {
        auto large = large_route();
        if (large) limit = large->max_body;
        if (parser.content_length().value_or(0) > limit) {
            co_await answer_read_error(bhttp::error::body_limit, "body_timeout", limit);
            co_return false;
        }
        if (large && *large->admit) {
            auto head = to_request(bhttp::request<bhttp::string_body>(parser.get().base()), remote_address_, from_proxy_);
            if (auto refusal = (*large->admit)(head)) {
                auto reason = "status_" + std::to_string(refusal->status);  // as the route's own refusal is counted
                co_await refuse_and_close(std::move(*refusal), reason);
                co_return false;
            }
        }
        // Each is held whole until answered: past the bound, memory would
        // grow with the agents uploading at once.
        if (large) {
            if (!owner_->take_large_body()) {
                auto busy = response::error(503, "busy",
                                            "too many files are being uploaded at once (" +
                                                std::to_string(limits.max_large_bodies) + "): try again in a moment");
                busy.set_header("Retry-After", "1");
                co_await refuse_and_close(std::move(busy), "large_bodies");
                co_return false;
            }
            large_body_.emplace(*owner_);
        }
        parser.body_limit(limit);
    }
    if (iequals(parser.get()[bhttp::field::expect], "100-continue")) {
        static const std::string continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
        if (co_await write_timed(net::buffer(continue_line))) co_return false;
    }
    if (!parser.is_done()) {
        expire_after(limits.body_timeout);
        if (auto ec = co_await read_nonblocking([&](beast::error_code& e) {
                bhttp::read(socket_, buffer, parser, e);
            })) {
            co_await answer_read_error(ec, "body_timeout", limit);
            co_return false;
        }
    }
    co_return true;
}

net::awaitable<void> connection::answer_read_error(beast::error_code ec, std::string_view timeout_reason,
                                                   std::size_t body_limit) {
    if (ec == bhttp::error::body_limit) {
        co_await refuse_and_close(413, "body_too_large", "request body exceeds " + std::to_string(body_limit) + " bytes");
    } else if (ec == bhttp::error::header_limit) {
        co_await refuse_and_close(431, "header_too_large", "request headers are too large");
    } else if (ec == beast::error::timeout) {
        owner_->reject(timeout_reason);  // a slow client is dropped without an answer
    } else if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() && ec != bhttp::error::end_of_stream &&
               ec != bhttp::error::partial_message) {
        co_await refuse_and_close(400, "malformed_http", "malformed HTTP request: " + ec.message());
    }
    // Anything else is the peer going away: nothing to answer.
}

net::awaitable<void> connection::refuse_and_close(unsigned status, std::string_view code, std::string message) {
    co_await refuse_and_close(response::error(status, code, std::move(message)), code);
}

net::awaitable<void> connection::refuse_and_close(response res, std::string_view reason) {
    owner_->reject(reason);
    auto head = response_head(res, 11, false, res.body.size());
    co_await write(head, res.body);
    co_await linger_and_close();
}

// Not a coroutine itself: an answer's write stays one coroutine frame deep.
net::awaitable<beast::error_code> connection::write(const std::string& head, const std::string& body) {
    return write_timed(std::array<net::const_buffer, 2>{net::buffer(head), net::buffer(body)});
}

class connection::chunk_writer final : public body_writer {
public:
    explicit chunk_writer(connection& c) : c_(c) {}
    net::awaitable<bool> write(std::string chunk) override {
        if (failed_ || chunk.empty()) co_return !failed_;
        auto framed = bhttp::make_chunk(net::buffer(chunk));  // a named local: no temporaries in co_await (GCC 12)
        failed_ = static_cast<bool>(co_await c_.write_timed(framed));
        c_.expire_never();  // making the next chunk is not writing
        co_return !failed_;
    }
    bool failed() const { return failed_; }

private:
    connection& c_;
    bool failed_ = false;
};

net::awaitable<beast::error_code> connection::write_streamed(response& res, unsigned version, bool keep_alive) {
    auto head = response_head(res, version, keep_alive, std::nullopt);
    if (auto ec = co_await write_timed(net::buffer(head))) co_return ec;
    expire_never();
    chunk_writer out(*this);
    co_await res.stream(out);
    if (out.failed()) co_return beast::error_code(net::error::broken_pipe);
    auto last = bhttp::make_chunk_last();
    co_return co_await write_timed(last);
}

net::awaitable<void> connection::linger_and_close() {
    // Closing with unread input makes the kernel send RST, which can destroy
    // the error answer before the client reads it. Half-close and drain a
    // bounded amount first.
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    expire_after(owner_->limits.linger);
    std::array<char, 8192> scratch;
    std::size_t drained = 0;
    // A refused file upload is drained too: its sender then reads the 413.
    auto bound = 16 * owner_->limits.max_body + (1u << 20) + owner_->routes.largest_body();
    while (drained < bound) {
        auto [rec, n] = co_await socket_.async_read_some(net::buffer(scratch), use_tuple);
        if (checked(rec)) break;
        drained += n;
    }
    close();
}

net::awaitable<void> connection::run() {
    auto self = shared_from_this();
    deadline_ = accepted_at_ + owner_->limits.header_timeout;
    watching_ = true;
    arm_watchdog();
    beast::flat_buffer buffer;
    for (bool first = true;; first = false) {
        bhttp::request_parser<bhttp::string_body> parser;
        if (!co_await read_request(buffer, parser, first)) break;
        expire_never();  // a handler takes as long as it takes

        auto started = clock::now();
        auto version = parser.get().version();
        bool keep_alive = parser.get().keep_alive();
        bool upgrade = beast::websocket::is_upgrade(parser.get());
        bhttp::request<bhttp::string_body> upgrade_request;
        if (upgrade) upgrade_request = parser.get();  // headers only: an upgrade has no body
        request req = to_request(parser.release(), remote_address_, from_proxy_);
        req.peer_socket = socket_.native_handle();
        req.websocket = upgrade;
        std::string route;
        response res;
        try {
            res = co_await owner_->routes.dispatch(req, &route);
        } catch (const std::exception& e) {
            log::error("handler failed", {{"route", route}, {"path", req.path}, {"error", e.what()}});
            res = response::error(500, "internal_error", "internal server error");
        }
        // A socket asked for once the server is stopping would only be closed
        // again: the client is told to come back (a console reconnects).
        if (res.upgrade && upgrade && stopping_) res = response::error(503, "shutting_down", "the server is shutting down");
        if (res.upgrade && upgrade) {
            owner_->record(route, 101, {}, std::chrono::duration<double>(clock::now() - started).count());
            stop_watchdog();
            handed_over_ = true;
            // The WebSocket side is written only asynchronously.
            beast::error_code nb_ec;
            socket_.non_blocking(false, nb_ec);
            res.upgrade->start(std::make_unique<upgraded_connection>(std::move(socket_), std::move(buffer),
                                                                     std::move(upgrade_request)));
            co_return;  // the connection has a new owner
        }
        keep_alive = keep_alive && !stopping_;
        auto status = res.status;
        // Counted before the answer leaves, so that a client that has the
        // answer also finds it in /metrics.
        double seconds = std::chrono::duration<double>(clock::now() - started).count();
        owner_->record(route, status, res.reject_reason, seconds);
        beast::error_code ec;
        if (res.stream && req.method != verb::head) {
            ec = co_await write_streamed(res, version, keep_alive);
        } else {
            auto head = response_head(res, version, keep_alive, res.body.size());
            if (req.method == verb::head) res.body.clear();
            ec = co_await write(head, res.body);
        }
        large_body_.reset();  // answered: the next upload may come in

        if (log::enabled(log::level::debug))
            log::debug("request", {{"method", std::string(to_string(req.method))},
                                   {"path", req.path},
                                   {"status", std::to_string(status)},
                                   {"ms", std::to_string(seconds * 1000)},
                                   {"remote", remote_address_}});
        if (ec || !keep_alive) break;
    }
    stop_watchdog();
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    close();
}

}  // namespace switchboard::http
