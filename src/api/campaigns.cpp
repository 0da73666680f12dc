#include "switchboard/api/campaigns.hpp"

#include "request_helpers.hpp"

#include "switchboard/core/ids.hpp"
#include "switchboard/core/log.hpp"
#include "switchboard/store/setting_writer.hpp"
#include "switchboard/store/store.hpp"
#include "switchboard/ws/hub.hpp"

#include "../http/beast.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>

namespace switchboard::api {

namespace json = boost::json;

namespace {

constexpr std::string_view index_key = "campaigns";
std::string campaign_key(std::string_view id) { return "campaign:" + std::string(id); }

// A run says how far it is at most this often, besides when it starts and ends.
constexpr auto progress_every = std::chrono::seconds(1);
// A campaign scheduled for now waits no longer than this for the clock.
constexpr auto clock_tick = std::chrono::seconds(1);

std::optional<campaign_status> campaign_status_from_string(std::string_view s) {
    for (auto st : {campaign_status::scheduled, campaign_status::running, campaign_status::done})
        if (to_string(st) == s) return st;
    return std::nullopt;
}

json::value time_or_null(const std::optional<timestamp>& t) {
    return t ? json::value(to_iso8601(*t)) : json::value(nullptr);
}

std::optional<timestamp> time_from(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return parse_iso8601(v->as_string());
}

// What the store keeps: the API's fields, and what the runner needs besides.
json::object stored_json(const campaign& c) {
    auto o = campaign_json(c);
    o["send_object"] = c.message.send_object;
    o["created_by_name"] = c.created_by_name;
    o["last_phone"] = c.last_phone;
    return o;
}

campaign stored_campaign(const json::object& o) {
    campaign c;
    c.id = json::value_to<std::string>(o.at("id"));
    c.name = json::value_to<std::string>(o.at("name"));
    c.via = chat::channel_from_string(o.at("channel").as_string()).value();
    for (auto& l : o.at("labels").as_array()) c.labels.push_back(json::value_to<std::string>(l));
    if (auto* except = o.if_contains("except_labels"))  // kept since 2026-12-05
        for (auto& l : except->as_array()) c.except_labels.push_back(json::value_to<std::string>(l));
    c.message.text = json::value_to<std::string>(o.at("text"));
    c.message.send_object = json::value_to<std::string>(o.at("send_object"));
    if (auto* t = o.if_contains("template"); t && t->is_object()) {
        c.template_name = json::value_to<std::string>(t->as_object().at("name"));
        c.template_language = json::value_to<std::string>(t->as_object().at("language"));
    }
    c.scheduled_at = time_from(o, "scheduled_at").value();
    c.status = campaign_status_from_string(o.at("status").as_string()).value();
    c.created_by = json::value_to<std::string>(o.at("created_by"));
    c.created_by_name = json::value_to<std::string>(o.at("created_by_name"));
    c.created_at = time_from(o, "created_at").value();
    c.started_at = time_from(o, "started_at");
    c.finished_at = time_from(o, "finished_at");
    c.recipients = o.at("recipients").to_number<std::uint64_t>();
    c.sent = o.at("sent").to_number<std::uint64_t>();
    c.skipped = o.at("skipped").to_number<std::uint64_t>();
    c.last_phone = json::value_to<std::string>(o.at("last_phone"));
    if (o.contains("delivered")) {  // kept since 2026-12-05
        c.delivered = o.at("delivered").to_number<std::uint64_t>();
        c.read = o.at("read").to_number<std::uint64_t>();
        c.failed = o.at("failed").to_number<std::uint64_t>();
    }
    return c;
}

}  // namespace

std::string_view to_string(campaign_status s) {
    switch (s) {
        case campaign_status::scheduled: return "scheduled";
        case campaign_status::running: return "running";
        case campaign_status::done: return "done";
    }
    return "scheduled";
}

chat::campaign_audience audience_of(const campaign& c) { return {c.via, c.labels, c.except_labels}; }

json::object campaign_json(const campaign& c) {
    json::object o{{"id", c.id},
                   {"name", c.name},
                   {"channel", chat::to_string(c.via)},
                   {"labels", json::value_from(c.labels)},
                   {"except_labels", json::value_from(c.except_labels)},
                   {"text", c.message.text},
                   {"scheduled_at", to_iso8601(c.scheduled_at)},
                   {"status", to_string(c.status)},
                   {"created_by", c.created_by},
                   {"created_at", to_iso8601(c.created_at)},
                   {"started_at", time_or_null(c.started_at)},
                   {"finished_at", time_or_null(c.finished_at)},
                   {"recipients", c.recipients},
                   {"sent", c.sent},
                   {"skipped", c.skipped},
                   {"delivered", c.delivered},
                   {"read", c.read},
                   {"failed", c.failed}};
    if (c.via == chat::channel::whatsapp)
        o["template"] = json::object{{"name", c.template_name}, {"language", c.template_language}};
    else
        o["template"] = nullptr;
    return o;
}

struct campaign_runner::impl : std::enable_shared_from_this<impl> {
    impl(net::io_context& ioc, campaign_options o)
        : strand(net::make_strand(ioc)), timer(strand), pace(strand), tally(strand), options(o) {}

