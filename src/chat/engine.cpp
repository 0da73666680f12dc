// The engine: the phone → actor registry (sharded, so that two first messages
// from one number meet in one actor), start-up restore and the idle sweep.
#include "switchboard/chat/engine.hpp"

#include "../core/string_map.hpp"
#include "../core/strand_semaphore.hpp"
#include "activity_board.hpp"
#include "conversation_actor.hpp"
#include "conversation_list.hpp"
#include "switchboard/core/log.hpp"
#include "switchboard/core/repeated_problem.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <type_traits>
#include <unordered_map>

namespace switchboard::chat {

namespace net = boost::asio;

namespace {

constexpr std::size_t shard_count = 64;

// How often the idle sweep looks: often enough to be on time within a
// quarter of the timeout, never busier than 4× a second.
std::chrono::milliseconds sweep_period(std::chrono::seconds idle_timeout) {
    auto quarter = std::chrono::duration_cast<std::chrono::milliseconds>(idle_timeout) / 4;
    return std::clamp<std::chrono::milliseconds>(quarter, std::chrono::milliseconds(250), std::chrono::seconds(30));
}

}  // namespace

struct engine::impl : std::enable_shared_from_this<engine::impl> {
    impl(net::io_context& ioc_, store::store& store, events::event_sink& events, channels::outbox& outbox_,
         metrics::registry& metrics, engine_options options_)
        : ioc(ioc_),
          options(std::move(options_)),
          queue(net::make_strand(ioc_)),
          outbox(outbox_),
          ctx{store,
              events,
              queue,
              outbox_,
              options,
              bot_offer_set(options.texts),
              metrics.get_counter("switchboard_messages_received_total", "User messages taken in"),
              metrics.get_counter("switchboard_messages_duplicate_total", "Inbound messages dropped as duplicates"),
              metrics.get_counter("switchboard_messages_blocked_total",
                                  "Inbound messages from blocked users, acknowledged and dropped"),
              metrics.get_counter("switchboard_chats_opened_total", "Support chats opened"),
              metrics.get_counter("switchboard_chats_closed_total", "Support chats closed"),
              metrics.get_counter("switchboard_message_statuses_total", "Provider statuses, by outcome",
                                  {{"outcome", "applied"}}),
              metrics.get_counter("switchboard_message_statuses_total", "Provider statuses, by outcome",
                                  {{"outcome", "ignored"}}),
              metrics.get_counter("switchboard_conversations_expired_total",
                                  "Conversations returned to IDLE by the idle timeout"),
              metrics.get_gauge("switchboard_conversations", "Conversations known"),
              metrics.get_counter("switchboard_reply_targets_missed_total",
                                  "Targets missed: waits past a reply-time target, chats past the resolution "
                                  "target (chat.sla_missed)")},
          sweep_timer(net::make_strand(ioc_)),
          target_timer(net::make_strand(ioc_)) {}

    struct shard {
        mutable std::mutex mutex;  // guards the map only; never held across an await
        string_map<std::shared_ptr<conversation_actor>> actors;
    };

    shard& shard_for(std::string_view phone) { return shards[hash_string(phone) % shard_count]; }

    // A conversation that exists: one whose first step was never written
    // (the store refused it) is nobody's business but the next webhook's.
    std::shared_ptr<conversation_actor> find(std::string_view phone) {
        auto& s = shard_for(phone);
        std::lock_guard lock(s.mutex);
        auto it = s.actors.find(phone);
        return it == s.actors.end() || !it->second->known() ? nullptr : it->second;
    }

    // f(actor, its latest state) for every actor whose board flags include
    // `flags`: the board rules most out without touching them.
    template <class F>
    void for_each_flagged(std::uint16_t flags, F f) const {
        board.for_each([&](const activity_board::slot& s, conversation_actor& a) {
            if (s.listed().has(flags)) f(a, *a.current());
        });
    }

    // Every actor so flagged whose latest state passes `wanted`.
    template <class Pred>
    std::vector<std::shared_ptr<conversation_actor>> actors_where(std::uint16_t flags, Pred wanted) {
        std::vector<std::shared_ptr<conversation_actor>> out;
        for_each_flagged(flags, [&](conversation_actor& a, const conversation& c) {
            if (wanted(c)) out.push_back(a.shared_from_this());
        });
        return out;
    }

