// GET /audit-log (admins): the audit log (audit.hpp), a page at a time,
// newest first; or all of it as CSV, streamed a page at a time, for a
// spreadsheet or an auditor.
#include "audit.hpp"

#include "switchboard/core/log.hpp"
#include "switchboard/core/time.hpp"
#include "switchboard/core/whole_number.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <memory>

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

awaitable<http::response> audited_save(api_context& ctx, std::string actor, std::string noun, bool created,
                                       std::string target, json::object details, json::object about) {
    auto audited = audit(ctx, std::move(actor), noun + (created ? ".created" : ".updated"), std::move(target),
                         std::move(details));
    co_await std::move(audited);
    co_return json_response(created ? 201 : 200, std::move(about));
}

awaitable<http::response> audited_delete(api_context& ctx, std::string actor, std::string noun, std::string target) {
    auto audited = audit(ctx, std::move(actor), noun + ".deleted", target);
    co_await std::move(audited);
    co_return json_response(200, {{"deleted", std::move(target)}});
}

namespace {

constexpr std::size_t default_page = 50, max_page = 200, csv_page = 1000;

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

// The CSV's pages, newest first, each read and rendered as a scan
// (scanned_body).
class csv_pages {
public:
    csv_pages(const store::store& store, std::uint64_t before) : store_(store), before_(before) {}

    std::optional<std::string> operator()() {
        if (ended_) return std::nullopt;
        std::string out;
        if (!started_) out = "id,at,actor,action,target,details\r\n";
        started_ = true;
        auto page = store_.load_audit(before_, csv_page);
        for (auto& e : page)
            out += std::to_string(e.id) + "," + to_iso8601(e.at) + "," + csv_field(e.actor) + "," + csv_field(e.action) +
                   "," + csv_field(e.target) + "," + csv_field(e.details) + "\r\n";
        if (page.size() < csv_page)
            ended_ = true;
        else
            before_ = page.back().id;
        return out;
    }

private:
    const store::store& store_;
    std::uint64_t before_;
    bool started_ = false, ended_ = false;
};

// ?before=<id>: the entries older than that one (the previous page's
// next_before); none: from the newest. ?format=csv: every one of them.
awaitable<http::response> list(api_context& ctx, http::request& req, const auth::agent&) {
    auto format = req.query_param("format").value_or("json");
    if (format != "json" && format != "csv") throw field_error{"format", "format must be json or csv"};
    auto limit = limit_param(req, default_page, max_page);
    std::uint64_t before = UINT64_MAX;
    if (auto b = req.query_param("before"); b && !b->empty()) {
        auto id = parse_whole_number(*b);
        if (!id) throw field_error{"before", "before must be an entry's id (a whole number)"};
        before = *id;
    }
    if (format == "csv") {
        http::response res;
        res.content_type = "text/csv; charset=utf-8";
        res.set_header("Content-Disposition", "attachment; filename=\"audit-log.csv\"");
        res.stream = scanned_body(ctx, std::make_shared<csv_pages>(ctx.store, before));
        co_return res;
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
