// A user's chats, the open one and those before it (Chatwoot's "previous
// conversations", Intercom's "recent conversations"): when each was opened
// and by whom, who had it, how it ended and the score the user gave it, so
// that an agent sees at a glance how this user's earlier chats went.
#include "request_helpers.hpp"

#include "switchboard/chat/conversation.hpp"
#include "switchboard/chat/engine.hpp"
#include "switchboard/chat/json.hpp"
#include "switchboard/core/whole_number.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json/array.hpp>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::size_t default_page = 20, max_page = 100;

json::object past_chat_json(const chat::chat_record& c, std::optional<int> rating) {
    return {{"ticket", c.ticket_id},
            {"opened_at", to_iso8601(c.opened_at)},
            {"opened_by", c.opened_by},
            {"queued_at", chat::optional_time(c.queued_at)},
            {"agent", chat::optional_text(c.agent)},
            {"first_response_at", chat::optional_time(c.first_response_at)},
            {"closed_at", chat::optional_time(c.closed_at)},
            {"close_reason", chat::optional_text(c.close_reason)},
            {"team", chat::optional_text(c.team)},
            {"labels", json::array(c.labels.begin(), c.labels.end())},
            {"first_seq", c.first_seq ? json::value(c.first_seq) : json::value(nullptr)},
            {"rating", rating ? json::value(*rating) : json::value(nullptr)}};
}

// A page's end as next_before gives it: "<opened_at in ms>_<ticket>".
std::string cursor_of(const chat::chat_record& c) {
    return std::to_string(to_unix_ms(c.opened_at)) + "_" + c.ticket_id;
}

std::optional<store::chat_position> cursor_param(const http::request& req) {
    auto b = req.query_param("before");
    if (!b || b->empty()) return std::nullopt;
    auto cut = b->find('_');
    auto ms = parse_whole_number(b->substr(0, cut));
    if (cut == std::string_view::npos || !ms || *ms > static_cast<std::uint64_t>(INT64_MAX) || cut + 1 == b->size())
        throw field_error{"before", "before must be the previous page's next_before"};
    return store::chat_position{from_unix_ms(static_cast<std::int64_t>(*ms)), std::string(b->substr(cut + 1))};
}

// ?limit=1–100 (20); ?before=: the previous page's next_before.
awaitable<http::response> past_chats(api_context& ctx, http::request& req, const auth::agent&) {
    auto phone = require_phone(req);
    auto limit = limit_param(req, default_page, max_page);
    auto before = cursor_param(req);
    if (!co_await ctx.engine.view(phone))
        throw chat::command_error(chat::command_error::kind::not_found, "no conversation with " + phone);
    // One more than asked: whether a page follows.
    auto chats = ctx.store.load_chats_of(phone, before, limit + 1);
    bool more = chats.size() > limit;
    if (more) chats.pop_back();
    json::array out;
    for (auto& c : chats) out.push_back(past_chat_json(c, ctx.store.find_rating(c.ticket_id)));
    json::value next = more ? json::value(cursor_of(chats.back())) : json::value(nullptr);
    co_return json_response(200, {{"chats", std::move(out)}, {"next_before", std::move(next)}});
}

}  // namespace

void add_past_chats_route(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/conversations/{phone}/chats",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return past_chats(ctx, r, w); }));
}

}  // namespace switchboard::api
