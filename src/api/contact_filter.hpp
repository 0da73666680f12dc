// Which users a contacts' list or export is of: a channel, a label, a
// detail, and a search of their names, phones, labels and details, each optional, read
// from the request's query. Internal to src/api.
#pragma once

#include "switchboard/chat/engine.hpp"

#include <optional>
#include <string>
#include <vector>

namespace switchboard::http {
struct request;
}

namespace switchboard::api {

struct contact_filter {
    std::optional<chat::channel> via;  // ?channel=plain|whatsapp
    std::string label;                 // ?label=, as label_from reads it; empty: any
    std::string q;                     // ?q=, in lower case; empty: no search
    // ?attribute=plan:Gold: the users with that detail, as the list's.
    std::optional<std::pair<std::string, std::string>> attribute;
    bool passes(const chat::conversation& c) const;
};

// field_error naming the parameter that does not read.
contact_filter read_contact_filter(const http::request& req);

// Every user `filter` passes, those who wrote and those imported, by phone:
// a walk of every conversation (for a scan's thread).
std::vector<chat::conversation_view> contacts_by_phone(const chat::engine& engine, const contact_filter& filter);

}  // namespace switchboard::api
