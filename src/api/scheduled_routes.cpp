// POST, GET /conversations/{phone}/scheduled and DELETE …/scheduled/{id}:
// replies written now and sent later (scheduled_replies.hpp). The agent who
// has the chat schedules one, every agent lists them, and their writer or
// an admin deletes one; every console hears of a conversation's list as
// `scheduled.updated`.
#include "command_fields.hpp"
#include "request_helpers.hpp"

#include "switchboard/api/scheduled_replies.hpp"
#include "switchboard/chat/engine.hpp"

#include <boost/json.hpp>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// A reply waits a month at most: longer, and its chat will have ended.
constexpr auto max_wait = std::chrono::hours(24 * 31);

timestamp send_at_field(const json::object& o) {
    constexpr std::string_view what = "send_at must be an ISO-8601 time (2026-12-05T09:00:00Z) in the future";
    auto* v = o.if_contains("send_at");
    auto at = v && v->is_string() ? parse_iso8601(v->as_string()) : std::nullopt;
    if (!at) throw field_error{"send_at", std::string(what)};
    auto now = std::chrono::system_clock::now();
    if (*at <= now) throw field_error{"send_at", std::string(what)};
    if (*at - now > max_wait) throw field_error{"send_at", "a reply is scheduled a month ahead at most"};
    return *at;
}

json::object list_of(scheduled_replies& replies, const std::string& phone) {
    json::array out;
    for (auto& r : replies.of(phone)) out.push_back(scheduled_json(r));
    return {{"scheduled", std::move(out)}};
}

awaitable<http::response> schedule(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto o = object_body(req);
    scheduled_reply r;
    r.phone = phone;
    r.text = trimmed_field(o, "text", true, max_text_chars);
    r.send_at = send_at_field(o);
    r.by = who.username;
    // As a reply sent now would be: to the chat the caller has.
    auto viewing = ctx.engine.view(phone);
    auto c = co_await std::move(viewing);
    if (!c) throw chat::command_error(chat::command_error::kind::not_found, "no conversation " + phone);
    if (auto why = chat::why_agent_cannot_send(*c->record, who.username, ""))
        throw chat::command_error(chat::command_error::kind::conflict, *why);
    auto adding = ctx.scheduled->add(std::move(r));
    auto added = co_await std::move(adding);
    co_return json_response(201, scheduled_json(added));
}

awaitable<http::response> unschedule(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    std::string id(req.param("id"));
    auto r = ctx.scheduled->find(id);
    if (!r || r->phone != phone) throw chat::command_error(chat::command_error::kind::not_found, "no scheduled reply " + id);
    if (r->by != who.username && !who.is_admin())
        throw chat::command_error(chat::command_error::kind::forbidden,
                                  "only " + r->by + ", who wrote it, or an admin deletes a scheduled reply");
    auto removing = ctx.scheduled->remove(id);
    if (!co_await std::move(removing))
        throw chat::command_error(chat::command_error::kind::not_found, "no scheduled reply " + id);
    co_return json_response(200, {{"deleted", id}});
}

}  // namespace

void add_scheduled_routes(http::router& routes, api_context& ctx) {
    ctx.scheduled->attach(ctx);
    routes.add(http::verb::get, "/conversations/{phone}/scheduled",
               authed(ctx, [&ctx](http::request& req, const auth::agent&) -> awaitable<http::response> {
                   auto phone = require_phone(req);
                   co_return json_response(200, list_of(*ctx.scheduled, phone));
               }));
    routes.add(http::verb::post, "/conversations/{phone}/scheduled",
               authed(ctx, [&ctx](http::request& req, const auth::agent& who) { return schedule(ctx, req, who); }));
    routes.add(http::verb::delete_, "/conversations/{phone}/scheduled/{id}",
               authed(ctx, [&ctx](http::request& req, const auth::agent& who) { return unschedule(ctx, req, who); }));
}

}  // namespace switchboard::api