    // A new actor, not yet seen by walks: a restored one is published at
    // once, a new one by its first written step (conversation_actor::adopt).
    std::shared_ptr<conversation_actor> make_actor(conversation c, std::optional<std::uint64_t> row_seq = std::nullopt) {
        auto& slot = board.claim();
        return std::make_shared<conversation_actor>(ctx, net::make_strand(ioc), slot, std::move(c), row_seq);
    }

    // For agents' commands: a conversation must exist already.
    std::shared_ptr<conversation_actor> require(const std::string& phone) {
        auto actor = find(phone);
        if (!actor) throw command_error(command_error::kind::not_found, "no conversation with " + phone);
        return actor;
    }

    // A reference, not a shared_ptr: actors stay in the map for the
    // engine's lifetime, and a copy's count is a cold cache line a webhook.
    conversation_actor& get_or_create(const std::string& phone) {
        auto& s = shard_for(phone);
        std::lock_guard lock(s.mutex);
        auto& slot = s.actors[phone];
        if (!slot) slot = make_actor(new_conversation(phone, std::chrono::system_clock::now()));
        return *slot;
    }

    void restore() {
        std::vector<support_queue::entry> waiting;
        std::size_t count = 0;
        std::unordered_map<std::string, chat_record> open_chats;
        for (auto& ch : ctx.store.load_open_chats()) open_chats.emplace(ch.ticket_id, std::move(ch));
        std::unordered_map<std::string, store::row_catch_up> catch_ups;
        for (auto& up : ctx.store.load_row_catch_ups()) {
            auto phone = up.newest.phone;
            catch_ups.emplace(std::move(phone), std::move(up));
        }
        for (auto& c : ctx.store.load_conversations()) {
            if (auto it = open_chats.find(c.support_ticket_id); it != open_chats.end() && c.chat_support_active)
                c.chat = std::move(it->second);
            if (c.chat_support_active && c.assignee.empty() && c.queued_at)
                waiting.push_back({c.phone, *c.queued_at, std::nullopt});
            auto phone = c.phone;
            auto row_seq = c.last_seq;
            if (auto it = catch_ups.find(phone); it != catch_ups.end())
                apply_newest_messages(c, it->second.newest,
                                      it->second.preview ? &*it->second.preview : nullptr,
                                      it->second.user_messages);
            auto actor = make_actor(std::move(c), row_seq);
            actor->publish();
            auto& s = shard_for(phone);
            std::lock_guard lock(s.mutex);
            s.actors[phone] = std::move(actor);
            ++count;
        }
        queue.restore(std::move(waiting));
        auto pending = ctx.store.load_outbox();
        std::sort(pending.begin(), pending.end(),
                  [](auto& a, auto& b) { return std::tie(a.phone, a.seq) < std::tie(b.phone, b.seq); });
        if (count || !pending.empty())
            log::info("restored", {{"conversations", std::to_string(count)}, {"outbox", std::to_string(pending.size())}});
        outbox.enqueue(std::move(pending));
    }

