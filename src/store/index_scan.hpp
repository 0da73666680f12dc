// Fills the SQLite store's in-memory indexes from the database at open.
#pragma once

#include "key_index.hpp"
#include "message_index.hpp"
#include "sqlite.hpp"
#include "time_index.hpp"

namespace switchboard::store {

// Every stored message into `messages` and `times`, and every dedupe key
// into `message_keys` (those kept in a message's row) or `table_keys` (the
// dedupe table's). Throws sqlite::error as a read would, and
// std::runtime_error saying so when filing a row fails (out of memory).
void scan_into_indexes(sqlite::connection& db, message_index& messages, message_time_blocks& times,
                       key_index& message_keys, key_index& table_keys);

}  // namespace switchboard::store
