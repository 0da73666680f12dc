// Request/response helpers shared by every handler.
#include "switchboard/http/message.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <sys/socket.h>

#include <array>
#include <cctype>
#include <cerrno>

namespace switchboard::http {

namespace {
constexpr std::array<std::pair<verb, std::string_view>, 7> verb_names{{
    {verb::get, "GET"},
    {verb::head, "HEAD"},
    {verb::post, "POST"},
    {verb::put, "PUT"},
    {verb::patch, "PATCH"},
    {verb::delete_, "DELETE"},
    {verb::options, "OPTIONS"},
}};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::string_view to_string(verb v) {
    for (auto& [value, name] : verb_names)
        if (value == v) return name;
    return "OTHER";
}

verb verb_from_string(std::string_view s) {
    for (auto& [value, name] : verb_names)
        if (name == s) return value;
    return verb::other;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::string percent_encode(std::string_view in) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(in.size());
    for (unsigned char c : in) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return std::nullopt;
            int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string_view request::header(std::string_view name) const {
    for (auto& h : headers)
        if (iequals(h.name, name)) return h.value;
    return {};
}

std::optional<std::string> request::query_param(std::string_view name) const {
    std::string_view rest = query;
    while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        auto eq = pair.find('=');
        auto key = percent_decode(pair.substr(0, eq), true);
        if (!key || *key != name) continue;
        if (eq == std::string_view::npos) return std::string{};
        return percent_decode(pair.substr(eq + 1), true);
    }
    return std::nullopt;
}

bool request::client_gone() const {
    if (peer_socket < 0) return false;
    // An HTTP/1.1 client waits for the answer before it writes again, so
    // the socket holds nothing, unless the client closed it (0: end of
    // stream) or reset it. A pipelined request or any byte reads as present.
    char byte;
    auto n = ::recv(peer_socket, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE || errno == ENOTCONN));
}

std::string_view request::param(std::string_view name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string_view{} : std::string_view{it->second};
}

void response::set_header(std::string name, std::string value) {
    for (auto& h : headers)
        if (iequals(h.name, name)) {
            h.value = std::move(value);
            return;
        }
    headers.push_back({std::move(name), std::move(value)});
}

std::string_view response::header(std::string_view name) const {
    for (auto& h : headers)
        if (iequals(h.name, name)) return h.value;
    return {};
}

response response::json(unsigned status, std::string body) {
    return response{status, "application/json", std::move(body), {}, {}, {}, {}};
}

response response::text(unsigned status, std::string body, std::string content_type) {
    return response{status, std::move(content_type), std::move(body), {}, {}, {}, {}};
}

response response::error(unsigned status, std::string_view code, std::string_view message) {
    boost::json::value v = {{"error", {{"code", code}, {"message", message}}}};
    response r = json(status, boost::json::serialize(v));
    r.reject_reason = std::string(code);
    return r;
}

response response::invalid_field(std::string_view field, std::string_view message) {
    boost::json::value v = {{"error", {{"code", "invalid_field"}, {"message", message}, {"field", field}}}};
    response r = json(400, boost::json::serialize(v));
    r.reject_reason = "invalid_field";
    return r;
}

}  // namespace switchboard::http
