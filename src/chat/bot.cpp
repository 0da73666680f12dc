// The bot of SPEC §2, one branch per row of its table.
#include "switchboard/chat/bot.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace switchboard::chat {

namespace {

constexpr std::array<std::string_view, 5> end_chat_keywords{"end chat", "close", "done", "quit chat", "exit"};
constexpr std::size_t max_name_chars = 64;
constexpr std::size_t max_button_chars = 20;

// ASCII only, as the "C" locale the server runs in has it, without a locale
// lookup per byte: every message goes through here.
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

std::string menu(const conversation& c, const bot_texts& t) {
    return c.registered ? fill(t.menu_registered, "name", c.name) : t.menu_unregistered;
}

// `json` and `delivery` written from the rest.
bot_choices written(bot_choices c) {
    boost::json::array options;
    for (auto& o : c.options) options.push_back({{"text", o.keyword}, {"title", o.title}});
    c.json = boost::json::serialize(options);
    c.delivery = boost::json::serialize(boost::json::object{{"button", c.button}, {"choices", std::move(options)}});
    c.kept = kept_choices(c.json);
    return c;
}

bot_choices menu_choices(bool registered, const bot_texts& t) {
    bot_choices out;
    if (!t.button_support.empty()) out.options.push_back({"support", t.button_support});
    if (!registered && !t.button_register.empty()) out.options.push_back({"register", t.button_register});
    return written(std::move(out));
}

bot_choices rating_choices(const bot_texts& t) {
    if (t.button_rate.empty()) return {};
    bot_choices out{t.button_rate, {}, {}, {}};
    std::string stars;
    for (int score = 1; score <= 5; ++score) {
        stars += "★";
        out.options.push_back({std::to_string(score), std::to_string(score) + " " + stars});
    }
    return written(std::move(out));
}

// IDLE's rows; RATING falls through to them when the text is not a rating.
bot_decision decide_idle(std::string_view keyword) {
    if (keyword == "register") return {bot_action::ask_name, conv_state::registering};
    if (keyword == "support") return {bot_action::open_support, conv_state::chat_support_active};
    return {bot_action::show_menu, conv_state::idle};
}

}  // namespace

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::string fill(std::string_view tmpl, std::string_view key, std::string_view value) {
    std::string out(tmpl);
    std::string marker = "{" + std::string(key) + "}";
    for (auto at = out.find(marker); at != std::string::npos; at = out.find(marker, at + value.size()))
        out.replace(at, marker.size(), value);
    return out;
}

