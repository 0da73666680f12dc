#include "macro_book.hpp"

#include "audit.hpp"
#include "command_fields.hpp"
#include "list_params.hpp"

#include "switchboard/chat/conversation.hpp"
#include "switchboard/core/ascii_case.hpp"
#include "switchboard/core/ids.hpp"
#include "switchboard/core/log.hpp"
#include "switchboard/core/time.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <iterator>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// A trigger's `event`, by macro_trigger::event.
constexpr std::string_view event_names[] = {"user_message", "chat_queued", "sla_missed"};
constexpr std::string_view target_names[] = {"first_reply", "next_reply", "resolution"};
constexpr std::size_t max_words = 20, max_word_chars = 64;

// Names are unique whatever their case: two macros an agent cannot tell apart would be one too many.
bool same_name(const std::string& a, const std::string& b) { return ascii_lowered(a) == ascii_lowered(b); }

void sort_by_name(std::vector<macro>& list) {
    std::sort(list.begin(), list.end(), [](const macro& a, const macro& b) { return a.name < b.name; });
}

}  // namespace

bool macro_trigger::holds_for(const chat::conversation& c, chat::channel via) const {
    return enabled && (!channel || *channel == via) && (!team || *team == c.team) &&
           (!priority || *priority == c.priority) &&
           (label.empty() || std::find(c.labels.begin(), c.labels.end(), label) != c.labels.end()) &&
           (attribute_key.empty() || has_detail(c, attribute_key, attribute_value)) &&
           (!assigned || *assigned == !c.assignee.empty());
}

bool macro_trigger::matches(const chat::user_message_seen& m) const {
    if (on == event::sla_missed || !holds_for(*m.after, m.via)) return false;
    if (on == event::chat_queued) return m.opened_chat;
    if (contains.empty()) return true;
    auto text = ascii_lowered(std::string(m.text));
    return std::any_of(contains.begin(), contains.end(), [&](auto& word) { return text.find(word) != std::string::npos; });
}

bool macro_trigger::matches_missed_target(const chat::conversation& c, std::string_view missed) const {
    return on == event::sla_missed && holds_for(c, c.via) && (target.empty() || target == missed);
}

