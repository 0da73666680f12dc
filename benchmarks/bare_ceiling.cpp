// The bare ceiling: Switchboard's own listener and connection code answering
// every request with a constant, no parsing, no storage. Benchmarks report
// their throughput as a fraction of this server's, measured in the same run.
//
//   bare_ceiling [--port N] [--threads N]
#include "server_flags.hpp"

#include "switchboard/core/metrics.hpp"
#include "switchboard/http/router.hpp"
#include "switchboard/http/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <iostream>
#include <string>
#include <thread>

using namespace switchboard;

int main(int argc, char** argv) {
    auto [port, threads] = parse_server_flags(argc, argv, "bare_ceiling");

    boost::asio::io_context ioc(static_cast<int>(threads));
    metrics::registry metrics;
    http::router routes;
    auto constant = [](http::request&) -> boost::asio::awaitable<http::response> {
        co_return http::response::json(200, R"({"replies":[],"state":"IDLE"})");
    };
    routes.add(http::verb::post, "/webhook", constant);
    routes.add(http::verb::get, "/healthz", constant);

    http::server server(ioc, routes, metrics, http::server_limits{});
    auto ep = server.listen("127.0.0.1", port);
    server.start();
    std::cout << "listening on " << ep.to_string() << std::endl;

    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](auto, int) { server.shutdown([&] { ioc.stop(); }); });
    std::vector<std::jthread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
    ioc.run();
    return 0;
}
