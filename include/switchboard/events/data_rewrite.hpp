// A change to events already kept, apart from the event header: the
// store's write batches carry it, and store.hpp need not read Boost.JSON.
#pragma once

#include "switchboard/core/time.hpp"

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

}  // namespace switchboard::events