macro_trigger trigger_fields(const json::object& o, macro_trigger t, bool creating) {
    if (auto* v = o.if_contains("event"); v || creating) {
        auto named = v && v->is_string() ? std::find(std::begin(event_names), std::end(event_names), v->as_string())
                                         : std::end(event_names);
        if (named == std::end(event_names))
            throw field_error{"event", "event must be user_message, chat_queued or sla_missed"};
        t.on = static_cast<macro_trigger::event>(named - std::begin(event_names));
    }
    if (auto* v = o.if_contains("contains")) {
        constexpr std::string_view rule = "contains must be a list of at most 20 words or phrases, each 1 to 64 characters";
        if (!v->is_array() || v->as_array().size() > max_words) throw field_error{"contains", std::string(rule)};
        t.contains.clear();
        for (auto& w : v->as_array()) {
            json::object one{{"w", w}};
            std::string word;
            try {
                word = trimmed_field(one, "w", true, max_word_chars);
            } catch (const field_error&) {
                throw field_error{"contains", std::string(rule)};
            }
            t.contains.push_back(ascii_lowered(word));
        }
    }
    if (t.on != macro_trigger::event::user_message && !t.contains.empty())
        throw field_error{"contains", "only a user's message has words to match: contains is for user_message"};
    if (auto* v = o.if_contains("target")) {
        auto named = v->is_string() ? std::find(std::begin(target_names), std::end(target_names), v->as_string())
                                    : std::end(target_names);
        if (!v->is_null() && named == std::end(target_names))
            throw field_error{"target", "target must be first_reply, next_reply, resolution or null (any)"};
        t.target = v->is_null() ? std::string() : std::string(*named);
    }
    if (t.on != macro_trigger::event::sla_missed && !t.target.empty())
        throw field_error{"target", "only a missed target has a target to match: target is for sla_missed"};
    if (auto* v = o.if_contains("channel")) {
        auto channel = v->is_string() ? chat::channel_from_string(v->as_string()) : std::nullopt;
        if (!v->is_null() && !channel) throw field_error{"channel", "channel must be whatsapp, plain or null (either)"};
        t.channel = channel;
    }
    if (auto* v = o.if_contains("team")) {
        // "none": conversations under no team; whether the team is there is
        // the routes' to ask (a stored one may have gone since).
        auto name = v->is_string() ? chat::label_from(v->as_string()) : std::nullopt;
        if (!v->is_null() && !name)
            throw field_error{"team", "team must be a team's name, none (under no team) or null (any)"};
        if (!name) t.team.reset();
        else t.team = *name == "none" ? std::string() : std::move(*name);
    }
    if (auto* v = o.if_contains("priority")) {
        auto p = v->is_string() ? chat::conv_priority_from_string(v->as_string()) : std::nullopt;
        if (!v->is_null() && !p)
            throw field_error{"priority", "priority must be none, low, medium, high, urgent or null (any)"};
        t.priority = p;
    }
    if (auto* v = o.if_contains("label")) {
        auto name = v->is_string() ? chat::label_from(v->as_string()) : std::nullopt;
        if (!v->is_null() && !name)
            throw field_error{"label", "label must be a label (1 to 32 characters of a-z, 0-9, - and _) or null (any)"};
        t.label = name.value_or(std::string());
    }
    if (auto* v = o.if_contains("attribute")) {
        constexpr std::string_view rule =
            "attribute must be {\"key\",\"value\"}: a detail's name and the value the user's is, in any case (1 to 256 "
            "characters on one line), or null (any)";
        t.attribute_key.clear();
        t.attribute_value.clear();
        if (!v->is_null()) {
            auto* key = v->is_object() ? v->as_object().if_contains("key") : nullptr;
            auto* value = v->is_object() ? v->as_object().if_contains("value") : nullptr;
            auto name = key && key->is_string() ? chat::attribute_key_from(key->as_string()) : std::nullopt;
            auto text = value && value->is_string() ? std::string(chat::trim(value->as_string())) : std::string();
            if (!name || !is_attribute_value(text)) throw field_error{"attribute", std::string(rule)};
            t.attribute_key = std::move(*name);
            t.attribute_value = std::move(text);
        }
    }
    if (auto* v = o.if_contains("assigned")) {
        if (!v->is_null() && !v->is_bool())
            throw field_error{"assigned", "assigned must be true (an agent has the chat), false (nobody) or null (either)"};
        t.assigned = v->is_bool() ? std::optional<bool>(v->as_bool()) : std::nullopt;
    }
    if (auto* v = o.if_contains("enabled")) {
        if (!v->is_bool()) throw field_error{"enabled", "enabled must be true or false"};
        t.enabled = v->as_bool();
    }
    return t;
}

json::object macro_json(const macro& m) {
    json::array steps;
    for (auto& s : m.steps) steps.push_back(command_json(s));
    json::object o{{"id", m.id}, {"name", m.name}};
    if (auto& t = m.trigger) {
        o["event"] = event_names[static_cast<std::size_t>(t->on)];
        json::array words;
        for (auto& w : t->contains) words.emplace_back(w);
        o["contains"] = std::move(words);
        o["channel"] = t->channel ? json::value(chat::to_string(*t->channel)) : json::value(nullptr);
        o["target"] = t->target.empty() ? json::value(nullptr) : json::value(t->target);
        o["team"] = !t->team ? json::value(nullptr) : t->team->empty() ? json::value("none") : json::value(*t->team);
        o["priority"] = t->priority ? json::value(chat::to_string(*t->priority)) : json::value(nullptr);
        o["label"] = t->label.empty() ? json::value(nullptr) : json::value(t->label);
        o["attribute"] = t->attribute_key.empty()
                             ? json::value(nullptr)
                             : json::value(json::object{{"key", t->attribute_key}, {"value", t->attribute_value}});
        o["assigned"] = t->assigned ? json::value(*t->assigned) : json::value(nullptr);
        o["enabled"] = t->enabled;
    }
    o["actions"] = std::move(steps);
    o["updated_by"] = m.updated_by;
    o["updated_at"] = to_iso8601(m.updated_at);
    return o;
}

std::string macro_name_field(const json::object& o) { return trimmed_field(o, "name", true, 64); }

