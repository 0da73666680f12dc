// One conversation's actor: it alone owns the conversation's state, all of
// it touched only on its strand, one command at a time (a command may await
// the store; the next waits for it). Internal to src/chat.
#pragma once

#include "../core/strand_semaphore.hpp"
#include "activity_board.hpp"
#include "engine_context.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <memory>
#include <optional>

namespace switchboard::chat {

class conversation_actor : public std::enable_shared_from_this<conversation_actor> {
public:
    // The strand's own type, not a type-erased executor: every webhook
    // dispatches to it and binds its answer to it.
    using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;

    // `slot`: the actor's own slot of the activity board, which it keeps
    // up to date (the engine publishes it). `stored_row_seq`: the last_seq
    // of the row the store holds for this conversation (restored ones),
    // none for a new conversation.
    conversation_actor(engine_context& ctx, strand_type strand, activity_board::slot& slot, conversation initial,
                       std::optional<std::uint64_t> stored_row_seq = std::nullopt);

    boost::asio::awaitable<inbound_result> receive(inbound_message&& m);
    boost::asio::awaitable<void> apply_status(std::string channel_id, message_status status, std::string error);
    boost::asio::awaitable<void> record_delivery(channels::delivery_outcome outcome);
    // Past its deadline: a snoozed chat wakes; any other returns to IDLE
    // (an open chat ends).
    boost::asio::awaitable<void> expire_if_idle(timestamp now);
    boost::asio::awaitable<conversation> start_chat(agent_ref by, claim how);
    boost::asio::awaitable<message> send(agent_ref by, std::string text, std::string client_id, quoted_message quote);
    boost::asio::awaitable<message> send_file(agent_ref by, outgoing_file file, std::string client_id);
    boost::asio::awaitable<message> send_template(agent_ref by, outgoing_template t, std::string client_id);
    // engine::open_conversation: command_error (exists) once the conversation is known.
    boost::asio::awaitable<opened_conversation> open_with(agent_ref by, first_contact first);
    // engine::import_contact.
    boost::asio::awaitable<import_outcome> import_contact(imported_contact contact);
    // engine::send_campaign.
    boost::asio::awaitable<std::optional<message>> send_campaign(agent_ref by, campaign_message m);
    boost::asio::awaitable<conversation> set_labels(agent_ref by, std::vector<std::string> labels);
    boost::asio::awaitable<conversation> set_label(agent_ref by, std::string label, bool filed);
    boost::asio::awaitable<conversation> set_participants(std::vector<std::string> usernames);
    boost::asio::awaitable<conversation> set_participant(std::string username, bool following);
    boost::asio::awaitable<conversation> set_blocked(agent_ref by, bool blocked);
    boost::asio::awaitable<conversation> set_muted(agent_ref by, bool muted);
    boost::asio::awaitable<conversation> set_name(agent_ref by, std::string name);
    // engine::delete_conversation: the actor is as new, unknown, after it.
    boost::asio::awaitable<std::uint64_t> erase(agent_ref by);
    // Until `until`, or awake again when none.
    boost::asio::awaitable<conversation> snooze(agent_ref by, std::optional<timestamp> until);
    boost::asio::awaitable<message> add_note(agent_ref by, std::string text, std::string client_id);
    boost::asio::awaitable<message> edit_note(agent_ref by, std::uint64_t seq, std::string text);
    boost::asio::awaitable<message> delete_note(agent_ref by, std::uint64_t seq);
    boost::asio::awaitable<conversation> end_chat(agent_ref by, std::string closing_message);
    boost::asio::awaitable<conversation> transfer(agent_ref by, agent_ref to);
    boost::asio::awaitable<conversation> return_to_queue(agent_ref by);
    boost::asio::awaitable<conversation> mark_read(agent_ref by, std::uint64_t up_to);
    boost::asio::awaitable<conversation> mark_unread();
    boost::asio::awaitable<conversation> set_priority(agent_ref by, conv_priority priority);
    boost::asio::awaitable<conversation> set_team(agent_ref by, std::string team);
    boost::asio::awaitable<conversation> leave_team(agent_ref by, std::string team);
    boost::asio::awaitable<conversation> set_attributes(std::vector<std::pair<std::string, std::string>> attributes);
    // The assigned agent is writing to a WhatsApp user: they see "typing…".
    boost::asio::awaitable<void> agent_typing(std::string agent);
    // Tells a waiting user their better place (the queue rate-limits these).
    boost::asio::awaitable<void> queue_moved(std::size_t position);
    // Back to the head of the queue if the assigned agent has not answered
    // within `after` of the assignment; true when it was.
    boost::asio::awaitable<bool> requeue_if_unanswered(std::chrono::seconds after);
    // Reports each of the team's targets the chat is past at `now`
    // (targets_missed: its user's current wait, its resolution) once, as
    // chat.sla_missed and to engine_options::listener; how many it did.
    boost::asio::awaitable<std::size_t> miss_targets(std::shared_ptr<const reply_policy> policy, timestamp now);
    // Back to the head of the queue if `agent` holds the chat (they were
    // deactivated); true when it was.
    boost::asio::awaitable<bool> requeue_from(std::string agent);

