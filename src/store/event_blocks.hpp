// The SQLite store's event log keeps one row per batch of events (a block),
// compressed as a whole (schema v9). One row per event, of about 425 bytes
// of JSON each, three per webhook, had become the largest part of a durable
// webhook: a third of their cost was the number of rows, the rest their
// bytes. A hub flush holds dozens of events that share most of their text,
// which zstd's fastest levels take down to a small fraction in one call.
//
// A block's body is a zstd frame of its events, each as seq (8 bytes), time
// (8 bytes, Unix ms), length (4 bytes) and the JSON, little-endian. Rows
// migrated from one-row-per-event logs keep their JSON as TEXT: a block of
// one, whose seq and time are the row's.
#pragma once

#include "switchboard/store/store.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::events {
class envelope_eraser;
}

namespace switchboard::store {

struct block_event {
    std::uint64_t seq;
    std::int64_t at_ms;
    std::string_view json;  // into the block's decoded text
};

// Which conversations a block may hold events of: a Bloom filter of their
// events::conversation_key, 256 bits, two a key. An erasure's sweep unpacks
// a block only when its filter may hold the conversation: of the blocks
// that do not, about one in twenty at a few dozen conversations a block,
// rather than every one. A block rewritten keeps the filter it had (it may
// hold fewer since, never more).
struct conversation_filter {
    static constexpr std::size_t size = 32;  // bytes, as stored
    std::array<std::uint64_t, 4> bits{};

    // 0 (not known): every bit, so that it may hold any.
    void add(std::uint32_t key);
    bool may_hold(std::uint32_t key) const;
    std::string bytes() const;
    // From `size` bytes as bytes() wrote them; holding any for others.
    static conversation_filter from_bytes(std::string_view b);
};

// A block ready to store: its columns, its compressed body and its filter.
struct packed_event_block {
    std::uint64_t first_seq = 0, last_seq = 0;
    std::int64_t first_at = 0, last_at = 0;
    std::string body;
    conversation_filter conversations;
};

class event_block_writer {
public:
    event_block_writer() { clear(); }
    // `conversation_key`: event_record's (0 for one not known).
    void add(std::uint64_t seq, std::int64_t at_ms, std::string_view json, std::uint32_t conversation_key = 0);
    // Empties the block, keeping the buffer.
    void clear();
    std::size_t capacity() const { return raw_.capacity(); }
    // The columns and the compressed body.
    packed_event_block pack() const { return {first_seq_, last_seq_, first_at_, last_at_, compressed(), conversations_}; }

private:
    std::string compressed() const;

    std::string raw_;
    std::uint64_t first_seq_, last_seq_;
    std::int64_t first_at_, last_at_;
    conversation_filter conversations_;
    std::uint32_t last_key_;  // the last event's: a step's events are mostly of one conversation
};

// A batch's events as one block.
packed_event_block pack_events(const std::vector<event_record>& events);
// What is left of the block `body` once its events older than `at_ms` are
// cut off (pruning a block that straddles the cut).
packed_event_block events_from(std::string_view body, std::int64_t at_ms);
// The block `body` with each event `change` gives a new text for (nullopt:
// kept as it is); nullopt when that changes none.
using event_change = std::function<std::optional<std::string>(const block_event&)>;
std::optional<packed_event_block> changed_block(std::string_view body, const event_change& change);
// The block `body` with the events that carry r's record rewritten
// (events::envelope_rewriter); nullopt when that changes none.
std::optional<packed_event_block> rewritten_block(std::string_view body, const events::data_rewrite& r);
// The block `body` with the erased conversations' events made placeholders
// (events::envelope_eraser); nullopt when it holds none.
std::optional<packed_event_block> erased_block(std::string_view body, const events::envelope_eraser& erased);
// The first_at a block that holds an event carrying r's record has, at the
// earliest and the latest. A block's first_at is its earliest event's
// time, so that block's is r.since or before; the hub numbers events in
// about the order they happen, and stores them as they come, so a block
// holds events of a few milliseconds: its first_at is within the minute
// before (a backlog's seconds are well inside).
std::pair<std::int64_t, std::int64_t> first_at_of_blocks_carrying(const events::data_rewrite& r);
// Whether a block of events kept from `first_at` to `last_at` may hold one.
// Those that may are read from the latest first_at down, the nearest before
// r.since first, until one changes: a record's words are in one event, the
// one that announced it, so a minute of blocks (12,000 at 200 flushes a
// second) is not unpacked for one.
bool may_carry(std::int64_t first_at, std::int64_t last_at, const events::data_rewrite& r);

// Makes placeholders of the erased conversations' events among `events`,
// read from a log whose erasure is not done yet.
void hide_erased(std::vector<event_record>& events, const events::envelope_eraser& erased);

// The events with seqs in (after, upto] gathered from blocks read in the
// order written, a later one winning a seq written twice: what both stores'
// logs answer a resume with.
class event_window {
public:
    event_window(std::uint64_t after, std::uint64_t upto) : after_(after), upto_(upto) {}
    void add(std::uint64_t seq, std::int64_t at_ms, std::string_view json);
    void add_block(std::string_view body);
    // The first `limit` of them, in seq order.
    std::vector<event_record> take(std::size_t limit);

private:
    std::uint64_t after_, upto_;
    std::map<std::uint64_t, std::pair<std::int64_t, std::shared_ptr<const std::string>>> found_;
    std::string text_;  // add_block's decoding buffer
};

// Decodes `body` into `text` and returns its events, in the order written.
// Throws std::runtime_error on a body that is not a block.
std::vector<block_event> read_event_block(std::string_view body, std::string& text);

}  // namespace switchboard::store