std::vector<conversation_command> macro_steps_field(api_context& ctx, const json::object& o) {
    auto* v = o.if_contains("actions");
    if (!v || !v->is_array() || v->as_array().empty() || v->as_array().size() > max_macro_steps)
        throw field_error{"actions", "actions must be an array of 1 to " + std::to_string(max_macro_steps) + " actions"};
    std::vector<conversation_command> steps;
    for (auto& a : v->as_array()) {
        auto at = "action " + std::to_string(steps.size() + 1) + ": ";
        if (!a.is_object()) throw field_error{"actions", at + "must be an object, as {\"action\":\"label\",\"label\":\"billing\"}"};
        try {
            steps.push_back(read_command(ctx, a.as_object(), command_use::macro));
        } catch (const field_error& e) {
            throw field_error{"actions", at + e.message};
        }
    }
    return steps;
}

macro_book::macro_book(api_context& ctx, book_kind kind, std::function<void(const std::vector<macro>&)> changed)
    : ctx_(ctx), kind_(kind), changed_(std::move(changed)), saver_(ctx.store, std::string(kind.setting_key)) {
    load();
}

chat::command_error macro_book::not_found(std::string_view id) const {
    return {chat::command_error::kind::not_found, "no " + std::string(kind_.noun) + " " + std::string(id)};
}

macro macro_book::stored_macro(const json::object& o) const {
    macro k{std::string(o.at("id").as_string()), std::string(o.at("name").as_string()), {},
            std::string(o.at("updated_by").as_string()), parse_iso8601(o.at("updated_at").as_string()).value_or(timestamp{})};
    for (auto& s : o.at("actions").as_array()) {
        const auto& step = s.as_object();
        try {
            k.steps.push_back(read_command(ctx_, step, command_use::macro));
        } catch (const field_error&) {
            // The agent it assigns to has left since, or the team it files
            // under has gone: kept, and refused when run.
            conversation_command kept;
            kept.action = std::string(step.at("action").as_string());
            if (kept.action == "assign") kept.agent = std::string(step.at("to").as_string());
            else if (kept.action == "follow" || kept.action == "unfollow")
                kept.agent = std::string(step.at("username").as_string());
            else if (kept.action == "team") kept.text = std::string(step.at("team").as_string());
            else throw;
            k.steps.push_back(std::move(kept));
        }
    }
    // As macro_json wrote it: read as the routes read it.
    if (o.contains("event")) k.trigger = trigger_fields(o, {}, true);
    return k;
}

void macro_book::load() {
    std::vector<macro> loaded;
    if (auto stored = ctx_.store.find_setting(kind_.setting_key)) {
        boost::system::error_code ec;
        auto v = json::parse(*stored, ec);
        if (!ec && v.is_array()) {
            for (auto& m : v.as_array()) {
                try {
                    loaded.push_back(stored_macro(m.as_object()));
                } catch (const field_error& e) {
                    log::warn("a stored macro unreadable; left out", {{"book", std::string(kind_.setting_key)}, {"error", e.message}});
                } catch (const std::exception& e) {
                    log::warn("a stored macro unreadable; left out", {{"book", std::string(kind_.setting_key)}, {"error", e.what()}});
                }
            }
        } else {
            log::warn("stored macros unreadable; starting with none",
                      {{"book", std::string(kind_.setting_key)}, {"error", ec ? ec.message() : "not a list"}});
        }
    }
    sort_by_name(loaded);
    std::lock_guard lock(mutex_);
    macros_ = std::move(loaded);
    if (changed_) changed_(macros_);
}

json::array macro_book::all_json() const {
    json::array out;
    for (auto& m : macros_) out.push_back(macro_json(m));
    return out;
}

json::array macro_book::list() const {
    std::lock_guard lock(mutex_);
    return all_json();
}

std::optional<macro> macro_book::find(std::string_view id) const {
    std::lock_guard lock(mutex_);
    for (auto& m : macros_)
        if (m.id == id) return m;
    return std::nullopt;
}

macro macro_book::get(std::string_view id) const {
    auto m = find(id);
    if (!m) throw not_found(id);
    return std::move(*m);
}

std::vector<macro>::iterator macro_book::at(std::string_view id) {
    auto it = std::find_if(macros_.begin(), macros_.end(), [&](auto& k) { return k.id == id; });
    if (it == macros_.end()) throw not_found(id);
    return it;
}