    // Whether the conversation exists: restored, or a step of it written,
    // and not erased since. Until then lists, lookups and walks pass it by.
    bool known() const { return board_slot_.actor.load(std::memory_order_acquire) != nullptr; }
    // Shows it to walks, as known; withdraw() hides it again.
    void publish();
    void withdraw();

    // The latest committed state, for readers outside the strand (lists).
    std::shared_ptr<const conversation> current() const { return state_.load(); }

    // Asks the cache for the line current() reads first, its atomic pointer
    // (and the hint beside it), ahead of a walk that will read it.
    void prefetch_current() const { __builtin_prefetch(&state_); }

    // Asks the cache for the state a step will copy, from any thread: its
    // lines are a fifth of a second cold under load, and a webhook has the
    // hop to the strand and the dedupe lookup to do before it reads them.
    void prefetch_state() const {
        auto* p = reinterpret_cast<const char*>(state_hint_.load(std::memory_order_relaxed));
        for (std::size_t at = 0; at < sizeof(conversation); at += 64) __builtin_prefetch(p + at);
    }

private:
    // What engine_options::campaign_delivery hears of `m` moving on to
    // `now`: its campaign, and its status before; nothing for a message no
    // campaign sent, nor when nobody listens. Asked before the step takes
    // the message; told once the step is kept.
    struct campaign_news {
        std::string campaign;
        message_status was, now;
    };
    std::optional<campaign_news> campaign_news_of(const message& m, message_status now) const;
    void tell_campaign(const std::optional<campaign_news>& news);
    // Runs `body` on the strand, after every command queued before it. Not a
    // coroutine itself: GCC 12 copies closures moved out of coroutine
    // parameters bitwise, so the body is moved here, in a plain function.
    // exclusive(), for an agent's command on a conversation that must
    // exist: one queued behind the conversation's erasure is refused
    // (not_found), as one that came after it.
    template <class R, class F>
    boost::asio::awaitable<R> existing(F body) {
        return exclusive<R>([this, body = std::move(body)]() mutable -> boost::asio::awaitable<R> {
            if (!known()) refuse_missing();
            return body();
        });
    }
    [[noreturn]] void refuse_missing() const;
    template <class R, class F>
    boost::asio::awaitable<R> exclusive(F body) {
        return boost::asio::co_spawn(
            strand_,
            [self = shared_from_this(), body = std::move(body)]() mutable -> boost::asio::awaitable<R> {
                if (!self->turn_.try_acquire()) co_await self->turn_.acquire();
                semaphore_permit permit(self->turn_);
                co_return co_await body();
            },
            boost::asio::use_awaitable);
    }