    void schedule_sweep() {
        sweep_timer.expires_after(sweep_period(options.idle_timeout));
        sweep_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (ec || self->stopped) return;
            // The next wait starts when this sweep's expiries are done.
            net::co_spawn(self->sweep_timer.get_executor(), self->sweep(), [self](std::exception_ptr e) {
                if (e) log::failure("idle sweep failed", e);
                if (!self->stopped) self->schedule_sweep();
            });
        });
    }

    // Reads the board's deadlines; only conversations that are due get a
    // command, at most expire_window of them in flight at once. Posted all
    // at once, the 20,000 waiting chats of a broadcast timing out together
    // held webhooks 200–300 ms behind them.
    net::awaitable<void> sweep() {
        auto now = std::chrono::system_clock::now();
        auto now_ms = to_unix_ms(now);
        std::vector<std::shared_ptr<conversation_actor>> due;
        board.for_each([&](const activity_board::slot& s, conversation_actor& a) {
            if (s.expires_at_ms.load(std::memory_order_relaxed) <= now_ms) due.push_back(a.shared_from_this());
        });
        auto expiring = in_window(std::move(due), [now](conversation_actor& a) { return a.expire_if_idle(now); },
                                  expiries_failing);
        co_await std::move(expiring);
    }

    // command(actor) for each of `actors`, at most expire_window in flight at
    // once, until all are done; on the strand this coroutine runs on. Each
    // one's failure goes to `failures`: a full disk fails them all, and says
    // so once for all of them rather than a line a conversation each round.
    // `command` must be trivially copyable: GCC 12 copies a closure moved out
    // of a coroutine's parameters bitwise.
    template <class Command>
        requires std::is_trivially_copyable_v<Command>
    net::awaitable<void> in_window(std::vector<std::shared_ptr<conversation_actor>> actors, Command command,
                                   log::repeated_problem& failures) {
        auto strand = co_await net::this_coro::executor;
        strand_semaphore window(expire_window);  // taken and given back on that strand
        for (auto& a : actors) {
            if (stopped) break;
            co_await window.acquire();
            net::co_spawn(ioc, command(*a),
                          net::bind_executor(strand, [&window, &failures, phone = a->current()->phone](std::exception_ptr e) {
                              if (e)
                                  failures.occurred({{"phone", phone}, {"error", log::error_text(e)}});
                              else
                                  failures.stopped();
                              window.release();
                          }));
        }
        for (std::size_t i = 0; i < expire_window; ++i) co_await window.acquire();  // all back: none in flight
    }

    static constexpr std::size_t expire_window = 64;

    // The reply-target check, every few seconds, the first at start: a wait
    // that crossed its target while the server was down is reported then.
    void schedule_target_check(std::chrono::milliseconds after) {
        target_timer.expires_after(after);
        target_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (ec || self->stopped) return;
            auto checking = self->check_targets(std::chrono::system_clock::now());
            net::co_spawn(self->target_timer.get_executor(), std::move(checking),
                          [self](std::exception_ptr e, std::size_t) {
                              if (e) log::failure("reply-target check failed", e);
                              if (!self->stopped) self->schedule_target_check(target_check_period);
                          });
        });
    }

    // Only the chats the board flags as waiting are read (as open, with a
    // resolution target), and only those past a target (a snoozed chat waits
    // past none) and not yet reported past it get a command.
    net::awaitable<std::size_t> check_targets(timestamp now) {
        auto policy = reply_policy_now.load();
        if (!policy || !policy->any()) co_return 0;
        const business_hours* hours = options.hours.get();
        auto past = [&](const conversation& c) { return targets_missed(c, policy->for_team(c.team), hours, now).any(); };
        // A resolution target concerns every open chat, which is flagged
        // active from its `support` on, queued too; the reply targets only
        // those whose user waits.
        auto late = actors_where(policy->holds(&reply_targets::resolution_minutes) ? list_key::active : list_key::waiting, past);
        std::atomic<std::size_t> reported{0};  // counted on the actors' strands
        auto reporting = in_window(
            std::move(late),
            [&reported, &policy, now](conversation_actor& a) { return report_if_late(a, policy, now, reported); },
            reports_failing);
        co_await std::move(reporting);
        co_return reported.load();
    }

    static net::awaitable<void> report_if_late(conversation_actor& a, std::shared_ptr<const reply_policy> policy,
                                               timestamp now, std::atomic<std::size_t>& reported) {
        auto reporting = a.miss_targets(std::move(policy), now);  // keeps the actor alive until it is done
        reported += co_await std::move(reporting);
    }

    static constexpr std::chrono::seconds target_check_period{5};

    net::io_context& ioc;
    engine_options options;
    support_queue queue;
    channels::outbox& outbox;
    engine_context ctx;
    activity_board board;  // before the shards: the actors they hold write to it
    std::array<shard, shard_count> shards;
    net::steady_timer sweep_timer;
    net::steady_timer target_timer;
    log::repeated_problem expiries_failing{log::level::error, "idle expiries failed", "idle expiries succeed again"};
    log::repeated_problem reports_failing{log::level::error, "reports of missed reply targets failed",
                                          "reports of missed reply targets succeed again"};
    std::atomic<std::shared_ptr<const reply_policy>> reply_policy_now;
    std::atomic<bool> stopped{false};
};

engine::engine(net::io_context& ioc, store::store& store, events::event_sink& events, channels::outbox& outbox,
               metrics::registry& metrics, engine_options options)
    : impl_(std::make_shared<impl>(ioc, store, events, outbox, metrics, std::move(options))) {}

engine::~engine() { stop(); }

void engine::start() {
    std::weak_ptr<impl> weak = impl_;
    impl_->ctx.on_queue_moved = [weak](std::vector<support_queue::moved> moved) {
        auto self = weak.lock();
        if (!self) return;
        for (auto& m : moved)
            if (auto actor = self->find(m.phone))
                net::co_spawn(self->ioc, actor->queue_moved(m.position),
                              [](std::exception_ptr e) { log::failure("queue notice failed", e); });
    };
    impl_->outbox.on_outcome([weak](channels::delivery_outcome o) -> net::awaitable<void> {
        auto self = weak.lock();
        if (!self) co_return;
        // The actor first, in a statement of its own: inside co_await, GCC 12
        // moved `o` into the call before get_or_create read its phone.
        auto& actor = self->get_or_create(o.phone);
        co_await actor.record_delivery(std::move(o));
    });
    impl_->restore();
    impl_->schedule_sweep();
    impl_->schedule_target_check(std::chrono::milliseconds(0));
}

