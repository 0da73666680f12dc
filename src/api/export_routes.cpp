// GET /export?from=&to=&format=ndjson|csv: every message in a time range,
// streamed page by page, so memory stays flat however many there are.
#include "request_helpers.hpp"

#include "switchboard/chat/json.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json/serialize.hpp>

namespace switchboard::api {

using boost::asio::awaitable;

namespace {

constexpr std::size_t page_size = 1000;

// One page of the export, rendered: the reading and the rendering both run
// as a scan (api::scan), and the io thread only writes the bytes.
struct export_page {
    std::string chunk;
    std::size_t messages = 0;
    std::optional<store::store::message_key> last;
};

export_page render_page(const store::store& store, timestamp from, timestamp to,
                        const std::optional<store::store::message_key>& after, bool csv) {
    export_page out;
    auto page = store.load_messages_between(from, to, after, page_size);
    for (auto& m : page) out.chunk += csv ? message_csv_row(m) + "\r\n" : boost::json::serialize(chat::to_json(m)) + "\n";
    out.messages = page.size();
    if (!page.empty()) out.last = store::store::message_key{page.back().at, page.back().phone, page.back().seq};
    return out;
}

awaitable<void> stream_export(api_context& ctx, timestamp from, timestamp to, bool csv, http::body_writer& out) {
    if (csv) {
        auto header = std::string(message_csv_header) + "\r\n";
        if (!co_await out.write(std::move(header))) co_return;
    }
    std::optional<store::store::message_key> after;
    for (;;) {
        auto render = [&] { return render_page(ctx.store, from, to, after, csv); };
        auto page = co_await scan(ctx, render);
        if (page.messages == 0) co_return;
        after = std::move(page.last);
        if (!co_await out.write(std::move(page.chunk))) co_return;  // the client left
        if (page.messages < page_size) co_return;
    }
}

// A plain function builds the stream callback (no coroutine lambdas inside coroutines).
std::function<awaitable<void>(http::body_writer&)> export_stream(api_context& ctx, timestamp from, timestamp to,
                                                                  bool csv) {
    return [&ctx, from, to, csv](http::body_writer& out) { return stream_export(ctx, from, to, csv, out); };
}

awaitable<http::response> export_messages(api_context& ctx, http::request& req, const auth::agent&) {
    auto format = req.query_param("format").value_or("ndjson");
    if (format != "ndjson" && format != "csv") throw field_error{"format", "format must be ndjson or csv"};
    auto to = time_param(req, "to", std::chrono::system_clock::now() + std::chrono::seconds(1));
    auto from = time_param(req, "from", from_unix_ms(0));
    if (from >= to) throw field_error{"from", "from must be before to"};
    http::response res;
    res.content_type = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson";
    res.set_header("Content-Disposition", "attachment; filename=\"messages." + format + "\"");
    res.stream = export_stream(ctx, from, to, format == "csv");
    co_return res;
}

}  // namespace

void add_export_routes(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/export", authed(ctx, [&ctx](http::request& r, const auth::agent& w) {
                   return export_messages(ctx, r, w);
               }, true));
}

}  // namespace switchboard::api