void macro_book::refuse_taken(const std::string& name, std::string_view except_id) const {
    if (std::any_of(macros_.begin(), macros_.end(), [&](auto& k) { return k.id != except_id && same_name(k.name, name); }))
        throw chat::command_error(chat::command_error::kind::conflict,
                                  std::string(kind_.a_noun) + " named " + name + " exists already");
}

awaitable<macro> macro_book::create(std::string name, std::vector<conversation_command> steps, std::string by,
                                    std::optional<macro_trigger> trigger) {
    macro m{unique_id(kind_.id_prefix), std::move(name), std::move(steps), std::move(by),
            std::chrono::system_clock::now(), std::move(trigger)};
    {
        std::lock_guard lock(mutex_);
        refuse_taken(m.name, m.id);
        if (macros_.size() >= kind_.most)
            throw chat::command_error(chat::command_error::kind::conflict, "there are " + std::to_string(kind_.most) +
                                                                               " " + std::string(kind_.noun) + "s already");
        macros_.push_back(m);
        sort_by_name(macros_);
        saver_.changed();
        if (changed_) changed_(macros_);
    }
    co_await save();
    auto audited = audit(ctx_, m.updated_by, std::string(kind_.noun) + ".created", m.id, {{"name", m.name}});
    co_await std::move(audited);
    co_return m;
}

awaitable<macro> macro_book::update(std::string id, std::optional<std::string> name,
                                    std::optional<std::vector<conversation_command>> steps, std::string by,
                                    std::optional<macro_trigger> trigger) {
    macro m;
    {
        std::lock_guard lock(mutex_);
        auto it = at(id);
        if (name) refuse_taken(*name, id);
        if (name) it->name = std::move(*name);
        if (steps) it->steps = std::move(*steps);
        if (trigger) it->trigger = std::move(*trigger);
        it->updated_by = std::move(by);
        it->updated_at = std::chrono::system_clock::now();
        m = *it;
        sort_by_name(macros_);
        saver_.changed();
        if (changed_) changed_(macros_);
    }
    co_await save();
    auto audited = audit(ctx_, m.updated_by, std::string(kind_.noun) + ".updated", m.id, {{"name", m.name}});
    co_await std::move(audited);
    co_return m;
}

awaitable<void> macro_book::remove(std::string id, std::string by) {
    std::string name;
    {
        std::lock_guard lock(mutex_);
        auto it = at(id);
        name = it->name;
        macros_.erase(it);
        saver_.changed();
        if (changed_) changed_(macros_);
    }
    co_await save();
    auto audited = audit(ctx_, std::move(by), std::string(kind_.noun) + ".deleted", id, {{"name", name}});
    co_await std::move(audited);
}

// The whole list as it is now. A save the store refused leaves the list as
// the store has it (read back), so a refused change is no change.
awaitable<void> macro_book::save() {
    return saver_.save(mutex_, [this] { return json::serialize(all_json()); }, [this] { load(); });
}

void add_book_route(http::router& routes, api_context& ctx, const std::shared_ptr<macro_book>& book, http::verb v,
                    std::string_view pattern, book_route fn, bool admin_only) {
    routes.add(v, pattern, authed(ctx, [&ctx, book, fn](http::request& req, const auth::agent& who) {
                   return fn(ctx, *book, req, who);
               }, admin_only));
}

awaitable<http::response> delete_from_book(api_context&, macro_book& book, http::request& req, const auth::agent& who) {
    auto id = std::string(req.param("id"));
    co_await book.remove(id, who.username);
    co_return json_response(200, {{"deleted", id}});
}

awaitable<chat::conversation> run_macro(api_context& ctx, std::string phone, const macro& m, const auth::agent& who) {
    std::optional<chat::conversation> last;
    for (std::size_t i = 0; i < m.steps.size(); ++i) {
        const auto& step = m.steps[i];
        std::optional<chat::command_error> refused;
        try {
            auto running = run_command(ctx, phone, step, who);  // by name: see write_message
            last = co_await std::move(running);
        } catch (const chat::command_error& e) {
            refused = e;
        }
        // The steps before stay done: each was a command of its own, with its notes and events.
        if (refused)
            throw chat::command_error(refused->what_kind(), m.name + ", action " + std::to_string(i + 1) + " of " +
                                                                std::to_string(m.steps.size()) + " (" + step.action +
                                                                "): " + refused->what());
    }
    co_return std::move(*last);
}

}  // namespace switchboard::api