    net::strand<net::io_context::executor_type> strand;
    net::steady_timer timer;  // the clock campaigns wait for their time by
    net::steady_timer pace;   // between a run's users, at options.rate
    net::steady_timer tally;  // until the delivery counts are kept and told
    // Strand only: the campaigns whose delivery counts moved since they
    // were last kept, and whether a write of them is due.
    std::set<std::string> tallied;
    bool tally_due = false;
    campaign_options options;
    api_context* ctx = nullptr;
    std::optional<store::setting_writer> index_saver;
    std::atomic<bool> stopped{false};
    mutable std::mutex mutex;  // never held across an await
    std::vector<campaign> campaigns;  // newest first

    std::vector<campaign>::iterator at(std::string_view id) {
        return std::find_if(campaigns.begin(), campaigns.end(), [&](const campaign& c) { return c.id == id; });
    }

    void load() {
        auto ids = ctx->store.find_setting(index_key);
        if (!ids) return;
        auto parsed = json::parse(*ids);  // named: a range-for over a temporary's member dangles
        for (auto& id : parsed.as_array()) {
            auto key = campaign_key(id.as_string());
            try {
                auto kept = ctx->store.find_setting(key);
                if (!kept) throw std::runtime_error("not kept");
                campaigns.push_back(stored_campaign(json::parse(*kept).as_object()));
            } catch (const std::exception& e) {
                log::warn("a campaign kept no longer reads: left out", {{"key", key}, {"error", e.what()}});
            }
        }
    }

    // The list of ids: campaigns come and go by it, so a campaign is written
    // under its own key before the list names it.
    net::awaitable<void> save_index() {
        co_await index_saver->save(
            mutex,
            [this] {
                json::array ids;
                for (auto& c : campaigns) ids.emplace_back(json::string(c.id));
                return json::serialize(ids);
            },
            [this] {  // refused: what the store has stands
                std::lock_guard held(mutex);
                campaigns.clear();
                load();
            });
    }

    net::awaitable<void> save(campaign c) {
        store::write_batch b;
        b.settings_put.emplace_back(campaign_key(c.id), json::serialize(stored_json(c)));
        co_await ctx->store.write(std::move(b));
    }

    // A listed campaign written again (its progress, its counts, a change).
    // One deleted while the write was on its way may have lost its row
    // before the write put it back: it loses it again.
    net::awaitable<void> keep(campaign c) {
        auto saving = save(c);  // named: GCC 12
        co_await std::move(saving);
        {
            std::lock_guard held(mutex);
            if (at(c.id) != campaigns.end()) co_return;
        }
        auto forgetting = forget(c.id);  // named: GCC 12
        co_await std::move(forgetting);
    }

    net::awaitable<void> forget(std::string id) {
        store::write_batch b;
        b.settings_remove.push_back(campaign_key(id));
        co_await ctx->store.write(std::move(b));
    }

    void announce(const campaign& c) {
        ctx->hub.publish({"campaign.updated", "", {{"campaign", campaign_json(c)}}, std::chrono::system_clock::now()});
    }

    // The campaign `id` as it is now, with `change` made, kept and told;
    // nullopt when it was deleted meanwhile (nothing is written then).
    template <class Change>
    net::awaitable<std::optional<campaign>> update(const std::string& id, Change change) {
        std::optional<campaign> now;
        {
            std::lock_guard held(mutex);
            auto it = at(id);
            if (it == campaigns.end()) co_return std::nullopt;
            change(*it);
            now = *it;
        }
        co_await keep(*now);
        announce(*now);
        co_return now;
    }

    // Strand only. A message counts as delivered once, whether it was
    // delivered and then read or read at once.
    void count(const std::string& id, chat::message_status was, chat::message_status now) {
        using chat::message_status;
        if (now != message_status::delivered && now != message_status::read && now != message_status::failed) return;
        {
            std::lock_guard held(mutex);
            auto it = at(id);
            if (it == campaigns.end()) return;  // deleted
            if (now == message_status::delivered || (now == message_status::read && was != message_status::delivered))
                ++it->delivered;
            if (now == message_status::read) ++it->read;
            if (now == message_status::failed) ++it->failed;
        }
        tallied.insert(id);
        if (tally_due) return;
        tally_due = true;
        net::co_spawn(strand, keep_tallies(), [](std::exception_ptr e) {
            if (e) log::failure("a campaign's delivery counts were not kept", e);
        });
    }

