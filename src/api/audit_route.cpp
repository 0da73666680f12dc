// GET /audit-log (admins): the audit log (audit.hpp), a page at a time,
// newest first.
#include "audit.hpp"

#include "switchboard/core/log.hpp"
#include "switchboard/core/time.hpp"
#include "switchboard/core/whole_number.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

awaitable<void> audit(api_context& ctx, std::string actor, std::string action, std::string target,
                      json::object details) {
    store::write_batch b;
    b.audit_put.push_back(
        {0, std::chrono::system_clock::now(), std::move(actor), action, std::move(target), json::serialize(details)});
    try {
        co_await ctx.store.write(std::move(b));
    } catch (const std::exception& e) {
        log::warn("an audit entry not kept", {{"action", action}, {"error", e.what()}});
    }
}

namespace {

constexpr std::size_t default_page = 50, max_page = 200;

json::object entry_json(const store::audit_entry& e) {
    boost::system::error_code ec;
    auto details = json::parse(e.details, ec);
    return {{"id", e.id},
            {"at", to_iso8601(e.at)},
            {"actor", e.actor},
            {"action", e.action},
            {"target", e.target.empty() ? json::value(nullptr) : json::value(e.target)},
            {"details", !ec && details.is_object() ? details : json::object{}}};
}

// ?before=<id>: the entries older than that one (the previous page's
// next_before); none: from the newest.
awaitable<http::response> list(api_context& ctx, http::request& req, const auth::agent&) {
    auto limit = limit_param(req, default_page, max_page);
    std::uint64_t before = UINT64_MAX;
    if (auto b = req.query_param("before"); b && !b->empty()) {
        auto id = parse_whole_number(*b);
        if (!id) throw field_error{"before", "before must be an entry's id (a whole number)"};
        before = *id;
    }
    // One more than asked: whether a page follows.
    auto entries = ctx.store.load_audit(before, limit + 1);
    bool more = entries.size() > limit;
    if (more) entries.pop_back();
    json::array out;
    for (auto& e : entries) out.push_back(entry_json(e));
    json::value next = more ? json::value(entries.back().id) : json::value(nullptr);
    co_return json_response(200, {{"entries", std::move(out)}, {"next_before", next}});
}

}  // namespace

void add_audit_route(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/audit-log",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return list(ctx, r, w); }, true));
}

}  // namespace switchboard::api
