// DELETE /conversations/{phone}: an admin erases a user and what the server
// keeps of them (Chatwoot's contact deletion; the GDPR's right to erasure):
// the conversation, its messages, chats, ratings, messages not sent yet and
// the agents' notifications of it. Audited, by phone and message count.
#include "audit.hpp"
#include "conversation_erasure.hpp"

#include "switchboard/api/scheduled_replies.hpp"
#include "switchboard/chat/engine.hpp"

namespace switchboard::api {

using boost::asio::awaitable;

awaitable<boost::json::object> erase_conversation(api_context& ctx, std::string phone, auth::agent who) {
    auto erasing = ctx.engine.delete_conversation(phone, as_ref(who));
    auto messages = co_await std::move(erasing);
    if (ctx.scheduled) {  // their replies not sent yet go with them
        auto forgetting = ctx.scheduled->forget(phone);
        co_await std::move(forgetting);
    }
    auto audited = audit(ctx, who.username, "conversation.deleted", phone, {{"messages", messages}});
    co_await std::move(audited);
    co_return boost::json::object{{"deleted", std::move(phone)}, {"messages", messages}};
}

namespace {

awaitable<http::response> delete_conversation(api_context& ctx, http::request& req, const auth::agent& who) {
    auto erasing = erase_conversation(ctx, require_phone(req), who);
    auto answer = co_await std::move(erasing);
    co_return json_response(200, std::move(answer));
}

}  // namespace

void add_conversation_delete_route(http::router& routes, api_context& ctx) {
    routes.add(http::verb::delete_, "/conversations/{phone}",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return delete_conversation(ctx, r, w); },
                      true));
}

}  // namespace switchboard::api
