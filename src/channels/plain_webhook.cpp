// POST /webhook: {"from","text","id"?,"name"?,"reply_to"?} → the bot's
// replies, answered once the message is durable (SPEC §3).
#include "switchboard/channels/webhooks.hpp"

#include "switchboard/chat/engine.hpp"
#include "switchboard/chat/json.hpp"
#include "switchboard/http/router.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <array>

namespace switchboard::channels {

namespace json = boost::json;

namespace {

constexpr std::size_t max_text_chars = 4096;
constexpr std::size_t max_id_chars = 256;
constexpr std::size_t max_name_chars = 128;

struct field_error {
    std::string field, message;
};

// The body's fields, read straight off the parser's events: building a
// JSON document first, to copy four strings out of it, was most of the
// cost of parsing a webhook. Other keys, and anything nested, are skipped.
class plain_fields {
public:
    enum class state { absent, text, wrong_type };
    struct field {
        std::string_view name;
        state is = state::absent;
        std::string value;
    };
    std::array<field, 5> fields{{{"from"}, {"text"}, {"id"}, {"name"}, {"reply_to"}}};
    bool object = false;  // the document is an object

    static constexpr std::size_t max_object_size = -1;
    static constexpr std::size_t max_array_size = -1;
    static constexpr std::size_t max_key_size = -1;
    static constexpr std::size_t max_string_size = -1;

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) {
        if (depth_ == 0) object = true;
        else value_is_not_a_string();
        ++depth_;
        return true;
    }
    bool on_object_end(std::size_t, json::error_code&) { return --depth_, true; }
    bool on_array_begin(json::error_code&) { return value_is_not_a_string(), ++depth_, true; }
    bool on_array_end(std::size_t, json::error_code&) { return --depth_, true; }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
        if (depth_ == 1) key_.append(s.data(), s.size());
        return true;
    }
    bool on_key(json::string_view s, std::size_t, json::error_code&) {
        if (depth_ != 1) return true;
        key_.append(s.data(), s.size());
        current_ = nullptr;
        for (auto& f : fields)
            if (f.name == key_) current_ = &f;
        key_.clear();
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
        if (depth_ == 1 && current_) part_.append(s.data(), s.size());
        return true;
    }
    bool on_string(json::string_view s, std::size_t, json::error_code&) {
        if (depth_ != 1 || !current_) return true;
        current_->is = state::text;
        if (part_.empty()) {
            current_->value.assign(s.data(), s.size());
        } else {
            part_.append(s.data(), s.size());
            current_->value = std::move(part_);
            part_.clear();
        }
        return true;
    }
    bool on_number_part(json::string_view, json::error_code&) { return true; }
    bool on_int64(std::int64_t, json::string_view, json::error_code&) { return value_is_not_a_string(), true; }
    bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return value_is_not_a_string(), true; }
    bool on_double(double, json::string_view, json::error_code&) { return value_is_not_a_string(), true; }
    bool on_bool(bool, json::error_code&) { return value_is_not_a_string(), true; }
    bool on_null(json::error_code&) {  // null is as good as absent
        if (depth_ == 1 && current_) current_->is = state::absent;
        return true;
    }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }

private:
    void value_is_not_a_string() {
        if (depth_ == 1 && current_) current_->is = state::wrong_type;
    }

    int depth_ = 0;
    field* current_ = nullptr;  // the field whose value comes next, at depth 1
    std::string key_, part_;     // keys and strings that arrive in pieces (around escapes)
};

// The value of an optional string field, or a field_error for a wrong type.
std::optional<std::string> string_field(plain_fields::field& f) {
    if (f.is == plain_fields::state::wrong_type)
        throw field_error{std::string(f.name), std::string(f.name) + " must be a string"};
    if (f.is == plain_fields::state::absent) return std::nullopt;
    return std::move(f.value);
}

chat::inbound_message parse_plain(const std::string& body) {
    json::basic_parser<plain_fields> parser{json::parse_options{}};
    json::error_code ec;
    auto used = parser.write_some(false, body.data(), body.size(), ec);
    if (!ec && used < body.size()) ec = json::error::extra_data;
    if (ec) throw field_error{"body", "body is not valid JSON: " + ec.message()};
    auto& h = parser.handler();
    if (!h.object) throw field_error{"body", "body must be a JSON object"};
    auto& [from_field, text_field, id_field, name_field, reply_to_field] = h.fields;

    chat::inbound_message m;
    m.via = chat::channel::plain;
    auto from = string_field(from_field);
    if (!from) throw field_error{"from", "from is required"};
    auto phone = chat::normalize_phone(*from);
    if (!phone) throw field_error{"from", "from must be a phone number: an optional + and 1 to 32 digits"};
    m.phone = std::move(*phone);

    auto text = string_field(text_field);
    if (!text) throw field_error{"text", "text is required"};
    auto chars = chat::utf8_length(*text).value_or(0);
    if (chars == 0 || chars > max_text_chars)
        throw field_error{"text", "text must be 1 to " + std::to_string(max_text_chars) + " characters"};
    m.text = std::move(*text);

    if (auto id = string_field(id_field)) {
        if (id->empty() || id->size() > max_id_chars)
            throw field_error{"id", "id must be 1 to " + std::to_string(max_id_chars) + " characters"};
        m.channel_id = std::move(*id);
    }
    if (auto name = string_field(name_field)) {
        if (chat::utf8_length(*name).value_or(0) > max_name_chars)
            throw field_error{"name", "name must be at most " + std::to_string(max_name_chars) + " characters"};
        m.profile_name = std::move(*name);
    }
    // The message the user's answer quotes, by the id their endpoint knows it
    // by: one of ours (the `id` of our POST) or one of theirs. An id that
    // names none is kept without the quote, as WhatsApp's unknown ones are.
    if (auto quoted = string_field(reply_to_field)) {
        if (quoted->empty() || quoted->size() > max_id_chars)
            throw field_error{"reply_to", "reply_to must be a message id of 1 to " + std::to_string(max_id_chars) + " characters"};
        m.reply_to_channel_id = std::move(*quoted);
    }
    return m;
}

}  // namespace

void add_plain_webhook_routes(http::router& routes, chat::engine& engine) {
    routes.add(http::verb::post, "/webhook", [&engine](http::request& req) -> boost::asio::awaitable<http::response> {
        chat::inbound_message m;
        try {
            m = parse_plain(req.body);
        } catch (const field_error& e) {
            co_return http::response::invalid_field(e.field, e.message);
        }
        chat::inbound_result result;
        try {
            result = co_await engine.receive(std::move(m));
        } catch (const store::unavailable& e) {
            auto r = http::response::error(503, "unavailable", std::string("message not stored: ") + e.what());
            r.set_header("Retry-After", "1");
            co_return r;
        }
        if (result.duplicate_of) co_return http::response::json(200, *result.duplicate_of);
        if (!result.answer.empty()) co_return http::response::json(200, std::move(result.answer));
        co_return http::response::json(200, chat::webhook_answer(result.replies, result.offered, result.state));
    });
}

}  // namespace switchboard::channels
