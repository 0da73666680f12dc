// POST /conversations: an agent opens a conversation with a user who has
// not written (Chatwoot's new conversation, Intercom's outbound message),
// as a live chat of theirs from its first message. On WhatsApp that
// message is an approved template, the one kind WhatsApp delivers to a user
// who has not written in 24 hours; on the plain webhook it is a text,
// POSTed to --outbound-url. The user's answer comes to the agent's chat.
#include "attribute_catalog.hpp"
#include "command_fields.hpp"
#include "template_request.hpp"

#include "switchboard/chat/json.hpp"

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// Asked before Meta is: the engine refuses it too, for a user who writes
// meanwhile. An imported contact nobody has written to is opened.
awaitable<void> refuse_if_known(api_context& ctx, std::string phone) {
    auto known = co_await ctx.engine.view(phone);
    if (known && !chat::no_message_yet(*known->record))
        throw chat::command_error(chat::command_error::kind::exists, phone + " has a conversation already: open it");
}

awaitable<http::response> open_conversation(api_context& ctx, const attribute_catalog& types, http::request& req,
                                            const auth::agent& who) {
    auto o = object_body(req);
    auto phone = chat::normalize_phone(string_field(o, "phone", true, 33));
    if (!phone) throw field_error{"phone", "phone must be 1 to 32 digits, with or without a leading +"};
    auto via = chat::channel_from_string(string_field(o, "channel", true, 16));
    if (!via) throw field_error{"channel", "channel must be whatsapp or plain"};
    chat::first_contact first;
    first.via = *via;
    first.name = trimmed_field(o, "name", false, 64);
    first.client_id = string_field(o, "client_id", false, 128);
    if (o.contains("labels")) first.labels = labels_field(o);
    if (o.contains("attributes")) first.attributes = typed_attributes_field(types, o);

    if (*via == chat::channel::whatsapp) {
        if (o.contains("text"))
            throw field_error{"text", "a WhatsApp user who has not written is sent a template, not a text"};
        if (ctx.openings.wa_phone_number_id.empty())
            co_return not_configured("conversations cannot be opened on WhatsApp: the server needs "
                                     "--wa-phone-number-id, the business number they come from");
        first.wa_phone_number_id = ctx.openings.wa_phone_number_id;
        co_await refuse_if_known(ctx, *phone);
        auto filling = template_in(ctx, o,
                                   "template is required for a WhatsApp user: an approved template and its values, as "
                                   "send-template takes them (WhatsApp delivers nothing else to a user who has not "
                                   "written)");
        auto filled = co_await std::move(filling);
        if (auto* refused = std::get_if<http::response>(&filled)) co_return std::move(*refused);
        first.message = std::get<chat::outgoing_template>(std::move(filled));
    } else {
        if (o.contains("template")) throw field_error{"template", "templates are WhatsApp's: a plain-webhook user is sent a text"};
        first.message = string_field(o, "text", true, max_text_chars);
        if (!ctx.openings.plain)
            co_return not_configured("conversations cannot be opened on the plain webhook: the server needs "
                                     "--outbound-url, where messages for its users go");
        co_await refuse_if_known(ctx, *phone);
    }
    auto opened = co_await ctx.engine.open_conversation(*phone, as_ref(who), std::move(first));
    auto c = co_await conversation_after(ctx, opened.record);
    co_return json_response(201, {{"conversation", std::move(c)}, {"message", chat::to_json(opened.first)}});
}

}  // namespace

json::array opening_channels(const api_context& ctx) {
    json::array out;
    if (!ctx.openings.wa_phone_number_id.empty() && ctx.templates.configured()) out.emplace_back(json::string("whatsapp"));
    if (ctx.openings.plain) out.emplace_back(json::string("plain"));
    return out;
}

void add_new_conversation_route(http::router& routes, api_context& ctx,
                                std::shared_ptr<const attribute_catalog> attributes) {
    routes.add(http::verb::post, "/conversations",
               authed(ctx, [&ctx, attributes](http::request& req, const auth::agent& who) {
                   return open_conversation(ctx, *attributes, req, who);
               }));
}

}  // namespace switchboard::api
