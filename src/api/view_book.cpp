#include "view_book.hpp"

#include "list_params.hpp"
#include "request_helpers.hpp"

#include "switchboard/chat/conversation.hpp"
#include "switchboard/core/ascii_case.hpp"
#include "switchboard/core/ids.hpp"
#include "switchboard/core/log.hpp"
#include "switchboard/store/store.hpp"
#include "switchboard/ws/hub.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// Usernames are a-z, 0-9, '_', '-' and '.': neither key is one of the other's.
std::string setting_key_of(std::string_view owner) {
    return owner.empty() ? "views_shared" : "views:" + std::string(owner);
}

void sort_by_name(std::vector<saved_view>& views) {
    std::sort(views.begin(), views.end(), [](const saved_view& a, const saved_view& b) {
        auto la = ascii_lowered(a.name), lb = ascii_lowered(b.name);
        return la != lb ? la < lb : a.name < b.name;
    });
}

json::array views_json(const std::vector<saved_view>& views) {
    json::array out;
    for (auto& v : views) out.push_back(view_json(v));
    return out;
}

chat::command_error not_found(std::string_view id) {
    return {chat::command_error::kind::not_found, "you have no view " + std::string(id) + ", nor the team"};
}

}  // namespace

json::object view_json(const saved_view& v) {
    return {{"id", v.id},
            {"name", v.name},
            {"shared", v.shared},
            {"query", v.query},
            {"created_at", to_iso8601(v.created_at)},
            {"updated_at", to_iso8601(v.updated_at)}};
}

json::object view_query_field(api_context& ctx, const json::object& body) {
    auto* v = body.if_contains("query");
    if (!v || !v->is_object())
        throw field_error{"query", R"(query must be an object of the list's parameters, as {"filter":"active","priority":"urgent"})"};
    json::object query;
    for (auto& [key, value] : v->as_object()) {
        auto name = std::string(key);
        if (std::find(list_param_names.begin(), list_param_names.end(), key) == list_param_names.end())
            throw field_error{"query", "query." + name +
                                           " is not one of the list's parameters: filter, order, q, label, priority, "
                                           "team, assignee, channel or attribute"};
        if (!value.is_string())
            throw field_error{"query." + name, "query." + name + " must be a string, as in the list's query"};
        query[key] = value;
    }
    if (auto* q = query.if_contains("q"); q && chat::utf8_length(q->as_string()).value_or(0) > max_view_search_chars)
        throw field_error{"query.q", "query.q must be at most " + std::to_string(max_view_search_chars) + " characters"};
    list_params read;
    try {
        read = read_list_params(ctx, params_in(query));
    } catch (const field_error& e) {
        throw field_error{"query." + e.field, "query." + e.message};
    }
    // Kept as the list reads them, so that a console shows the view's label
    // and team as its filters name them.
    if (read.label) query["label"] = *read.label;
    if (read.team) query["team"] = read.team->empty() ? "none" : *read.team;
    if (read.attribute) query["attribute"] = read.attribute->first + ":" + read.attribute->second;
    return query;
}

std::vector<saved_view> view_book::stored_views(const std::string& owner) const {
    std::vector<saved_view> views;
    auto stored = ctx_.store.find_setting(setting_key_of(owner));
    if (!stored) return views;
    try {
        auto parsed = json::parse(*stored);  // named: a range-for over its member would outlive it
        for (auto& item : parsed.as_array()) {
            auto& o = item.as_object();
            views.push_back({std::string(o.at("id").as_string()), std::string(o.at("name").as_string()),
                             o.at("query").as_object(),
                             parse_iso8601(o.at("created_at").as_string()).value_or(timestamp{}),
                             parse_iso8601(o.at("updated_at").as_string()).value_or(timestamp{}), owner.empty()});
        }
    } catch (const std::exception& e) {
        log::warn("stored views unreadable; starting with none", {{"shelf", setting_key_of(owner)}, {"error", e.what()}});
        views.clear();
    }
    sort_by_name(views);
    return views;
}

view_book::shelf& view_book::shelf_of(const std::string& owner) {
    auto it = shelves_.find(owner);
    if (it == shelves_.end()) {
        auto s = std::make_unique<shelf>(ctx_.store, setting_key_of(owner));
        s->views = stored_views(owner);
        it = shelves_.emplace(owner, std::move(s)).first;
    }
    return *it->second;
}

json::array view_book::listed(const std::string& agent) {
    auto views = shelf_of(agent).views;
    auto& shared = shelf_of("").views;
    views.insert(views.end(), shared.begin(), shared.end());
    sort_by_name(views);
    return views_json(views);
}

