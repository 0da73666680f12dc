// Unauthenticated operational routes: GET /healthz and GET /metrics.
#pragma once

namespace switchboard::metrics {
class registry;
}
namespace switchboard::http {
class router;
}

namespace switchboard::api {

void add_system_routes(http::router& routes, metrics::registry& metrics);

}  // namespace switchboard::api
