// Which blocks of a store's event log each erased conversation's job still
// has to read (event_log_erasures for SQLite, memory_event_log in memory).
// Blocks are read in the order written (their ids) a part at a time, by one
// sweep that every job shares: a job that comes while the sweep is part way
// joins it there, reads on to the last block written before it (no later
// one holds its events: the hub stored those as placeholders), and is done
// once the sweep, gone round to the first block, is back where it joined.
// The jobs that come during one sweep are all done by the end of the next:
// an admin who deletes 200 users in a row costs the log a sweep or two,
// not 200. Not synchronized: each store's own thread or lock.
#pragma once

#include "event_blocks.hpp"
#include "switchboard/events/data_rewrite.hpp"
#include "switchboard/events/event.hpp"

#include <cstdint>
#include <vector>

namespace switchboard::store {

struct sweep_job {
    std::int64_t id = 0;  // the store's
    events::erased_conversation erased;
    std::int64_t joined_after = 0;  // where the sweep was when it came
    std::int64_t last_block = 0;    // the last block written before it
    bool went_round = false;        // the sweep has been back to the first block since
    std::uint32_t key = 0;          // events::conversation_key of its phone: set by the sweep
};

class erasure_sweep {
public:
    // Goes on where `after` says: the last block read (0: from the first).
    explicit erasure_sweep(std::int64_t after = 0) : after_(after) {}

    // A job that comes now; joined_after is set to where the sweep is.
    void add(sweep_job j);
    // A job kept from before a restart, as it was.
    void go_on_with(sweep_job j);
    bool busy() const { return !jobs_.empty(); }
    const std::vector<sweep_job>& jobs() const { return jobs_; }
    // The last block read; the next part reads those after it, up to upto().
    std::int64_t after() const { return after_; }
    std::int64_t upto() const;
    // What the block `id` is to have erased: the jobs that have not read it
    // yet, need it, and whose conversation its filter may hold. Empty for
    // none: the block need not be unpacked.
    events::envelope_eraser eraser_for(std::int64_t id, const conversation_filter& holds) const;
    // The part read every block up to `id`; `at_end`: and there are none
    // after it up to upto(). Returns the jobs that are done now.
    std::vector<sweep_job> read_to(std::int64_t id, bool at_end);

    // A part reads at most this many blocks' filters, and stops after the
    // block that takes the packed bodies it unpacked past this many bytes
    // (a few hundred kilobytes unpacked): what the writes queued behind it
    // wait for. benchmarks/erase.mjs measured 256 KB, 64 KB and 32 KB.
    static constexpr int blocks_a_part = 256;
    static constexpr std::size_t bytes_a_part = 32 * 1024;

private:
    std::int64_t after_;
    std::vector<sweep_job> jobs_;
};

}  // namespace switchboard::store
