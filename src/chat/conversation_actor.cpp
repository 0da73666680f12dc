// The conversation actor's commands. Each builds a `step` from a copy of the
// state, writes it durably, and only then adopts it: a failed write changes
// nothing.
#include "conversation_actor.hpp"

#include "switchboard/chat/filing_note.hpp"
#include "switchboard/chat/json.hpp"
#include "switchboard/core/ids.hpp"
#include "switchboard/core/log.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>

#include <algorithm>

namespace switchboard::chat {

namespace net = boost::asio;

struct conversation_actor::step {
    // The new state is made where the actor will keep it once the step is
    // written, so that adopting it hands over a pointer: a second
    // allocation and a move of the whole conversation per step, saved.
    explicit step(const conversation& now) : next_owner(std::make_shared<conversation>(now)), next(*next_owner) {}
    step(const step&) = delete;
    step& operator=(const step&) = delete;

    std::shared_ptr<conversation> next_owner;
    conversation& next;
    store::write_batch batch;
    std::vector<store::outbox_item> outbound;
    std::vector<events::event> events;
    std::optional<std::size_t> queue_position;
    bool leave_queue = false;
    bool erases = false;  // the step erases the conversation (batch.erase_conversation)
    // Notifications kept before that the step rewrites (a deleted note's
    // mentions): written with it, but not news to tell of.
    std::vector<notify::notification> notices_rewritten;

