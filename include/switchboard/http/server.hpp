// The HTTP server: a listener plus one coroutine per connection. Beast stays
// behind this interface; routes see only `http::request`/`http::response`.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace switchboard::metrics {
class registry;
}

namespace switchboard::http {

class router;

// Every bound of the HTTP layer, named once (SPEC §6).
struct server_limits {
    std::size_t max_body = 64 * 1024;
    std::size_t max_header = 16 * 1024;
    std::chrono::seconds header_timeout{10};     // from connect, or from a request's first byte
    std::chrono::seconds keepalive_timeout{60};  // idle between requests
    std::chrono::seconds body_timeout{30};
    std::chrono::seconds write_timeout{30};
    std::chrono::milliseconds linger{1000};  // draining after an error answer, so the client reads it
    // Peers (addresses in make_address's form) that are reverse proxies: a
    // request from one is from the client its X-Forwarded-For names last.
    std::vector<std::string> trusted_proxies;
    // Bodies beyond max_body (an agent's file, up to its route's limit) read
    // or held at once: each is in memory whole until it is answered. One
    // more is answered 503 at its headers.
    std::size_t max_large_bodies = 8;
};

struct bound_endpoint {
    std::string address;
    unsigned short port = 0;
    std::string to_string() const;  // "127.0.0.1:8080", "[::1]:8080"
};

class server {
public:
    server(boost::asio::io_context& ioc, const router& routes, metrics::registry& metrics, server_limits limits);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds and listens; throws std::system_error with the address on failure.
    bound_endpoint listen(const std::string& address, unsigned short port);
    void start();
    // Stops accepting, closes idle connections and lets in-flight requests
    // finish; `on_drained` runs once the last connection has closed.
    void shutdown(std::function<void()> on_drained);
    std::size_t open_connections() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace switchboard::http
