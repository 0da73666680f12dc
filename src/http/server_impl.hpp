// Shared state of one HTTP server: the acceptor, the live connections and the
// metrics they report to. Internal to src/http.
#pragma once

#include "beast.hpp"
#include "switchboard/core/repeated_problem.hpp"
#include "switchboard/core/metrics.hpp"
#include "switchboard/http/router.hpp"
#include "switchboard/http/server.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace switchboard::http {

class connection;

struct server::impl : std::enable_shared_from_this<server::impl> {
    impl(net::io_context& ioc, const router& routes, metrics::registry& metrics, server_limits limits);

    net::awaitable<void> accept_loop();
    void add(const std::shared_ptr<connection>& c);
    void remove(const connection* c);
    void record(const std::string& route, unsigned status, std::string_view reject_reason, double seconds);
    void reject(std::string_view reason);

    std::uint64_t generation;  // tells this server's cached counters from another's
    net::io_context& ioc;
    const router& routes;
    metrics::registry& metrics;
    server_limits limits;
    tcp::acceptor acceptor;

    metrics::gauge& open_connections;
    metrics::gauge& large_bodies_open;
    metrics::counter& accepted;
    metrics::histogram& latency;
    // Out of descriptors, the accept fails every pause: logged as one problem.
    log::repeated_problem accept_failures{log::level::warn, "accept failed", "accepting again"};

    // Large bodies read or held now (server_limits::max_large_bodies):
    // taken at a large body's headers, given back once it is answered.
    bool take_large_body() {
        if (large_bodies.fetch_add(1) >= limits.max_large_bodies) {
            large_bodies.fetch_sub(1);
            return false;
        }
        large_bodies_open.add(1);
        return true;
    }
    void give_large_body() {
        large_bodies.fetch_sub(1);
        large_bodies_open.add(-1);
    }
    std::atomic<std::size_t> large_bodies{0};

    mutable std::mutex mutex;  // guards the set below; never held across I/O
    std::unordered_map<const connection*, std::weak_ptr<connection>> live;
    bool stopping = false;
    std::function<void()> on_drained;
};

}  // namespace switchboard::http
