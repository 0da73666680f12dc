// The conversation engine: one actor per phone number, the bot, the support
// queue and the idle timeout. Channels hand it inbound messages; it answers
// once the step is durable.
#pragma once

#include "switchboard/chat/business_hours.hpp"
#include "switchboard/chat/bot.hpp"
#include "switchboard/chat/conversation.hpp"
#include "switchboard/notify/notification.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <string>
#include <variant>
#include <vector>

namespace boost::asio {
class io_context;
}
namespace switchboard::store {
class store;
}
namespace switchboard::events {
class event_sink;
}
namespace switchboard::channels {
class outbox;
}
namespace switchboard::metrics {
class registry;
}

namespace switchboard::chat {

// A user's message as a step kept it, for what acts on what users write
// (automation rules). Views, valid for the call only.
struct user_message_seen {
    std::string_view text;
    channel via = channel::plain;
    bool opened_chat = false;  // it asked for support, and the chat joined the queue
    // The conversation as the step left it: its phone, team, labels,
    // priority and assignee.
    const conversation* after = nullptr;
};

// What acts on what happens in conversations (automation rules). Each call
// comes on the conversation's actor, once its step is kept and announced:
// it must not block, nor wait for this conversation.
class conversation_listener {
public:
    virtual ~conversation_listener() = default;
    // Asked first: while it says no, a step describes nothing for it.
    virtual bool listening() const = 0;
    virtual void seen(const user_message_seen& m) = 0;
    // The chat missed one of the team's targets (chat.sla_missed): its user
    // waited past a reply target, once a wait, or it is open past the
    // resolution target, once a chat. `target`: which, as the event names
    // it; `c`: the conversation as it is then.
    virtual void missed_target(const conversation& c, std::string_view target) = 0;
};

// What tells agents of what concerns them (notify/notification_center.hpp).
// Asked on the conversation's actor while a step is made, for the
// notifications it keeps with the step; told on it once the step is kept
// and announced. None may block, nor wait for this conversation.
class agent_notifier {
public:
    virtual ~agent_notifier() = default;
    // For each agent `note` names (@username), but its writer and those
    // `named_before` named already (the words an edit replaced).
    virtual std::vector<notify::notification> mentioned_in(const conversation& c, const message& note,
                                                           std::string_view named_before) = 0;
    // For `to`, handed the chat by `by` (empty: automatic routing); none
    // when they took it themselves.
    virtual std::optional<notify::notification> assigned(const conversation& c, std::string_view to,
                                                         std::string_view by) = 0;
    // For the agent who has the chat, past `target` (as chat.sla_missed
    // names it); none for a chat nobody has.
    virtual std::optional<notify::notification> missed_target(const conversation& c, std::string_view target) = 0;
    // For each agent who follows `c` (conversation::participants) but the
    // one who has its chat, of the user's message `m`.
    virtual std::vector<notify::notification> user_wrote(const conversation& c, const message& m) = 0;
    // Those the note of `seq` made (mentioned_in) while its words were
    // `named`, each as it is kept once they are `text`: its writer's edit,
    // or none when it is deleted. Not new: nobody is told again.
    virtual std::vector<notify::notification> note_rewritten(const conversation& c, std::uint64_t seq,
                                                             std::string_view named, std::string_view text) = 0;
    virtual void kept(std::vector<notify::notification> made) = 0;
};

// How an agent comes to have a chat they start: they claim it (or open one
// with a user), or automatic routing gives it to them.
enum class claim { by_self, by_routing };

struct engine_options {
    std::chrono::seconds idle_timeout{1800};
    bot_texts texts;
    // Whether an agent is online and available now. A user asking for
    // support when nobody is, is told so (texts.support_offline); unset:
    // someone always is. Safe from any thread.
    std::function<bool()> someone_can_answer;
    // When the team answers; unset: always. Outside them a user asking for
    // support is told when it is back (texts.support_closed).
    std::shared_ptr<const business_hours> hours;
    // Told of every user's message kept (not duplicates, nor a blocked
    // user's), and of each target missed (chat.sla_missed); null: nobody is.
    conversation_listener* listener = nullptr;
    // Makes and sends agents' notifications; null: none are made.
    agent_notifier* notifier = nullptr;
    // Told when a campaign's message moves on (sent, delivered, read,
    // failed: the provider's word), with its campaign's id, from the
    // actor's strand once kept; unset: nobody is.
    std::function<void(const std::string& campaign, message_status was, message_status now)> campaign_delivery;
};

// The client_id a campaign's message carries: "campaign:<id>", by which its
// statuses are counted to it (engine_options::campaign_delivery).
inline constexpr std::string_view campaign_client_prefix = "campaign:";

struct inbound_message {
    channel via = channel::plain;
    std::string phone;  // normalised: digits only
    std::string text;
    std::string kind = "text";
    std::string channel_id;    // the provider's message id, for deduplication
    std::string profile_name;  // a display name the channel knows
    std::string wa_phone_number_id;
    std::optional<attachment> media;  // a media message's file at the provider
    std::string reply_to_channel_id;  // the provider's id of the message this one answers, if any
};

struct inbound_result {
    std::vector<std::string> replies;
    conv_state state = conv_state::idle;
    // Set when the message id was seen before: the first answer, as sent then.
    std::optional<std::string> duplicate_of;
    // The plain webhook's answer, when this step built it (for the dedupe record).
    std::string answer;
    const bot_choices* offered = nullptr;  // with the last reply; the engine's, for its life
};

// Who acts, for commands that agents give.
struct agent_ref {
    std::string username;
    std::string display_name;
    bool is_admin = false;
};

// The message an agent's reply quotes: its seq, our id of it, and the
// provider's (WhatsApp's `context`; a plain-webhook user's own `id`), empty
// while the provider has not named it.
struct quoted_message {
    std::uint64_t seq = 0;
    std::string id;
    std::string channel_id;
};

// A file an agent sends, already uploaded to the provider as `media`.
struct outgoing_file {
    std::string kind;  // image | audio | video | document, as the provider sends it
    attachment media;
    std::string caption;
    quoted_message quote = {};  // seq 0: it quotes nothing
};

// An approved WhatsApp template, filled in (channels/templates.hpp).
struct outgoing_template {
    std::string text;         // as the user reads it: the history's text
    std::string send_object;  // the send API's "template" object, as JSON
};

// The first message of a conversation an agent opens with a user who has
// not written (Chatwoot's new conversation, Intercom's outbound message).
struct first_contact {
    channel via = channel::plain;
    std::string wa_phone_number_id;  // WhatsApp: the business number it comes from
    std::string name;                // what the agents call the user; empty: nothing yet
    // What the agents file it under and know of the user, as set_labels
    // and set_attributes take them.
    std::vector<std::string> labels;
    std::vector<std::pair<std::string, std::string>> attributes;
    // The message: a plain-webhook user's text, or a WhatsApp user's
    // template (WhatsApp delivers nothing else to a user who has not
    // written in the last 24 hours).
    std::variant<std::string, outgoing_template> message;
    std::string client_id;
};

// A user the team knows of, from a list an admin imports (Chatwoot's
// contact import): one nobody has written to or heard from becomes a
// conversation with no message, which campaigns reach and agents open with
// open_conversation, and which the agents' lists leave out until its first
// message. One there is already takes the list's word as below.
struct imported_contact {
    channel via = channel::plain;    // a new one's; one there is keeps its own
    std::string wa_phone_number_id;  // likewise: the business number it is written from
    // Kept as an agent names a user, over a name their app sent; a name the
    // user registered or an agent gave stays.
    std::string name;
    std::vector<std::string> labels;  // label_from's form: put on beside theirs
    std::vector<std::pair<std::string, std::string>> attributes;  // set over theirs of the same name
};

// What an import did to a conversation.
enum class import_outcome { created, updated, unchanged };

// Why `c` filed and noted as `contact` says would be past max_labels
// ("labels") or max_attributes ("details"); nullopt when it stays within
// them. The import's route asks before it changes anything; the actor asks
// again.
struct import_problem {
    std::string field, what;
};
std::optional<import_problem> import_overflow(const conversation& c, const imported_contact& contact);

// Whom a campaign is for: the users on `via` filed under any of `labels`
// and under none of `except_labels` (those who asked for no more, say),
// who are not blocked. Labels in label_from's form, sorted.
struct campaign_audience {
    channel via = channel::plain;
    std::vector<std::string> labels;
    std::vector<std::string> except_labels;
};

// Whether `c` is among a campaign's users. The runner picks its users by
// it, and each user's actor asks it again when their turn comes.
bool in_campaign_audience(const conversation& c, const campaign_audience& audience);

// A campaign's message (Chatwoot's one-off campaigns), for each user of its
// audience who is not talking to the bot or an agent when their turn comes.
// A WhatsApp user is sent a template, whenever they last wrote.
struct campaign_message {
    std::string campaign_id;
    campaign_audience audience;
    std::variant<std::string, outgoing_template> message;
};

// A conversation an agent opened, and its first message.
struct opened_conversation {
    conversation record;
    message first;
};

// Why an agent's command was refused; the REST layer maps it to a status.
class command_error : public std::runtime_error {
public:
    // exists: a conversation with the user is there already (open it instead).
    enum class kind { not_found, conflict, forbidden, invalid, exists };
    command_error(kind k, std::string what) : std::runtime_error(std::move(what)), kind_(k) {}
    kind what_kind() const { return kind_; }

private:
    kind kind_;
};

// A conversation as lists show it, read without a trip to its actor.
struct conversation_view {
    std::shared_ptr<const conversation> record;
    std::optional<std::size_t> queue_position;
};

// Where a page of a list starts: after the conversation with this priority
// (in order=priority only), activity (in milliseconds; by `waiting`, when
// its wait began) and phone, in the list's order.
struct list_position {
    std::int64_t activity_ms = 0;
    std::string phone;
    conv_priority priority = conv_priority::none;
};

// What a list shows (SPEC §4's filters and cursor): newest activity first,
// to the millisecond, then by phone; or, by `priority`, the most urgent
// first and each priority so.
struct list_query {
    // active, assigned_to and waiting leave out the snoozed chats, which
    // `snoozed` lists. waiting: the chats whose user waits for an answer.
    // followed_by: those `agent` follows (conversation::participants).
    enum class only { all, active, queued, assigned_to, blocked, snoozed, waiting, followed_by };
    // waiting: the longest wait first, then by phone; only the chats that wait.
    enum class order { activity, priority, waiting };
    only filter = only::all;
    order by = order::activity;
    std::string assignee;  // for assigned_to, and the follower for followed_by
    // A further test of each conversation (a search), or none. It runs on
    // the caller's thread, with whatever it captures.
    std::function<bool(const conversation&)> matches;
    std::optional<list_position> after;
    std::size_t limit = 50;
    // Lists the imported contacts no message has been written to or from
    // yet too (a campaign's audience), which the agents' lists leave out.
    bool with_contacts = false;
};

// Every conversation `matches` passes, imported contacts too, in one page:
// what a campaign's run and audience, the contacts' export and a team's
// deletion walk. (One short of the largest limit: the walk reads one more
// than its limit.)
inline list_query every_conversation(std::function<bool(const conversation&)> matches) {
    list_query q;
    q.matches = std::move(matches);
    q.with_contacts = true;
    q.limit = std::numeric_limits<std::size_t>::max() - 1;
    return q;
}

struct list_page {
    std::vector<conversation_view> rows;  // at most `limit`, in the list's order
    bool more = false;                    // rows follow the last one
};

// The queue from its head, as conversations (GET /conversations?order=queue).
struct queue_page {
    std::vector<conversation_view> rows;  // in queue order, each with its position
    std::optional<std::int64_t> last_place;  // where the next page starts after
    bool more = false;
};

// How many conversations each of the list's filters holds.
struct list_counts {
    std::size_t all = 0, active = 0, queued = 0, mine = 0, blocked = 0, snoozed = 0, waiting = 0, following = 0;
};

struct queue_entry {
    std::string phone;
    timestamp queued_at;
    std::size_t position;
    std::string team;  // the conversation's, as it was read; empty: none
};

class engine {
public:
    engine(boost::asio::io_context& ioc, store::store& store, events::event_sink& events, channels::outbox& outbox,
           metrics::registry& metrics, engine_options options);
    ~engine();
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    // Restores conversations, the queue and the outbox from the store, and
    // starts the idle sweep and the reply-target check.
    void start();
    void stop();

