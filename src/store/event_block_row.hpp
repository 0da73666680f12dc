// A packed block of events as a row of the SQLite store's event_blocks:
// its columns bound alike by the writer's insert and rewrite and by the
// erasures' sweep (event_log_erasures).
#pragma once

#include "event_blocks.hpp"
#include "sqlite.hpp"

namespace switchboard::store {

// A block's columns and then its body, the five parameters they share first.
inline constexpr const char* insert_block_sql =
    "INSERT INTO event_blocks (first_seq, last_seq, first_at, last_at, body) VALUES (?,?,?,?,?)";
// And the sixth, the block's id.
inline constexpr const char* rewrite_block_sql =
    "UPDATE event_blocks SET first_seq = ?, last_seq = ?, first_at = ?, last_at = ?, body = ? WHERE id = ?";

inline sqlite::statement& bind_block(sqlite::statement& st, const packed_event_block& block) {
    return st.bind(1, static_cast<std::int64_t>(block.first_seq))
        .bind(2, static_cast<std::int64_t>(block.last_seq))
        .bind(3, block.first_at)
        .bind(4, block.last_at)
        .bind_blob(5, block.body);
}

}  // namespace switchboard::store
