// Automatic routing (--routing round-robin|least-busy) and --reassign-after:
// waiting chats go to agents who are available, connected and under their
// max_chats, and a chat filed under a team to that team's members alone; a
// chat whose agent does not answer in time goes back to the head of the
// queue. Manual claiming works in every mode.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

namespace boost::asio {
class io_context;
}
namespace switchboard::chat {
class engine;
}
namespace switchboard::auth {
class agents_service;
class team_roster;
}
namespace switchboard::ws {
class hub;
}
namespace switchboard::metrics {
class registry;
}

namespace switchboard::ops {

enum class routing_mode { manual, round_robin, least_busy };
std::optional<routing_mode> routing_mode_from_string(std::string_view s);

struct assigner_options {
    routing_mode mode = routing_mode::manual;
    std::chrono::seconds reassign_after{0};  // 0: never
    std::chrono::milliseconds tick{500};
};

class assigner {
public:
    assigner(boost::asio::io_context& ioc, chat::engine& engine, auth::agents_service& agents,
             const auth::team_roster& teams, ws::hub& hub, metrics::registry& metrics, assigner_options options);
    ~assigner();
    void start();
    void stop();

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace switchboard::ops