    // The reply-time targets (GET /sla, and each team's own), which a check
    // every few seconds holds the open chats to. Thread-safe.
    void set_reply_policy(reply_policy policy);
    // That check, as of `now`: reports each wait past its reply target (once
    // a wait) and each chat open past the resolution target (once a chat);
    // how many it reported.
    boost::asio::awaitable<std::size_t> check_reply_targets(timestamp now);

    // Throws store::unavailable when the step could not be made durable.
    boost::asio::awaitable<inbound_result> receive(inbound_message&& m);
    // A provider's delivery status for a message it sent (WhatsApp statuses[]);
    // `error` says why, for `failed`.
    boost::asio::awaitable<void> apply_status(std::string phone, std::string channel_id, message_status status,
                                              std::string error = {});

    boost::asio::awaitable<std::optional<conversation>> find(std::string phone);
    std::size_t conversation_count() const;
    // Live chats per assigned agent: what automatic routing holds against
    // max_chats, and what GET /agents shows.
    std::map<std::string, std::uint32_t, std::less<>> open_chats_by_agent() const;

    // Agents' commands (SPEC §4). Each throws command_error when refused.
    boost::asio::awaitable<conversation> start_chat(std::string phone, agent_ref by, claim how = claim::by_self);
    // `quote.seq` 0: it quotes nothing.
    boost::asio::awaitable<message> send(std::string phone, agent_ref by, std::string text, std::string client_id,
                                         quoted_message quote = {});
    // A file, to a WhatsApp user only: the same rules as send().
    boost::asio::awaitable<message> send_file(std::string phone, agent_ref by, outgoing_file file,
                                              std::string client_id);
    // A template, to a WhatsApp user only: the same rules as send(). It is
    // how a user is reached past WhatsApp's 24-hour window.
    boost::asio::awaitable<message> send_template(std::string phone, agent_ref by, outgoing_template t,
                                                  std::string client_id);
    // A conversation with a user who has never written, as a live chat of
    // `by`'s, with its first message on its way (first_contact).
    // command_error (exists) when there is one with `phone` already; an
    // imported contact with no message yet is opened, its labels and
    // details kept beside `first`'s.
    boost::asio::awaitable<opened_conversation> open_conversation(std::string phone, agent_ref by, first_contact first);
    // The contact of `phone` as an import lists them (imported_contact).
    // command_error (conflict) when it would leave them over a limit.
    boost::asio::awaitable<import_outcome> import_contact(std::string phone, imported_contact contact);
    // The campaign's message to the user of `phone`, as `by`'s, outside any
    // chat; nullopt, changing nothing, when it is not for them now
    // (campaign_message) or there is no such conversation.
    boost::asio::awaitable<std::optional<message>> send_campaign(std::string phone, agent_ref by,
                                                                 campaign_message m);
    // A private note for the agents (type "note"), never sent to the user.
    boost::asio::awaitable<message> add_note(std::string phone, agent_ref by, std::string text, std::string client_id);
    // Deletes the note of `seq` (Chatwoot's message deletion): its text
    // goes from the store, the search and the mentions it made, and its
    // place in the history stays (is_deleted_note), told as
    // message.updated. Its writer or an admin (command_error forbidden);
    // not_found when `seq` is no note, or one deleted already.
    boost::asio::awaitable<message> delete_note(std::string phone, agent_ref by, std::uint64_t seq);
    // Replaces the words of the note of `seq`, as only its writer may
    // (forbidden for anyone else): they go from the store, the search and
    // the mentions it made, where its new words are, told as
    // message.updated with `edited_at`; the agents the new words call
    // anew are told. not_found as delete_note's.
    boost::asio::awaitable<message> edit_note(std::string phone, agent_ref by, std::uint64_t seq, std::string text);
    boost::asio::awaitable<conversation> end_chat(std::string phone, agent_ref by, std::string closing_message);
    boost::asio::awaitable<conversation> transfer(std::string phone, agent_ref by, agent_ref to);
    // Hands an assigned chat back to the head of the queue: its agent or an admin.
    boost::asio::awaitable<conversation> return_to_queue(std::string phone, agent_ref by);
    boost::asio::awaitable<conversation> mark_read(std::string phone, agent_ref by, std::uint64_t up_to);
    // Unread again from the user's newest message (any agent); command_error
    // (conflict) when the user has written nothing.
    boost::asio::awaitable<conversation> mark_unread(std::string phone);
    // `agent` is writing to the user of `phone`: a WhatsApp user assigned
    // to them sees "typing…" (at most each 20 s). Anything else: nothing.
    // Thread-safe; returns at once.
    void agent_typing(std::string phone, std::string agent);
    // Files the conversation under `labels` (label_from's form, each once,
    // at most max_labels), in place of those it had. Any agent, any state.
    // This and the filings below leave a line in the history saying what
    // changed and `by` whom (filing_note), when anything did.
    boost::asio::awaitable<conversation> set_labels(std::string phone, agent_ref by,
                                                    std::vector<std::string> labels);
    // Files it under `label` (label_from's form), or takes that label off,
    // keeping the others. command_error (conflict) when it would make more
    // than max_labels.
    boost::asio::awaitable<conversation> set_label(std::string phone, agent_ref by, std::string label,
                                                   bool filed);
    // Its followers (conversation::participants; the caller knows each is an
    // agent), in place of those it had. Any agent, any state.
    boost::asio::awaitable<conversation> set_participants(std::string phone, std::vector<std::string> usernames);
    // `username` follows it, or no longer does, the others kept.
    // command_error (conflict) when it would make more than max_participants.
    boost::asio::awaitable<conversation> set_participant(std::string phone, std::string username, bool following);
    // Marks how urgent the conversation is. Any agent, any state.
    boost::asio::awaitable<conversation> set_priority(std::string phone, agent_ref by, conv_priority priority);
    // Files the conversation under a team (label_from's form; the caller
    // knows it exists), or under none (empty). Any agent, any state.
    boost::asio::awaitable<conversation> set_team(std::string phone, agent_ref by, std::string team);
    // Under no team, if it is still under `team` (a team deleted).
    boost::asio::awaitable<conversation> leave_team(std::string phone, agent_ref by, std::string team);
    // What the agents know of the user, in place of what they had (keys in
    // attribute_key_from's form, each once; at most max_attributes). Any
    // agent, any state.
    boost::asio::awaitable<conversation> set_attributes(std::string phone,
                                                        std::vector<std::pair<std::string, std::string>> attributes);
    // Blocks the user (any agent): an open chat ends, untold and unrated,
    // and from then on what they write is acknowledged and dropped, and no
    // chat can be opened with them. Unblocking undoes it for what comes next.
    boost::asio::awaitable<conversation> set_blocked(std::string phone, agent_ref by, bool blocked);
    // Mutes the conversation (any agent), as Chatwoot's mute: the user's
    // messages come in and are answered as ever, but make no follower's
    // notification, and consoles do not ring for them. No chat changes.
    boost::asio::awaitable<conversation> set_muted(std::string phone, agent_ref by, bool muted);
    // Puts a live chat aside until `until` (its agent or an admin), as
    // Chatwoot's snooze: out of the active and mine lists and no idle
    // timeout until then, or until the user writes; none wakes it now.
    boost::asio::awaitable<conversation> snooze(std::string phone, agent_ref by, std::optional<timestamp> until);
    // An agent names the user (any agent): kept as if the user had registered
    // it, so the bot greets them by it and their WhatsApp profile name no
    // longer replaces it.
    boost::asio::awaitable<conversation> set_name(std::string phone, agent_ref by, std::string name);
    // Erases the user of `phone` and what the server keeps of them (an
    // admin's, as Chatwoot deletes a contact and the GDPR's right to erasure
    // asks): the conversation, its messages, chats and their ratings,
    // messages not sent yet, and the agents' notifications of it, for good;
    // conversation.deleted tells the consoles. A chat open is ended with no
    // word to the user. A user who writes again is new. Returns how many
    // messages the conversation had.
    boost::asio::awaitable<std::uint64_t> delete_conversation(std::string phone, agent_ref by);

