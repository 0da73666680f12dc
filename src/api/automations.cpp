#include "switchboard/api/automations.hpp"

#include "macro_book.hpp"

#include "switchboard/core/log.hpp"
#include "switchboard/core/metrics.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace switchboard::api {

namespace net = boost::asio;

namespace {

const auth::agent& automation_agent() {
    static const auth::agent a{std::string(automation_agent_name), "Automation", "admin"};
    return a;
}

// Each rule in turn, by name; one refused stops that rule alone (the actions
// before it stay done, as a macro's), and says why in the log.
net::awaitable<void> run_rules(api_context& ctx, std::string phone, std::vector<macro> rules, metrics::counter& ran,
                               metrics::counter& stopped) {
    for (auto& rule : rules) {
        std::string refused;
        try {
            auto running = run_macro(ctx, phone, rule, automation_agent());  // by name: GCC 12
            co_await std::move(running);
        } catch (const std::exception& e) {
            refused = e.what();
        }
        if (refused.empty()) {
            ran.inc();
        } else {
            stopped.inc();
            log::info("an automation stopped", {{"phone", phone}, {"why", refused}});
        }
    }
}

}  // namespace

automation_runner::automation_runner(net::io_context& ioc, metrics::registry& metrics)
    : ioc_(ioc),
      ran_(metrics.get_counter("switchboard_automations_run_total", "Automation rules whose actions all ran")),
      stopped_(metrics.get_counter("switchboard_automations_stopped_total",
                                   "Automation rules an action refused stopped (the log says which and why)")) {}
automation_runner::~automation_runner() = default;

void automation_runner::attach(api_context& ctx) { ctx_ = &ctx; }

void automation_runner::rules_changed(const std::vector<macro>& all) {
    auto enabled = std::make_shared<std::vector<macro>>();
    for (auto& m : all)
        if (m.trigger && m.trigger->enabled) enabled->push_back(m);
    any_.store(!enabled->empty(), std::memory_order_relaxed);
    rules_.store(std::move(enabled));
}

bool automation_runner::listening() const { return ctx_ && any_.load(std::memory_order_relaxed); }

void automation_runner::seen(const chat::user_message_seen& m) {
    run_matching(m.after->phone, [&](const macro_trigger& t) { return t.matches(m); });
}

void automation_runner::missed_target(const chat::conversation& c, std::string_view target) {
    run_matching(c.phone, [&](const macro_trigger& t) { return t.matches_missed_target(c, target); });
}

template <class Matches>
void automation_runner::run_matching(std::string_view phone, Matches matches) {
    auto rules = rules_.load();
    if (!rules || !ctx_) return;
    std::vector<macro> matched;
    for (auto& r : *rules)
        if (matches(*r.trigger)) matched.push_back(r);
    if (matched.empty()) return;
    // Off this actor's turn: the rules' commands queue for it like any agent's.
    net::co_spawn(ioc_, run_rules(*ctx_, std::string(phone), std::move(matched), ran_, stopped_), net::detached);
}

}  // namespace switchboard::api
