// POST /conversations/bulk: one command given to many conversations at once,
// as Chatwoot's bulk actions (assign, resolve, snooze, label the ones picked
// in the list). Each conversation is commanded as its own route would be,
// under the same rules; one refused does not stop the others, and the answer
// says, for each, what it became or why not.
#include "command_fields.hpp"
#include "request_helpers.hpp"

#include "switchboard/chat/conversation.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <functional>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// As many as the list shows at once.
constexpr std::size_t max_bulk = 200;

using command = std::function<awaitable<chat::conversation>(std::string phone)>;

// The body's action, with its fields read and checked before anything is done.
command command_for(api_context& ctx, const json::object& o, const auth::agent& who) {
    auto action = string_field(o, "action", true, 32);
    auto by = as_ref(who);
    auto& engine = ctx.engine;
    if (action == "assign") {
        auto to = as_ref(transfer_target_field(ctx, o));
        return [&engine, by, to](std::string phone) { return engine.transfer(std::move(phone), by, to); };
    }
    if (action == "return")
        return [&engine, by](std::string phone) { return engine.return_to_queue(std::move(phone), by); };
    if (action == "end") {
        auto closing = closing_message_field(o);
        return [&engine, by, closing](std::string phone) { return engine.end_chat(std::move(phone), by, closing); };
    }
    if (action == "snooze") {
        auto until = snooze_until_field(o);
        return [&engine, by, until](std::string phone) { return engine.snooze(std::move(phone), by, until); };
    }
    if (action == "read")
        return [&engine, by](std::string phone) { return engine.mark_read(std::move(phone), by, UINT64_MAX); };
    if (action == "priority") {
        auto priority = priority_field(o);
        return [&engine, priority](std::string phone) { return engine.set_priority(std::move(phone), priority); };
    }
    if (action == "label" || action == "unlabel") {
        auto* v = o.if_contains("label");
        auto label = v ? label_value(*v) : std::nullopt;
        if (!label) throw field_error{"label", std::string(label_rule)};
        bool filed = action == "label";
        return [&engine, label = *label, filed](std::string phone) {
            return engine.set_label(std::move(phone), label, filed);
        };
    }
    throw field_error{"action", "action must be assign, return, end, snooze, read, priority, label or unlabel"};
}

// "phones": 1 to max_bulk phone numbers, each once.
std::vector<std::string> phones_field(const json::object& o) {
    auto* v = o.if_contains("phones");
    if (!v || !v->is_array() || v->as_array().empty() || v->as_array().size() > max_bulk)
        throw field_error{"phones", "phones must be an array of 1 to " + std::to_string(max_bulk) + " phone numbers"};
    std::vector<std::string> phones;
    for (auto& p : v->as_array()) {
        auto phone = p.is_string() ? chat::normalize_phone(p.as_string()) : std::nullopt;
        if (!phone) throw field_error{"phones", "phones must be phone numbers: " + json::serialize(p) + " is not one"};
        if (std::find(phones.begin(), phones.end(), *phone) != phones.end())
            throw field_error{"phones", "phones names " + *phone + " twice"};
        phones.push_back(std::move(*phone));
    }
    return phones;
}

json::object refusal(std::string phone, unsigned status, std::string_view code, std::string_view message) {
    return {{"phone", std::move(phone)}, {"status", static_cast<int>(status)}, {"error", {{"code", code}, {"message", message}}}};
}

// One conversation's outcome. Not inside the catch: no co_await there.
awaitable<json::object> run_one(api_context& ctx, const command& run, std::string phone) {
    std::optional<chat::conversation> done;
    json::object refused;
    try {
        done = co_await run(phone);
    } catch (const chat::command_error& e) {
        auto r = refusal_of(e.what_kind());  // no structured binding in a coroutine (GCC 12)
        refused = refusal(phone, r.status, r.code, e.what());
    } catch (const store::unavailable& e) {
        refused = refusal(phone, 503, "unavailable", std::string("not stored: ") + e.what());
    }
    if (!done) co_return refused;
    auto conversation = co_await conversation_after(ctx, *done);  // not inside an initializer list (GCC 12)
    co_return json::object{{"phone", std::move(phone)}, {"status", 200}, {"conversation", std::move(conversation)}};
}

awaitable<http::response> bulk(api_context& ctx, http::request& req, const auth::agent& who) {
    auto o = object_body(req);
    auto phones = phones_field(o);
    auto run = command_for(ctx, o, who);
    json::array results;
    std::size_t succeeded = 0;
    // One after another: each is a hop to its actor, and a page of 200 takes
    // milliseconds; at once, they would only contend for the same store.
    for (auto& phone : phones) {
        auto outcome = co_await run_one(ctx, run, std::move(phone));
        if (!outcome.contains("error")) ++succeeded;
        results.push_back(std::move(outcome));
    }
    auto failed = results.size() - succeeded;
    co_return json_response(200, {{"results", std::move(results)}, {"succeeded", succeeded}, {"failed", failed}});
}

}  // namespace

void add_bulk_route(http::router& routes, api_context& ctx) {
    routes.add(http::verb::post, "/conversations/bulk",
               authed(ctx, [&ctx](http::request& req, const auth::agent& who) { return bulk(ctx, req, who); }));
}

}  // namespace switchboard::api