json::array view_book::list(const std::string& agent) {
    std::lock_guard lock(mutex_);
    return listed(agent);
}

std::vector<saved_view>::iterator view_book::find(shelf& s, std::string_view id) {
    return std::find_if(s.views.begin(), s.views.end(), [&](auto& v) { return v.id == id; });
}

std::string view_book::owner_of(const caller& who, std::string_view id) {
    auto& own = shelf_of(who.username);
    if (find(own, id) != own.views.end()) return who.username;
    at(shelf_of(""), id);  // not_found when it is nowhere
    if (!who.admin)
        throw chat::command_error(chat::command_error::kind::forbidden, "only an admin changes the team's shared views");
    return {};
}

std::vector<saved_view>::iterator view_book::at(shelf& s, std::string_view id) {
    auto it = find(s, id);
    if (it == s.views.end()) throw not_found(id);
    return it;
}

saved_view view_book::get(const std::string& agent, std::string_view id) {
    std::lock_guard lock(mutex_);
    auto& own = shelf_of(agent);
    auto it = find(own, id);
    return it != own.views.end() ? *it : *at(shelf_of(""), id);
}

void view_book::refuse_taken(const shelf& s, const std::string& name, std::string_view except_id) const {
    auto lowered = ascii_lowered(name);
    if (std::any_of(s.views.begin(), s.views.end(),
                    [&](auto& v) { return v.id != except_id && ascii_lowered(v.name) == lowered; }))
        throw chat::command_error(chat::command_error::kind::conflict, "a view named " + name + " is there already");
}

awaitable<saved_view> view_book::create(caller who, std::string name, json::object query, bool shared) {
    if (shared && !who.admin)
        throw chat::command_error(chat::command_error::kind::forbidden, "only an admin shares a view with the team");
    auto now = std::chrono::system_clock::now();
    saved_view v{unique_id("view_"), std::move(name), std::move(query), now, now, shared};
    auto owner = shared ? std::string() : who.username;
    {
        std::lock_guard lock(mutex_);
        auto& s = shelf_of(owner);
        refuse_taken(s, v.name, v.id);
        if (s.views.size() >= max_views_per_agent)
            throw chat::command_error(chat::command_error::kind::conflict,
                                      "there are " + std::to_string(max_views_per_agent) + " views there already");
        s.views.push_back(v);
        sort_by_name(s.views);
        s.saver.changed();
    }
    co_await save(std::move(owner));
    co_return v;
}

awaitable<saved_view> view_book::update(caller who, std::string id, std::optional<std::string> name,
                                        std::optional<json::object> query) {
    saved_view v;
    std::string owner;
    {
        std::lock_guard lock(mutex_);
        owner = owner_of(who, id);
        auto& s = shelf_of(owner);
        auto it = at(s, id);
        if (name) refuse_taken(s, *name, id);
        if (name) it->name = std::move(*name);
        if (query) it->query = std::move(*query);
        it->updated_at = std::chrono::system_clock::now();
        v = *it;
        sort_by_name(s.views);
        s.saver.changed();
    }
    co_await save(std::move(owner));
    co_return v;
}

awaitable<void> view_book::remove(caller who, std::string id) {
    std::string owner;
    {
        std::lock_guard lock(mutex_);
        owner = owner_of(who, id);
        auto& s = shelf_of(owner);
        s.views.erase(at(s, id));
        s.saver.changed();
    }
    co_await save(std::move(owner));
}

// A save the store refused leaves the agent's views as the store has them
// (read back), so a refused change is no change. Shelves are never
// dropped, so `s` stays good across the write.
awaitable<void> view_book::save(std::string owner) {
    shelf* s = nullptr;
    {
        std::lock_guard lock(mutex_);
        s = &shelf_of(owner);
    }
    auto saving = s->saver.save(
        mutex_, [s] { return json::serialize(views_json(s->views)); },
        [this, s, owner] {
            auto stored = stored_views(owner);
            std::lock_guard lock(mutex_);
            s->views = std::move(stored);
        });
    co_await std::move(saving);
    // Under the lock, so each agent's sockets get the lists in the order
    // they were made: the last one they get is the list as it is. A shared
    // view goes to everyone online; one who connects later asks GET /views.
    std::lock_guard lock(mutex_);
    auto told = owner.empty() ? ctx_.hub.online() : std::vector<std::string>{owner};
    auto at = to_iso8601(std::chrono::system_clock::now());
    for (auto& agent : told) {
        json::object frame{{"type", "views.updated"}, {"data", {{"views", listed(agent)}}}, {"at", at}};
        ctx_.hub.send_to(agent, json::serialize(frame));
    }
}

}  // namespace switchboard::api
