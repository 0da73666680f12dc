#include "switchboard/auth/teams.hpp"

#include "../store/named_setting_list_impl.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

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
    auto at = store::detail::place_of(by_name, name);
    return at != by_name.end() && at->name == name ? &*at : nullptr;
}

team_roster::team_roster(store::store& db) : teams_(db, "teams", max_teams, {team_json, stored_team}, "team") {}

boost::asio::awaitable<std::optional<team_roster::put_result>> team_roster::put(team t) {
    keep_sorted(t.members);
    return teams_.put(std::move(t));
}

}  // namespace switchboard::auth

template class switchboard::store::named_setting_list<switchboard::auth::team>;
