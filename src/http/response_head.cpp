#include "response_head.hpp"

#include <boost/beast/http/status.hpp>
#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <charconv>
#include <string_view>
#include <utility>

namespace switchboard::http {

namespace {

// A field value or name never ends a line early, whoever set it. Appended
// whole, not a character at a time: this runs for every field of every answer.
void append_field_text(std::string& out, std::string_view text) {
    auto from = static_cast<std::ptrdiff_t>(out.size());
    out.append(text);
    std::replace_if(out.begin() + from, out.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
}

void append_number(std::string& out, std::size_t n) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, end);
}

}  // namespace

std::string response_head(const response& res, unsigned version, bool keep_alive,
                          std::optional<std::size_t> content_length) {
    // As Beast's `set`: a name given again replaces the earlier field and
    // goes to the end.
    boost::container::small_vector<std::pair<std::string_view, std::string_view>, 8> fields;
    auto set = [&](std::string_view name, std::string_view value) {
        fields.erase(std::remove_if(fields.begin(), fields.end(), [&](auto& f) { return iequals(f.first, name); }),
                     fields.end());
        fields.emplace_back(name, value);
    };
    set("Server", "switchboard");
    if (!res.content_type.empty()) set("Content-Type", res.content_type);
    for (auto& h : res.headers)
        // The framing is this function's alone.
        if (!iequals(h.name, "Content-Length") && !iequals(h.name, "Transfer-Encoding")) set(h.name, h.value);
    if (version >= 11 && !keep_alive) set("Connection", "close");
    if (version < 11 && keep_alive) set("Connection", "keep-alive");

    std::string out;
    out.reserve(160);
    out += version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ";
    append_number(out, res.status);
    out += ' ';
    out += boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(res.status));
    out += "\r\n";
    for (auto& [name, value] : fields) {
        append_field_text(out, name);
        out += ": ";
        append_field_text(out, value);
        out += "\r\n";
    }
    bool bodiless = res.status / 100 == 1 || res.status == 204 || res.status == 304;
    if (!content_length) {
        out += "Transfer-Encoding: chunked\r\n";
    } else if (!bodiless) {
        out += "Content-Length: ";
        append_number(out, *content_length);
        out += "\r\n";
    }
    out += "\r\n";
    return out;
}

}  // namespace switchboard::http