    // A page of the list from each conversation's latest state, without
    // queue positions (fill_queue_positions). Not a coroutine, and safe on
    // any thread: a search may run it on the scan thread.
    list_page listed(const list_query& q) const;
    // `rows` must outlive the await (a named local of the caller).
    boost::asio::awaitable<void> fill_queue_positions(std::vector<conversation_view>& rows);
    boost::asio::awaitable<std::optional<conversation_view>> view(std::string phone);
    boost::asio::awaitable<std::vector<queue_entry>> queue();
    // The first `limit` entries, and how many wait in all.
    boost::asio::awaitable<std::pair<std::vector<queue_entry>, std::size_t>> queue_head(std::size_t limit);
    // A page of the queue from its head, after `after` (a page's last_place).
    boost::asio::awaitable<queue_page> queue_front(std::optional<std::int64_t> after, std::size_t limit);
    // One walk of the board; `mine` counts the live chats of `assignee`,
    // `following` the conversations that agent follows.
    // Not a coroutine, and safe on any thread.
    list_counts counts(std::string_view assignee) const;
    // Chats whose assigned agent has not answered within `after` go back to
    // the head of the queue; returns how many did.
    boost::asio::awaitable<std::size_t> requeue_unanswered(std::chrono::seconds after);
    // The live chats `agent` holds go back to the head of the queue (they
    // were deactivated); returns how many did.
    boost::asio::awaitable<std::size_t> requeue_chats_of(std::string agent);

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace switchboard::chat
