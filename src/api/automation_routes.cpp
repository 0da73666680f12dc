// /automations: Chatwoot's automation rules, kept as a book of macros with a
// trigger (macro_book.hpp) and run by automation_runner (automations.hpp).
#include "command_fields.hpp"
#include "macro_book.hpp"
#include "request_helpers.hpp"

#include "switchboard/api/automations.hpp"

#include <memory>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// A macro's actions, but for a reply: an automation is no agent of the
// chat, and the user hears from the bot and from their agent only.
std::vector<conversation_command> automation_steps_field(api_context& ctx, const json::object& o) {
    auto steps = macro_steps_field(ctx, o);
    for (std::size_t i = 0; i < steps.size(); ++i) {
        auto at = "action " + std::to_string(i + 1);
        if (steps[i].action == "send")
            throw field_error{"actions", at + ": an automation does not write to users (the bot answers them, their "
                                              "agent replies); a note does for the agents"};
        if (steps[i].action == "transcript")
            throw field_error{"actions", at + ": an automation e-mails no transcript (a macro does, run by an agent "
                                              "who knows the user asked for it)"};
        if ((steps[i].action == "follow" || steps[i].action == "unfollow") && steps[i].agent.empty())
            throw field_error{"actions", at + ": an automation is nobody to follow a conversation: name the agent "
                                              "(\"username\")"};
    }
    return steps;
}

// The trigger as the request changes it; a team it names now must be there
// (a stored one may have gone since, and then matches nothing).
macro_trigger trigger_from(api_context& ctx, const json::object& o, macro_trigger base, bool creating) {
    auto t = trigger_fields(o, std::move(base), creating);
    if (o.contains("team") && t.team && !t.team->empty())
        if (auto why = missing_team(ctx, *t.team)) throw field_error{"team", std::move(*why)};
    return t;
}

awaitable<http::response> list_automations(api_context&, macro_book& book, http::request&, const auth::agent&) {
    co_return json_response(200, {{"automations", book.list()}});
}

awaitable<http::response> create_automation(api_context& ctx, macro_book& book, http::request& req,
                                            const auth::agent& who) {
    auto o = object_body(req);
    auto name = macro_name_field(o);
    auto trigger = trigger_from(ctx, o, {}, true);
    auto steps = automation_steps_field(ctx, o);
    auto m = co_await book.create(std::move(name), std::move(steps), who.username, std::move(trigger));
    co_return json_response(201, macro_json(m));
}

awaitable<http::response> update_automation(api_context& ctx, macro_book& book, http::request& req,
                                            const auth::agent& who) {
    auto o = object_body(req);
    auto id = std::string(req.param("id"));  // named: no temporaries inside co_await (GCC 12)
    auto trigger = trigger_from(ctx, o, book.get(id).trigger.value_or(macro_trigger{}), false);
    std::optional<std::string> name;
    std::optional<std::vector<conversation_command>> steps;
    if (o.contains("name")) name = macro_name_field(o);
    if (o.contains("actions")) steps = automation_steps_field(ctx, o);
    auto m = co_await book.update(std::move(id), std::move(name), std::move(steps), who.username, std::move(trigger));
    co_return json_response(200, macro_json(m));
}

}  // namespace

void add_automation_routes(http::router& routes, api_context& ctx) {
    auto* runner = ctx.automations;
    // Lives as long as the routes that hold it; tells the runner of every change.
    auto book = std::make_shared<macro_book>(ctx, automations_kind, [runner](const std::vector<macro>& all) {
        if (runner) runner->rules_changed(all);
    });
    if (runner) runner->attach(ctx);
    add_book_route(routes, ctx, book, http::verb::get, "/automations", list_automations, false);
    add_book_route(routes, ctx, book, http::verb::post, "/automations", create_automation, true);
    add_book_route(routes, ctx, book, http::verb::patch, "/automations/{id}", update_automation, true);
    add_book_route(routes, ctx, book, http::verb::delete_, "/automations/{id}", delete_from_book, true);
}

}  // namespace switchboard::api
