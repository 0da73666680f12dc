// GET /conversations/{phone}/transcript?format=txt|json|csv: the whole
// conversation, oldest first, as a download. Streamed a page at a time, each
// read and rendered as a scan: rendered whole, a conversation of 200,000
// messages took the server from 93 to 371 MB resident to answer in JSON.
#include "request_helpers.hpp"

#include "switchboard/chat/bot.hpp"
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

    std::string who(const chat::message& m) const {
        if (m.from == chat::sender::user) return c_->name.empty() ? c_->phone : c_->name;
        if (m.from == chat::sender::admin)
            return "Agent " + m.agent +
                   (chat::is_deleted_note(m) ? " (private note, deleted)"
                    : m.kind != "note"       ? ""
                    : chat::was_edited(m)    ? " (private note, edited)"
                                             : " (private note)");
        return "Bot";
    }

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
        auto out = "Conversation with " + (c_->name.empty() ? c_->phone : c_->name + " (" + c_->phone + ")") + "\n";
        for (std::size_t i = 0; i < c_->labels.size(); ++i) out += (i ? ", " : "Labels: ") + c_->labels[i];
        if (!c_->labels.empty()) out += "\n";
        if (!c_->team.empty()) out += "Team: " + c_->team + "\n";
        for (auto& [key, value] : c_->attributes) out += key + ": " + value + "\n";
        return out + "\n";
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
        out += "[" + to_iso8601(m.at) + "] " + who(m) + ": " + m.text;
        if (m.kind == "rating") out += " (rating of the chat, of 5)";
        // The buttons the user was shown with it, as a reply may be a tap on one.
        auto offered = chat::offered_choices(m);
        for (std::size_t i = 0; i < offered.size(); ++i) out += (i ? " | " : " [choices: ") + offered[i].title;
        if (!offered.empty()) out += "]";
        // A quote, as the reader could not tell what it answers: one point
        // read, and only for the few messages that quote.
        if (m.reply_to)
            if (auto quoted = store_.find_message(c_->phone, m.reply_to)) {
                auto excerpt = chat::utf8_prefix(quoted->text, 60);
                if (excerpt.size() < quoted->text.size()) excerpt += "…";
                out += " (replying to " + who(*quoted) + ": \"" + excerpt + "\")";
            }
        // Whoever reads it later must not take it that the user saw this.
        if (m.status == chat::message_status::failed)
            out += m.error.empty() ? " [not delivered]" : " [not delivered: " + m.error + "]";
        out += "\n";
    }

    const store::store& store_;
    std::shared_ptr<const chat::conversation> c_;
    std::optional<std::size_t> queue_position_;
    transcript_format format_;
    std::uint64_t after_ = 0;  // the last seq rendered, or passed over
    bool started_ = false, ended_ = false, first_message_ = true;
};

// The first part was read before the answer started; the rest follow.
awaitable<void> stream_transcript(api_context& ctx, std::shared_ptr<transcript_pages> pages, std::string first,
                                  http::body_writer& out) {
    // Not `if (!co_await out.write(std::move(first)))`: GCC 12 compiled that
    // form, with `first` a parameter of the coroutine (or a member of an
    // object a parameter points to), into a read of a wild address (SIGSEGV,
    // found with AddressSanitizer). The same await with a named result, or
    // on a local, runs right.
    bool written = co_await out.write(std::move(first));
    if (!written) co_return;
    co_await stream_scanned(ctx, out, *pages);
}

// A plain function builds the stream callback (no coroutine lambdas inside coroutines).
std::function<awaitable<void>(http::body_writer&)> transcript_stream(api_context& ctx,
                                                                     std::shared_ptr<transcript_pages> pages,
                                                                     std::string first) {
    return [&ctx, pages, first = std::move(first)](http::body_writer& out) {
        return stream_transcript(ctx, pages, first, out);
    };
}

awaitable<http::response> transcript(api_context& ctx, http::request& req, const auth::agent&) {
    auto phone = require_phone(req);
    auto name = std::string(req.query_param("format").value_or("txt"));
    if (name != "txt" && name != "json" && name != "csv") throw field_error{"format", "format must be txt, json or csv"};
    auto format = name == "json" ? transcript_format::json
                  : name == "csv" ? transcript_format::csv
                                  : transcript_format::txt;
    auto v = co_await ctx.engine.view(phone);
    if (!v) throw chat::command_error(chat::command_error::kind::not_found, "no conversation with " + phone);
    auto pages = std::make_shared<transcript_pages>(ctx.store, v->record, v->queue_position, format);
    // The first part is read before the answer starts, as a search is: not
    // at all (499) if the client has gone by its turn, and a store that
    // fails it gets its error status, not a cut 200.
    auto first = co_await scan(ctx, req, *pages);
    http::response res;
    res.content_type = format == transcript_format::json  ? "application/json"
                       : format == transcript_format::csv ? "text/csv; charset=utf-8"
                                                           : "text/plain; charset=utf-8";
    res.set_header("Content-Disposition", "attachment; filename=\"conversation-" + phone + "." + name + "\"");
    res.stream = transcript_stream(ctx, std::move(pages), std::move(first.value()));
    co_return res;
}

}  // namespace

void add_transcript_route(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/conversations/{phone}/transcript",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return transcript(ctx, r, w); }));
}

}  // namespace switchboard::api
