// /agents: the team, with presence; admins add agents; capacity and
// availability are set with PATCH.
#include "request_helpers.hpp"

#include "switchboard/ws/hub.hpp"

#include <algorithm>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

awaitable<http::response> list_agents(api_context& ctx, http::request&, const auth::agent&) {
    auto online = ctx.hub.online();
    json::array list;
    for (auto& a : ctx.agents.list()) {
        auto o = agent_json(a);
        o["online"] = std::find(online.begin(), online.end(), a.username) != online.end();
        list.push_back(std::move(o));
    }
    co_return json_response(200, {{"agents", std::move(list)}});
}

awaitable<http::response> create_agent(api_context& ctx, http::request& req, const auth::agent&) {
    auto o = object_body(req);
    auto username = string_field(o, "username", true);
    auto password = string_field(o, "password", true);
    auto role = string_field(o, "role", false);
    auto display = string_field(o, "display_name", false);
    if (role.empty()) role = "agent";
    if (auto why = auth::validate_username(username); !why.empty()) throw field_error{"username", why};
    if (auto why = auth::validate_password(password); !why.empty()) throw field_error{"password", why};
    if (auto why = auth::validate_role(role); !why.empty()) throw field_error{"role", why};
    if (display.size() > 64) throw field_error{"display_name", "display_name must be at most 64 characters"};
    if (ctx.agents.find(username)) throw chat::command_error(chat::command_error::kind::conflict, "agent " + username + " exists already");
    auto a = co_await ctx.agents.create(username, password, role, display);
    co_return json_response(201, agent_json(a));
}

awaitable<http::response> patch_agent(api_context& ctx, http::request& req, const auth::agent& who) {
    std::string username(req.param("username"));
    if (!ctx.agents.find(username))
        throw chat::command_error(chat::command_error::kind::not_found, "no agent named " + username);
    if (!who.is_admin() && who.username != username)
        throw chat::command_error(chat::command_error::kind::forbidden, "agents may change only themselves");
    auto o = object_body(req);
    std::optional<bool> available;
    std::optional<std::uint32_t> max_chats;
    if (auto* v = o.if_contains("available")) {
        if (!v->is_bool()) throw field_error{"available", "available must be true or false"};
        available = v->as_bool();
    }
    if (auto* v = o.if_contains("max_chats")) {
        if (!v->is_int64() && !v->is_uint64()) throw field_error{"max_chats", "max_chats must be a whole number"};
        auto n = v->is_int64() ? v->as_int64() : static_cast<std::int64_t>(v->as_uint64());
        if (n < 1 || n > 100) throw field_error{"max_chats", "max_chats must be from 1 to 100"};
        max_chats = static_cast<std::uint32_t>(n);
    }
    if (!available && !max_chats) throw field_error{"body", "nothing to change: give available and/or max_chats"};
    auto a = co_await ctx.agents.update(username, available, max_chats);
    co_return json_response(200, agent_json(a));
}

}  // namespace

void add_agent_routes(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/agents", authed(ctx, [&ctx](http::request& r, const auth::agent& w) {
                   return list_agents(ctx, r, w);
               }));
    routes.add(http::verb::post, "/agents", authed(ctx, [&ctx](http::request& r, const auth::agent& w) {
                   return create_agent(ctx, r, w);
               }, true));
    routes.add(http::verb::patch, "/agents/{username}", authed(ctx, [&ctx](http::request& r, const auth::agent& w) {
                   return patch_agent(ctx, r, w);
               }));
}

}  // namespace switchboard::api
