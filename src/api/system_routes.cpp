// Health and metrics for load balancers and Prometheus.
#include "switchboard/api/system_routes.hpp"

#include "switchboard/core/metrics.hpp"
#include "switchboard/http/router.hpp"

namespace switchboard::api {

void add_system_routes(http::router& routes, metrics::registry& metrics) {
    routes.add(http::verb::get, "/healthz", [](http::request&) -> boost::asio::awaitable<http::response> {
        co_return http::response::json(200, R"({"status":"ok"})");
    });
    routes.add(http::verb::get, "/metrics", [&metrics](http::request&) -> boost::asio::awaitable<http::response> {
        co_return http::response::text(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
    });
}

}  // namespace switchboard::api