void engine::stop() {
    if (impl_->stopped.exchange(true)) return;
    net::post(impl_->sweep_timer.get_executor(), [self = impl_] { self->sweep_timer.cancel(); });
    net::post(impl_->target_timer.get_executor(), [self = impl_] { self->target_timer.cancel(); });
}

void engine::set_reply_policy(reply_policy policy) {
    impl_->reply_policy_now.store(std::make_shared<const reply_policy>(std::move(policy)));
}

net::awaitable<std::size_t> engine::check_reply_targets(timestamp now) { return impl_->check_targets(now); }

// Not a coroutine: the actor's command keeps the actor alive, and one
// coroutine frame fewer per webhook (callgrind: 100,500 → 99,900 instructions).
net::awaitable<inbound_result> engine::receive(inbound_message&& m) {
    auto& actor = impl_->get_or_create(m.phone);
    actor.prefetch_state();
    return actor.receive(std::move(m));
}

net::awaitable<void> engine::apply_status(std::string phone, std::string channel_id, message_status status,
                                          std::string error) {
    auto actor = impl_->find(phone);
    if (!actor) co_return;  // a status for a number we never wrote to
    co_await actor->apply_status(std::move(channel_id), status, std::move(error));
}

net::awaitable<std::optional<conversation>> engine::find(std::string phone) {
    auto actor = impl_->find(phone);
    if (!actor) co_return std::nullopt;
    co_return *actor->current();
}

net::awaitable<conversation> engine::start_chat(std::string phone, agent_ref by, claim how) {
    auto actor = impl_->require(phone);
    co_return co_await actor->start_chat(std::move(by), how);
}

net::awaitable<message> engine::send(std::string phone, agent_ref by, std::string text, std::string client_id,
                                     quoted_message quote) {
    auto actor = impl_->require(phone);
    co_return co_await actor->send(std::move(by), std::move(text), std::move(client_id), std::move(quote));
}

net::awaitable<message> engine::send_file(std::string phone, agent_ref by, outgoing_file file, std::string client_id) {
    auto actor = impl_->require(phone);
    co_return co_await actor->send_file(std::move(by), std::move(file), std::move(client_id));
}

net::awaitable<message> engine::send_template(std::string phone, agent_ref by, outgoing_template t,
                                              std::string client_id) {
    auto actor = impl_->require(phone);
    co_return co_await actor->send_template(std::move(by), std::move(t), std::move(client_id));
}

net::awaitable<opened_conversation> engine::open_conversation(std::string phone, agent_ref by, first_contact first) {
    auto& actor = impl_->get_or_create(phone);
    co_return co_await actor.open_with(std::move(by), std::move(first));
}

net::awaitable<import_outcome> engine::import_contact(std::string phone, imported_contact contact) {
    auto& actor = impl_->get_or_create(phone);
    co_return co_await actor.import_contact(std::move(contact));
}

bool in_campaign_audience(const conversation& c, const campaign_audience& audience) {
    auto filed_under = [&](const std::string& l) { return std::binary_search(c.labels.begin(), c.labels.end(), l); };
    return c.via == audience.via && !c.blocked && std::any_of(audience.labels.begin(), audience.labels.end(), filed_under) &&
           std::none_of(audience.except_labels.begin(), audience.except_labels.end(), filed_under);
}

net::awaitable<std::optional<message>> engine::send_campaign(std::string phone, agent_ref by, campaign_message m) {
    auto actor = impl_->find(phone);
    if (!actor) co_return std::nullopt;
    co_return co_await actor->send_campaign(std::move(by), std::move(m));
}

net::awaitable<message> engine::add_note(std::string phone, agent_ref by, std::string text, std::string client_id) {
    auto actor = impl_->require(phone);
    co_return co_await actor->add_note(std::move(by), std::move(text), std::move(client_id));
}

net::awaitable<message> engine::delete_note(std::string phone, agent_ref by, std::uint64_t seq) {
    auto actor = impl_->require(phone);
    co_return co_await actor->delete_note(std::move(by), seq);
}

