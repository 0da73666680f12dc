// Macros, as Chatwoot's: a named list of commands an agent gives a
// conversation in one click (label it, mark it urgent, note why, hand it to
// billing). Everyone reads and runs them; admins write them. Held in memory
// and kept in the store as one setting, the whole list, written through.
// Automations (Chatwoot's automation rules) are kept alike, in a book of
// their own: macros with a trigger, which run themselves (automations.hpp).
// Internal to src/api.
#pragma once

#include "conversation_command.hpp"

#include "switchboard/store/setting_writer.hpp"

#include <boost/json/array.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::api {

// When an automation runs: on a user's message (any of `contains` in its
// text, in any case; empty: every message), when a chat joins the queue, or
// when a chat's user has waited past the team's reply-time target; from
// either channel, or from `channel` alone; for a conversation under any
// team, under `team` alone, or under none; of any priority or of one; with
// any labels or with `label`; assigned, unassigned, or either; and only
// while enabled.
struct macro_trigger {
    enum class event { user_message, chat_queued, sla_missed } on = event::user_message;
    std::vector<std::string> contains;  // lower case
    std::optional<chat::channel> channel;
    // sla_missed: the one target it acts on (first_reply, next_reply or
    // resolution, as chat.sla_missed names it); empty: any.
    std::string target;
    // The conversation's team, as it is after the step: unset, any; empty,
    // none. One naming a team deleted since matches nothing.
    std::optional<std::string> team;
    // The conversation's priority after the step, as Chatwoot's priority
    // condition; unset: any.
    std::optional<chat::conv_priority> priority;
    // A label the conversation has after the step; empty: any.
    std::string label;
    // A detail the user has after the step (a custom attribute's, as
    // Chatwoot's conditions): its key, and its value as typed, which the
    // user's matches in any case; an empty key: any.
    std::string attribute_key, attribute_value;
    // Whether an agent has its chat after the step (one in the queue, or
    // none open, is nobody's); unset: either.
    std::optional<bool> assigned;
    bool enabled = true;
    bool matches(const chat::user_message_seen& m) const;
    bool matches_missed_target(const chat::conversation& c, std::string_view missed) const;

private:
    // What the conversation must be, whatever the event: its channel, team,
    // priority, label, detail and assignee.
    bool holds_for(const chat::conversation& c, chat::channel via) const;
};

struct macro {
    std::string id, name;
    std::vector<conversation_command> steps;
    std::string updated_by;
    timestamp updated_at{};
    std::optional<macro_trigger> trigger;  // an automation's
};

// What a book holds: macros, or automations.
struct book_kind {
    std::string_view setting_key;  // where the store keeps the list
    std::string_view id_prefix;
    std::string_view noun;    // "macro": in refusals
    std::string_view a_noun;  // "a macro"
    std::size_t most;
};
inline constexpr book_kind macros_kind{"macros", "mac_", "macro", "a macro", 100};
inline constexpr book_kind automations_kind{"automations", "aut_", "automation", "an automation", 50};
inline constexpr std::size_t max_macro_steps = 10;

boost::json::object macro_json(const macro& m);
// An automation's trigger fields in `o` (event, contains, channel, enabled)
// over `base`: a rule's as it is, or a new one's (`creating`: event
// required). field_error naming the field. The routes read a body with it,
// the book a stored rule.
macro_trigger trigger_fields(const boost::json::object& o, macro_trigger base, bool creating);

class macro_book {
public:
    // Reads the stored list; a step that no longer reads (an agent gone) is kept as stored.
    // `changed` hears the whole list after every change, under the book's lock.
    macro_book(api_context& ctx, book_kind kind = macros_kind,
               std::function<void(const std::vector<macro>&)> changed = nullptr);

    boost::json::array list() const;
    std::optional<macro> find(std::string_view id) const;
    // find, or command_error (not_found).
    macro get(std::string_view id) const;
    // command_error (conflict) for a name taken, or too many.
    boost::asio::awaitable<macro> create(std::string name, std::vector<conversation_command> steps, std::string by,
                                         std::optional<macro_trigger> trigger = std::nullopt);
    // command_error (not_found, conflict); nullopt: that part stays.
    boost::asio::awaitable<macro> update(std::string id, std::optional<std::string> name,
                                         std::optional<std::vector<conversation_command>> steps, std::string by,
                                         std::optional<macro_trigger> trigger = std::nullopt);
    boost::asio::awaitable<void> remove(std::string id, std::string by);

private:
    boost::asio::awaitable<void> save();
    void load();
    macro stored_macro(const boost::json::object& o) const;
    // Under the lock: the macro `id`, or command_error (not_found); a name
    // another macro has (any case), refused with command_error (conflict);
    // the whole list as JSON.
    std::vector<macro>::iterator at(std::string_view id);
    void refuse_taken(const std::string& name, std::string_view except_id) const;
    boost::json::array all_json() const;
    chat::command_error not_found(std::string_view id) const;

    api_context& ctx_;
    book_kind kind_;
    std::function<void(const std::vector<macro>&)> changed_;
    mutable std::mutex mutex_;  // never held across an await
    std::vector<macro> macros_;  // by name
    store::setting_writer saver_;
};

// Runs the macro's steps in order, each as its own command by `who`; the
// first refused stops it (command_error naming the macro and the step),
// those before staying done.
boost::asio::awaitable<chat::conversation> run_macro(api_context& ctx, std::string phone, const macro& m,
                                                     const auth::agent& who);

// A route over a book (the macros', or the automations'), and how the book's
// routes are added: each holds the book, which lives as long as they do.
using book_route = boost::asio::awaitable<http::response> (*)(api_context&, macro_book&, http::request&,
                                                              const auth::agent&);
void add_book_route(http::router& routes, api_context& ctx, const std::shared_ptr<macro_book>& book, http::verb v,
                    std::string_view pattern, book_route fn, bool admin_only);
// DELETE …/{id}: → {"deleted": id}.
boost::asio::awaitable<http::response> delete_from_book(api_context&, macro_book& book, http::request& req,
                                                        const auth::agent& who);

// "name": 1 to 64 characters, trimmed; "actions": 1 to max_macro_steps
// commands as a macro's steps. field_error naming the field.
std::string macro_name_field(const boost::json::object& o);
std::vector<conversation_command> macro_steps_field(api_context& ctx, const boost::json::object& o);

}  // namespace switchboard::api
