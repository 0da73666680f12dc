// The SQLite store's erasures of conversations from its event log
// (store::async_erase_events). A day's log of a busy server is thousands of
// blocks, which one transaction would hold every write up for while it
// unpacked them all: each erasure is a job kept in a table of its own
// (schema 45), in the transaction that asks for it, carried out by the
// sweep all jobs share (erasure_sweep) a part at a time between groups of
// writes, and on from where it got to after a restart. Meanwhile the
// store's reads of the log make placeholders of what they find of those
// conversations (reading()), from the moment it is asked to: an erasure is
// whole at once to every reader. The jobs are the writer thread's; asked()
// and reading() are for any thread.
#pragma once

#include "erasure_sweep.hpp"
#include "event_blocks.hpp"
#include "sqlite.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace switchboard::store {

class event_log_erasures {
public:
    // Reads the jobs kept, to go on with them; not `own_log`: the database
    // is opened beside the server that holds its directory (`switchboard
    // agent add`), whose jobs they are.
    event_log_erasures(sqlite::connection& db, bool own_log);

    // An erasure asked for, to be kept as a job (keep): reads hide its
    // events from now on, until its job is done.
    void asked(const events::erased_conversation& e);
    // What reads are to make placeholders of now; null for nothing.
    std::shared_ptr<const events::envelope_eraser> reading() const;

    // Keeps the job for `j.erased` in the writer's open transaction, and
    // fills in the rest of `j` for started().
    void keep(sweep_job& j);
    // The job kept was committed: to be carried out.
    void started(sweep_job j) { sweep_.add(std::move(j)); }
    bool busy() const { return sweep_.busy(); }
    // The next part of the sweep: each block read with the events of every
    // job that needs it made placeholders. Written in a transaction of its
    // own, with where the sweep got to, when a block changed or a job went
    // round or is done: a part that found nothing is read again after a
    // restart rather than synced. On a failure, logged, the jobs wait for
    // the next start.
    void erase_a_part();

private:
    void write_part(const std::vector<std::pair<std::int64_t, packed_event_block>>& blocks,
                    const std::vector<std::pair<std::int64_t, std::string>>& texts, const std::vector<sweep_job>& done);
    // The erasures asked for or kept and not done, and their eraser.
    void hide(const events::erased_conversation& e);
    void done_with(const std::vector<sweep_job>& jobs);
    void remake_reading();  // under reading_mutex_

    sqlite::connection& db_;
    erasure_sweep sweep_;
    mutable std::mutex reading_mutex_;
    std::vector<events::erased_conversation> hidden_;
    std::shared_ptr<const events::envelope_eraser> reading_;
};

}  // namespace switchboard::store
