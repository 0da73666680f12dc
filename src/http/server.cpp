// The listener and the registry of live connections, for graceful shutdown.
#include "connection.hpp"

#include "switchboard/core/log.hpp"

#include <system_error>

namespace switchboard::http {

std::string bound_endpoint::to_string() const {
    bool v6 = address.find(':') != std::string::npos;
    return (v6 ? "[" + address + "]" : address) + ':' + std::to_string(port);
}

namespace {
std::atomic<std::uint64_t> next_generation{1};
}

server::impl::impl(net::io_context& ioc_, const router& routes_, metrics::registry& metrics_, server_limits limits_)
    : generation(next_generation++),
      ioc(ioc_),
      routes(routes_),
      metrics(metrics_),
      limits(limits_),
      acceptor(net::make_strand(ioc_)),
      open_connections(metrics_.get_gauge("switchboard_http_open_connections", "HTTP connections open now")),
      large_bodies_open(metrics_.get_gauge("switchboard_http_uploads_open",
                                           "Request bodies over --max-body (agents' files) read or held now")),
      accepted(metrics_.get_counter("switchboard_http_connections_total", "HTTP connections accepted")),
      latency(metrics_.get_histogram("switchboard_http_request_duration_seconds",
                                     "Time from a complete request to its response written",
                                     metrics::latency_buckets())) {}

void server::impl::record(const std::string& route, unsigned status, std::string_view reject_reason, double seconds) {
    // Each thread remembers its counters: the registry's lookup (labels
    // rendered, a mutex) is paid once per route and status, not per request.
    thread_local std::unordered_map<std::string, metrics::counter*> counters;
    thread_local std::uint64_t cached_for = 0;
    if (cached_for != generation) {  // another server in this process: its own registry
        counters.clear();
        cached_for = generation;
    }
    auto key = route + ' ' + std::to_string(status);
    auto it = counters.find(key);
    if (it == counters.end())
        it = counters
                 .emplace(std::move(key), &metrics.get_counter("switchboard_http_requests_total",
                                                               "HTTP requests answered, by route and status",
                                                               {{"route", route}, {"status", std::to_string(status)}}))
                 .first;
    it->second->inc();
    latency.observe(seconds);
    if (status >= 400 && status < 500)
        reject(reject_reason.empty() ? "status_" + std::to_string(status) : std::string(reject_reason));
}

void server::impl::reject(std::string_view reason) {
    metrics::rejections(metrics, reason).inc();
}

void server::impl::add(const std::shared_ptr<connection>& c) {
    std::lock_guard lock(mutex);
    live.emplace(c.get(), c);
    open_connections.set(static_cast<double>(live.size()));
}

void server::impl::remove(const connection* c) {
    std::function<void()> drained;
    {
        std::lock_guard lock(mutex);
        live.erase(c);
        open_connections.set(static_cast<double>(live.size()));
        if (stopping && live.empty()) drained = std::exchange(on_drained, nullptr);
    }
    if (drained) drained();
}

net::awaitable<void> server::impl::accept_loop() {
    auto self = shared_from_this();
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(ioc), use_tuple);
        if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
        if (ec) {
            // Out of descriptors and the like: back off instead of spinning.
            accept_failures.occurred({{"error", ec.message()}});
            net::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(100));
            co_await pause.async_wait(use_tuple);
            continue;
        }
        accepted.inc();
        accept_failures.stopped();
        socket.set_option(tcp::no_delay(true), ec);
        auto conn = std::make_shared<connection>(std::move(socket), self);
        add(conn);
        // The completion owns the connection: co_spawn starts `run()` inline
        // only while the connection's executor is on this io_context's thread,
        // and would otherwise post it, with nothing else holding the connection.
        net::co_spawn(conn->executor(), conn->run(), [self, conn](std::exception_ptr e) {
            log::failure("connection failed", e);
            self->remove(conn.get());
        });
    }
}

server::server(net::io_context& ioc, const router& routes, metrics::registry& metrics, server_limits limits)
    : impl_(std::make_shared<impl>(ioc, routes, metrics, limits)) {}

server::~server() = default;

bound_endpoint server::listen(const std::string& address, unsigned short port) {
    auto where = address + ":" + std::to_string(port);
    beast::error_code ec;
    auto addr = net::ip::make_address(address, ec);
    if (ec) throw std::system_error(ec, "bad listen address " + address);
    tcp::endpoint ep{addr, port};
    auto& a = impl_->acceptor;
    a.open(ep.protocol(), ec);
    if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(ep, ec);
    if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw std::system_error(ec, "cannot listen on " + where);
    auto local = a.local_endpoint();
    return {local.address().to_string(), local.port()};
}

void server::start() {
    net::co_spawn(impl_->acceptor.get_executor(), impl_->accept_loop(),
                  [](std::exception_ptr e) { log::failure("accept loop failed", e); });
}

void server::shutdown(std::function<void()> on_drained) {
    auto self = impl_;
    net::post(self->acceptor.get_executor(), [self, on_drained = std::move(on_drained)]() mutable {
        beast::error_code ec;
        self->acceptor.close(ec);
        std::vector<std::shared_ptr<connection>> conns;
        {
            std::lock_guard lock(self->mutex);
            self->stopping = true;
            for (auto& [_, weak] : self->live)
                if (auto c = weak.lock()) conns.push_back(std::move(c));
            if (!self->live.empty()) {
                self->on_drained = std::move(on_drained);
                on_drained = nullptr;
            }
        }
        for (auto& c : conns) net::post(c->executor(), [c] { c->stop(); });
        if (on_drained) on_drained();
    });
}

std::size_t server::open_connections() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->live.size();
}

}  // namespace switchboard::http
