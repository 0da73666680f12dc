#include "switchboard/api/scheduled_replies.hpp"

#include "command_fields.hpp"
#include "request_helpers.hpp"

#include "switchboard/api/routes.hpp"
#include "switchboard/auth/agents.hpp"
#include "switchboard/chat/engine.hpp"
#include "switchboard/core/ids.hpp"
#include "switchboard/core/log.hpp"
#include "switchboard/store/named_setting_list.hpp"
#include "switchboard/ws/hub.hpp"

#include "../http/beast.hpp"
#include "../store/named_setting_list_impl.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json.hpp>

#include <algorithm>

namespace switchboard::api {

namespace json = boost::json;
namespace net = boost::asio;

namespace {

// How often the clock is read: a reply goes within a second of its time.
constexpr auto clock_tick = std::chrono::seconds(1);
constexpr std::string_view sending_status = "sending";

// As scheduled_json wrote it; throws on anything else.
scheduled_reply stored_reply(const json::object& o) {
    return {std::string(o.at("id").as_string()),
            std::string(o.at("phone").as_string()),
            std::string(o.at("text").as_string()),
            parse_iso8601(o.at("send_at").as_string()).value(),
            std::string(o.at("by").as_string()),
            parse_iso8601(o.at("created_at").as_string()).value_or(timestamp{}),
            std::string(o.at("status").as_string()),
            std::string(o.at("error").as_string())};
}

}  // namespace

json::object scheduled_json(const scheduled_reply& r) {
    return {{"id", r.name},
            {"phone", r.phone},
            {"text", r.text},
            {"send_at", to_iso8601(r.send_at)},
            {"by", r.by},
            {"created_at", to_iso8601(r.created_at)},
            {"status", r.status},
            {"error", r.error}};
}

// Every change to the list runs on `strand`, so that a conversation's
// count is checked and grown in one step, and none is sent twice.
struct scheduled_replies::impl : std::enable_shared_from_this<impl> {
    using book = store::named_setting_list<scheduled_reply>;

    explicit impl(net::io_context& ioc) : strand(net::make_strand(ioc)), timer(strand) {}

    net::strand<net::io_context::executor_type> strand;
    net::steady_timer timer;
    api_context* ctx = nullptr;
    std::unique_ptr<book> kept;
    bool stopped = false;

    std::vector<scheduled_reply> of(const std::string& phone) const {
        std::vector<scheduled_reply> out;
        for (auto& r : kept->list())
            if (r.phone == phone) out.push_back(r);
        std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return std::tie(a.send_at, a.name) < std::tie(b.send_at, b.name); });
        return out;
    }

    // Each console hears of a conversation's list as it is now.
    void announce(const std::string& phone) {
        json::array list;
        for (auto& r : of(phone)) list.push_back(scheduled_json(r));
        ctx->hub.publish({"scheduled.updated", phone, {{"scheduled", std::move(list)}}, std::chrono::system_clock::now()});
    }

    net::awaitable<void> save(scheduled_reply r) {
        auto putting = kept->put(std::move(r));  // named: GCC 12 and temporaries in co_await
        auto put = co_await std::move(putting);
        if (!put)  // a new one past the list's bound
            throw chat::command_error(chat::command_error::kind::conflict,
                                      "the server holds at most " + std::to_string(max_scheduled_replies) +
                                          " scheduled replies");
    }

    // Sent as the agent's reply, under the send route's rules; kept as
    // "sending" first, so that a restart in between marks it failed rather
    // than sending it again.
    net::awaitable<void> send(scheduled_reply r) {
        // Cancelled, or erased with its user, while the one before it was sent.
        auto still = kept->find(r.name);
        if (!still || still->status != "scheduled") co_return;
        r.status = std::string(sending_status);
        auto marking = save(r);
        co_await std::move(marking);
        std::string why;
        try {
            auto agent = assignable_agent(*ctx, r.by);
            if (auto* refusal = std::get_if<std::string>(&agent))
                throw chat::command_error(chat::command_error::kind::conflict, std::move(*refusal));
            auto sending =
                ctx->engine.send(r.phone, as_ref(std::get<auth::agent>(agent)), r.text, "scheduled:" + r.name, {});
            co_await std::move(sending);
        } catch (const std::exception& e) {
            why = e.what();
        }
        if (why.empty()) {
            auto removing = kept->remove(r.name);
            co_await std::move(removing);
        } else if (kept->find(r.name)) {  // not erased with its user meanwhile
            r.status = "failed";
            r.error = why;
            auto failing = save(r);
            co_await std::move(failing);
            log::info("a scheduled reply was not sent", {{"phone", r.phone}, {"why", why}});
        }
        announce(r.phone);
    }

    net::awaitable<void> loop() {
        auto self = shared_from_this();
        while (!stopped) {
            try {
                auto now = std::chrono::system_clock::now();
                for (auto& r : kept->list())
                    if (!stopped && r.status == "scheduled" && r.send_at <= now) {
                        auto sending = send(r);
                        co_await std::move(sending);
                    }
            } catch (const std::exception& e) {
                log::warn("scheduled replies: a send failed; tried again at the next tick", {{"error", e.what()}});
            }
            if (stopped) break;
            timer.expires_after(clock_tick);
            co_await timer.async_wait(use_tuple);
        }
    }

    // At start. One whose user is not there, or is there anew, was erased
    // with them: a backup put back brought it (the store erased the user
    // again, not the settings). One being sent when the server stopped may
    // have gone or not: the history says, and it is not sent twice.
    net::awaitable<void> settle_at_start() {
        for (auto r : kept->list()) {
            auto viewing = ctx->engine.view(r.phone);
            auto c = co_await std::move(viewing);
            if (!c || c->record->created_at > r.created_at) {
                auto removing = kept->remove(r.name);
                co_await std::move(removing);
                continue;
            }
            if (r.status != sending_status) continue;
            r.status = "failed";
            r.error = "the server stopped as it was being sent: the chat's history says whether it went";
            auto failing = save(r);
            co_await std::move(failing);
        }
    }
};

