// GET /conversations/{phone}/transcript?format=txt|json|csv: the whole
// conversation, oldest first, as a download. Streamed a page at a time, each
// read and rendered as a scan: a conversation of 200,000 messages, rendered
// whole, took 340 MB more to answer in JSON.
#include "request_helpers.hpp"

#include "switchboard/chat/json.hpp"
#include "switchboard/core/time.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json/serialize.hpp>

#include <memory>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

enum class transcript_format { txt, json, csv };

// A transcript's parts: its head and first page, each page after, and its
// tail, for stream_scanned. The conversation is the one asked for, as it
// was: the transcript ends at its last message then.
class transcript_pages {
public:
    transcript_pages(const store::store& store, std::shared_ptr<const chat::conversation> c,
                     std::optional<std::size_t> queue_position, transcript_format format)
        : store_(store), c_(std::move(c)), queue_position_(queue_position), format_(format) {}

    std::optional<std::string> operator()() {
        if (ended_) return std::nullopt;
        std::string out;
        if (!started_) out = head();
        started_ = true;
        while (after_ < c_->last_seq) {
            // The messages after `after_`, a window of page_size seqs.
            auto page = store_.load_messages(c_->phone, after_ + page_size + 1, page_size);
            std::erase_if(page, [&](const chat::message& m) { return m.seq <= after_; });
            if (page.empty()) {  // seqs skipped there
                after_ += page_size;
                continue;
            }
            for (auto& m : page) append(out, m);
            after_ = page.back().seq;
            break;
        }
        if (after_ >= c_->last_seq) {
            ended_ = true;
            if (format_ == transcript_format::json) out += "]}";
        }
        return out;
    }

private:
    static constexpr std::uint64_t page_size = 500;

    std::string head() const {
        switch (format_) {
        case transcript_format::json: {
            // The conversation's object, open for its messages after its other fields.
            auto o = json::serialize(chat::to_json(*c_, queue_position_));
            o.pop_back();
            return o + ",\"messages\":[";
        }
        case transcript_format::csv:
            return std::string(message_csv_header) + "\r\n";
        case transcript_format::txt:
            break;
        }
        return "Conversation with " + (c_->name.empty() ? c_->phone : c_->name + " (" + c_->phone + ")") + "\n\n";
    }

    void append(std::string& out, const chat::message& m) {
        switch (format_) {
        case transcript_format::json:
            if (!first_message_) out += ',';
            first_message_ = false;
            out += json::serialize(chat::to_json(m));
            return;
        case transcript_format::csv:
            out += message_csv_row(m) + "\r\n";
            return;
        case transcript_format::txt:
            break;
        }
        auto who = m.from == chat::sender::user    ? (c_->name.empty() ? c_->phone : c_->name)
                   : m.from == chat::sender::admin ? "Agent " + m.agent + (m.kind == "note" ? " (private note)" : "")
                                                   : std::string("Bot");
        out += "[" + to_iso8601(m.at) + "] " + who + ": " + m.text + "\n";
    }

    const store::store& store_;
    std::shared_ptr<const chat::conversation> c_;
    std::optional<std::size_t> queue_position_;
    transcript_format format_;
    std::uint64_t after_ = 0;  // the last seq rendered, or passed over
    bool started_ = false, ended_ = false, first_message_ = true;
};

awaitable<void> stream_transcript(api_context& ctx, std::shared_ptr<transcript_pages> pages, http::body_writer& out) {
    co_await stream_scanned(ctx, out, *pages);
}

// A plain function builds the stream callback (no coroutine lambdas inside coroutines).
std::function<awaitable<void>(http::body_writer&)> transcript_stream(api_context& ctx,
                                                                     std::shared_ptr<transcript_pages> pages) {
    return [&ctx, pages](http::body_writer& out) { return stream_transcript(ctx, pages, out); };
}

awaitable<http::response> transcript(api_context& ctx, http::request& req, const auth::agent&) {
    auto phone = path_phone(req);
    if (!phone) throw chat::command_error(chat::command_error::kind::not_found, "no conversation with that phone");
    auto name = std::string(req.query_param("format").value_or("txt"));
    if (name != "txt" && name != "json" && name != "csv") throw field_error{"format", "format must be txt, json or csv"};
    auto format = name == "json" ? transcript_format::json
                  : name == "csv" ? transcript_format::csv
                                  : transcript_format::txt;
    auto v = co_await ctx.engine.view(*phone);
    if (!v) throw chat::command_error(chat::command_error::kind::not_found, "no conversation with " + *phone);
    // A client already gone gets nothing read for it (499). Once the answer
    // has started, a page is read only after the one before was written.
    // The first page is not read here, before the answer starts, as a
    // search's scan is: a handler that awaited a scan and then streamed its
    // answer crashed in the stream's first write (GCC 12, Asio 1.81; the
    // cause was not found).
    if (req.client_gone()) throw client_gone{};
    http::response res;
    res.content_type = format == transcript_format::json  ? "application/json"
                       : format == transcript_format::csv ? "text/csv; charset=utf-8"
                                                           : "text/plain; charset=utf-8";
    res.set_header("Content-Disposition", "attachment; filename=\"conversation-" + *phone + "." + name + "\"");
    res.stream = transcript_stream(ctx, std::make_shared<transcript_pages>(ctx.store, v->record, v->queue_position, format));
    co_return res;
}

}  // namespace

void add_transcript_route(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/conversations/{phone}/transcript",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return transcript(ctx, r, w); }));
}

}  // namespace switchboard::api
