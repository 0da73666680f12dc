// GET|POST /webhook/whatsapp: Meta's verification handshake, signed
// deliveries of messages and statuses (SPEC §3).
#include "switchboard/channels/webhooks.hpp"
#include "switchboard/channels/whatsapp.hpp"

#include "switchboard/chat/engine.hpp"
#include "switchboard/core/log.hpp"
#include "switchboard/http/router.hpp"
#include "switchboard/store/store.hpp"

namespace switchboard::channels {

void add_whatsapp_webhook_routes(http::router& routes, chat::engine& engine, whatsapp_options options) {
    routes.add(http::verb::get, "/webhook/whatsapp",
               [options](http::request& req) -> boost::asio::awaitable<http::response> {
                   auto mode = req.query_param("hub.mode");
                   auto token = req.query_param("hub.verify_token");
                   auto challenge = req.query_param("hub.challenge");
                   if (options.verify_token.empty() || mode != "subscribe" || token != options.verify_token)
                       co_return http::response::error(403, "verification_failed", "verify token does not match");
                   co_return http::response::text(200, challenge.value_or(""));
               });

    routes.add(http::verb::post, "/webhook/whatsapp",
               [&engine, options](http::request& req) -> boost::asio::awaitable<http::response> {
                   if (!options.app_secret.empty() &&
                       !valid_signature(options.app_secret, req.body, req.header("X-Hub-Signature-256")))
                       co_return http::response::error(401, "bad_signature",
                                                       "X-Hub-Signature-256 is missing or does not match the body");

                   auto parsed = parse_whatsapp_webhook(req.body);
                   if (auto* err = std::get_if<wa_parse_error>(&parsed))
                       co_return http::response::invalid_field(err->field, err->message);
                   auto& payload = std::get<wa_payload>(parsed);

                   // In payload order; each is durable before the next starts, and
                   // a retry of the whole payload skips what was already taken.
                   try {
                       for (auto& m : payload.messages) {
                           chat::inbound_message in;
                           in.via = chat::channel::whatsapp;
                           in.phone = m.from;
                           in.text = m.text;
                           in.kind = m.kind;
                           in.channel_id = m.id;
                           in.profile_name = m.profile_name;
                           in.wa_phone_number_id = m.phone_number_id;
                           in.media = std::move(m.media);
                           in.reply_to_channel_id = std::move(m.reply_to_id);
                           co_await engine.receive(std::move(in));
                       }
                       for (auto& s : payload.statuses)
                           co_await engine.apply_status(s.recipient, s.id, s.status, s.error);
                   } catch (const store::unavailable& e) {
                       auto r = http::response::error(503, "unavailable", std::string("not stored: ") + e.what());
                       r.set_header("Retry-After", "1");
                       co_return r;
                   }
                   co_return http::response::json(200, R"({"status":"ok"})");
               });
}

}  // namespace switchboard::channels
