// POST /webhook: {"from","text","id"?,"name"?} → the bot's replies, answered
// once the message is durable (SPEC §3).
#include "switchboard/channels/webhooks.hpp"

#include "switchboard/chat/engine.hpp"
#include "switchboard/chat/json.hpp"
#include "switchboard/http/router.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>


namespace switchboard::channels {

namespace json = boost::json;

namespace {

constexpr std::size_t max_text_chars = 4096;
constexpr std::size_t max_id_chars = 256;
constexpr std::size_t max_name_chars = 128;

struct field_error {
    std::string field, message;
};

// The value of an optional string field, or a field_error for a wrong type.
std::optional<std::string> string_field(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_string()) throw field_error{std::string(key), std::string(key) + " must be a string"};
    return std::string(v->as_string());
}

chat::inbound_message parse_plain(const std::string& body) {
    // The document lives only while its fields are copied out: parse it
    // into a stack buffer rather than one heap block per value.
    unsigned char arena[4096];
    json::monotonic_resource mr(arena, sizeof arena);
    boost::system::error_code ec;
    auto doc = json::parse(body, ec, &mr);
    if (ec) throw field_error{"body", "body is not valid JSON: " + ec.message()};
    if (!doc.is_object()) throw field_error{"body", "body must be a JSON object"};
    auto& o = doc.as_object();

    chat::inbound_message m;
    m.via = chat::channel::plain;
    auto from = string_field(o, "from");
    if (!from) throw field_error{"from", "from is required"};
    auto phone = chat::normalize_phone(*from);
    if (!phone) throw field_error{"from", "from must be a phone number: an optional + and 1 to 32 digits"};
    m.phone = std::move(*phone);

    auto text = string_field(o, "text");
    if (!text) throw field_error{"text", "text is required"};
    auto chars = chat::utf8_length(*text).value_or(0);
    if (chars == 0 || chars > max_text_chars)
        throw field_error{"text", "text must be 1 to " + std::to_string(max_text_chars) + " characters"};
    m.text = std::move(*text);

    if (auto id = string_field(o, "id")) {
        if (id->empty() || id->size() > max_id_chars)
            throw field_error{"id", "id must be 1 to " + std::to_string(max_id_chars) + " characters"};
        m.channel_id = std::move(*id);
    }
    if (auto name = string_field(o, "name")) {
        if (chat::utf8_length(*name).value_or(0) > max_name_chars)
            throw field_error{"name", "name must be at most " + std::to_string(max_name_chars) + " characters"};
        m.profile_name = std::move(*name);
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
        co_return http::response::json(200, chat::webhook_answer(result.replies, result.state));
    });
}

}  // namespace switchboard::channels