    struct step;  // what one command changes, gathered before it is written
    using receive_done = boost::asio::any_completion_handler<void(std::exception_ptr, inbound_result)>;
    // On the strand. A webhook that neither joins nor leaves the queue runs
    // here without a coroutine of its own, when the actor is free: a
    // coroutine spawned per command cost about 5% of a webhook in memory,
    // plus a post through the scheduler when nothing had to wait.
    void receive_on_strand(inbound_message& in, receive_done done);
    struct receive_written;  // that path's write completion
    // The whole command as a coroutine, in its turn: for the queue's
    // awaits, and for when another command holds the actor.
    boost::asio::awaitable<inbound_result> receive_in_turn(inbound_message in);
    // The first answer to a message id seen before (counted as a duplicate).
    std::optional<inbound_result> answered_before(const std::string& key);
    // Tells engine_options::listener, if it listens, of the user's
    // message a step kept.
    void tell_listener(std::string_view text, channel via, bool opened_chat) noexcept;
    // tell(listener) if it listens; its failure is logged, never the step's.
    template <class Tell>
    void tell_listener_that(Tell tell) noexcept;
    // The answer to a blocked user's message, which is dropped (counted).
    std::optional<inbound_result> dropped_as_blocked();
    // The parts of receiving that need no await, shared by both forms:
    // before the queue (returns the state it was in and the bot's decision),
    // and after it (the replies, the dedupe record and the events but
    // conversation.updated, which the caller adds: for a conversation waiting
    // in the queue it needs the queue's answer first).
    std::pair<conv_state, bot_decision> begin_receive(step& s, const inbound_message& in, timestamp now);
    std::string support_note(timestamp now) const;
    // A notification the step keeps (none: nothing to tell), its agent
    // told once the step is kept (commit).
    void keep_notice(step& s, std::optional<notify::notification> made);
    void follow_mentions(step& s, timestamp now);
    message note_to_change(const agent_ref& by, std::uint64_t seq, bool writer_only);
    boost::asio::awaitable<void> rewrite_note(step& s, const message& m, timestamp now);
    void finish_receive(step& s, const inbound_message& in, const bot_decision& decision, conv_state was,
                        const std::string& key, timestamp now, std::vector<std::string>& replies,
                        const bot_choices*& offered, std::string& answer);
    // The keywords `m` offers the user to tap (WhatsApp's buttons), kept
    // with its delivery so that a retry after a restart offers them too,
    // and on `m` when the user is shown them, for the agents to see.
    void offer_choices(step& s, message& m, const bot_choices* offered);
    // The returned reference lives in the step's batch: valid until the next add.
    message& add_message(step& s, sender from, std::string text, timestamp at, std::string kind = "text");
    // A message for the user that is not part of a webhook answer goes out
    // through the outbox; `answered_inline` ones are in the answer already.
    message& add_outgoing(step& s, sender from, std::string text, timestamp at, bool answered_inline,
                          std::string kind = "text");
    // How an agent's message goes out when WhatsApp alone carries it: the
    // outbox sends `kind` by `ref` (a file's media id, or a template's
    // object) with `text` (a caption) beside it.
    struct whatsapp_only_send {
        std::string what;  // "files", "templates": for a refusal
        std::string kind;  // image | audio | video | document | template
        std::string ref;
        std::string text;
        std::string filename;
        std::optional<attachment> media;
    };
    static whatsapp_only_send template_send(const outgoing_template& t);
    // A first message or a campaign's, a text or a template: its history's
    // text, and how the outbox sends a template.
    struct outgoing_text {
        std::string text;
        std::optional<whatsapp_only_send> special;
    };
    static outgoing_text text_or_template(std::variant<std::string, outgoing_template> message);
    // send(), send_file() and send_template(): an agent's message to the user.
    boost::asio::awaitable<message> send_as(agent_ref by, std::string text, std::string client_id,
                                            std::optional<whatsapp_only_send> special, quoted_message quote = {});
    // Their message in `s` (whoever may send it): on its way to the user,
    // and the chat's answer clock moved by it.
    message add_agent_message(step& s, const agent_ref& by, std::string text, std::string client_id,
                              std::optional<whatsapp_only_send> special, const quoted_message& quote, timestamp now);
    // An agent opens a chat with a user who is in none (chat.started).
    void open_by_agent(step& s, timestamp now);
    // `agent` has the chat in `s` from `now`, claimed, opened or handed to them.
    void take_chat(step& s, const std::string& agent, timestamp now);
    void tell_user(step& s, std::string text, timestamp at, const bot_choices* offered = nullptr);
    // The same, for a notice that is no answer to the user (a chat started,
    // transferred or ended): past WhatsApp's 24-hour window since the user's
    // last message Meta refuses it, so a note tells the agents instead.
    void tell_user_in_window(step& s, std::string text, timestamp at, const bot_choices* offered = nullptr);
    // A line for the agents in the history (who transferred, returned or
    // blocked), never sent to the user.
    void add_system_note(step& s, std::string text, timestamp at);
    // The snoozed chat in `s` awake, with `note` for the agents saying why.
    void wake(step& s, std::string note, timestamp now);
    // The same with no note, no event and no activity (the caller's step
    // has them): for a user's message.
    void wake_quietly(step& s, timestamp now);
    // Clears the chat flags, files the chat record as closed, and takes the
    // conversation out of the queue.
    static void close_chat(step& s, std::string_view reason, timestamp now);
    // The chat.ended event of the chat close_chat closed (`agent` is who had
    // it, or who ended it), counted.
    void chat_ended(step& s, std::string_view reason, std::string_view agent, timestamp now);
    static void open_chat(step& s, std::string_view opened_by, timestamp now);
    static void save_chat(step& s);
    // A waiting conversation's object names its place in the queue, which
    // only the queue knows (it moves as others leave): asked for a step that
    // tells agents about the conversation and did not learn it otherwise.
    boost::asio::awaitable<void> learn_queue_position(step& s);
    boost::asio::awaitable<void> count_undelivered(step& s, const message& failed, timestamp now);
    // Writes the step, then makes it the actor's state and tells everyone.
    boost::asio::awaitable<void> commit(step& s);
    // The assigned chat in `s` back to the head of the queue, with a note
    // for agents saying why; commits.
    boost::asio::awaitable<void> requeue_to_front(step& s, std::string why, timestamp now);
    // commit's parts: what to write (true when the conversation row goes
    // too); the written step becoming the state; telling everyone.
    bool prepare_write(step& s);
    void adopt(step& s, bool wrote_row);
    void announce(step& s);
    // The board's copy of what lists and the idle sweep read.
    void update_board();
    // With `by`, a change of labels, priority or team leaves a line in the
    // history saying who made it (filing_note).
    boost::asio::awaitable<conversation> annotate(std::function<bool(conversation&)> change,
                                                  std::optional<agent_ref> by = std::nullopt);
    timestamp idle_deadline(const conversation& c) const;

    engine_context& ctx_;
    strand_type strand_;
    strand_semaphore turn_{1};
    // Strand only: when the user was last shown "typing…" (agent_typing).
    std::chrono::steady_clock::time_point typing_shown_{};
    // The state, replaced whole on each commit. The strand works from its
    // own pointer: a load of the atomic one takes its lock bit and bumps the
    // count, a contended cache line, several times a webhook.
    std::shared_ptr<const conversation> own_;
    std::atomic<std::shared_ptr<const conversation>> state_;  // for readers off the strand (current())
    std::atomic<const conversation*> state_hint_;  // own_, for prefetch_state(); may be stale, never read through
    activity_board::slot& board_slot_;
    // Strand only: the last_seq of the stored row, if there is one. A step
    // that changes only what its messages imply leaves the row alone, for at
    // most `row_lag_max` messages, so that restoring has little to replay.
    std::optional<std::uint64_t> row_seq_;
    static constexpr std::uint64_t row_lag_max = 32;
};

}  // namespace switchboard::chat
