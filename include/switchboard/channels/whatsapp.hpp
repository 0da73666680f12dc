// WhatsApp Cloud API: the webhook payload parser and the signature check.
// Pure functions, tested on Meta's sample payloads without a server.
#pragma once

#include "switchboard/chat/conversation.hpp"
#include "switchboard/core/digest.hpp"

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace switchboard::channels {

struct wa_message {
    std::string from;  // wa_id, digits
    std::string id;    // wamid
    std::string kind;  // text, interactive, image, location, …
    std::string text;  // the body, a reply's title, or a placeholder for media
    std::string profile_name;
    std::string phone_number_id;  // the business number it was sent to
    std::optional<chat::attachment> media;  // image, audio, video, document, sticker: the file's id at Meta
    // The wamid of the message this one answers: the one the user quoted
    // (`context`), or reacted to.
    std::string reply_to_id;
};

struct wa_status {
    std::string id;  // the wamid our send got
    std::string recipient;
    chat::message_status status = chat::message_status::sent;
    std::string error;  // for `failed`: Meta's first error, in words
};

struct wa_payload {
    std::vector<wa_message> messages;  // in payload order
    std::vector<wa_status> statuses;
};

struct wa_parse_error {
    std::string field;  // e.g. entry[0].changes[0].value.messages[1].from
    std::string message;
};

std::variant<wa_payload, wa_parse_error> parse_whatsapp_webhook(std::string_view body);

// `header` is X-Hub-Signature-256 ("sha256=<hex>"); compared in constant time.
bool valid_signature(std::string_view app_secret, std::string_view body, std::string_view header);
using switchboard::hmac_sha256_hex;  // core/digest.hpp: the event webhook signs with it too

}  // namespace switchboard::channels
