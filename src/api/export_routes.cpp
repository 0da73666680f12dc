// GET /export?from=&to=&format=ndjson|csv: every message in a time range,
// streamed page by page, so memory stays flat however many there are.
#include "request_helpers.hpp"

#include "switchboard/chat/json.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json/serialize.hpp>

#include <memory>

namespace switchboard::api {

using boost::asio::awaitable;

namespace {

constexpr std::size_t page_size = 1000;

// The export's pages, each read and rendered as a scan (scanned_body).
class export_pages {
public:
    export_pages(const store::store& store, timestamp from, timestamp to, bool csv)
        : store_(store), from_(from), to_(to), csv_(csv) {}

    std::optional<std::string> operator()() {
        if (ended_) return std::nullopt;
        std::string out;
        if (!started_ && csv_) out = std::string(message_csv_header) + "\r\n";
        started_ = true;
        auto page = store_.load_messages_between(from_, to_, after_, page_size);
        for (auto& m : page) out += csv_ ? message_csv_row(m) + "\r\n" : boost::json::serialize(chat::to_json(m)) + "\n";
        if (page.size() < page_size)
            ended_ = true;
        else
            after_ = store::store::message_key{page.back().at, page.back().phone, page.back().seq};
        return out;
    }

private:
    const store::store& store_;
    timestamp from_, to_;
    bool csv_;
    std::optional<store::store::message_key> after_;
    bool started_ = false, ended_ = false;
};

awaitable<http::response> export_messages(api_context& ctx, http::request& req, const auth::agent&) {
    auto format = req.query_param("format").value_or("ndjson");
    if (format != "ndjson" && format != "csv") throw field_error{"format", "format must be ndjson or csv"};
    auto to = time_param(req, "to", std::chrono::system_clock::now() + std::chrono::seconds(1));
    auto from = time_param(req, "from", from_unix_ms(0));
    if (from >= to) throw field_error{"from", "from must be before to"};
    http::response res;
    res.content_type = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson";
    res.set_header("Content-Disposition", "attachment; filename=\"messages." + format + "\"");
    res.stream = scanned_body(ctx, std::make_shared<export_pages>(ctx.store, from, to, format == "csv"));
    co_return res;
}

}  // namespace

void add_export_routes(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/export", authed(ctx, [&ctx](http::request& r, const auth::agent& w) {
                   return export_messages(ctx, r, w);
               }, true));
}

}  // namespace switchboard::api
