// Changes to events already kept, apart from the event header: the store
// takes them, and store.hpp need not read Boost.JSON.
#pragma once

#include "switchboard/core/time.hpp"

#include <cstdint>
#include <string>

namespace switchboard::events {

// A record some kept events carry as their data, changed since: a private
// note deleted, whose message.created still holds its words. Each event
// whose data is that record (its "id" first, as messages are written) gets
// `data` in its place, wherever the event is kept.
struct data_rewrite {
    std::string data_id;  // the record's "id"
    timestamp since{};    // the record's time: no event before it carries it
    std::string data;     // its JSON now
};

// A user erased (DELETE /conversations/{phone}): the events kept of their
// conversation, numbered up to `upto_seq`, all but its conversation.deleted,
// each become a placeholder of the same seq and time, type "erased", with
// no conversation and empty data. Their words and name leave the log, and a
// resume still reads it without gaps. A conversation the user begins anew
// afterwards is numbered past `upto_seq`, and kept.
struct erased_conversation {
    std::string phone;
    std::uint64_t upto_seq = 0;
};

}  // namespace switchboard::events