    // Statuses come by the thousand as a campaign is delivered: each
    // campaign's counts are kept and told once a second at most.
    net::awaitable<void> keep_tallies() {
        auto self = shared_from_this();
        if (!stopped) {  // stopping: kept now
            tally.expires_after(std::chrono::seconds(1));
            co_await tally.async_wait(use_tuple);
        }
        tally_due = false;
        auto ids = std::exchange(tallied, {});
        for (auto& id : ids) {
            auto keeping = update(id, [](campaign&) {});  // as counted; named: GCC 12
            co_await std::move(keeping);
        }
    }

    // The campaign a run is due for: one a restart interrupted, else the
    // earliest due.
    std::optional<std::string> due(timestamp now) {
        std::lock_guard held(mutex);
        const campaign* next = nullptr;
        for (auto& c : campaigns) {
            if (c.status == campaign_status::running) return c.id;
            if (c.status == campaign_status::scheduled && c.scheduled_at <= now &&
                (!next || c.scheduled_at < next->scheduled_at))
                next = &c;
        }
        if (next) return next->id;
        return std::nullopt;
    }

    net::awaitable<void> loop() {
        auto self = shared_from_this();
        while (!stopped) {
            try {
                while (!stopped) {
                    auto id = due(std::chrono::system_clock::now());
                    if (!id) break;
                    co_await run(*id);
                }
            } catch (const std::exception& e) {
                log::warn("a campaign's run failed: it goes on at the next tick", {{"error", e.what()}});
            }
            if (stopped) break;
            timer.expires_after(clock_tick);
            co_await timer.async_wait(use_tuple);
        }
    }

    // Its users by phone, after the last one it reached: a run the server's
    // stop interrupted goes on where it was.
    std::vector<std::string> users_after(const campaign& c) {
        auto q = chat::every_conversation([&, audience = audience_of(c)](const chat::conversation& x) {
            return x.phone > c.last_phone && chat::in_campaign_audience(x, audience);
        });
        std::vector<std::string> phones;
        for (auto& row : ctx->engine.listed(q).rows) phones.push_back(row.record->phone);
        std::sort(phones.begin(), phones.end());
        return phones;
    }

