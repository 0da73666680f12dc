#include "switchboard/channels/provider_error.hpp"

#include "switchboard/chat/conversation.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <optional>

namespace switchboard::channels {

namespace json = boost::json;

namespace {

std::string text_of(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string{};
}

// "(#131047) " at the start of Meta's messages: the code is shown once, by us.
std::string_view without_code_tag(std::string_view s) {
    if (!s.starts_with("(#")) return s;
    auto close = s.find(") ");
    return close == std::string_view::npos ? s : s.substr(close + 2);
}

// The "error" of an answer's JSON body, where Meta (and most endpoints)
// say what went wrong; nullopt when the body has none.
std::optional<json::value> error_in(std::string_view body) {
    boost::system::error_code ec;
    auto doc = json::parse(body, ec);
    if (ec || !doc.is_object()) return std::nullopt;
    auto* error = doc.as_object().if_contains("error");
    if (!error) return std::nullopt;
    return std::move(*error);
}

}  // namespace

std::string meta_error_text(const json::object& error) {
    std::string code;
    if (auto* c = error.if_contains("code")) {
        if (c->is_int64()) code = std::to_string(c->as_int64());
        else if (c->is_uint64()) code = std::to_string(c->as_uint64());
        else if (c->is_string()) code = std::string(c->as_string());
    }
    auto title_text = text_of(error, "title");
    if (title_text.empty()) title_text = text_of(error, "message");
    auto title = std::string(without_code_tag(title_text));
    std::string details;
    if (auto* data = error.if_contains("error_data"); data && data->is_object())
        details = text_of(data->as_object(), "details");
    auto said = details.empty()                                    ? title
                : title.empty() || details.starts_with(title) ? details
                                                              : title + ": " + details;
    if (said.empty()) said = no_reason_given;
    return chat::utf8_prefix(code.empty() ? said : "(#" + code + ") " + said, max_error_chars);
}

bool meta_asks_to_slow_down(std::string_view body) {
    auto error = error_in(body);
    if (!error || !error->is_object()) return false;
    auto* code = error->as_object().if_contains("code");
    if (!code || !(code->is_int64() || code->is_uint64())) return false;
    auto n = code->to_number<std::int64_t>();
    return n == 130429 || n == 131056 || n == 4 || n == 80007;
}

std::string refusal_reason(unsigned status, std::string_view body) {
    auto head = "HTTP " + std::to_string(status);
    if (auto error = error_in(body)) {
        std::string reason;
        if (error->is_object()) reason = meta_error_text(error->as_object());
        else if (error->is_string()) reason = std::string(error->as_string());
        if (!reason.empty()) return chat::utf8_prefix(head + ": " + reason, max_error_chars);
    }
    if (body.empty()) return head;
    if (!chat::utf8_length(body)) return head + " (its body is not text)";
    return head + ": " + chat::utf8_prefix(body, 200);
}

}  // namespace switchboard::channels