net::awaitable<message> engine::edit_note(std::string phone, agent_ref by, std::uint64_t seq, std::string text) {
    auto actor = impl_->require(phone);
    co_return co_await actor->edit_note(std::move(by), seq, std::move(text));
}

net::awaitable<conversation> engine::end_chat(std::string phone, agent_ref by, std::string closing_message) {
    auto actor = impl_->require(phone);
    co_return co_await actor->end_chat(std::move(by), std::move(closing_message));
}

net::awaitable<conversation> engine::return_to_queue(std::string phone, agent_ref by) {
    auto actor = impl_->require(phone);
    co_return co_await actor->return_to_queue(std::move(by));
}

net::awaitable<conversation> engine::transfer(std::string phone, agent_ref by, agent_ref to) {
    auto actor = impl_->require(phone);
    co_return co_await actor->transfer(std::move(by), std::move(to));
}

net::awaitable<conversation> engine::mark_unread(std::string phone) {
    auto actor = impl_->require(phone);
    co_return co_await actor->mark_unread();
}

net::awaitable<conversation> engine::mark_read(std::string phone, agent_ref by, std::uint64_t up_to) {
    auto actor = impl_->require(phone);
    co_return co_await actor->mark_read(std::move(by), up_to);
}

void engine::agent_typing(std::string phone, std::string agent) {
    auto actor = impl_->find(phone);
    if (!actor) return;
    net::co_spawn(impl_->ioc, actor->agent_typing(std::move(agent)),
                  [](std::exception_ptr e) { log::failure("typing indicator not shown", e); });
}

net::awaitable<conversation> engine::set_priority(std::string phone, agent_ref by, conv_priority priority) {
    auto actor = impl_->require(phone);
    co_return co_await actor->set_priority(std::move(by), priority);
}

net::awaitable<conversation> engine::set_team(std::string phone, agent_ref by, std::string team) {
    auto actor = impl_->require(phone);
    co_return co_await actor->set_team(std::move(by), std::move(team));
}

net::awaitable<conversation> engine::leave_team(std::string phone, agent_ref by, std::string team) {
    auto actor = impl_->require(phone);
    co_return co_await actor->leave_team(std::move(by), std::move(team));
}

net::awaitable<conversation> engine::set_attributes(std::string phone,
                                                    std::vector<std::pair<std::string, std::string>> attributes) {
    auto actor = impl_->require(phone);
    co_return co_await actor->set_attributes(std::move(attributes));
}

net::awaitable<conversation> engine::set_labels(std::string phone, agent_ref by, std::vector<std::string> labels) {
    auto actor = impl_->require(phone);
    co_return co_await actor->set_labels(std::move(by), std::move(labels));
}

net::awaitable<conversation> engine::set_label(std::string phone, agent_ref by, std::string label, bool filed) {
    auto actor = impl_->require(phone);
    co_return co_await actor->set_label(std::move(by), std::move(label), filed);
}

net::awaitable<conversation> engine::set_participants(std::string phone, std::vector<std::string> usernames) {
    auto actor = impl_->require(phone);
    co_return co_await actor->set_participants(std::move(usernames));
}

net::awaitable<conversation> engine::set_participant(std::string phone, std::string username, bool following) {
    auto actor = impl_->require(phone);
    co_return co_await actor->set_participant(std::move(username), following);
}

net::awaitable<conversation> engine::set_blocked(std::string phone, agent_ref by, bool blocked) {
    auto actor = impl_->require(phone);
    co_return co_await actor->set_blocked(std::move(by), blocked);
}

net::awaitable<conversation> engine::set_muted(std::string phone, agent_ref by, bool muted) {
    auto actor = impl_->require(phone);
    co_return co_await actor->set_muted(std::move(by), muted);
}

net::awaitable<conversation> engine::snooze(std::string phone, agent_ref by, std::optional<timestamp> until) {
    auto actor = impl_->require(phone);
    co_return co_await actor->snooze(std::move(by), until);
}

net::awaitable<conversation> engine::set_name(std::string phone, agent_ref by, std::string name) {
    auto actor = impl_->require(phone);
    co_return co_await actor->set_name(std::move(by), std::move(name));
}

net::awaitable<std::uint64_t> engine::delete_conversation(std::string phone, agent_ref by) {
    auto actor = impl_->require(phone);
    co_return co_await actor->erase(std::move(by));
}

