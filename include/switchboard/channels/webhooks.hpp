// The inbound channels' routes: POST /webhook (plain JSON) and
// GET|POST /webhook/whatsapp (Meta's Cloud API).
#pragma once

#include <string>

namespace switchboard::http {
class router;
}
namespace switchboard::chat {
class engine;
}

namespace switchboard::channels {

struct whatsapp_options {
    std::string verify_token;  // GET handshake; empty refuses every handshake
    std::string app_secret;    // empty: signatures are not checked
};

void add_plain_webhook_routes(http::router& routes, chat::engine& engine);
void add_whatsapp_webhook_routes(http::router& routes, chat::engine& engine, whatsapp_options options);

}  // namespace switchboard::channels
