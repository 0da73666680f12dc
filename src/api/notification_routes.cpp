// The caller's notifications (notify/notification_center.hpp), as
// Chatwoot's inbox: GET /notifications lists them, newest first, a page at
// a time; each can be marked read or unread again, and all at once (or all
// of one conversation's) read. An agent sees and marks only their own.
#include "request_helpers.hpp"

#include "switchboard/core/whole_number.hpp"
#include "switchboard/notify/notification_center.hpp"

#include <boost/json/array.hpp>

#include <algorithm>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::size_t default_page = 25, max_page = 100;

notify::notification_center& center(api_context& ctx) { return *ctx.notifications; }

// ?before=<id>: the ones older than that (the previous page's next_before);
// ?unread=true: only those not read yet.
awaitable<http::response> list(api_context& ctx, http::request& req, const auth::agent& who) {
    auto limit = limit_param(req, default_page, max_page);
    std::uint64_t before = 0;
    if (auto b = req.query_param("before"); b && !b->empty()) {
        auto id = parse_whole_number(*b);
        if (!id || *id == 0) throw field_error{"before", "before must be a notification's id (a whole number)"};
        before = *id;
    }
    bool unread_only = false;
    if (auto u = req.query_param("unread"); u && !u->empty()) {
        if (*u != "true" && *u != "false") throw field_error{"unread", "unread must be true or false"};
        unread_only = *u == "true";
    }
    auto page = center(ctx).page(who.username, before, limit, unread_only);
    json::array out;
    for (auto& n : page.items) out.push_back(notify::notification_json(n));
    json::value next = page.more ? json::value(page.items.back().id) : json::value(nullptr);
    co_return json_response(200, {{"notifications", std::move(out)},
                                  {"unread", center(ctx).unread(who.username)},
                                  {"next_before", next}});
}

awaitable<http::response> mark(api_context& ctx, http::request& req, const auth::agent& who, bool read) {
    auto id = parse_whole_number(req.param("id"));
    auto not_found = [&] {
        return chat::command_error(chat::command_error::kind::not_found,
                                   "no notification " + std::string(req.param("id")) + " of yours");
    };
    if (!id) throw not_found();
    auto agent = who.username;  // named: no temporaries inside co_await (GCC 12)
    auto n = co_await center(ctx).mark(std::move(agent), *id, read);
    if (!n) throw not_found();
    co_return json_response(200, notify::notification_json(*n));
}

// Body, optional: {"conversation":"<phone>"}, only that conversation's.
awaitable<http::response> read_all(api_context& ctx, http::request& req, const auth::agent& who) {
    std::string conversation;
    if (!req.body.empty()) {
        auto o = object_body(req);
        if (auto* v = o.if_contains("conversation"); v && !v->is_null()) {
            auto phone = v->is_string() ? chat::normalize_phone(v->get_string()) : std::nullopt;
            if (!phone) throw field_error{"conversation", "conversation must be a phone number"};
            conversation = *phone;
        }
    }
    auto agent = who.username;
    auto marked = co_await center(ctx).mark_all_read(std::move(agent), std::move(conversation));
    co_return json_response(200, {{"marked", marked}, {"unread", center(ctx).unread(who.username)}});
}

awaitable<http::response> get_preferences(api_context& ctx, http::request&, const auth::agent& who) {
    co_return json_response(200, {{"preferences", center(ctx).preferences(who.username)}});
}

// {"message":false,…}: the kinds named turned on or off, the rest as they were.
awaitable<http::response> set_preferences(api_context& ctx, http::request& req, const auth::agent& who) {
    auto o = object_body(req);
    std::vector<std::pair<std::string, bool>> changes;
    for (auto& [key, value] : o) {
        auto name = std::string(key);
        auto& kinds = notify::notification_types;
        auto& by_mail = notify::email_preference_types;
        if (std::find(kinds.begin(), kinds.end(), key) == kinds.end() &&
            std::find(by_mail.begin(), by_mail.end(), key) == by_mail.end())
            throw field_error{name, name + " is not a kind of notification: mention, assigned, sla_missed or message, "
                                           "or the same by e-mail (email_mention, …)"};
        if (!value.is_bool()) throw field_error{name, name + " must be true (tell me) or false"};
        changes.emplace_back(name, value.as_bool());
    }
    if (changes.empty()) throw field_error{"body", R"(name the kinds to turn on or off, as {"message":false})"};
    auto agent = who.username;  // named: no temporaries inside co_await (GCC 12)
    auto now = co_await center(ctx).set_preferences(std::move(agent), std::move(changes));
    co_return json_response(200, {{"preferences", std::move(now)}});
}

}  // namespace

void add_notification_routes(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/notifications",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return list(ctx, r, w); }));
    routes.add(http::verb::post, "/notifications/{id}/read",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return mark(ctx, r, w, true); }));
    routes.add(http::verb::post, "/notifications/{id}/unread",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return mark(ctx, r, w, false); }));
    routes.add(http::verb::post, "/notifications/read-all",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return read_all(ctx, r, w); }));
    routes.add(http::verb::get, "/notifications/preferences",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return get_preferences(ctx, r, w); }));
    routes.add(http::verb::patch, "/notifications/preferences",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return set_preferences(ctx, r, w); }));
}

}  // namespace switchboard::api
