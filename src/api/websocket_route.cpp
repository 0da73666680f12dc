// GET /ws: authenticated like the REST routes, and only from allowed origins,
// so that another site cannot open an agent's socket with the agent's cookie.
#include "request_helpers.hpp"

#include "switchboard/ws/hub.hpp"

#include <algorithm>

namespace switchboard::api {

namespace {

// Origin's authority ("https://host:port" → "host:port").
std::string_view origin_authority(std::string_view origin) {
    auto p = origin.find("://");
    return p == std::string_view::npos ? origin : origin.substr(p + 3);
}

bool origin_allowed(const api_context& ctx, const http::request& req) {
    auto origin = req.header("Origin");
    if (origin.empty()) return true;  // not a browser: no ambient cookie to abuse
    if (ctx.allowed_origins.empty()) return http::iequals(origin_authority(origin), req.header("Host"));
    return std::any_of(ctx.allowed_origins.begin(), ctx.allowed_origins.end(),
                       [&](const std::string& o) { return o == "*" || http::iequals(o, origin); });
}

}  // namespace

void add_websocket_route(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/ws", [&ctx](http::request& req) -> boost::asio::awaitable<http::response> {
        auto token = session_token(req, true);
        auto who = ctx.agents.authenticate(token);
        if (!who) co_return http::response::error(401, "unauthorized", "log in first: no valid session");
        if (auto held = held_for_two_factor(ctx, *who, token, req)) co_return std::move(*held);
        if (!origin_allowed(ctx, req))
            co_return http::response::error(403, "forbidden_origin", "this origin may not open agent sockets");
        if (!req.websocket) co_return http::response::error(426, "upgrade_required", "/ws speaks WebSocket only");
        http::response res;
        res.status = 101;
        res.upgrade = ctx.hub.upgrade_for(who->username, who->display_name, auth::sha256_hex(session_token(req, true)));
        co_return res;
    });
}

}  // namespace switchboard::api