    net::awaitable<void> run(std::string id) {
        // Each update named before it is awaited: GCC 12 and temporaries in co_await.
        auto starting = update(id, [](campaign& c) {
            auto now = std::chrono::system_clock::now();
            if (c.status == campaign_status::scheduled && c.scheduled_at > now) return;  // put off meanwhile
            if (c.status == campaign_status::scheduled) c.started_at = now;
            c.status = campaign_status::running;
        });
        auto started = co_await std::move(starting);
        if (!started || started->status != campaign_status::running) co_return;
        auto users = users_after(*started);
        auto counting = update(id, [n = users.size()](campaign& c) { c.recipients = c.sent + c.skipped + n; });
        started = co_await std::move(counting);
        if (!started) co_return;
        log::info("campaign started", {{"id", id}, {"users", std::to_string(users.size())}});

        chat::agent_ref by{started->created_by, started->created_by_name, true};
        chat::campaign_message message{id, audience_of(*started), {}};
        if (started->via == chat::channel::whatsapp)
            message.message = started->message;
        else
            message.message = started->message.text;
        auto told_at = std::chrono::steady_clock::now();
        auto turn_at = told_at;  // when the next user's turn comes, at options.rate
        for (auto& phone : users) {
            if (options.rate) {
                if (turn_at > std::chrono::steady_clock::now()) {
                    pace.expires_at(turn_at);
                    co_await pace.async_wait(use_tuple);
                }
                turn_at = std::max(turn_at, std::chrono::steady_clock::now() - std::chrono::seconds(1)) +
                          std::chrono::microseconds(1'000'000 / options.rate);
            }
            if (stopped) co_return;  // its place is kept: the next start goes on from there
            auto sending = ctx->engine.send_campaign(phone, by, message);  // named: GCC 12
            auto sent = co_await std::move(sending);
            // Each user's place is kept as they are done, so a restart sends
            // nobody the message twice but the one it was at.
            std::optional<campaign> now;
            {
                std::lock_guard held(mutex);
                auto it = at(id);
                if (it == campaigns.end()) co_return;  // deleted
                ++(sent ? it->sent : it->skipped);
                it->last_phone = phone;
                now = *it;
            }
            co_await keep(*now);
            if (std::chrono::steady_clock::now() - told_at >= progress_every) {
                announce(*now);
                told_at = std::chrono::steady_clock::now();
            }
        }
        auto finishing = update(id, [](campaign& c) {
            c.status = campaign_status::done;
            c.finished_at = std::chrono::system_clock::now();
        });
        auto done = co_await std::move(finishing);
        if (done)
            log::info("campaign done", {{"id", id},
                                        {"sent", std::to_string(done->sent)},
                                        {"skipped", std::to_string(done->skipped)}});
    }
};

campaign_runner::campaign_runner(net::io_context& ioc, campaign_options options)
    : impl_(std::make_shared<impl>(ioc, options)) {}
campaign_runner::~campaign_runner() = default;

void campaign_runner::attach(api_context& ctx) {
    impl_->ctx = &ctx;
    impl_->index_saver.emplace(ctx.store, std::string(index_key));
    impl_->load();
    net::co_spawn(impl_->strand, impl_->loop(), [](std::exception_ptr e) { log::failure("campaigns stopped", e); });
}

void campaign_runner::stop() {
    impl_->stopped = true;
    net::post(impl_->strand, [self = impl_] {
        self->timer.cancel();
        self->pace.cancel();
        self->tally.cancel();  // the counts are kept now
    });
}

void campaign_runner::delivery(const std::string& id, chat::message_status was, chat::message_status now) {
    net::post(impl_->strand, [self = impl_, id, was, now] { self->count(id, was, now); });
}

std::vector<campaign> campaign_runner::list() const {
    std::lock_guard held(impl_->mutex);
    return impl_->campaigns;
}

std::optional<campaign> campaign_runner::find(std::string_view id) const {
    std::lock_guard held(impl_->mutex);
    auto it = impl_->at(id);
    if (it == impl_->campaigns.end()) return std::nullopt;
    return *it;
}

net::awaitable<campaign> campaign_runner::create(campaign c) {
    c.id = unique_id("cmp_");
    c.status = campaign_status::scheduled;
    c.recipients = c.sent = c.skipped = 0;
    c.last_phone.clear();
    {
        std::lock_guard held(impl_->mutex);
        if (impl_->campaigns.size() >= max_campaigns)
            throw chat::command_error(chat::command_error::kind::conflict,
                                      "at most " + std::to_string(max_campaigns) +
                                          " campaigns are kept: delete one that is done first");
    }
    auto saving = impl_->save(c);
    co_await std::move(saving);
    {
        std::lock_guard held(impl_->mutex);
        impl_->campaigns.insert(impl_->campaigns.begin(), c);
        impl_->index_saver->changed();
    }
    co_await impl_->save_index();
    impl_->announce(c);
    // A campaign for now need not wait for the clock's next tick.
    net::post(impl_->strand, [self = impl_] { self->timer.cancel(); });
    co_return c;
}

net::awaitable<campaign> campaign_runner::change(campaign c) {
    auto changing = impl_->update(c.id, [&c](campaign& kept) {
        if (kept.status != campaign_status::scheduled)
            throw chat::command_error(chat::command_error::kind::conflict,
                                      c.id + " has started: a campaign is changed only before it goes");
        kept.name = std::move(c.name);
        kept.labels = std::move(c.labels);
        kept.except_labels = std::move(c.except_labels);
        kept.message = std::move(c.message);
        kept.template_name = std::move(c.template_name);
        kept.template_language = std::move(c.template_language);
        kept.scheduled_at = c.scheduled_at;
    });
    auto now = co_await std::move(changing);
    if (!now) throw chat::command_error(chat::command_error::kind::not_found, "no campaign " + c.id);
    // Brought forward to now, it need not wait for the clock's next tick.
    net::post(impl_->strand, [self = impl_] { self->timer.cancel(); });
    co_return *now;
}

net::awaitable<bool> campaign_runner::remove(std::string id) {
    {
        std::lock_guard held(impl_->mutex);
        auto it = impl_->at(id);
        if (it == impl_->campaigns.end()) co_return false;
        impl_->campaigns.erase(it);
        impl_->index_saver->changed();
    }
    co_await impl_->save_index();
    impl_->ctx->hub.publish({"campaign.deleted", "", {{"id", id}}, std::chrono::system_clock::now()});
    // The list no longer names it, so nothing reads its row again: a row
    // the store did not let go of is left, and said so.
    try {
        auto forgetting = impl_->forget(id);  // named: GCC 12
        co_await std::move(forgetting);
    } catch (const std::exception& e) {
        log::warn("a deleted campaign's row was kept", {{"id", id}, {"error", e.what()}});
    }
    co_return true;
}

}  // namespace switchboard::api