scheduled_replies::scheduled_replies(net::io_context& ioc) : impl_(std::make_shared<impl>(ioc)) {}
scheduled_replies::~scheduled_replies() = default;

void scheduled_replies::attach(api_context& ctx) {
    impl_->ctx = &ctx;
    impl_->kept = std::make_unique<impl::book>(
        ctx.store, "scheduled_replies", max_scheduled_replies,
        impl::book::codec{scheduled_json, stored_reply}, "scheduled reply");
    auto start = [](std::shared_ptr<impl> self) -> net::awaitable<void> {
        auto settling = self->settle_at_start();
        co_await std::move(settling);
        auto looping = self->loop();
        co_await std::move(looping);
    };
    net::co_spawn(impl_->strand, start(impl_), [](std::exception_ptr e) { log::failure("scheduled replies stopped", e); });
}

void scheduled_replies::stop() {
    net::post(impl_->strand, [self = impl_] {
        self->stopped = true;
        self->timer.cancel();
    });
}

std::vector<scheduled_reply> scheduled_replies::of(const std::string& phone) const { return impl_->of(phone); }

std::optional<scheduled_reply> scheduled_replies::find(const std::string& id) const { return impl_->kept->find(id); }

net::awaitable<scheduled_reply> scheduled_replies::add(scheduled_reply r) {
    auto body = [](std::shared_ptr<impl> self, scheduled_reply r) -> net::awaitable<scheduled_reply> {
        if (self->of(r.phone).size() >= max_scheduled_per_conversation)
            throw chat::command_error(chat::command_error::kind::conflict,
                                      "a conversation has at most " + std::to_string(max_scheduled_per_conversation) +
                                          " scheduled replies: send or delete one first");
        r.name = unique_id("sch_");
        r.status = "scheduled";
        r.created_at = std::chrono::system_clock::now();
        auto saving = self->save(r);
        co_await std::move(saving);
        self->announce(r.phone);
        co_return r;
    };
    auto adding = net::co_spawn(impl_->strand, body(impl_, std::move(r)), net::use_awaitable);
    co_return co_await std::move(adding);
}

net::awaitable<bool> scheduled_replies::remove(std::string id) {
    auto body = [](std::shared_ptr<impl> self, std::string id) -> net::awaitable<bool> {
        auto r = self->kept->find(id);
        if (!r) co_return false;
        if (r->status == sending_status)
            throw chat::command_error(chat::command_error::kind::conflict, "it is being sent now");
        auto removing = self->kept->remove(id);
        co_await std::move(removing);
        self->announce(r->phone);
        co_return true;
    };
    auto removing = net::co_spawn(impl_->strand, body(impl_, std::move(id)), net::use_awaitable);
    co_return co_await std::move(removing);
}

net::awaitable<void> scheduled_replies::forget(std::string phone) {
    auto body = [](std::shared_ptr<impl> self, std::string phone) -> net::awaitable<void> {
        for (auto& r : self->of(phone)) {
            auto removing = self->kept->remove(r.name);
            co_await std::move(removing);
        }
    };
    auto forgetting = net::co_spawn(impl_->strand, body(impl_, std::move(phone)), net::use_awaitable);
    co_await std::move(forgetting);
}

}  // namespace switchboard::api

template class switchboard::store::named_setting_list<switchboard::api::scheduled_reply>;