std::string normalize_keyword(std::string_view text) {
    auto trimmed = trim(text);
    std::string out;
    out.reserve(trimmed.size());
    bool space = false;
    for (char c : trimmed) {
        if (is_space(c)) {
            space = true;
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += to_lower(c);
    }
    return out;
}

bot_decision bot_decide(const conversation& c, std::string_view text, std::string_view kind) {
    if (kind == "reaction" || kind == "system") return {bot_action::reaction, c.state};
    auto keyword = normalize_keyword(text);
    switch (c.state) {
    case conv_state::chat_support_active:
        for (auto k : end_chat_keywords)
            if (keyword == k) return {bot_action::end_support, conv_state::rating};
        return {bot_action::chat_message, conv_state::chat_support_active};
    case conv_state::registering: {
        if (keyword == "support") return {bot_action::open_support, conv_state::chat_support_active};
        auto name = trim(text);
        auto chars = utf8_length(name).value_or(0);
        if (chars == 0 || chars > max_name_chars) return {bot_action::reject_name, conv_state::registering};
        return {bot_action::register_name, conv_state::idle, std::string(name)};
    }
    case conv_state::rating:
        if (keyword.size() == 1 && keyword[0] >= '1' && keyword[0] <= '5')
            return {bot_action::rate, conv_state::idle, {}, keyword[0] - '0'};
        return decide_idle(keyword);
    case conv_state::idle:
        break;
    }
    return decide_idle(keyword);
}

std::vector<std::string> bot_replies(const bot_decision& d, const conversation& after, const bot_texts& t,
                                     std::size_t queue_position) {
    switch (d.action) {
    case bot_action::show_menu:
        return {menu(after, t)};
    case bot_action::ask_name:
        return {t.ask_name};
    case bot_action::reject_name:
        return {t.bad_name};
    case bot_action::register_name:
        return {fill(t.registered, "name", after.name)};
    case bot_action::open_support:
        return {fill(t.support_connecting, "position", std::to_string(queue_position))};
    case bot_action::chat_message:
        return {t.message_sent};
    case bot_action::end_support:
        return {t.chat_ended};
    case bot_action::rate:
        return {t.rating_thanks + "\n\n" + menu(after, t)};
    case bot_action::reaction:
        return {};
    }
    return {};
}

std::vector<bot_choice> offered_choices(std::string_view json) {
    if (json.empty()) return {};  // nearly every message: no parser made
    boost::system::error_code ec;
    auto v = boost::json::parse(json, ec);
    if (ec) return {};
    return offered_choices(v);
}

std::vector<bot_choice> offered_choices(const boost::json::value& choices) {
    if (!choices.is_array()) return {};
    std::vector<bot_choice> out;
    for (auto& c : choices.as_array()) {
        auto* keyword = c.is_object() ? c.as_object().if_contains("text") : nullptr;
        auto* title = c.is_object() ? c.as_object().if_contains("title") : nullptr;
        if (!keyword || !keyword->is_string() || !title || !title->is_string()) return {};
        out.push_back({std::string(keyword->as_string()), std::string(title->as_string())});
    }
    return out;
}

std::vector<bot_choice> offered_choices(const message& m) {
    return m.choices ? offered_choices(*m.choices) : std::vector<bot_choice>{};
}

const std::string* kept_choices(std::string_view json) {
    static std::mutex mutex;
    static std::set<std::string, std::less<>> kept;
    std::lock_guard lock(mutex);
    if (auto at = kept.find(json); at != kept.end()) return &*at;
    if (offered_choices(json).empty()) return nullptr;
    return &*kept.emplace(json).first;
}

bot_offer_set::bot_offer_set(const bot_texts& t)
    : stranger_menu_(menu_choices(false, t)), registered_menu_(menu_choices(true, t)), ratings_(rating_choices(t)) {}

const bot_choices* bot_offer_set::after(const bot_decision& d, const conversation& after) const {
    switch (d.action) {
    case bot_action::show_menu:
    case bot_action::register_name:
    case bot_action::rate:
        return or_null(after.registered ? registered_menu_ : stranger_menu_);
    case bot_action::end_support:
        return ratings();
    default:
        return nullptr;
    }
}

bot_texts bot_texts::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read bot texts file " + file.string());
    std::stringstream buf;
    buf << in.rdbuf();
    boost::system::error_code ec;
    auto doc = boost::json::parse(buf.str(), ec);
    if (ec) throw std::runtime_error("bot texts file " + file.string() + " is not valid JSON: " + ec.message());
    if (!doc.is_object()) throw std::runtime_error("bot texts file " + file.string() + " must hold a JSON object");

    bot_texts t;
    const std::pair<std::string_view, std::string*> fields[] = {
        {"menu_unregistered", &t.menu_unregistered}, {"menu_registered", &t.menu_registered},
        {"ask_name", &t.ask_name},                   {"bad_name", &t.bad_name},
        {"registered", &t.registered},               {"support_connecting", &t.support_connecting},
        {"support_assigned", &t.support_assigned},   {"message_sent", &t.message_sent},
        {"queue_moved", &t.queue_moved},             {"support_offline", &t.support_offline},
        {"chat_ended", &t.chat_ended},               {"rating_thanks", &t.rating_thanks},
        {"idle_timeout", &t.idle_timeout},           {"support_closed", &t.support_closed},
        {"button_support", &t.button_support},       {"button_register", &t.button_register},
        {"button_rate", &t.button_rate},
    };
    for (auto& [key, value] : doc.as_object()) {
        std::string* target = nullptr;
        for (auto& [name, field] : fields)
            if (name == key) target = field;
        if (!target) throw std::runtime_error("bot texts file " + file.string() + ": unknown key '" +
                                             std::string(key) + "'");
        // The notes added to support_connecting may be empty: an operator may
        // rather not say them; so may the buttons, which the texts name anyway.
        bool button = target == &t.button_support || target == &t.button_register || target == &t.button_rate;
        bool may_be_empty = target == &t.support_offline || target == &t.support_closed || button;
        if (!value.is_string() || (value.as_string().empty() && !may_be_empty))
            throw std::runtime_error("bot texts file " + file.string() + ": '" + std::string(key) +
                                     "' must be a non-empty string");
        *target = std::string(value.as_string());
        if (button && utf8_length(*target).value_or(max_button_chars + 1) > max_button_chars)
            throw std::runtime_error("bot texts file " + file.string() + ": '" + std::string(key) + "' must be at most " +
                                     std::to_string(max_button_chars) + " characters (WhatsApp's limit for a button)");
    }
    return t;
}

}  // namespace switchboard::chat
