// One coroutine on its own strand looks at the queue every tick and hands
// chats out; the conversation actors make each assignment (and refuse it if
// someone claimed the chat meanwhile).
#include "switchboard/ops/assigner.hpp"

#include "switchboard/auth/agents.hpp"
#include "switchboard/auth/teams.hpp"
#include "switchboard/chat/engine.hpp"
#include "switchboard/core/metrics.hpp"
#include "switchboard/core/log.hpp"
#include "switchboard/ws/hub.hpp"

#include "../http/beast.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace switchboard::ops {

std::optional<routing_mode> routing_mode_from_string(std::string_view s) {
    if (s == "manual") return routing_mode::manual;
    if (s == "round-robin") return routing_mode::round_robin;
    if (s == "least-busy") return routing_mode::least_busy;
    return std::nullopt;
}

struct assigner::impl : std::enable_shared_from_this<assigner::impl> {
    impl(net::io_context& ioc, chat::engine& e, auth::agents_service& a, const auth::team_roster& t, ws::hub& h,
         metrics::registry& m, assigner_options o)
        : strand(net::make_strand(ioc)),
          engine(e),
          agents(a),
          teams(t),
          hub(h),
          options(o),
          timer(strand),
          rounds(m.get_counter("switchboard_routing_rounds_total", "Routing rounds run")),
          assigned(m.get_counter("switchboard_routing_assigned_total", "Chats assigned automatically")),
          requeued(m.get_counter("switchboard_routing_requeued_total", "Chats put back for want of an answer")) {}

    net::awaitable<void> loop() {
        auto self = shared_from_this();
        while (!stopped) {
            timer.expires_after(options.tick);
            co_await timer.async_wait(use_tuple);
            if (stopped) break;
            try {
                if (options.reassign_after.count() > 0)
                    requeued.inc(co_await engine.requeue_unanswered(options.reassign_after));
                if (options.mode != routing_mode::manual) co_await assign_waiting();
                rounds.inc();
            } catch (const std::exception& e) {
                log::warn("routing round failed", {{"error", e.what()}});
            }
        }
    }

    net::awaitable<void> assign_waiting() {
        auto waiting = co_await engine.queue();
        if (waiting.empty()) co_return;
        auto online = hub.online();
        auto load = engine.open_chats_by_agent();
        auto everyone = agents.list();  // sorted by username: the round-robin order
        auto free = [&](const auth::agent& a) {
            return a.active && a.available && std::find(online.begin(), online.end(), a.username) != online.end() &&
                   load[a.username] < a.max_chats;
        };

        auto roster = teams.list();  // by name; read once a round, as the agents are
        // Teams found with no member free this round: their other chats
        // wait without a look at everyone again (a queue of thousands).
        std::set<std::string_view> full_teams;

        for (auto& w : waiting) {
            // A chat filed under a team waits for its members; under one
            // since deleted, for anyone.
            const auth::team* team = w.team.empty() ? nullptr : auth::find_team(roster, w.team);
            if (team && full_teams.count(team->name)) continue;
            auto eligible = [&](const auth::agent& a) { return free(a) && (!team || team->has_member(a.username)); };
            const auth::agent* pick = nullptr;
            if (options.mode == routing_mode::least_busy) {
                for (auto& a : everyone)
                    if (eligible(a) && (!pick || load[a.username] < load[pick->username])) pick = &a;
            } else {  // round-robin: the next eligible agent after the last one served
                auto start = std::upper_bound(everyone.begin(), everyone.end(), last_served,
                                              [](const std::string& name, const auth::agent& a) { return name < a.username; });
                for (std::size_t i = 0; i < everyone.size() && !pick; ++i) {
                    auto& a = everyone[(static_cast<std::size_t>(start - everyone.begin()) + i) % everyone.size()];
                    if (eligible(a)) pick = &a;
                }
            }
            if (!pick && team) {  // its team is busy: others behind it may go to someone else
                full_teams.insert(team->name);
                continue;
            }
            if (!pick) co_return;  // nobody can take more: the rest wait
            try {
                // Arguments as named locals: GCC 12 mishandles temporaries inside a co_await expression.
                chat::agent_ref who{pick->username, pick->display_name, pick->is_admin()};
                auto phone = w.phone;
                co_await engine.start_chat(std::move(phone), std::move(who), chat::claim::by_routing);
                ++load[pick->username];
                last_served = pick->username;
                assigned.inc();
            } catch (const chat::command_error&) {
                // claimed or closed meanwhile: on to the next
            }
        }
    }

    net::strand<net::io_context::executor_type> strand;
    chat::engine& engine;
    auth::agents_service& agents;
    const auth::team_roster& teams;
    ws::hub& hub;
    assigner_options options;
    net::steady_timer timer;
    metrics::counter& rounds;
    metrics::counter& assigned;
    metrics::counter& requeued;
    std::string last_served;
    bool stopped = false;
};

assigner::assigner(net::io_context& ioc, chat::engine& engine, auth::agents_service& agents,
                   const auth::team_roster& teams, ws::hub& hub, metrics::registry& metrics, assigner_options options)
    : impl_(std::make_shared<impl>(ioc, engine, agents, teams, hub, metrics, options)) {}

assigner::~assigner() = default;

void assigner::start() {
    if (impl_->options.mode == routing_mode::manual && impl_->options.reassign_after.count() == 0) return;
    net::co_spawn(impl_->strand, impl_->loop(), [](std::exception_ptr e) { log::failure("routing stopped", e); });
}

void assigner::stop() {
    net::post(impl_->strand, [self = impl_] {
        self->stopped = true;
        self->timer.cancel();
    });
}

}  // namespace switchboard::ops