    void event(std::string_view type, boost::json::object data, timestamp at) {
        events.push_back(events::event{type, next.phone, std::move(data), at, {}, key()});
    }
    // Events whose data is a message or this conversation: written straight
    // into their envelope, which the hub then only numbers.
    void message_event(std::string_view type, const message& m, timestamp at) {
        auto& e = rendered_event(type, at, message_json_size(m));
        append_message_json(e.text, m);
        events::end_envelope(e.text, at);
    }
    void message_created(const message& m, timestamp at) { message_event("message.created", m, at); }
    // A contact nobody has written to or heard from yet is in no agent's
    // list, so its changes are nobody's news; its first message introduces it.
    void conversation_updated(timestamp at) {
        if (!no_message_yet(next)) conversation_event("conversation.updated", at);
    }
    // For a step that adds messages: what they alone change (the preview,
    // the unread count, the times) agents read off their message.created,
    // so conversation.updated goes only for anything more, and for a
    // conversation's first message, which introduces it. It was the largest
    // event of nearly every webhook.
    void conversation_updated_beyond_messages(const conversation& before, timestamp at) {
        if (changed_beyond_messages(before)) conversation_updated(at);
    }
    bool changed_beyond_messages(const conversation& before) {
        return no_message_yet(before) || !only_messages_changed(before);
    }
    // Whether `next` differs from `before` only by what this step's messages
    // imply (asked twice a step: for the event and for the row).
    bool only_messages_changed(const conversation& before) {
        if (!implied_) implied_ = implied_by_messages(before, next, batch.messages);
        return *implied_;
    }
    void conversation_event(std::string_view type, timestamp at) {
        auto& e = rendered_event(type, at, conversation_json_size(next, queue_position));
        append_conversation_json(e.text, next, queue_position);
        events::end_envelope(e.text, at);
    }

private:
    std::optional<bool> implied_;
    std::uint32_t key_ = 0;
    // The conversation's events::conversation_key, worked out once a step.
    std::uint32_t key() {
        if (!key_) key_ = events::conversation_key(next.phone);
        return key_;
    }
    // `data_size`: what the data will take, so that the ring and the event
    // log keep no slack (the text grows if its data needed escaping).
    events::event& rendered_event(std::string_view type, timestamp at, std::size_t data_size) {
        auto& e = events.emplace_back(events::event{type, next.phone, {}, at, {}, key()});
        e.text.reserve(events::envelope_size(type, next.phone) + data_size);
        events::begin_envelope(e.text, type, next.phone);
        return e;
    }
};

namespace {

std::string dedupe_key(const inbound_message& m) {
    if (m.channel_id.empty()) return {};
    return dedupe_key(m.via, m.channel_id);
}

boost::json::object queued_data(const conversation& c, std::size_t position, timestamp at) {
    return {{"phone", c.phone},
            {"position", position},
            {"queued_at", to_iso8601(at)},
            {"team", c.team.empty() ? boost::json::value(nullptr) : boost::json::value(c.team)}};
}

boost::json::object ended_data(const conversation& c, std::string_view reason, std::string_view agent) {
    boost::json::object o{{"phone", c.phone}, {"reason", reason}, {"ticket", c.rated_ticket_id}};
    o["agent"] = agent.empty() ? boost::json::value(nullptr) : boost::json::value(agent);
    return o;
}

boost::json::object assigned_data(const conversation& c, std::string_view agent) {
    return {{"phone", c.phone}, {"agent", agent}, {"ticket", c.support_ticket_id}};
}

boost::json::object transferred_data(const conversation& c, std::string_view from, std::string_view to) {
    return {{"phone", c.phone}, {"from", from}, {"to", to}, {"ticket", c.support_ticket_id}};
}

boost::json::object missed_target_data(const conversation& c, const reply_deadline& d) {
    auto since = waiting_since(c);
    boost::json::object o{{"phone", c.phone},
                           {"ticket", c.support_ticket_id},
                           {"target", d.target},
                           {"target_minutes", d.minutes},
                           {"opened_at", to_iso8601(c.chat->opened_at)},
                           {"due_at", to_iso8601(d.due)}};
    o["waiting_since"] = optional_time(since);
    o["agent"] = optional_text(c.assignee);
    return o;
}

[[noreturn]] void refuse(command_error::kind k, std::string why) { throw command_error(k, std::move(why)); }

// The record of the chat `c` has open (its ticket), opened at `at` by
// `opened_by`, on the channel its user writes on.
chat_record chat_of(const conversation& c, timestamp at, std::string opened_by) {
    chat_record r{c.support_ticket_id, c.phone, at, std::move(opened_by)};
    r.via = c.via;
    return r;
}

// Whether the chat's agent has written since it was last assigned
// (last_assigned_at set): --reassign-after counts until then.
bool answered_since_assigned(const chat_record& chat) {
    return chat.last_response_at && *chat.last_response_at >= *chat.last_assigned_at;
}

// An annotate() change that puts `value` in `field`, and says whether that
// changed it.
template <class T>
std::function<bool(conversation&)> replacing(T conversation::*field, T value) {
    return [field, value = std::move(value)](conversation& c) {
        if (c.*field == value) return false;
        c.*field = value;
        return true;
    };
}

// Where `value` is or would go in the sorted `list`, and whether it is there.
std::pair<std::vector<std::string>::iterator, bool> place_in(std::vector<std::string>& list, const std::string& value) {
    auto at = std::lower_bound(list.begin(), list.end(), value);
    return {at, at != list.end() && *at == value};
}

// An annotate() change that puts `value` in the sorted list `field` or takes
// it out, keeping the rest; refused (conflict) when that would make more
// than `most`, which `what` names ("labels").
std::function<bool(conversation&)> toggling(std::vector<std::string> conversation::*field, std::string value,
                                            bool in, std::size_t most, std::string_view what) {
    return [field, value = std::move(value), in, most, what](conversation& c) {
        auto& list = c.*field;
        auto [at, has] = place_in(list, value);
        if (has == in) return false;
        if (!in) {
            list.erase(at);
            return true;
        }
        if (list.size() >= most)
            refuse(command_error::kind::conflict, c.phone + " has " + std::to_string(most) + " " + std::string(what) +
                                                      " already, the most a conversation has");
        list.insert(at, value);
        return true;
    };
}

// Sorted, each once.
std::vector<std::string> sorted_set(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

// How the outbox names a quoted message to the user's channel: WhatsApp
// by its wamid alone (a message Meta never named goes unquoted); the plain
// webhook by the id its endpoint knows it by: the user's own `id` for their
// message, ours for what we POSTed (both its channel id), else ours.
std::string quote_reference(channel via, const quoted_message& quote) {
    if (via == channel::whatsapp || !quote.channel_id.empty()) return quote.channel_id;
    return quote.id;
}

constexpr auto whatsapp_window = std::chrono::hours(24);

// The user's newest message, if they wrote any.
std::optional<message> latest_from_user(const store::store& store, const conversation& c) {
    return store.find_latest_user_message(c.phone, c.last_seq + 1);
}

// Whether the user's newest message is older than WhatsApp's 24-hour
// window. A user who never wrote (an agent wrote first, by a template) is
// outside it too: Meta takes a text only once the user has answered.
bool past_whatsapp_window(const store::store& store, const conversation& c, timestamp now) {
    if (c.via != channel::whatsapp) return false;
    auto last = latest_from_user(store, c);
    return !last || now - last->at >= whatsapp_window;
}

}  // namespace

conversation_actor::conversation_actor(engine_context& ctx, strand_type strand, activity_board::slot& slot,
                                       conversation initial, std::optional<std::uint64_t> stored_row_seq)
    : ctx_(ctx),
      strand_(std::move(strand)),
      own_(std::make_shared<const conversation>(std::move(initial))),
      state_(own_),
      state_hint_(own_.get()),
      board_slot_(slot),
      row_seq_(stored_row_seq) {
    update_board();
}

void conversation_actor::publish() {
    activity_board::publish(board_slot_, *this);
    ctx_.conversations.add(1);
}

void conversation_actor::withdraw() {
    activity_board::withdraw(board_slot_);
    ctx_.conversations.add(-1);
}

void conversation_actor::refuse_missing() const {
    refuse(command_error::kind::not_found, "no conversation with " + own_->phone);
}

// A snoozed chat's deadline is its wake-up, from which the idle timeout
// counts again. A chat waiting in the queue counts only time within
// business hours: its user was told they keep their place until the team
// is back.
timestamp conversation_actor::idle_deadline(const conversation& c) const {
    if (c.snoozed_until) return *c.snoozed_until;
    if (c.queued_at && ctx_.options.hours)
        return ctx_.options.hours->after_open_seconds(c.last_activity, ctx_.options.idle_timeout);
    return c.last_activity + ctx_.options.idle_timeout;
}

void conversation_actor::update_board() {
    const auto& c = *own_;
    auto v = c.state == conv_state::idle ? INT64_MAX : to_unix_ms(idle_deadline(c));
    board_slot_.expires_at_ms.store(v, std::memory_order_relaxed);
    board_slot_.key.store(list_key::of(c).word, std::memory_order_relaxed);
}

message& conversation_actor::add_message(step& s, sender from, std::string text, timestamp at, std::string kind) {
    auto& m = s.batch.messages.emplace_back();
    m.id = unique_id("msg_");
    m.phone = s.next.phone;
    m.seq = ++s.next.last_seq;
    if (!s.batch.new_messages_from_seq) s.batch.new_messages_from_seq = m.seq;
    m.from = from;
    m.text = std::move(text);
    m.kind = std::move(kind);
    m.at = at;
    if (moves_preview(m)) set_preview(s.next, m);
    s.next.updated_at = at;
    return m;
}

message& conversation_actor::add_outgoing(step& s, sender from, std::string text, timestamp at,
                                          bool answered_inline, std::string kind) {
    auto& m = add_message(s, from, std::move(text), at, std::move(kind));
    if (answered_inline) {
        m.status = message_status::sent;
    } else if (ctx_.outbox.can_deliver(s.next.via)) {
        s.outbound.push_back({m.id, m.phone, m.seq, s.next.via, s.next.wa_phone_number_id, m.text, 0, at});
        // The plain endpoint knows it by our id, which its user may quote
        // (WhatsApp's id comes when Meta takes it).
        if (s.next.via == channel::plain) m.channel_id = m.id;
    } else {
        // Nowhere to send it (a plain-webhook user and no --outbound-url): the
        // agent sees at once that the user will not get it, and why, rather than a tick.
        m.status = message_status::failed;
        m.error = "no --outbound-url is set, so messages cannot reach plain-webhook users";
    }
    return m;
}

void conversation_actor::offer_choices(step& s, message& m, const bot_choices* offered) {
    if (!offered) return;
    if (ctx_.outbox.shows_choices(s.next.via, m.text)) m.choices = offered->kept;
    if (s.outbound.empty() || s.outbound.back().message_id != m.id) return;
    auto& out = s.outbound.back();
    out.kind = "choices";
    out.ref = offered->delivery;
}

void conversation_actor::tell_user(step& s, std::string text, timestamp at, const bot_choices* offered) {
    auto& m = add_outgoing(s, sender::bot, std::move(text), at, false);
    offer_choices(s, m, offered);
    s.message_created(m, at);
}

void conversation_actor::tell_user_in_window(step& s, std::string text, timestamp at, const bot_choices* offered) {
    if (!past_whatsapp_window(ctx_.store, s.next, at)) return tell_user(s, std::move(text), at, offered);
    add_system_note(s,
                    "Not sent to the user, as WhatsApp's 24-hour window since their last message has closed "
                    "(a template reaches them): " + text,
                    at);
}

void conversation_actor::add_system_note(step& s, std::string text, timestamp at) {
    auto& note = add_message(s, sender::bot, std::move(text), at, "system");
    note.status = message_status::sent;
    s.message_created(note, at);
}

namespace {
// The open chat is filed as its conversation is: reports count it under
// the team and the labels it had last while open. One that has ended keeps
// its own.
void follow_filing(conversation& c) {
    if (c.chat && (c.chat->team != c.team || c.chat->labels != c.labels)) {
        auto& chat = c.chat.edit();
        chat.team = c.team;
        chat.labels = c.labels;
    }
}
}  // namespace

void conversation_actor::open_chat(step& s, std::string_view opened_by, timestamp now) {
    auto& c = s.next;
    c.in_chat_support = c.chat_support_active = true;
    c.chat_start_time = now;
    c.support_ticket_id = unique_id("t_");
    c.assignee.clear();
    c.chat = chat_of(c, now, std::string(opened_by));
    // The user's `support` is in the step already; an agent's chat begins with what comes next.
    c.chat.edit().first_seq = s.batch.messages.empty() ? c.last_seq + 1 : s.batch.messages.front().seq;
    follow_filing(c);
}

void conversation_actor::save_chat(step& s) {
    if (s.next.chat) s.batch.chats_put.push_back(*s.next.chat);
}

void conversation_actor::close_chat(step& s, std::string_view reason, timestamp now) {
    s.leave_queue = true;
    auto& c = s.next;
    if (c.chat) {
        auto& chat = c.chat.edit();
        chat.closed_at = now;
        chat.close_reason = std::string(reason);
        save_chat(s);
        c.chat.reset();
    }
    c.rated_ticket_id = c.support_ticket_id;
    c.rated_agent = c.assignee;
    c.in_chat_support = false;
    c.chat_support_active = false;
    c.chat_start_time.reset();
    c.support_ticket_id.clear();
    c.assignee.clear();
    c.queued_at.reset();
    c.snoozed_until.reset();
}

void conversation_actor::chat_ended(step& s, std::string_view reason, std::string_view agent, timestamp now) {
    s.event("chat.ended", ended_data(s.next, reason, agent), now);
    ctx_.chats_closed.inc();
}

bool conversation_actor::prepare_write(step& s) {
    // Most webhooks change only what their messages imply: the row is then
    // left as it was (one random page fewer per durable write), and
    // restoring brings it up to date from the messages.
    bool write_row = !s.erases && (!row_seq_ || s.next.last_seq - *row_seq_ >= row_lag_max ||
                                   !s.only_messages_changed(*own_));
    if (write_row) s.batch.conversation = s.next;
    s.batch.outbox_put = s.outbound;
    return write_row;
}

void conversation_actor::adopt(step& s, bool wrote_row) {
    if (wrote_row) row_seq_ = s.next.last_seq;
    if (s.erases) row_seq_.reset();
    own_ = std::move(s.next_owner);
    state_.store(own_);
    state_hint_.store(own_.get(), std::memory_order_relaxed);
    update_board();
    if (s.erases)
        withdraw();
    else if (!known())
        publish();  // its first step: it exists now
}

void conversation_actor::announce(step& s) {
    ctx_.events.publish_all(s.events);
    if (!s.outbound.empty()) ctx_.outbox.enqueue(std::move(s.outbound));
}

net::awaitable<void> conversation_actor::commit(step& s) {
    bool write_row = prepare_write(s);
    // Told once they are kept with the step (the batch goes to the store).
    auto notices = s.batch.notifications_put;
    for (auto& n : s.notices_rewritten) s.batch.notifications_put.push_back(std::move(n));
    co_await ctx_.store.write(std::move(s.batch));
    adopt(s, write_row);
    if (s.leave_queue) {
        auto phone = own_->phone;  // a named local: no temporaries inside co_await (GCC 12)
        auto moved = co_await ctx_.queue.leave(std::move(phone));
        if (!moved.empty() && ctx_.on_queue_moved) ctx_.on_queue_moved(std::move(moved));
    }
    announce(s);
    if (!notices.empty()) ctx_.options.notifier->kept(std::move(notices));
}

void conversation_actor::keep_notice(step& s, std::optional<notify::notification> made) {
    if (made) s.batch.notifications_put.push_back(std::move(*made));
}

namespace {

bool needs_the_queue(const bot_decision& d) {
    return d.action == bot_action::open_support || d.action == bot_action::end_support;
}

// Hands the caller its answer on the caller's own executor (inline when the
// caller runs on this thread's io_context, as webhooks do).
template <class Handler, class... Args>
void deliver(Handler done, Args... args) {
    auto ex = net::get_associated_executor(done);
    net::dispatch(ex, [done = std::move(done), ... args = std::move(args)]() mutable {
        std::move(done)(std::move(args)...);
    });
}

}  // namespace

net::awaitable<inbound_result> conversation_actor::receive(inbound_message&& in) {
    // The initiation holds only raw pointers: the engine keeps its actors for
    // its lifetime, and GCC 12 copies coroutine parameters bitwise. The
    // message stays in the operation's frame until the answer is delivered.
    return net::async_initiate<const net::use_awaitable_t<>, void(std::exception_ptr, inbound_result)>(
        [actor = this](receive_done done, inbound_message&& m) {
            net::dispatch(actor->strand_, [actor, m = &m, done = std::move(done)]() mutable {
                actor->receive_on_strand(*m, std::move(done));
            });
        },
        net::use_awaitable, std::move(in));
}

// Members in this order: the actor outlives the permit that gives back its
// turn, also when an io_context shutting down destroys this unrun.
struct conversation_actor::receive_written {
    std::shared_ptr<conversation_actor> self;
    semaphore_permit permit;
    std::unique_ptr<step> s;
    bool write_row;
    std::vector<std::string> replies;
    std::string answer;
    const bot_choices* offered;
    receive_done done;
    // The user's text, kept for a listener when one listened as the step began.
    std::optional<std::string> seen_text;
    channel via = channel::plain;
    std::vector<notify::notification> notices;  // told once kept

