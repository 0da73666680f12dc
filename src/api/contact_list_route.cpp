// GET /contacts: every user the server knows, those who wrote and those
// imported whom nobody has written to yet (Chatwoot's Contacts), by phone,
// a page at a time; a search of their names, phones, labels and details,
// a channel and a label narrow it.
#include "contact_filter.hpp"
#include "request_helpers.hpp"

#include "switchboard/chat/json.hpp"

#include <algorithm>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::size_t default_page = 50, max_page = 200;

awaitable<http::response> list_contacts(api_context& ctx, http::request& req, const auth::agent&) {
    auto filter = read_contact_filter(req);
    auto limit = limit_param(req, default_page, max_page);
    auto after = req.query_param("after").value_or("");
    if (!std::all_of(after.begin(), after.end(), [](char c) { return c >= '0' && c <= '9'; }))
        throw field_error{"after", "after must be the phone number a page ended at (next_after)"};
    auto walk = [&] { return contacts_by_phone(ctx.engine, filter); };
    auto rows = co_await scan(ctx, req, walk);
    auto from = std::upper_bound(rows.begin(), rows.end(), after,
                                 [](const std::string& p, const chat::conversation_view& v) { return p < v.record->phone; });
    auto to = from + static_cast<std::ptrdiff_t>(std::min<std::size_t>(limit, rows.end() - from));
    json::array contacts;
    for (auto it = from; it != to; ++it) {
        auto o = chat::to_json(*it->record, std::nullopt);
        o["no_message_yet"] = chat::no_message_yet(*it->record);
        contacts.push_back(std::move(o));
    }
    json::value next = to == rows.end() ? json::value(nullptr) : json::value((to - 1)->record->phone);
    co_return json_response(200, {{"contacts", std::move(contacts)}, {"total", rows.size()}, {"next_after", next}});
}

}  // namespace

void add_contact_list_route(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/contacts", authed(ctx, [&ctx](http::request& r, const auth::agent& w) {
                   return list_contacts(ctx, r, w);
               }));
}

}  // namespace switchboard::api
