#include "switchboard/auth/teams.hpp"

#include "switchboard/core/log.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace switchboard::auth {

namespace json = boost::json;

bool team::has_member(std::string_view username) const {
    return std::binary_search(members.begin(), members.end(), username);
}

json::object team_json(const team& t) {
    json::array members;
    for (auto& m : t.members) members.emplace_back(m);
    auto minutes = [](const std::optional<std::int64_t>& m) {
        if (!m) return json::value(nullptr);
        return *m == chat::reply_targets::none ? json::value(false) : json::value(*m);
    };
    json::value sla = nullptr;
    if (t.own_targets.any())
        sla = json::object{{"first_reply_minutes", minutes(t.own_targets.first_reply_minutes)},
                           {"next_reply_minutes", minutes(t.own_targets.next_reply_minutes)},
                           {"resolution_minutes", minutes(t.own_targets.resolution_minutes)}};
    return {{"name", t.name},
            {"description", t.description},
            {"members", std::move(members)},
            {"sla", std::move(sla)},
            {"updated_by", t.updated_by},
            {"updated_at", to_iso8601(t.updated_at)}};
}

namespace {

constexpr std::string_view setting_key = "teams";

// Where a team named `name` is, or would go, in a roster sorted by name.
template <class Teams>
auto place_of(Teams& by_name, std::string_view name) {
    return std::lower_bound(by_name.begin(), by_name.end(), name,
                            [](const team& t, std::string_view n) { return t.name < n; });
}

// Sorted, each once: how a team keeps them.
void keep_sorted(std::vector<std::string>& members) {
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
}

// As team_json wrote it; throws on anything else.
team stored_team(const json::object& o) {
    team t;
    t.name = std::string(o.at("name").as_string());
    t.description = std::string(o.at("description").as_string());
    for (auto& m : o.at("members").as_array()) t.members.emplace_back(m.as_string());
    keep_sorted(t.members);
    t.updated_by = std::string(o.at("updated_by").as_string());
    t.updated_at = parse_iso8601(o.at("updated_at").as_string()).value_or(timestamp{});
    if (auto* sla = o.if_contains("sla"); sla && sla->is_object()) {  // a team kept before targets has none
        auto minutes = [&](std::string_view key) -> std::optional<std::int64_t> {
            auto* v = sla->as_object().if_contains(key);
            if (v && v->is_bool() && !v->get_bool()) return chat::reply_targets::none;
            return v && v->is_int64() ? std::optional<std::int64_t>(v->as_int64()) : std::nullopt;
        };
        t.own_targets.first_reply_minutes = minutes("first_reply_minutes");
        t.own_targets.next_reply_minutes = minutes("next_reply_minutes");
        t.own_targets.resolution_minutes = minutes("resolution_minutes");
    }
    return t;
}

}  // namespace

const team* find_team(const std::vector<team>& by_name, std::string_view name) {
    auto at = place_of(by_name, name);
    return at != by_name.end() && at->name == name ? &*at : nullptr;
}

team_roster::team_roster(store::store& db) : db_(db), saver_(db, std::string(setting_key)) { load(); }

void team_roster::load() {
    std::vector<team> loaded;
    if (auto stored = db_.find_setting(setting_key)) {
        boost::system::error_code ec;
        auto v = json::parse(*stored, ec);
        if (!ec && v.is_array()) {
            for (auto& t : v.as_array()) {
                try {
                    loaded.push_back(stored_team(t.as_object()));
                } catch (const std::exception& e) {
                    log::warn("a stored team unreadable; left out", {{"error", e.what()}});
                }
            }
        } else {
            log::warn("the stored teams unreadable; none kept", {{"error", ec ? ec.message() : "not a list"}});
        }
    }
    std::sort(loaded.begin(), loaded.end(), [](auto& a, auto& b) { return a.name < b.name; });
    std::lock_guard lock(mutex_);
    teams_ = std::move(loaded);
}

std::vector<team> team_roster::list() const {
    std::lock_guard lock(mutex_);
    return teams_;
}

bool team_roster::exists(std::string_view name) const {
    std::lock_guard lock(mutex_);
    return find_team(teams_, name) != nullptr;
}

boost::asio::awaitable<std::optional<team_roster::put_result>> team_roster::put(team t) {
    keep_sorted(t.members);
    bool created = false;
    {
        std::lock_guard lock(mutex_);
        auto at = place_of(teams_, t.name);
        created = at == teams_.end() || at->name != t.name;
        if (!created) {
            *at = t;
        } else {
            if (teams_.size() >= max_teams) co_return std::nullopt;
            teams_.insert(at, t);
        }
        saver_.changed();
    }
    co_await save();
    co_return put_result{std::move(t), created};
}

boost::asio::awaitable<bool> team_roster::remove(std::string name) {
    {
        std::lock_guard lock(mutex_);
        auto at = place_of(teams_, name);
        if (at == teams_.end() || at->name != name) co_return false;
        teams_.erase(at);
        saver_.changed();
    }
    co_await save();
    co_return true;
}

// The whole roster as it is now; a save the store refused leaves the
// roster as the store has it.
boost::asio::awaitable<void> team_roster::save() {
    return saver_.save(
        mutex_,
        [this] {
            json::array all;
            for (auto& t : teams_) all.push_back(team_json(t));
            return json::serialize(all);
        },
        [this] { load(); });
}

}  // namespace switchboard::auth
