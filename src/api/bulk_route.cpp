// POST /conversations/bulk: one command given to many conversations at once,
// as Chatwoot's bulk actions (assign, resolve, snooze, label, delete the ones
// picked in the list). Each conversation is commanded as its own route would
// be, under the same rules; one refused does not stop the others, and the
// answer says, for each, what it became or why not.
#include "command_fields.hpp"
#include "conversation_command.hpp"
#include "conversation_erasure.hpp"
#include "macro_book.hpp"
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

// One conversation commanded: what its own route answers with (after the
// phone and status), e.g. {"conversation":{…}}.
using command = std::function<awaitable<json::object>(std::string phone)>;

// The conversation as a command left it, as its route answers.
awaitable<json::object> answered(api_context& ctx, awaitable<chat::conversation> commanding) {
    auto done = co_await std::move(commanding);
    auto conversation = co_await conversation_after(ctx, done);  // not inside an initializer list (GCC 12)
    co_return json::object{{"conversation", std::move(conversation)}};
}

// The body's action, with its fields read and checked before anything is
// done: a command of its own, a macro's, or an erasure.
command command_for(api_context& ctx, const std::shared_ptr<macro_book>& macros, const json::object& o,
                    const auth::agent& who) {
    auto* action = o.if_contains("action");
    if (action && *action == "macro") {
        auto id = string_field(o, "macro", true, 64);
        auto m = macros->find(id);
        if (!m) throw field_error{"macro", "no macro " + id};
        return [&ctx, m = std::move(*m), who](std::string phone) {
            return answered(ctx, run_macro(ctx, std::move(phone), m, who));
        };
    }
    // Only admins erase users, as DELETE /conversations/{phone}: refused
    // whole, since it would be refused for every phone alike.
    if (action && *action == "delete") {
        if (!who.is_admin())
            throw chat::command_error{chat::command_error::kind::forbidden, "only an admin may delete conversations"};
        return [&ctx, who](std::string phone) { return erase_conversation(ctx, std::move(phone), who); };
    }
    return [&ctx, c = read_command(ctx, o, command_use::bulk), who](std::string phone) {
        return answered(ctx, run_command(ctx, std::move(phone), c, who));
    };
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
awaitable<json::object> run_one(const command& run, std::string phone) {
    std::optional<json::object> done;
    json::object refused;
    try {
        auto running = run(phone);  // by name: GCC 12 mishandles temporaries inside co_await
        done = co_await std::move(running);
    } catch (const chat::command_error& e) {
        auto r = refusal_of(e.what_kind());  // no structured binding in a coroutine (GCC 12)
        refused = refusal(phone, r.status, r.code, e.what());
    } catch (const store::unavailable& e) {
        refused = refusal(phone, 503, "unavailable", std::string("not stored: ") + e.what());
    }
    if (!done) co_return refused;
    json::object outcome{{"phone", std::move(phone)}, {"status", 200}};
    for (auto& [key, value] : *done) outcome[key] = std::move(value);
    co_return outcome;
}

awaitable<http::response> bulk(api_context& ctx, const std::shared_ptr<macro_book>& macros, http::request& req,
                               const auth::agent& who) {
    auto o = object_body(req);
    auto phones = phones_field(o);
    auto run = command_for(ctx, macros, o, who);
    json::array results;
    std::size_t succeeded = 0;
    // One after another, in the order asked. On disk each waits for its own
    // commit; 200 take 40-90 ms here (benchmarks/bulk.mjs), within what a
    // click waits for, and at once they would share commits for less.
    for (auto& phone : phones) {
        auto one = run_one(run, std::move(phone));
        auto outcome = co_await std::move(one);
        if (!outcome.contains("error")) ++succeeded;
        results.push_back(std::move(outcome));
    }
    auto failed = results.size() - succeeded;
    co_return json_response(200, {{"results", std::move(results)}, {"succeeded", succeeded}, {"failed", failed}});
}

}  // namespace

void add_bulk_route(http::router& routes, api_context& ctx, std::shared_ptr<macro_book> macros) {
    routes.add(http::verb::post, "/conversations/bulk",
               authed(ctx, [&ctx, macros](http::request& req, const auth::agent& who) { return bulk(ctx, macros, req, who); }));
}

}  // namespace switchboard::api
