// The conversation actor's commands. Each builds a `step` from a copy of the
// state, writes it durably, and only then adopts it: a failed write changes
// nothing.
#include "conversation_actor.hpp"

#include "switchboard/chat/json.hpp"
#include "switchboard/core/ids.hpp"
#include "switchboard/core/log.hpp"

namespace switchboard::chat {

namespace net = boost::asio;

struct conversation_actor::step {
    conversation next;
    store::write_batch batch;
    std::vector<store::outbox_item> outbound;
    std::vector<events::event> events;
    std::optional<std::size_t> queue_position;
    bool leave_queue = false;
};

namespace {

std::string dedupe_key(const inbound_message& m) {
    if (m.channel_id.empty()) return {};
    return std::string(to_string(m.via)) + ':' + m.channel_id;
}

events::event make_event(std::string type, const conversation& c, boost::json::object data, timestamp at) {
    return events::event{std::move(type), c.phone, std::move(data), at};
}

}  // namespace

conversation_actor::conversation_actor(engine_context& ctx, net::any_io_executor strand, conversation initial)
    : ctx_(ctx), strand_(std::move(strand)), state_(std::move(initial)) {
    update_expiry();
}

void conversation_actor::update_expiry() {
    auto v = state_.state == conv_state::idle
                 ? INT64_MAX
                 : to_unix_ms(state_.last_activity) +
                       std::chrono::duration_cast<std::chrono::milliseconds>(ctx_.options.idle_timeout).count();
    expires_at_ms_.store(v, std::memory_order_relaxed);
}

message& conversation_actor::add_message(step& s, sender from, std::string text, timestamp at) {
    message m;
    m.id = random_hex_id("msg_");
    m.phone = s.next.phone;
    m.seq = ++s.next.last_seq;
    m.from = from;
    m.text = std::move(text);
    m.at = at;
    s.next.last_message = utf8_prefix(m.text, last_message_preview_chars);
    s.next.last_sender = from;
    s.next.updated_at = at;
    s.batch.messages.push_back(std::move(m));
    return s.batch.messages.back();
}

// A bot message answered inline (in the plain webhook's response) is sent
// already; any other goes out through the outbox.
void conversation_actor::add_bot_message(step& s, std::string text, timestamp at, bool answered_inline) {
    auto& m = add_message(s, sender::bot, std::move(text), at);
    if (answered_inline) {
        m.status = message_status::sent;
    } else if (ctx_.outbox.can_deliver(s.next.via)) {
        s.outbound.push_back({m.id, m.phone, m.seq, s.next.via, s.next.wa_phone_number_id, m.text, 0, at});
    }
}

void conversation_actor::close_chat(conversation& c) {
    c.rated_ticket_id = c.support_ticket_id;
    c.rated_agent = c.assignee;
    c.in_chat_support = false;
    c.chat_support_active = false;
    c.chat_start_time.reset();
    c.support_ticket_id.clear();
    c.assignee.clear();
    c.queued_at.reset();
}

net::awaitable<void> conversation_actor::commit(step& s) {
    s.batch.conversation = s.next;
    s.batch.outbox_put = s.outbound;
    co_await ctx_.store.write(std::move(s.batch));

    state_ = std::move(s.next);
    update_expiry();
    if (s.leave_queue) co_await ctx_.queue.leave(state_.phone);
    for (auto& e : s.events) ctx_.events.publish(std::move(e));
    if (!s.outbound.empty()) ctx_.outbox.enqueue(std::move(s.outbound));
}

net::awaitable<inbound_result> conversation_actor::receive(inbound_message in) {
    return exclusive<inbound_result>([this, in = std::move(in)]() -> net::awaitable<inbound_result> {
        auto key = dedupe_key(in);
        if (!key.empty())
            if (auto first = ctx_.store.find_dedupe(key)) {
                ctx_.duplicates.inc();
                co_return inbound_result{{}, state_.state, std::move(first)};
            }
        ctx_.messages_in.inc();

        auto now = std::chrono::system_clock::now();
        step s{state_};
        auto& c = s.next;
        c.via = in.via;
        if (!in.wa_phone_number_id.empty()) c.wa_phone_number_id = in.wa_phone_number_id;
        if (!c.registered && !in.profile_name.empty()) c.name = in.profile_name;

        auto was = c.state;
        auto decision = bot_decide(c, in.text);
        auto& user_msg = add_message(s, sender::user, in.text, now);
        user_msg.kind = in.kind;
        user_msg.channel_id = in.channel_id;
        auto user_json = to_json(user_msg);

        bool joined = false;
        switch (decision.action) {
        case bot_action::register_name:
            c.name = decision.name;
            c.registered = true;
            break;
        case bot_action::open_support:
            c.in_chat_support = c.chat_support_active = true;
            c.chat_start_time = now;
            c.support_ticket_id = random_hex_id("t_", 8);
            c.assignee.clear();
            c.queued_at = now;
            s.queue_position = co_await ctx_.queue.join(c.phone, now);
            joined = true;
            ctx_.chats_opened.inc();
            break;
        case bot_action::end_support:
            close_chat(c);
            s.leave_queue = true;
            ctx_.chats_closed.inc();
            break;
        case bot_action::rate:
            s.batch.ratings.push_back({c.phone, c.rated_ticket_id, c.rated_agent, decision.rating, now});
            break;
        case bot_action::chat_message:
            ++c.unread;
            break;
        default:
            break;
        }
        if (was == conv_state::rating) {  // rated or skipped: either way that chat is done with
            c.rated_ticket_id.clear();
            c.rated_agent.clear();
        }
        c.state = decision.next;
        c.last_activity = now;

        auto replies = bot_replies(decision, c, ctx_.options.texts, s.queue_position.value_or(0));
        bool inline_answer = in.via == channel::plain;
        for (auto& r : replies) add_bot_message(s, r, now, inline_answer);
        if (!key.empty()) s.batch.dedupe.push_back({key, webhook_answer(replies, c.state)});

        s.events.push_back(make_event("message.created", c, std::move(user_json), now));
        for (std::size_t i = 1; i < s.batch.messages.size(); ++i)
            s.events.push_back(make_event("message.created", c, to_json(s.batch.messages[i]), now));
        if (decision.action == bot_action::open_support) {
            s.events.push_back(make_event("chat.started", c, to_json(c, s.queue_position), now));
            s.events.push_back(make_event(
                "chat.queued", c,
                {{"phone", c.phone}, {"position", *s.queue_position}, {"queued_at", to_iso8601(now)}}, now));
        } else if (decision.action == bot_action::end_support) {
            s.events.push_back(make_event("chat.ended", c, {{"phone", c.phone}, {"reason", "user"}}, now));
        }
        s.events.push_back(make_event("conversation.updated", c, to_json(c, s.queue_position), now));

        std::exception_ptr failed;
        try {
            co_await commit(s);
        } catch (...) {
            failed = std::current_exception();
        }
        if (failed) {
            if (joined) co_await ctx_.queue.leave(c.phone);  // nothing of the step remains
            std::rethrow_exception(failed);
        }
        co_return inbound_result{std::move(replies), state_.state, std::nullopt};
    });
}

net::awaitable<void> conversation_actor::apply_status(std::string channel_id, message_status status) {
    return exclusive<void>([this, channel_id = std::move(channel_id), status]() -> net::awaitable<void> {
        auto m = ctx_.store.find_message_by_channel_id(state_.phone, channel_id);
        if (!m || !status_may_advance(m->status, status)) {  // unknown, or a late status going backwards
            ctx_.statuses_ignored.inc();
            co_return;
        }
        ctx_.statuses_applied.inc();
        m->status = status;
        step s{state_};
        s.events.push_back(make_event("message.status", s.next, to_json(*m), std::chrono::system_clock::now()));
        s.batch.messages.push_back(std::move(*m));
        co_await commit(s);
    });
}

net::awaitable<void> conversation_actor::record_delivery(channels::delivery_outcome outcome) {
    return exclusive<void>([this, outcome = std::move(outcome)]() -> net::awaitable<void> {
        step s{state_};
        s.batch.outbox_remove.push_back(outcome.message_id);
        if (auto m = ctx_.store.find_message(state_.phone, outcome.seq)) {
            auto status = outcome.accepted ? message_status::sent : message_status::failed;
            if (!outcome.provider_id.empty()) m->channel_id = outcome.provider_id;
            if (status_may_advance(m->status, status)) m->status = status;
            s.events.push_back(make_event("message.status", s.next, to_json(*m), std::chrono::system_clock::now()));
            s.batch.messages.push_back(std::move(*m));
        }
        co_await commit(s);
    });
}

net::awaitable<void> conversation_actor::expire_if_idle(timestamp now) {
    return exclusive<void>([this, now]() -> net::awaitable<void> {
        if (state_.state == conv_state::idle || state_.last_activity + ctx_.options.idle_timeout > now) co_return;
        step s{state_};
        auto& c = s.next;
        bool had_chat = c.chat_support_active;
        if (had_chat) {
            close_chat(c);
            c.rated_ticket_id.clear();  // a timed-out chat is not rated
            c.rated_agent.clear();
            s.leave_queue = true;
            add_bot_message(s, ctx_.options.texts.idle_timeout, now, false);
            s.events.push_back(make_event("message.created", c, to_json(s.batch.messages.back()), now));
            s.events.push_back(make_event("chat.ended", c, {{"phone", c.phone}, {"reason", "timeout"}}, now));
            ctx_.chats_closed.inc();
        }
        c.state = conv_state::idle;
        c.updated_at = now;
        s.events.push_back(make_event("conversation.updated", c, to_json(c, std::nullopt), now));
        co_await commit(s);
        ctx_.expired.inc();
        log::debug("conversation idle", {{"phone", state_.phone}, {"chat_ended", had_chat ? "yes" : "no"}});
    });
}

net::awaitable<conversation> conversation_actor::snapshot() {
    return exclusive<conversation>([this]() -> net::awaitable<conversation> { co_return state_; });
}

}  // namespace switchboard::chat