net::awaitable<std::size_t> engine::requeue_unanswered(std::chrono::seconds after) {
    auto now = std::chrono::system_clock::now();
    // A snoozed chat waits (the actor says so too): not worth its turn.
    auto due = impl_->actors_where(list_key::active | list_key::assigned, [&](const conversation& c) {
        return c.chat_support_active && !c.assignee.empty() && !c.snoozed_until && c.chat &&
               c.chat->last_assigned_at && now - *c.chat->last_assigned_at >= after;
    });
    std::size_t n = 0;
    for (auto& a : due)
        if (co_await a->requeue_if_unanswered(after)) ++n;
    co_return n;
}

net::awaitable<std::size_t> engine::requeue_chats_of(std::string agent) {
    auto held = impl_->actors_where(list_key::active | list_key::assigned,
                                    [&](const conversation& c) { return c.chat_support_active && c.assignee == agent; });
    std::size_t n = 0;
    for (auto& a : held)
        if (co_await a->requeue_from(agent)) ++n;
    co_return n;
}

net::awaitable<std::vector<queue_entry>> engine::queue() {
    auto head = co_await queue_head(SIZE_MAX);
    co_return std::move(head.first);
}

net::awaitable<std::pair<std::vector<queue_entry>, std::size_t>> engine::queue_head(std::size_t limit) {
    auto front = co_await impl_->queue.front(std::nullopt, limit);
    std::vector<queue_entry> out;
    for (auto& e : front.entries) {
        auto actor = impl_->find(e.phone);
        out.push_back({e.phone, e.queued_at, e.position, actor ? actor->current()->team : std::string()});
    }
    co_return std::pair{std::move(out), front.length};
}

net::awaitable<queue_page> engine::queue_front(std::optional<std::int64_t> after, std::size_t limit) {
    auto front = co_await impl_->queue.front(after, limit);
    queue_page page;
    page.more = front.more;
    if (!front.entries.empty()) page.last_place = front.entries.back().place;
    for (auto& e : front.entries)
        if (auto actor = impl_->find(e.phone)) page.rows.push_back({actor->current(), e.position});
    co_return page;
}

list_counts engine::counts(std::string_view assignee) const {
    list_counts n;
    impl_->board.for_each([&](const activity_board::slot& s, conversation_actor& a) {
        auto k = s.listed();
        if (k.has(list_key::contact)) return;  // no conversation yet: in no list
        ++n.all;
        if (k.has(list_key::active, list_key::snoozed)) ++n.active;
        if (k.has(list_key::queued)) ++n.queued;
        if (k.has(list_key::blocked)) ++n.blocked;
        if (k.has(list_key::snoozed)) ++n.snoozed;
        if (k.has(list_key::waiting, list_key::snoozed)) ++n.waiting;
        // Only chats with an agent are read: a few per agent, not the board.
        if (k.has(list_key::assigned, list_key::snoozed) && a.current()->assignee == assignee) ++n.mine;
        if (k.has(list_key::followed) && followed_by(*a.current(), assignee)) ++n.following;
    });
    return n;
}

list_page engine::listed(const list_query& q) const { return listed_on_board(impl_->board, q); }

net::awaitable<void> engine::fill_queue_positions(std::vector<conversation_view>& rows) {
    if (std::none_of(rows.begin(), rows.end(), [](auto& v) { return v.record->queued_at.has_value(); })) co_return;
    std::vector<std::string> phones;
    for (auto& v : rows) phones.push_back(v.record->phone);
    auto positions = co_await impl_->queue.positions(std::move(phones));
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (positions[i]) rows[i].queue_position = positions[i];
}

net::awaitable<std::optional<conversation_view>> engine::view(std::string phone) {
    auto actor = impl_->find(phone);
    if (!actor) co_return std::nullopt;
    conversation_view v{actor->current(), std::nullopt};
    if (v.record->queued_at) v.queue_position = co_await impl_->queue.position(phone);
    co_return v;
}

std::map<std::string, std::uint32_t, std::less<>> engine::open_chats_by_agent() const {
    std::map<std::string, std::uint32_t, std::less<>> load;
    impl_->for_each_flagged(list_key::active | list_key::assigned, [&](conversation_actor&, const conversation& c) {
        if (c.chat_support_active && !c.assignee.empty()) ++load[c.assignee];
    });
    return load;
}

std::size_t engine::conversation_count() const {
    std::size_t n = 0;
    for (auto& s : impl_->shards) {
        std::lock_guard lock(s.mutex);
        for (auto& [phone, actor] : s.actors) n += actor->known();
    }
    return n;
}

}  // namespace switchboard::chat
