// Teams, as Chatwoot's teams and Intercom's team inboxes: named groups of
// agents ("billing", "tech") that a conversation is filed under, so that
// automatic routing gives it to that team's members alone. Admins write
// them, everyone reads them. Held in memory and kept in the store as one
// setting, the whole roster, written through.
#pragma once

#include "switchboard/chat/conversation.hpp"
#include "switchboard/core/time.hpp"
#include "switchboard/store/named_setting_list.hpp"

#include <boost/asio/awaitable.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::json {
class object;
}
namespace switchboard::store {
class store;
}

namespace switchboard::auth {

struct team {
    std::string name;                  // chat::label_from's form: it names the team everywhere
    std::string description;           // one line, may be empty
    std::vector<std::string> members;  // usernames, sorted, each once
    // The team's own reply-time targets, in minutes, for the conversations
    // filed under it (chat::reply_policy); each unset, the standard's (GET
    // /sla), and reply_targets::none, no target of that kind. Its
    // only_during_business_hours is the standard's, never its own.
    chat::reply_targets own_targets;
    std::string updated_by;
    timestamp updated_at{};
    bool has_member(std::string_view username) const;
};

// {"name","description","members","sla","updated_by","updated_at"}: as the
// API shows a team and the store keeps it. "sla": null, or the team's own
// {"first_reply_minutes","next_reply_minutes","resolution_minutes"}, each
// null where the standard's applies and false where the team has none.
boost::json::object team_json(const team& t);

// The team named `name` in `by_name` (sorted by name, as team_roster::list
// gives them), or null.
const team* find_team(const std::vector<team>& by_name, std::string_view name);

inline constexpr std::size_t max_teams = 50;
inline constexpr std::size_t max_team_members = 200;
inline constexpr std::size_t max_team_description_chars = 200;

class team_roster {
public:
    // Reads the kept roster; a team that no longer reads is left out, logged.
    explicit team_roster(store::store& db);

    std::vector<team> list() const { return teams_.list(); }  // by name
    bool exists(std::string_view name) const { return teams_.exists(name); }

    // Creates the team, or replaces the one of that name. nullopt, changing
    // nothing, when it would be one past max_teams.
    using put_result = store::named_setting_list<team>::put_result;
    boost::asio::awaitable<std::optional<put_result>> put(team t);
    // false when there is no such team.
    boost::asio::awaitable<bool> remove(std::string name) { return teams_.remove(std::move(name)); }

private:
    store::named_setting_list<team> teams_;
};

}  // namespace switchboard::auth
