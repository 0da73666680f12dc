// A conversation's followers (conversation::participants), as Chatwoot's
// participants: any agent may follow a conversation, or have a colleague
// follow it, and each follower finds the user's messages in their
// notification inbox while someone else has the chat. A note that
// mentions an agent makes them one too (the actor does that).
#include "command_fields.hpp"

#include "switchboard/chat/conversation.hpp"

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

awaitable<http::response> answer(api_context& ctx, const chat::conversation& c) {
    auto o = co_await conversation_after(ctx, c);
    co_return json_response(200, std::move(o));
}

// {"participants":[…]}: active agents' usernames, in place of those there were.
awaitable<http::response> replace(api_context& ctx, http::request& req, const auth::agent&) {
    auto phone = require_phone(req);
    auto names = usernames_field(ctx, object_body(req), "participants", chat::max_participants,
                                 "a conversation has at most " + std::to_string(chat::max_participants) + " followers",
                                 true);
    auto c = co_await ctx.engine.set_participants(phone, std::move(names));
    co_return co_await answer(ctx, c);
}

// Body optional: {"username":"lea"}, who follows it; the caller without one.
awaitable<http::response> follow(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto name = who.username;
    if (!req.body.empty()) {
        auto o = object_body(req);
        if (o.contains("username")) name = active_agent_field(ctx, o, "username").username;
    }
    auto c = co_await ctx.engine.set_participant(phone, std::move(name), true);
    co_return co_await answer(ctx, c);
}

// Anyone may take anyone off, as anyone may put them on; one who does not
// follow it is left as they were.
awaitable<http::response> unfollow(api_context& ctx, http::request& req, const auth::agent&) {
    auto phone = require_phone(req);
    std::string name(req.param("username"));
    auto c = co_await ctx.engine.set_participant(phone, std::move(name), false);
    co_return co_await answer(ctx, c);
}

}  // namespace

void add_participant_routes(http::router& routes, api_context& ctx) {
    routes.add(http::verb::put, "/conversations/{phone}/participants",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return replace(ctx, r, w); }));
    routes.add(http::verb::post, "/conversations/{phone}/participants",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return follow(ctx, r, w); }));
    routes.add(http::verb::delete_, "/conversations/{phone}/participants/{username}",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return unfollow(ctx, r, w); }));
}

}  // namespace switchboard::api