    void operator()(std::exception_ptr e) {
        inbound_result result;
        if (!e) {  // on failure nothing of the step was kept
            try {
                self->adopt(*s, write_row);
                self->announce(*s);
                if (!notices.empty()) self->ctx_.options.notifier->kept(std::move(notices));
                if (seen_text) self->tell_listener(*seen_text, via, false);
                result = {std::move(replies), self->own_->state, std::nullopt, std::move(answer), offered};
            } catch (...) {
                e = std::current_exception();
            }
        }
        permit.release();
        deliver(std::move(done), e, std::move(result));
    }
};

// `in` lives until `done` is called: nothing here touches it after that.
void conversation_actor::receive_on_strand(inbound_message& in, receive_done done) {
    // A conversation waiting in the queue asks the queue, an actor of its
    // own, for its place in its conversation.updated: that takes a coroutine.
    if (own_->queued_at || !turn_.try_acquire()) {
        net::co_spawn(strand_, receive_in_turn(std::move(in)), std::move(done));
        return;
    }
    // Every way out gives the turn back before the caller hears; the write
    // hands it on to its completion.
    semaphore_permit permit(turn_);
    try {
        auto key = dedupe_key(in);
        auto early = dropped_as_blocked();
        if (!early) early = answered_before(key);
        if (early) {
            permit.release();
            deliver(std::move(done), std::exception_ptr(), std::move(*early));
            return;
        }
        auto now = std::chrono::system_clock::now();
        // On the heap: it outlives this call when the store writes elsewhere.
        auto s = std::make_unique<step>(*own_);
        auto [was, decision] = begin_receive(*s, in, now);
        if (needs_the_queue(decision)) {  // the queue is an actor of its own: await it in a coroutine
            permit.release();
            net::co_spawn(strand_, receive_in_turn(std::move(in)), std::move(done));
            return;
        }
        ctx_.messages_in.inc();
        std::vector<std::string> replies;
        const bot_choices* offered = nullptr;
        std::string answer;
        finish_receive(*s, in, decision, was, key, now, replies, offered, answer);
        s->conversation_updated_beyond_messages(*own_, now);
        bool write_row = prepare_write(*s);
        auto notices = s->batch.notifications_put;
        auto batch = std::move(s->batch);
        std::optional<std::string> seen_text;
        if (auto* l = ctx_.options.listener; l && l->listening()) seen_text = in.text;
        ctx_.store.async_write(std::move(batch),
                               net::bind_executor(strand_, receive_written{shared_from_this(), std::move(permit),
                                                                           std::move(s), write_row, std::move(replies),
                                                                           std::move(answer), offered,
                                                                           std::move(done),
                                                                           std::move(seen_text), in.via,
                                                                           std::move(notices)}));
    } catch (...) {
        // Thrown before the write took `done` (a store answers every write
        // it takes; only running out of memory while queueing would lose it).
        permit.release();
        if (done) deliver(std::move(done), std::current_exception(), inbound_result{});
    }
}

std::optional<inbound_result> conversation_actor::answered_before(const std::string& key) {
    if (key.empty()) return std::nullopt;
    auto first = ctx_.store.find_dedupe(key);
    if (!first) return std::nullopt;
    ctx_.duplicates.inc();
    return inbound_result{{}, own_->state, std::move(first), {}};
}

// Nothing of it is kept, and the provider hears 200 as ever: a retry
// would only be dropped again, and the user learns nothing of the block.
std::optional<inbound_result> conversation_actor::dropped_as_blocked() {
    if (!own_->blocked) return std::nullopt;
    ctx_.blocked_messages.inc();
    return inbound_result{{}, own_->state, std::nullopt, {}};
}

std::pair<conv_state, bot_decision> conversation_actor::begin_receive(step& s, const inbound_message& in,
                                                                       timestamp now) {
    auto& c = s.next;
    c.via = in.via;
    if (!in.wa_phone_number_id.empty()) c.wa_phone_number_id = in.wa_phone_number_id;
    if (!c.registered && !in.profile_name.empty()) c.name = in.profile_name;

    auto was = c.state;
    auto decision = bot_decide(c, in.text, in.kind);
    // The usual step: the user's message and a reply; their two events and
    // the conversation's. Room for them up front, so that none is moved.
    s.batch.messages.reserve(2);
    s.events.reserve(4);
    // A score given in RATING is typed as one, so that a history shows it as
    // the user's rating of the chat rather than a bare "4".
    auto kind = decision.action == bot_action::rate ? std::string("rating") : in.kind;
    auto& user_msg = add_message(s, sender::user, in.text, now, std::move(kind));
    user_msg.channel_id = in.channel_id;
    user_msg.media = in.media;
    // Ours are found by their provider id; the user's own, by the dedupe
    // key their webhook was taken under.
    if (!in.reply_to_channel_id.empty()) {
        if (auto quoted = ctx_.store.find_message_by_channel_id(c.phone, in.reply_to_channel_id))
            user_msg.reply_to = quoted->seq;
        else
            user_msg.reply_to = ctx_.store.find_user_message_seq(c.phone, in.reply_to_channel_id,
                                                                 dedupe_key(in.via, in.reply_to_channel_id));
    }
    ++c.unread;
    if (c.snoozed_until) wake_quietly(s, now);  // the user wrote: the chat is back in front of its agent
    s.message_created(user_msg, now);

    bool chat_changed = false;
    switch (decision.action) {
    case bot_action::register_name:
        c.name = decision.name;
        c.registered = true;
        break;
    case bot_action::open_support:  // joining the queue is the caller's
        open_chat(s, "user", now);
        c.queued_at = now;
        c.chat.edit().queued_at = now;
        chat_changed = true;
        break;
    case bot_action::end_support:
        close_chat(s, "user", now);
        break;
    case bot_action::rate:
        s.batch.ratings.push_back({c.phone, c.rated_ticket_id, c.rated_agent, decision.rating, now});
        break;
    default:
        break;
    }
    // The user's message moves the clock of the chat it is in, one it has
    // just opened too: their `support` starts the wait.
    if (c.chat) {
        auto was = answer_clock_of(c);
        if (auto clock = after_message(was, user_msg); clock != was) {
            c.chat.edit().waiting_since = clock.waiting_since;
            chat_changed = true;
        }
    }
    if (chat_changed) save_chat(s);
    if (auto* n = ctx_.options.notifier; n && !c.participants.empty()) {
        auto told = n->user_wrote(c, user_msg);
        for (auto& t : told) s.batch.notifications_put.push_back(std::move(t));
    }
    return {was, std::move(decision)};
}

// Outside business hours, when the team is back, as Chatwoot's and
// Intercom's away messages say, whoever happens to be online; else, when
// nobody could answer now, that.
std::string conversation_actor::support_note(timestamp now) const {
    auto& o = ctx_.options;
    if (o.hours && !o.texts.support_closed.empty())
        if (auto hours = o.hours->at(now); !hours.open && hours.change)
            return fill(o.texts.support_closed, "opens", o.hours->describe(*hours.change, now));
    if (o.someone_can_answer && !o.someone_can_answer()) return o.texts.support_offline;
    return {};
}

void conversation_actor::finish_receive(step& s, const inbound_message& in, const bot_decision& decision,
                                        conv_state was, const std::string& key, timestamp now,
                                        std::vector<std::string>& replies, const bot_choices*& offered,
                                        std::string& answer) {
    auto& c = s.next;
    if (was == conv_state::rating && decision.next != conv_state::rating) {  // rated or skipped: that chat is done with
        c.rated_ticket_id.clear();
        c.rated_agent.clear();
    }
    c.state = decision.next;
    c.last_activity = now;

    replies = bot_replies(decision, c, ctx_.options.texts, s.queue_position.value_or(0));
    // One message, not two: the user reads where they stand and why at once.
    if (decision.action == bot_action::open_support && !replies.empty())
        if (auto note = support_note(now); !note.empty()) replies.back() += "\n\n" + note;
    offered = ctx_.offers.after(decision, c);
    bool inline_answer = in.via == channel::plain;
    for (auto& r : replies) {
        auto& m = add_outgoing(s, sender::bot, r, now, inline_answer);
        if (&r == &replies.back()) offer_choices(s, m, offered);
        s.message_created(m, now);
    }
    if (!key.empty()) {
        answer = webhook_answer(replies, offered, c.state);
        // begin_receive put the user's message first: the answer is its.
        s.batch.dedupe.push_back({key, answer, s.batch.messages.front().seq});
    }

    if (decision.action == bot_action::open_support) {
        s.conversation_event("chat.started", now);
        s.event("chat.queued", queued_data(c, *s.queue_position, now), now);
    } else if (decision.action == bot_action::end_support) {
        chat_ended(s, "user", c.rated_agent, now);
    }
}

net::awaitable<inbound_result> conversation_actor::receive_in_turn(inbound_message in) {
    auto self = shared_from_this();
    if (!turn_.try_acquire()) co_await turn_.acquire();
    semaphore_permit permit(turn_);

    if (auto dropped = dropped_as_blocked()) co_return std::move(*dropped);
    auto key = dedupe_key(in);
    if (auto duplicate = answered_before(key)) co_return std::move(*duplicate);
    ctx_.messages_in.inc();

    auto now = std::chrono::system_clock::now();
    step s{*own_};
    auto [was, decision] = begin_receive(s, in, now);
    bool joined = false;
    if (decision.action == bot_action::open_support) {
        auto phone = s.next.phone;  // a named local: no temporaries inside co_await (GCC 12)
        s.queue_position = co_await ctx_.queue.join(std::move(phone), now);
        joined = true;
        ctx_.chats_opened.inc();
    }
    std::vector<std::string> replies;
    const bot_choices* offered = nullptr;
    std::string answer;
    finish_receive(s, in, decision, was, key, now, replies, offered, answer);
    if (s.changed_beyond_messages(*own_)) {
        co_await learn_queue_position(s);
        s.conversation_updated(now);
    }

    std::exception_ptr failed;
    try {
        co_await commit(s);
    } catch (...) {
        failed = std::current_exception();
    }
    if (failed) {
        if (joined) {  // nothing of the step remains (the rest never moved)
            auto phone = own_->phone;
            co_await ctx_.queue.leave(std::move(phone));
        }
        std::rethrow_exception(failed);
    }
    tell_listener(in.text, in.via, joined);
    co_return inbound_result{std::move(replies), own_->state, std::nullopt, std::move(answer), offered};
}

template <class Tell>
void conversation_actor::tell_listener_that(Tell tell) noexcept {
    auto* l = ctx_.options.listener;
    if (!l || !l->listening()) return;
    try {
        tell(*l);
    } catch (const std::exception& e) {
        log::warn("a conversation listener failed", {{"phone", own_->phone}, {"error", e.what()}});
    }
}

// The message is kept and its webhook about to hear so: whatever the
// listener does, that answer stands.
void conversation_actor::tell_listener(std::string_view text, channel via, bool opened_chat) noexcept {
    tell_listener_that([&](conversation_listener& l) { l.seen({text, via, opened_chat, own_.get()}); });
}

net::awaitable<void> conversation_actor::apply_status(std::string channel_id, message_status status,
                                                      std::string error) {
    return exclusive<void>([this, channel_id = std::move(channel_id), status,
                            error = std::move(error)]() -> net::awaitable<void> {
        if (!known()) co_return;  // erased: its messages with it
        auto m = ctx_.store.find_message_by_channel_id(own_->phone, channel_id);
        if (!m || !status_may_advance(m->status, status)) {  // unknown, or a late status going backwards
            ctx_.statuses_ignored.inc();
            co_return;
        }
        ctx_.statuses_applied.inc();
        auto news = campaign_news_of(*m, status);
        m->status = status;
        if (status == message_status::failed) m->error = error;
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        s.message_event("message.status", *m, now);
        if (status == message_status::failed) co_await count_undelivered(s, *m, now);
        s.batch.messages.push_back(std::move(*m));
        co_await commit(s);
        tell_campaign(news);
    });
}

std::optional<conversation_actor::campaign_news> conversation_actor::campaign_news_of(const message& m,
                                                                                     message_status now) const {
    if (!ctx_.options.campaign_delivery || !m.client_id.starts_with(campaign_client_prefix) || m.status == now)
        return std::nullopt;
    return campaign_news{m.client_id.substr(campaign_client_prefix.size()), m.status, now};
}

void conversation_actor::tell_campaign(const std::optional<campaign_news>& news) {
    if (news) ctx_.options.campaign_delivery(news->campaign, news->was, news->now);
}

net::awaitable<void> conversation_actor::record_delivery(channels::delivery_outcome outcome) {
    return exclusive<void>([this, outcome = std::move(outcome)]() -> net::awaitable<void> {
        if (!known()) {
            // Erased, its outbox with it: but for a row an attempt's count
            // put back meanwhile (outbox::forget), or that a restart found.
            store::write_batch b;
            b.outbox_remove.push_back(outcome.message_id);
            co_await ctx_.store.write(std::move(b));
            co_return;
        }
        step s{*own_};
        s.batch.outbox_remove.push_back(outcome.message_id);
        std::optional<campaign_news> news;
        // By its id too: a message sent before the conversation was erased
        // is not the one of the same seq the user's new conversation has.
        if (auto m = ctx_.store.find_message(s.next.phone, outcome.seq); m && outcome.seq && m->id == outcome.message_id) {
            auto status = outcome.accepted ? message_status::sent : message_status::failed;
            if (!outcome.provider_id.empty()) m->channel_id = outcome.provider_id;
            bool advances = status_may_advance(m->status, status);
            if (advances) {
                news = campaign_news_of(*m, status);
                m->status = status;
            }
            bool failed_now = advances && status == message_status::failed;
            if (failed_now) m->error = outcome.error;
            auto now = std::chrono::system_clock::now();
            s.message_event("message.status", *m, now);
            if (failed_now) co_await count_undelivered(s, *m, now);
            s.batch.messages.push_back(std::move(*m));
        }
        co_await commit(s);
        tell_campaign(news);
    });
}

net::awaitable<void> conversation_actor::expire_if_idle(timestamp now) {
    return exclusive<void>([this, now]() -> net::awaitable<void> {
        auto cur = own_;
        if (cur->state == conv_state::idle || idle_deadline(*cur) > now) co_return;
        step s{*cur};
        auto& c = s.next;
        if (c.snoozed_until) {
            wake(s, "Snooze ended", now);
            co_await commit(s);
            co_return;
        }
        bool had_chat = c.chat_support_active;
        if (had_chat) {
            close_chat(s, "timeout", now);
            tell_user_in_window(s, ctx_.options.texts.idle_timeout, now);
            chat_ended(s, "timeout", c.rated_agent, now);
            c.rated_ticket_id.clear();  // a timed-out chat is not rated
            c.rated_agent.clear();
        }
        c.state = conv_state::idle;
        c.updated_at = now;
        s.conversation_updated(now);
        co_await commit(s);
        ctx_.expired.inc();
        log::debug("conversation idle", {{"phone", c.phone}, {"chat_ended", had_chat ? "yes" : "no"}});
    });
}

net::awaitable<conversation> conversation_actor::start_chat(agent_ref by, claim how) {
    return existing<conversation>([this, by = std::move(by), how]() -> net::awaitable<conversation> {
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        auto& c = s.next;
        if (c.chat_support_active && c.assignee == by.username) co_return c;  // claimed already: nothing to do
        if (c.blocked) refuse(command_error::kind::conflict, c.phone + " is blocked; unblock them to chat");
        if (c.chat_support_active && !c.assignee.empty())
            refuse(command_error::kind::conflict, "the chat is assigned to " + c.assignee + "; transfer it instead");
        if (c.chat_support_active) {  // waiting in the queue: claim it
            s.leave_queue = true;
            c.queued_at.reset();
        } else {
            open_by_agent(s, now);
        }
        take_chat(s, by.username, now);
        tell_user_in_window(s, fill(ctx_.options.texts.support_assigned, "agent", by.display_name), now);
        if (auto* n = ctx_.options.notifier; n && how == claim::by_routing)
            keep_notice(s, n->assigned(c, by.username, ""));
        s.event("chat.assigned", assigned_data(c, by.username), now);
        s.conversation_updated(now);
        co_await commit(s);
        co_return *own_;
    });
}

namespace {

// `c` filed and noted as `contact` says: its labels beside theirs, its
// details over theirs of the same name.
void file_and_note(conversation& c, const imported_contact& contact) {
    auto labels = c.labels;
    labels.insert(labels.end(), contact.labels.begin(), contact.labels.end());
    c.labels = sorted_set(std::move(labels));
    for (auto& [key, value] : contact.attributes) {
        auto at = std::lower_bound(c.attributes.begin(), c.attributes.end(), key,
                                   [](auto& a, const std::string& k) { return a.first < k; });
        if (at != c.attributes.end() && at->first == key)
            at->second = value;
        else
            c.attributes.insert(at, {key, value});
    }
}

// As an agent names a user: the bot greets them by it, and their app's
// name no longer replaces it.
void name_as_agent(conversation& c, std::string name) {
    if (name.empty()) return;
    c.name = std::move(name);
    c.registered = true;
}

}  // namespace

std::optional<import_problem> import_overflow(const conversation& c, const imported_contact& contact) {
    auto after = c;
    file_and_note(after, contact);
    auto past = [&](std::string field, std::size_t n, std::size_t most) {
        return import_problem{field, "+" + c.phone + " would have " + std::to_string(n) + " " + field +
                                         " with theirs; a conversation has " + std::to_string(most) + " at most"};
    };
    if (after.labels.size() > max_labels) return past("labels", after.labels.size(), max_labels);
    if (after.attributes.size() > max_attributes) return past("details", after.attributes.size(), max_attributes);
    return std::nullopt;
}

// A new contact is a conversation with no message, which no list shows and
// no event announces; one there is takes the list's labels and details,
// and its name unless the user or an agent gave one.
net::awaitable<import_outcome> conversation_actor::import_contact(imported_contact contact) {
    return exclusive<import_outcome>([this, contact = std::move(contact)]() mutable -> net::awaitable<import_outcome> {
        auto now = std::chrono::system_clock::now();
        if (auto why = import_overflow(*own_, contact)) refuse(command_error::kind::conflict, why->what);
        bool created = !known();
        step s{*own_};
        auto& c = s.next;
        if (created) {
            c.via = contact.via;
            c.wa_phone_number_id = std::move(contact.wa_phone_number_id);
            c.created_at = c.last_activity = now;
        }
        // The name it has already is no news (an export read back): one
        // their app gave stays the app's to change.
        if (!c.registered && contact.name != c.name) name_as_agent(c, std::move(contact.name));
        file_and_note(c, contact);
        if (!created && c.name == own_->name && c.registered == own_->registered && c.labels == own_->labels &&
            c.attributes == own_->attributes)
            co_return import_outcome::unchanged;
        c.updated_at = now;
        follow_filing(c);
        if (c.chat && c.chat.operator->() != own_->chat.operator->()) save_chat(s);  // the open chat's labels
        co_await learn_queue_position(s);
        s.conversation_updated(now);
        co_await commit(s);
        co_return created ? import_outcome::created : import_outcome::updated;
    });
}

// The user never wrote, so nothing is there to check but that: a webhook
// that got here first made the conversation, and the agent opens that one.
// An imported contact nobody has written to yet is opened as one the
// request makes, with what the import said of them beside.
net::awaitable<opened_conversation> conversation_actor::open_with(agent_ref by, first_contact first) {
    return exclusive<opened_conversation>(
        [this, by = std::move(by), first = std::move(first)]() mutable -> net::awaitable<opened_conversation> {
            auto now = std::chrono::system_clock::now();
            if (known() && !no_message_yet(*own_))
                refuse(command_error::kind::exists, own_->phone + " has a conversation already: open it");
            imported_contact asked{first.via, {}, {}, std::move(first.labels), std::move(first.attributes)};
            if (auto why = import_overflow(*own_, asked)) refuse(command_error::kind::conflict, why->what);
            step s{*own_};
            auto& c = s.next;
            c.via = first.via;
            c.wa_phone_number_id = std::move(first.wa_phone_number_id);
            name_as_agent(c, std::move(first.name));
            file_and_note(c, asked);
            if (!known()) c.created_at = now;
            open_by_agent(s, now);
            take_chat(s, by.username, now);
            s.event("chat.assigned", assigned_data(c, by.username), now);
            auto out = text_or_template(std::move(first.message));
            auto sent = add_agent_message(s, by, std::move(out.text), std::move(first.client_id),
                                          std::move(out.special), {}, now);
            s.conversation_updated(now);
            co_await commit(s);
            co_return opened_conversation{*own_, std::move(sent)};
        });
}

void conversation_actor::open_by_agent(step& s, timestamp now) {
    auto& c = s.next;
    open_chat(s, "agent", now);
    c.rated_ticket_id.clear();
    c.rated_agent.clear();
    c.state = conv_state::chat_support_active;
    s.conversation_event("chat.started", now);
    ctx_.chats_opened.inc();
}

void conversation_actor::take_chat(step& s, const std::string& agent, timestamp now) {
    auto& c = s.next;
    c.assignee = agent;
    if (!c.chat) c.chat = chat_of(c, *c.chat_start_time, "user");
    follow_filing(c);
    auto& chat = c.chat.edit();
    if (!chat.assigned_at) chat.assigned_at = now;
    chat.last_assigned_at = now;
    chat.agent = agent;
    save_chat(s);
    c.last_activity = now;
    c.updated_at = now;
}

net::awaitable<message> conversation_actor::send(agent_ref by, std::string text, std::string client_id,
                                                 quoted_message quote) {
    return send_as(std::move(by), std::move(text), std::move(client_id), std::nullopt, std::move(quote));
}

// A file's message reads as a user's does: `[image] caption`, a document's
// name after its caption.
net::awaitable<message> conversation_actor::send_file(agent_ref by, outgoing_file file, std::string client_id) {
    auto text = "[" + file.kind + "]";
    if (!file.caption.empty()) text += " " + file.caption;
    if (file.kind == "document" && !file.media.filename.empty()) text += " " + file.media.filename;
    // The outbox sends the file by its id, with the caption alone.
    whatsapp_only_send special{"files", file.kind, file.media.media_id, std::move(file.caption), file.media.filename,
                               std::move(file.media)};
    return send_as(std::move(by), std::move(text), std::move(client_id), std::move(special), std::move(file.quote));
}

// The history keeps the template as the user reads it; the outbox sends it
// by its object.
net::awaitable<message> conversation_actor::send_template(agent_ref by, outgoing_template t, std::string client_id) {
    auto special = template_send(t);
    return send_as(std::move(by), std::move(t.text), std::move(client_id), std::move(special));
}

conversation_actor::whatsapp_only_send conversation_actor::template_send(const outgoing_template& t) {
    return {"templates", "template", t.send_object, {}, {}, std::nullopt};
}

conversation_actor::outgoing_text conversation_actor::text_or_template(
    std::variant<std::string, outgoing_template> message) {
    if (auto* t = std::get_if<outgoing_template>(&message)) return {std::move(t->text), template_send(*t)};
    return {std::move(std::get<std::string>(message)), std::nullopt};
}

namespace {

// Whether a campaign's message is for this user now: still among its users,
// and not in a chat or a bot's dialog (registering, the rating question),
// which a broadcast would cut into.
bool campaign_reaches(const conversation& c, const campaign_message& m) {
    return c.state == conv_state::idle && in_campaign_audience(c, m.audience);
}

}  // namespace

// Sent as the agent who made the campaign, outside any chat: the user's
// answer goes to the bot as any message of theirs does, and `support` gets
// them a person.
net::awaitable<std::optional<message>> conversation_actor::send_campaign(agent_ref by, campaign_message m) {
    return exclusive<std::optional<message>>(
        [this, by = std::move(by), m = std::move(m)]() mutable -> net::awaitable<std::optional<message>> {
            auto now = std::chrono::system_clock::now();
            if (!known() || !campaign_reaches(*own_, m)) co_return std::nullopt;
            step s{*own_};
            auto out = text_or_template(std::move(m.message));
            auto sent = add_agent_message(s, by, std::move(out.text), std::string(campaign_client_prefix) + m.campaign_id,
                                          std::move(out.special), {}, now);
            s.conversation_updated_beyond_messages(*own_, now);
            co_await commit(s);
            co_return sent;
        });
}

net::awaitable<message> conversation_actor::send_as(agent_ref by, std::string text, std::string client_id,
                                                    std::optional<whatsapp_only_send> special, quoted_message quote) {
    return existing<message>([this, by = std::move(by), text = std::move(text), client_id = std::move(client_id),
                              special = std::move(special), quote = std::move(quote)]() mutable -> net::awaitable<message> {
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        if (auto why = why_agent_cannot_send(s.next, by.username, special ? std::string_view(special->what) : ""))
            refuse(command_error::kind::conflict, *why);
        auto sent = add_agent_message(s, by, std::move(text), std::move(client_id), std::move(special), quote, now);
        s.conversation_updated_beyond_messages(*own_, now);
        co_await commit(s);
        co_return sent;
    });
}

message conversation_actor::add_agent_message(step& s, const agent_ref& by, std::string text, std::string client_id,
                                              std::optional<whatsapp_only_send> special, const quoted_message& quote,
                                              timestamp now) {
    auto& c = s.next;
    auto& m = add_outgoing(s, sender::admin, std::move(text), now, false, special ? special->kind : "text");
    m.agent = by.username;
    m.client_id = std::move(client_id);
    m.reply_to = quote.seq;
    typing_shown_ = {};  // the message ends the indicator: typing the next one shows it again
    // What the outbox sends: none for a user no channel can reach.
    auto* out = !s.outbound.empty() && s.outbound.back().message_id == m.id ? &s.outbound.back() : nullptr;
    if (out && quote.seq) out->context = quote_reference(out->via, quote);
    if (special) {
        m.media = special->media;
        if (out) {
            out->kind = special->kind;
            out->ref = special->ref;
            out->text = special->text;
            out->filename = special->filename;
        }
    }
    auto sent = m;
    if (c.chat) {
        auto was = answer_clock_of(c);
        auto clock = after_message(was, m);
        auto& chat = c.chat.edit();
        if (was.waiting_since && was.first_reply_at) chat.answered_waits.emplace_back(*was.waiting_since, now);
        chat.waiting_since = clock.waiting_since;
        chat.first_response_at = clock.first_reply_at;
        chat.last_response_at = now;
        save_chat(s);
    }
    c.last_activity = now;
    s.message_created(sent, now);
    return sent;
}

// A private note: for the agents, in the history, and never sent. It is no
// answer (first response) and no activity (idle timeout), and any agent may
// leave one, in any state: a supervisor's word to whoever holds the chat.
net::awaitable<message> conversation_actor::add_note(agent_ref by, std::string text, std::string client_id) {
    return existing<message>([this, by = std::move(by), text = std::move(text),
                              client_id = std::move(client_id)]() -> net::awaitable<message> {
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        auto& m = add_message(s, sender::admin, text, now, "note");
        m.agent = by.username;
        m.client_id = client_id;
        m.status = message_status::sent;
        auto note = m;
        if (auto* n = ctx_.options.notifier) s.batch.notifications_put = n->mentioned_in(s.next, note, {});
        follow_mentions(s, now);
        s.message_created(note, now);
        s.conversation_updated_beyond_messages(*own_, now);
        co_await commit(s);
        co_return note;
    });
}

// Those a note calls in follow it from there, as in Chatwoot: the user's
// answer reaches them too.
void conversation_actor::follow_mentions(step& s, timestamp now) {
    auto& c = s.next;
    for (auto& called : s.batch.notifications_put) {
        auto [at, has] = place_in(c.participants, called.agent);
        if (has || c.participants.size() >= max_participants) continue;  // full: the mention alone
        c.participants.insert(at, called.agent);
        c.updated_at = now;
    }
}

// The note of `seq` found for a change by `by`, or refused.
message conversation_actor::note_to_change(const agent_ref& by, std::uint64_t seq, bool writer_only) {
    auto m = ctx_.store.find_message(own_->phone, seq);
    auto which = "note " + std::to_string(seq) + " in " + own_->phone;
    if (!m || m->kind != "note") refuse(command_error::kind::not_found, "no " + which);
    if (is_deleted_note(*m)) refuse(command_error::kind::not_found, which + " is deleted already");
    if (m->agent != by.username && (writer_only || !by.is_admin))
        refuse(command_error::kind::forbidden, "only " + m->agent + (writer_only ? " can edit" : " or an admin can delete") +
                                                   " this note");
    return std::move(*m);
}

// The note's words replaced (Intercom's edited notes), as only its writer
// may: its place, time and writer stay, `edited_at` says when. The
// agents it called see its new words in their notifications, and those it
// calls anew are told and follow it, as a new note's are.
net::awaitable<message> conversation_actor::edit_note(agent_ref by, std::uint64_t seq, std::string text) {
    return existing<message>([this, by = std::move(by), seq, text = std::move(text)]() -> net::awaitable<message> {
        auto m = note_to_change(by, seq, true);
        if (m.text == text) co_return m;  // nothing to change: no event, no edit time
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        auto before = std::exchange(m.text, text);
        m.edited_at = now;
        if (auto* n = ctx_.options.notifier) {
            s.notices_rewritten = n->note_rewritten(s.next, m.seq, before, m.text);
            s.batch.notifications_put = n->mentioned_in(s.next, m, before);
        }
        follow_mentions(s, now);
        co_await rewrite_note(s, m, now);
        co_return m;
    });
}

net::awaitable<message> conversation_actor::delete_note(agent_ref by, std::uint64_t seq) {
    return existing<message>([this, by = std::move(by), seq]() -> net::awaitable<message> {
        auto m = note_to_change(by, seq, false);
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        if (auto* n = ctx_.options.notifier) s.notices_rewritten = n->note_rewritten(s.next, m.seq, m.text, "");
        m.text.clear();
        m.edited_at = {};  // its words gone, and when they last changed with them
        co_await rewrite_note(s, m, now);
        co_return m;
    });
}

// A note changed in place, told as message.updated. The message.created
// that announced it holds its old words, kept for resumes and the event
// webhook: rewritten to the new ones.
net::awaitable<void> conversation_actor::rewrite_note(step& s, const message& m, timestamp now) {
    s.message_event("message.updated", m, now);
    if (s.next.participants != own_->participants) s.conversation_updated(now);
    s.batch.messages.push_back(m);
    co_await commit(s);
    std::string now_json;
    append_message_json(now_json, m);
    ctx_.events.rewrite({m.id, m.at, std::move(now_json)});
}

net::awaitable<conversation> conversation_actor::end_chat(agent_ref by, std::string closing_message) {
    return existing<conversation>([this, by = std::move(by),
                                   closing = std::move(closing_message)]() -> net::awaitable<conversation> {
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        auto& c = s.next;
        if (!c.chat_support_active) refuse(command_error::kind::conflict, "no chat is active with " + c.phone);
        if (!c.assignee.empty() && c.assignee != by.username && !by.is_admin)
            refuse(command_error::kind::forbidden, "the chat is assigned to " + c.assignee);
        if (!closing.empty()) {
            auto& m = add_outgoing(s, sender::admin, closing, now, false);
            m.agent = by.username;
            s.message_created(m, now);
        }
        close_chat(s, "agent", now);
        c.state = conv_state::rating;
        c.last_activity = now;
        tell_user_in_window(s, ctx_.options.texts.chat_ended, now, ctx_.offers.ratings());
        chat_ended(s, "agent", by.username, now);
        s.conversation_updated(now);
        co_await commit(s);
        co_return *own_;
    });
}

net::awaitable<conversation> conversation_actor::transfer(agent_ref by, agent_ref to) {
    return existing<conversation>([this, by = std::move(by), to = std::move(to)]() -> net::awaitable<conversation> {
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        auto& c = s.next;
        if (!c.chat_support_active) refuse(command_error::kind::conflict, "no chat is active with " + c.phone);
        if (!c.assignee.empty() && c.assignee != by.username && !by.is_admin)
            refuse(command_error::kind::forbidden, "only " + c.assignee + " or an admin can transfer this chat");
        if (c.assignee == to.username) co_return c;
        auto from = c.assignee;
        if (c.queued_at) {
            s.leave_queue = true;
            c.queued_at.reset();
        }
        c.assignee = to.username;
        c.snoozed_until.reset();  // the new agent finds it awake
        c.last_activity = now;
        if (c.chat) {
            auto& chat = c.chat.edit();
            if (!chat.assigned_at) chat.assigned_at = now;
            chat.last_assigned_at = now;
            chat.agent = to.username;
            save_chat(s);
        }
        add_system_note(s,
                        "Transferred " + (from.empty() ? std::string("from the queue") : "from " + from) + " to " +
                            to.username + " by " + by.username,
                        now);
        tell_user_in_window(s, fill(ctx_.options.texts.support_assigned, "agent", to.display_name), now);
        if (auto* n = ctx_.options.notifier) keep_notice(s, n->assigned(c, to.username, by.username));
        s.event("chat.transferred", transferred_data(c, from, to.username), now);
        s.conversation_updated(now);
        co_await commit(s);
        co_return *own_;
    });
}

// An agent hands a chat back: to the head of the queue, since the user has
// waited once already, for whoever claims it next (or automatic routing),
// where a transfer names the agent. The user is not told: to them it is
// still the chat they asked for.
net::awaitable<conversation> conversation_actor::return_to_queue(agent_ref by) {
    return existing<conversation>([this, by = std::move(by)]() -> net::awaitable<conversation> {
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        auto& c = s.next;
        if (!c.chat_support_active) refuse(command_error::kind::conflict, "no chat is active with " + c.phone);
        if (c.assignee.empty()) refuse(command_error::kind::conflict, "the chat is waiting in the queue already");
        if (c.assignee != by.username && !by.is_admin)
            refuse(command_error::kind::forbidden, "only " + c.assignee + " or an admin can return this chat to the queue");
        auto why = "Back to the queue: " +
                   (c.assignee == by.username ? by.username + " returned it" : by.username + " returned it from " + c.assignee);
        co_await requeue_to_front(s, std::move(why), now);
        co_return *own_;
    });
}

net::awaitable<conversation> conversation_actor::mark_read(agent_ref by, std::uint64_t up_to) {
    return existing<conversation>([this, up_to]() -> net::awaitable<conversation> {
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        auto& c = s.next;
        auto target = std::min(up_to, c.last_seq);
        bool reads_more = target > c.read_seq;
        if (!reads_more && c.undelivered == 0) co_return c;
        // WhatsApp shows the user blue ticks for their latest message read.
        if (reads_more && c.via == channel::whatsapp && ctx_.outbox.can_deliver(c.via)) {
            auto latest = ctx_.store.find_latest_user_message(c.phone, target + 1);
            if (latest && latest->seq > c.read_seq && !latest->channel_id.empty())
                s.outbound.push_back({"read_" + latest->id, c.phone, 0, c.via, c.wa_phone_number_id, {}, 0, now,
                                      "read", latest->channel_id});
        }
        if (reads_more) {
            c.read_seq = target;
            c.unread = ctx_.store.count_user_messages_after(c.phone, target);
        }
        c.undelivered = 0;  // an agent has seen the failures, with the rest
        c.updated_at = now;
        co_await learn_queue_position(s);
        s.conversation_updated(now);
        co_await commit(s);
        co_return *own_;
    });
}

// Read again from the user's newest message (Chatwoot's "mark as unread"),
// for an agent who wants it back in front of them: the console lists it
// unread, and a WhatsApp user's blue ticks stay (Meta has no undo).
net::awaitable<conversation> conversation_actor::mark_unread() {
    return existing<conversation>([this]() -> net::awaitable<conversation> {
        auto latest = latest_from_user(ctx_.store, *own_);
        if (!latest)
            throw command_error(command_error::kind::conflict, "the user has written nothing to mark unread");
        if (own_->read_seq < latest->seq) co_return *own_;  // unread already
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        auto& c = s.next;
        c.read_seq = latest->seq - 1;
        c.unread = ctx_.store.count_user_messages_after(c.phone, c.read_seq);
        c.updated_at = now;
        co_await learn_queue_position(s);
        s.conversation_updated(now);
        co_await commit(s);
        co_return *own_;
    });
}

// Meta's indicator lasts 25 s or until a message comes, and marks the
// user's message read, which an agent writing back has done. One each 20 s
// keeps it up while the agent types on; the console says so every 2 s.
net::awaitable<void> conversation_actor::agent_typing(std::string agent) {
    return exclusive<void>([this, agent = std::move(agent)]() -> net::awaitable<void> {
        constexpr auto again_after = std::chrono::seconds(20);
        const auto& c = *own_;
        if (c.via != channel::whatsapp || !c.chat_support_active || c.assignee != agent ||
            !ctx_.outbox.can_deliver(c.via))
            co_return;
        auto now = std::chrono::steady_clock::now();
        if (typing_shown_ != std::chrono::steady_clock::time_point{} && now - typing_shown_ < again_after) co_return;
        typing_shown_ = now;  // asked, shown or not: a closed window is not read again each keystroke
        auto latest = latest_from_user(ctx_.store, c);
        // Past WhatsApp's 24-hour window Meta would refuse it.
        if (!latest || latest->channel_id.empty() || std::chrono::system_clock::now() - latest->at >= whatsapp_window)
            co_return;
        ctx_.outbox.show_typing({"typing_" + latest->id, c.phone, 0, c.via, c.wa_phone_number_id, {}, 0,
                                 std::chrono::system_clock::now(), "typing", latest->channel_id});
    });
}

// Filing is no activity: the list's order and the idle timeout stay.
net::awaitable<conversation> conversation_actor::set_labels(agent_ref by, std::vector<std::string> labels) {
    return annotate(replacing(&conversation::labels, sorted_set(std::move(labels))), std::move(by));
}

// One label put on or taken off, the others kept: a bulk action's, which
// must not undo another agent's filing of the same conversation meanwhile.
net::awaitable<conversation> conversation_actor::set_label(agent_ref by, std::string label, bool filed) {
    return annotate(toggling(&conversation::labels, std::move(label), filed, max_labels, "labels"), std::move(by));
}

net::awaitable<conversation> conversation_actor::set_participants(std::vector<std::string> usernames) {
    return annotate(replacing(&conversation::participants, sorted_set(std::move(usernames))));
}

// One follower added or taken off, the others kept: two agents who follow
// a conversation at the same moment both do.
net::awaitable<conversation> conversation_actor::set_participant(std::string username, bool following) {
    return annotate(toggling(&conversation::participants, std::move(username), following, max_participants,
                             "followers"));
}

net::awaitable<conversation> conversation_actor::set_priority(agent_ref by, conv_priority priority) {
    return annotate(replacing(&conversation::priority, priority), std::move(by));
}

net::awaitable<conversation> conversation_actor::set_team(agent_ref by, std::string team) {
    return annotate(replacing(&conversation::team, std::move(team)), std::move(by));
}

net::awaitable<conversation> conversation_actor::leave_team(agent_ref by, std::string team) {
    return annotate(
        [team = std::move(team)](conversation& c) {
            if (c.team != team) return false;
            c.team.clear();
            return true;
        },
        std::move(by));
}

net::awaitable<conversation> conversation_actor::set_attributes(
    std::vector<std::pair<std::string, std::string>> attributes) {
    std::sort(attributes.begin(), attributes.end());
    return annotate(replacing(&conversation::attributes, std::move(attributes)));
}

// What the agents keep on a conversation (its labels, priority, team, attributes); `change`
// says whether it changed anything. No activity: the list's order and the
// idle timeout stay, as with the notes of a rename.
net::awaitable<conversation> conversation_actor::annotate(std::function<bool(conversation&)> change,
                                                          std::optional<agent_ref> by) {
    return existing<conversation>([this, change = std::move(change),
                                   by = std::move(by)]() -> net::awaitable<conversation> {
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        auto& c = s.next;
        if (!change(c)) co_return c;
        c.updated_at = now;
        follow_filing(c);
        if (by) {
            if (auto note = filing_note(*own_, c, by->username); !note.empty()) add_system_note(s, std::move(note), now);
        }
        if (c.chat && c.chat.operator->() != own_->chat.operator->()) save_chat(s);  // the change edited the open chat
        co_await learn_queue_position(s);
        s.conversation_updated(now);
        co_await commit(s);
        co_return *own_;
    });
}

// The actor becomes as the engine makes one for a phone it has not seen,
// and its conversation, with all it held, goes from the store in one write.
// The queue lets go of it; an open chat's agent hears of it only by the
// event (the chat's record goes too, so no chat.ended).
net::awaitable<std::uint64_t> conversation_actor::erase(agent_ref by) {
    return existing<std::uint64_t>([this, by = std::move(by)]() -> net::awaitable<std::uint64_t> {
        auto now = std::chrono::system_clock::now();
        auto gone = own_;
        step s{new_conversation(gone->phone, now)};
        s.erases = true;
        s.batch.erase_conversation = store::erasure{gone->phone, now, by.username};
        s.leave_queue = gone->queued_at.has_value();
        s.event("conversation.deleted", {{"phone", gone->phone}, {"by", by.username}}, now);
        co_await commit(s);
        ctx_.outbox.forget(gone->phone);
        // Its events kept for resumes and the event webhook hold its words, up to its conversation.deleted.
        ctx_.events.forget_conversation(gone->phone);
        co_return gone->last_seq;
    });
}

// Blocking ends an open chat at once, for the user with no word (they are
// not to learn of the block) and no rating; a note in the history says who
// did it, either way.
net::awaitable<conversation> conversation_actor::set_blocked(agent_ref by, bool blocked) {
    return existing<conversation>([this, by = std::move(by), blocked]() -> net::awaitable<conversation> {
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        auto& c = s.next;
        if (c.blocked == blocked) co_return c;
        c.blocked = blocked;
        c.updated_at = now;
        if (blocked) {
            if (c.chat_support_active) {
                close_chat(s, "blocked", now);
                chat_ended(s, "blocked", by.username, now);
                c.last_activity = now;
            }
            c.rated_ticket_id.clear();
            c.rated_agent.clear();
            c.state = conv_state::idle;
        }
        add_system_note(s, (blocked ? "Blocked by " : "Unblocked by ") + by.username, now);
        s.conversation_updated(now);
        co_await commit(s);
        co_return *own_;
    });
}

// Muting changes no chat: it only keeps the user's messages from ringing
// (the consoles read `muted`) and from the followers' inboxes.
net::awaitable<conversation> conversation_actor::set_muted(agent_ref by, bool muted) {
    return existing<conversation>([this, by = std::move(by), muted]() -> net::awaitable<conversation> {
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        auto& c = s.next;
        if (c.muted == muted) co_return c;
        c.muted = muted;
        c.updated_at = now;
        add_system_note(s, (muted ? "Muted by " : "Unmuted by ") + by.username, now);
        s.conversation_updated(now);
        co_await commit(s);
        co_return *own_;
    });
}

net::awaitable<conversation> conversation_actor::snooze(agent_ref by, std::optional<timestamp> until) {
    return existing<conversation>([this, by = std::move(by), until]() -> net::awaitable<conversation> {
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        auto& c = s.next;
        if (!until && !c.snoozed_until) co_return c;  // awake already
        if (!c.chat_support_active || c.assignee.empty())
            refuse(command_error::kind::conflict, "only a live chat that an agent has can be snoozed");
        if (c.assignee != by.username && !by.is_admin)
            refuse(command_error::kind::forbidden, "only " + c.assignee + " or an admin can snooze or wake this chat");
        if (!until) {
            wake(s, "Unsnoozed by " + by.username, now);
        } else {
            if (*until <= now) refuse(command_error::kind::invalid, "until must be in the future");
            c.snoozed_until = *until;
            c.updated_at = now;
            add_system_note(s,
                            "Snoozed by " + by.username +
                                (*until == until_next_reply ? " until the user replies" : " until " + utc_minute_text(*until)),
                            now);
            s.conversation_updated(now);
        }
        co_await commit(s);
        co_return *own_;
    });
}

// Its agent put the chat aside on purpose: if they had not answered it,
// their time to (--reassign-after) starts again now, rather than having
// run out while it slept.
void conversation_actor::wake_quietly(step& s, timestamp now) {
    auto& c = s.next;
    c.snoozed_until.reset();
    if (!c.chat || !c.chat->last_assigned_at || answered_since_assigned(*c.chat)) return;
    c.chat.edit().last_assigned_at = now;
    save_chat(s);
}

// Waking is activity: the chat comes back to the top of the lists, and its
// idle timeout counts from now.
void conversation_actor::wake(step& s, std::string note, timestamp now) {
    auto& c = s.next;
    wake_quietly(s, now);
    c.last_activity = now;
    c.updated_at = now;
    add_system_note(s, std::move(note), now);
    s.conversation_updated(now);
}

// Naming is no activity, like filing: the list's order and the idle timeout stay.
net::awaitable<conversation> conversation_actor::set_name(agent_ref by, std::string name) {
    return existing<conversation>([this, by = std::move(by), name = std::move(name)]() -> net::awaitable<conversation> {
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        auto& c = s.next;
        if (c.name == name && c.registered) co_return c;
        auto was = c.name;
        c.name = name;
        c.registered = true;
        c.updated_at = now;
        add_system_note(s, (was.empty() || was == name ? "Named " + name : "Renamed from " + was + " to " + name) +
                               " by " + by.username,
                        now);
        co_await learn_queue_position(s);
        s.conversation_updated(now);
        co_await commit(s);
        co_return *own_;
    });
}

// A message to the user failed: the conversation counts it until an agent
// reads it, and says so, so that every list shows it.
net::awaitable<void> conversation_actor::count_undelivered(step& s, const message& failed, timestamp now) {
    if (failed.from == sender::user) co_return;
    ++s.next.undelivered;
    s.next.updated_at = now;
    co_await learn_queue_position(s);
    s.conversation_updated(now);
}

net::awaitable<void> conversation_actor::learn_queue_position(step& s) {
    if (s.queue_position || !s.next.queued_at) co_return;
    auto phone = s.next.phone;  // a named local: no temporaries inside co_await (GCC 12)
    s.queue_position = co_await ctx_.queue.position(std::move(phone));
}

net::awaitable<void> conversation_actor::queue_moved(std::size_t position) {
    return exclusive<void>([this, position]() -> net::awaitable<void> {
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        if (!s.next.queued_at || !s.next.assignee.empty()) co_return;  // claimed meanwhile
        s.queue_position = position;
        // Past WhatsApp's window Meta would refuse it; and unlike the notices
        // that change the chat, the agents have nothing to learn from a note.
        if (!past_whatsapp_window(ctx_.store, s.next, now))
            tell_user(s, fill(ctx_.options.texts.queue_moved, "position", std::to_string(position)), now);
        s.event("chat.queued", queued_data(s.next, position, *s.next.queued_at), now);
        s.conversation_updated(now);
        co_await commit(s);
    });
}

net::awaitable<bool> conversation_actor::requeue_if_unanswered(std::chrono::seconds after) {
    return exclusive<bool>([this, after]() -> net::awaitable<bool> {
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        auto& c = s.next;
        if (!c.chat_support_active || c.assignee.empty() || c.snoozed_until || !c.chat || !c.chat->last_assigned_at)
            co_return false;
        if (answered_since_assigned(*c.chat) || now - *c.chat->last_assigned_at < after) co_return false;
        co_await requeue_to_front(s, "Back to the queue: " + c.assignee + " did not answer in time", now);
        co_return true;
    });
}

net::awaitable<std::size_t> conversation_actor::miss_targets(std::shared_ptr<const reply_policy> policy, timestamp now) {
    return exclusive<std::size_t>([this, policy, now]() -> net::awaitable<std::size_t> {
        // By the team the conversation is under now, on its own strand.
        auto missed = targets_missed(*own_, policy->for_team(own_->team), ctx_.options.hours.get(), now);
        if (!missed.any()) co_return 0;
        step s{*own_};
        auto& c = s.next;
        auto& chat = c.chat.edit();
        if (missed.reply) chat.target_missed_for = chat.waiting_since;
        if (missed.resolution) chat.resolution_missed = true;
        save_chat(s);
        std::vector<std::string_view> reported;  // which targets, as the events name them
        for (auto* d : {&missed.reply, &missed.resolution})
            if (*d) {
                s.event("chat.sla_missed", missed_target_data(c, **d), now);
                reported.push_back((*d)->target);
                if (auto* n = ctx_.options.notifier) keep_notice(s, n->missed_target(c, (*d)->target));
            }
        co_await commit(s);
        ctx_.targets_missed.inc(reported.size());
        for (auto target : reported)
            tell_listener_that([&](conversation_listener& l) { l.missed_target(*own_, target); });
        co_return reported.size();
    });
}

net::awaitable<bool> conversation_actor::requeue_from(std::string agent) {
    return exclusive<bool>([this, agent]() -> net::awaitable<bool> {
        auto now = std::chrono::system_clock::now();
        step s{*own_};
        if (!s.next.chat_support_active || s.next.assignee != agent) co_return false;
        co_await requeue_to_front(s, "Back to the queue: " + agent + " was deactivated", now);
        co_return true;
    });
}

net::awaitable<void> conversation_actor::requeue_to_front(step& s, std::string why, timestamp now) {
    auto& c = s.next;
    c.assignee.clear();
    c.snoozed_until.reset();
    c.queued_at = now;
    if (c.chat) {
        auto& ch = c.chat.edit();
        ch.agent.clear();
        ch.last_assigned_at.reset();
        save_chat(s);
    }
    s.queue_position = 1;
    add_system_note(s, std::move(why), now);
    s.event("chat.queued", queued_data(c, 1, now), now);
    s.conversation_updated(now);
    auto phone = c.phone;
    co_await commit(s);
    co_await ctx_.queue.join_front(phone, now);
}

}  // namespace switchboard::chat
