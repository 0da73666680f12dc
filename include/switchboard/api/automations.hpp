// Automation rules, as Chatwoot's: when a user writes (words in their
// message, a channel), a chat joins the queue, or a chat misses one of the
// team's targets, a macro's actions run by themselves, as the agent
// `automation` (an admin). The engine tells this of every user's message it
// keeps and every target missed; the rules are the /automations book's.
#pragma once

#include "switchboard/chat/engine.hpp"

#include <atomic>
#include <memory>
#include <vector>

namespace boost::asio {
class io_context;
}
namespace switchboard::metrics {
class counter;
class registry;
}

namespace switchboard::api {

struct api_context;
struct macro;

// The name rules act under: what their notes and messages are signed with.
inline constexpr std::string_view automation_agent_name = "automation";

class automation_runner final : public chat::conversation_listener {
public:
    // Counts, in `metrics`, the rules that ran their actions to the end and
    // those an action refused stopped (each is logged too).
    automation_runner(boost::asio::io_context& ioc, metrics::registry& metrics);
    ~automation_runner() override;

    // Until then no rule runs: the engine is made before the API it acts through.
    void attach(api_context& ctx);
    // The book's whole list, after every change; the enabled ones are kept.
    void rules_changed(const std::vector<macro>& all);

    bool listening() const override;
    void seen(const chat::user_message_seen& m) override;
    void missed_target(const chat::conversation& c, std::string_view target) override;

private:
    template <class Matches>
    void run_matching(std::string_view phone, Matches matches);

    boost::asio::io_context& ioc_;
    metrics::counter& ran_;
    metrics::counter& stopped_;
    api_context* ctx_ = nullptr;
    std::atomic<std::shared_ptr<const std::vector<macro>>> rules_;
    std::atomic<bool> any_{false};
};

}  // namespace switchboard::api
