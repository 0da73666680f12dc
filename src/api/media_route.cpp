// GET /conversations/{phone}/messages/{seq}/media: a media message's file,
// fetched from the provider for the agent who opens it. What the user sent
// is served from the console's own origin, so only types a browser cannot
// run as a page are shown inline, and even those in a sandbox.
#include "request_helpers.hpp"

#include "switchboard/channels/media.hpp"
#include "switchboard/core/whole_number.hpp"
#include "switchboard/store/store.hpp"

#include <array>
#include <cctype>

namespace switchboard::api {

using boost::asio::awaitable;

namespace {

// Shown in the page; SVG is not among them (it can hold script).
bool shown_inline(std::string_view mime_type) {
    static constexpr std::array<std::string_view, 6> inline_types{"image/jpeg", "image/png", "image/webp",
                                                            "image/gif",  "audio/",    "video/"};
    for (auto t : inline_types)
        if (t.ends_with('/') ? mime_type.starts_with(t) : mime_type == t || mime_type.starts_with(std::string(t) + ';'))
            return true;
    return false;
}

// RFC 6266 with RFC 8187's filename*: the name as sent, percent-encoded, and
// an ASCII stand-in for clients that read only `filename`.
std::string content_disposition(bool inline_shown, const std::string& filename) {
    std::string out = inline_shown ? "inline" : "attachment";
    if (filename.empty()) return out;
    std::string ascii;
    for (unsigned char c : filename)
        ascii.push_back(c < 0x80 && c >= 0x20 && c != '"' && c != '\\' ? static_cast<char>(c) : '_');
    return out + "; filename=\"" + ascii + "\"; filename*=UTF-8''" + http::percent_encode(filename);
}

// The one range of `Range: bytes=…` that a player asks for (`a-b`, `a-`
// or `-n`), as [first, last]; nullopt to answer the whole file (no Range,
// or one this does not serve, such as several ranges); {1, 0} when it
// lies past the end.
std::optional<std::pair<std::uint64_t, std::uint64_t>> byte_range(std::string_view header, std::uint64_t size) {
    constexpr std::string_view unit = "bytes=";
    if (!header.starts_with(unit) || header.find(',') != std::string_view::npos) return std::nullopt;
    header.remove_prefix(unit.size());
    auto dash = header.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto first = parse_whole_number(header.substr(0, dash));
    auto last = parse_whole_number(header.substr(dash + 1));
    if (dash == 0) {  // the last n bytes
        if (!last) return std::nullopt;
        if (*last == 0 || size == 0) return std::pair<std::uint64_t, std::uint64_t>{1, 0};
        return std::pair{size - std::min(*last, size), size - 1};
    }
    if (!first || (dash + 1 < header.size() && !last) || (last && *last < *first)) return std::nullopt;
    if (*first >= size) return std::pair<std::uint64_t, std::uint64_t>{1, 0};
    return std::pair{*first, std::min(last.value_or(size - 1), size - 1)};
}

awaitable<http::response> get_media(api_context& ctx, http::request& req, const auth::agent&) {
    auto phone = require_phone(req);
    auto seq = parse_whole_number(req.param("seq"));
    if (!seq) throw field_error{"seq", "seq must be a message's seq"};
    if (!co_await ctx.engine.view(phone))
        throw chat::command_error(chat::command_error::kind::not_found, "no conversation with " + phone);
    auto m = ctx.store.find_message(phone, *seq);
    if (!m)
        throw chat::command_error(chat::command_error::kind::not_found,
                                  "conversation " + phone + " has no message " + std::to_string(*seq));
    if (!m->media)
        throw chat::command_error(chat::command_error::kind::not_found,
                                  "message " + std::to_string(*seq) + " of " + phone + " has no file");

    auto fetched = co_await ctx.media.fetch(m->media->media_id);
    if (!fetched.bytes)
        co_return http::response::error(502, "media_unavailable",
                                        "WhatsApp did not give the " + m->kind + ": " + fetched.error);
    const std::string& file = *fetched.bytes;
    bool inline_shown = shown_inline(m->media->mime_type);
    http::response res;
    res.content_type = inline_shown ? m->media->mime_type : "application/octet-stream";
    // A player seeks by ranges (and shows a voice message's length only so).
    res.set_header("Accept-Ranges", "bytes");
    auto range = byte_range(req.header("Range"), file.size());
    auto size = std::to_string(file.size());
    if (range && range->first > range->second) {
        auto refused = http::response::error(416, "range_not_satisfiable", "the file has " + size + " bytes");
        refused.set_header("Content-Range", "bytes */" + size);
        co_return refused;
    }
    if (range) {
        res.status = 206;
        res.body = file.substr(range->first, range->second - range->first + 1);
        res.set_header("Content-Range", "bytes " + std::to_string(range->first) + "-" +
                                            std::to_string(range->second) + "/" + size);
    } else {
        res.status = 200;
        res.body = file;
    }
    res.set_header("Content-Disposition", content_disposition(inline_shown, m->media->filename));
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Content-Security-Policy", "default-src 'none'; sandbox");
    // The file of a message never changes: the browser keeps it, and only
    // the agent's own browser (the answer needs their session).
    res.set_header("Cache-Control", "private, max-age=86400, immutable");
    co_return res;
}

}  // namespace

void add_media_route(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/conversations/{phone}/messages/{seq}/media",
               authed(ctx, [&ctx](http::request& req, const auth::agent& who) { return get_media(ctx, req, who); }));
}

}  // namespace switchboard::api
