// GET /settings/security, PUT /settings/security: whether the team requires
// two-factor authentication, as Intercom's and Zendesk's "require two-factor
// authentication". While it does, an agent without it may only set it up
// (held_for_two_factor); every console hears of a change as
// `security.updated`.
#include "audit.hpp"
#include "request_helpers.hpp"

#include "switchboard/auth/agents.hpp"
#include "switchboard/store/store.hpp"
#include "switchboard/ws/hub.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::string_view setting_key = "security";
constexpr std::string_view required_name = "require_two_factor";

json::object security_json(api_context& ctx) { return {{required_name, ctx.agents.two_factor_required()}}; }

// A kept value that no longer reads (written by hand) requires nothing.
bool kept_requirement(const store::store& db) {
    auto text = db.find_setting(setting_key);
    if (!text) return false;
    boost::system::error_code ec;
    auto v = json::parse(*text, ec);
    if (ec || !v.is_object()) return false;
    auto* required = v.as_object().if_contains(required_name);
    return required && required->is_bool() && required->get_bool();
}

awaitable<http::response> put_security(api_context& ctx, http::request& req, const auth::agent& who) {
    auto body = object_body(req);
    for (auto& field : body)
        if (field.key() != required_name)
            throw field_error{std::string(field.key()),
                              "unknown field " + std::string(field.key()) + ": the field is require_two_factor"};
    auto* v = body.if_contains(required_name);
    if (!v || !v->is_bool()) throw field_error{std::string(required_name), "require_two_factor must be true or false"};
    bool required = v->get_bool();
    // An admin who requires it has it: one who did not would be held to setting it up at once.
    if (required && !who.two_factor)
        throw chat::command_error(chat::command_error::kind::conflict,
                                  "turn on your own two-factor authentication before you require it of the team");
    json::object policy{{required_name, required}};
    store::write_batch b;
    b.settings_put.emplace_back(std::string(setting_key), json::serialize(policy));
    co_await ctx.store.write(std::move(b));
    ctx.agents.require_two_factor(required);
    ctx.hub.publish({"security.updated", "", policy, std::chrono::system_clock::now()});
    auto audited = audit(ctx, who.username, "security.updated", "", policy);
    co_await std::move(audited);
    co_return json_response(200, policy);
}

}  // namespace

void add_security_route(http::router& routes, api_context& ctx) {
    ctx.agents.require_two_factor(kept_requirement(ctx.store));
    routes.add(http::verb::get, "/settings/security",
               authed(ctx, [&ctx](http::request&, const auth::agent&) -> awaitable<http::response> {
                   co_return json_response(200, security_json(ctx));
               }));
    routes.add(http::verb::put, "/settings/security",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return put_security(ctx, r, w); }, true));
}

}  // namespace switchboard::api
