// Meta's webhook JSON → our inbound messages and statuses, in one place.
#include "switchboard/channels/whatsapp.hpp"

#include "switchboard/channels/provider_error.hpp"
#include "switchboard/core/ascii_case.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>


#include <algorithm>
#include <cctype>

namespace switchboard::channels {

namespace json = boost::json;

namespace {

constexpr std::size_t max_text_chars = 4096;

struct parse_failure {
    wa_parse_error error;
};

const json::object& object_at(const json::value& v, const std::string& path) {
    if (!v.is_object()) throw parse_failure{{path, path + " must be an object"}};
    return v.as_object();
}

const json::array* optional_array(const json::object& o, std::string_view key, const std::string& path) {
    auto* v = o.if_contains(key);
    if (!v || v->is_null()) return nullptr;
    if (!v->is_array()) throw parse_failure{{path + "." + std::string(key), path + "." + std::string(key) + " must be an array"}};
    return &v->as_array();
}

std::string string_at(const json::object& o, std::string_view key, const std::string& path, bool required = true) {
    auto* v = o.if_contains(key);
    auto field = path + "." + std::string(key);
    if (!v || v->is_null()) {
        if (required) throw parse_failure{{field, field + " is missing"}};
        return {};
    }
    if (!v->is_string()) throw parse_failure{{field, field + " must be a string"}};
    return std::string(v->as_string());
}

std::string optional_string(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string{};
}

std::string wa_id(const std::string& s, const std::string& field) {
    auto phone = chat::normalize_phone(s);
    if (!phone) throw parse_failure{{field, field + " must be a phone number of 1 to 32 digits"}};
    return std::move(*phone);
}

// Text for a message of any type: never dropped, non-text types get a
// bracketed placeholder so agents see that something arrived.
std::string text_of(const json::object& m, const std::string& kind) {
    auto sub = [&](std::string_view key) -> const json::object* {
        auto* v = m.if_contains(key);
        return v && v->is_object() ? &v->as_object() : nullptr;
    };
    if (kind == "text") {
        if (auto* t = sub("text")) return optional_string(*t, "body");
        return {};
    }
    if (kind == "interactive") {
        if (auto* i = sub("interactive"))
            for (auto key : {"button_reply", "list_reply", "nfm_reply"})
                if (auto* r = i->if_contains(key); r && r->is_object()) {
                    // The bot's own buttons answer with their keyword (outbox.cpp).
                    auto id = optional_string(r->as_object(), "id");
                    if (id.starts_with("sb:") && id.size() > 3) return id.substr(3);
                    auto title = optional_string(r->as_object(), "title");
                    if (!title.empty()) return title;
                }
        return "[interactive]";
    }
    if (kind == "button") {
        if (auto* b = sub("button")) return optional_string(*b, "text");
        return "[button]";
    }
    if (kind == "location") {
        std::string out = "[location]";
        if (auto* l = sub("location")) {
            auto num = [&](std::string_view k) {
                auto* v = l->if_contains(k);
                return v && v->is_number() ? std::to_string(v->to_number<double>()) : std::string{};
            };
            out += " " + num("latitude") + "," + num("longitude");
            std::string place;  // "Main Street Store, 1 Main Street": the console shows it beside a map link
            for (auto k : {"name", "address"})
                if (auto s = optional_string(*l, k); !s.empty()) place += (place.empty() ? "" : ", ") + s;
            if (!place.empty()) out += " " + place;
        }
        return out;
    }
    std::string out = "[" + kind + "]";
    auto* list = m.if_contains(kind);
    if (kind == "contacts" && list && list->is_array()) {  // shared contact cards: each name and first number
        std::string cards;  // "Ana Lima +55 11 5555-0100, Bo"
        for (auto& card : list->as_array()) {
            if (!card.is_object()) continue;
            std::string one;
            auto* name = card.as_object().if_contains("name");
            if (name && name->is_object())
                if (auto n = optional_string(name->as_object(), "formatted_name"); !n.empty()) one = n;
            auto* phones = card.as_object().if_contains("phones");
            if (phones && phones->is_array() && !phones->as_array().empty() && phones->as_array()[0].is_object())
                if (auto p = optional_string(phones->as_array()[0].as_object(), "phone"); !p.empty())
                    one += (one.empty() ? "" : " ") + p;
            if (!one.empty()) cards += (cards.empty() ? "" : ", ") + one;
        }
        if (!cards.empty()) out += " " + cards;
        return out;
    }
    if (kind == "unsupported") {  // a poll, a view-once photo…: Meta says what it held back
        auto* errors = m.if_contains("errors");
        if (errors && errors->is_array() && !errors->as_array().empty() && errors->as_array()[0].is_object())
            out += " " + meta_error_text(errors->as_array()[0].as_object());
        return out;
    }
    if (auto* media = sub(kind)) {
        // "system": WhatsApp's notice that the user changed their number.
        if (auto body = optional_string(*media, "body"); !body.empty()) out += " " + body;
        for (auto k : {"caption", "filename", "emoji"})
            if (auto s = optional_string(*media, k); !s.empty()) out += " " + s;
    }
    return out;
}

// The file of a media message. Both strings come from the payload and go
// on to a URL and a response header: the id is kept only when it is a plain
// token, and a type that is not printable ASCII is not passed on.
std::optional<chat::attachment> media_of(const json::object& m, const std::string& kind) {
    if (!chat::is_media_kind(kind)) return std::nullopt;
    auto* v = m.if_contains(kind);
    if (!v || !v->is_object()) return std::nullopt;
    auto& o = v->as_object();
    auto id = optional_string(o, "id");
    if (!chat::is_media_id(id)) return std::nullopt;
    return chat::attachment{std::move(id), chat::checked_mime_type(optional_string(o, "mime_type")),
                            chat::checked_filename(optional_string(o, "filename"))};
}

// The message a user's message answers: the one they quoted (swiped to
// reply to, or whose button they tapped), or the one they reacted to.
// Meta's `context` on a forwarded message names no message.
std::string quoted_id(const json::object& m, std::string_view kind) {
    if (kind == "reaction") {
        auto* r = m.if_contains("reaction");
        return r && r->is_object() ? optional_string(r->as_object(), "message_id") : std::string{};
    }
    auto* context = m.if_contains("context");
    return context && context->is_object() ? optional_string(context->as_object(), "id") : std::string{};
}

// A reaction whose emoji is empty: the user took their reaction back.
bool taken_back(const json::object& m) {
    auto* r = m.if_contains("reaction");
    return !r || !r->is_object() || optional_string(r->as_object(), "emoji").empty();
}

std::optional<chat::message_status> status_from(std::string_view s) {
    if (s == "sent") return chat::message_status::sent;
    if (s == "delivered") return chat::message_status::delivered;
    if (s == "read") return chat::message_status::read;
    if (s == "failed") return chat::message_status::failed;
    return std::nullopt;  // e.g. "deleted": nothing we track
}

void parse_value(const json::object& value, const std::string& path, wa_payload& out) {
    std::string phone_number_id;
    if (auto* md = value.if_contains("metadata"); md && md->is_object())
        phone_number_id = optional_string(md->as_object(), "phone_number_id");

    std::vector<std::pair<std::string, std::string>> names;  // wa_id → profile name
    if (auto* contacts = optional_array(value, "contacts", path))
        for (auto& c : *contacts)
            if (c.is_object()) {
                std::string name;
                if (auto* p = c.as_object().if_contains("profile"); p && p->is_object())
                    name = optional_string(p->as_object(), "name");
                names.emplace_back(optional_string(c.as_object(), "wa_id"), name);
            }

    if (auto* messages = optional_array(value, "messages", path))
        for (std::size_t i = 0; i < messages->size(); ++i) {
            auto mpath = path + ".messages[" + std::to_string(i) + "]";
            auto& m = object_at((*messages)[i], mpath);
            wa_message msg;
            msg.from = wa_id(string_at(m, "from", mpath), mpath + ".from");
            msg.id = string_at(m, "id", mpath);
            if (msg.id.empty()) throw parse_failure{{mpath + ".id", mpath + ".id must not be empty"}};
            msg.kind = string_at(m, "type", mpath, false);
            if (msg.kind.empty()) msg.kind = "unknown";
            if (msg.kind == "reaction" && taken_back(m)) continue;  // nothing to show an agent
            msg.text = chat::utf8_prefix(text_of(m, msg.kind), max_text_chars);
            if (msg.text.empty()) msg.text = "[" + msg.kind + "]";
            if (msg.kind == "interactive" || msg.kind == "button") msg.kind = "text";  // a reply is text to the bot
            msg.phone_number_id = phone_number_id;
            msg.media = media_of(m, msg.kind);
            msg.reply_to_id = quoted_id(m, msg.kind);
            for (auto& [id, name] : names)
                if (id == msg.from) msg.profile_name = name;
            out.messages.push_back(std::move(msg));
        }

    if (auto* statuses = optional_array(value, "statuses", path))
        for (std::size_t i = 0; i < statuses->size(); ++i) {
            auto spath = path + ".statuses[" + std::to_string(i) + "]";
            auto& s = object_at((*statuses)[i], spath);
            auto status = status_from(string_at(s, "status", spath));
            if (!status) continue;
            std::string error;
            if (*status == chat::message_status::failed) {
                // Only shown to agents: an odd `errors` costs its reason, not the
                // webhook (a 400 would have Meta send the batch's messages again).
                auto* errors = s.if_contains("errors");
                auto* first = errors && errors->is_array() && !errors->as_array().empty()
                                  ? &errors->as_array().front()
                                  : nullptr;
                error = first && first->is_object() ? meta_error_text(first->as_object())
                                                    : std::string(no_reason_given);
            }
            out.statuses.push_back({string_at(s, "id", spath),
                                    wa_id(string_at(s, "recipient_id", spath), spath + ".recipient_id"), *status,
                                    std::move(error)});
        }
}

}  // namespace

std::variant<wa_payload, wa_parse_error> parse_whatsapp_webhook(std::string_view body) {
    boost::system::error_code ec;
    auto doc = json::parse(body, ec);
    if (ec) return wa_parse_error{"body", "body is not valid JSON: " + ec.message()};
    try {
        auto& root = object_at(doc, "body");
        wa_payload out;
        auto* entries = optional_array(root, "entry", "body");
        if (!entries) return wa_parse_error{"entry", "entry is missing"};
        for (std::size_t e = 0; e < entries->size(); ++e) {
            auto epath = "entry[" + std::to_string(e) + "]";
            auto& entry = object_at((*entries)[e], epath);
            if (auto* changes = optional_array(entry, "changes", epath))
                for (std::size_t c = 0; c < changes->size(); ++c) {
                    auto cpath = epath + ".changes[" + std::to_string(c) + "]";
                    auto& change = object_at((*changes)[c], cpath);
                    auto* value = change.if_contains("value");
                    if (!value) continue;
                    parse_value(object_at(*value, cpath + ".value"), cpath + ".value", out);
                }
        }
        return out;
    } catch (const parse_failure& f) {
        return f.error;
    }
}

bool valid_signature(std::string_view app_secret, std::string_view body, std::string_view header) {
    constexpr std::string_view prefix = "sha256=";
    if (!header.starts_with(prefix)) return false;
    auto given = ascii_lowered(std::string(header.substr(prefix.size())));
    return same_secret(given, hmac_sha256_hex(app_secret, body));
}

}  // namespace switchboard::channels
