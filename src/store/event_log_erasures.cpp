#include "event_log_erasures.hpp"

#include "event_block_row.hpp"
#include "switchboard/core/log.hpp"

#include <algorithm>
#include <exception>
#include <string>

namespace switchboard::store {

namespace {

std::int64_t swept_after(sqlite::connection& db) {
    auto st = db.prepare("SELECT coalesce(max(swept_after), 0) FROM event_erasures");
    st.step();
    return st.get_int(0);
}

}  // namespace

event_log_erasures::event_log_erasures(sqlite::connection& db, bool own_log) : db_(db), sweep_(swept_after(db)) {
    if (!own_log) return;
    auto st = db_.prepare(
        "SELECT id, phone, upto_seq, joined_after, last_block, went_round FROM event_erasures ORDER BY id");
    while (st.step()) {
        sweep_job j{st.get_int(0), {st.get_text(1), static_cast<std::uint64_t>(st.get_int(2))}, st.get_int(3),
                    st.get_int(4), st.get_int(5) != 0};
        hide(j.erased);
        sweep_.go_on_with(std::move(j));
    }
}

void event_log_erasures::asked(const events::erased_conversation& e) { hide(e); }

std::shared_ptr<const events::envelope_eraser> event_log_erasures::reading() const {
    std::lock_guard lock(reading_mutex_);
    return reading_;
}

void event_log_erasures::keep(sweep_job& j) {
    j.joined_after = sweep_.after();
    auto last = db_.prepare("SELECT coalesce(max(id), 0) FROM event_blocks");
    last.step();
    j.last_block = last.get_int(0);
    auto put = db_.prepare(
        "INSERT INTO event_erasures (phone, upto_seq, joined_after, last_block, swept_after) VALUES (?, ?, ?, ?, ?) "
        "RETURNING id");
    put.bind(1, j.erased.phone).bind(2, static_cast<std::int64_t>(j.erased.upto_seq)).bind(3, j.joined_after);
    put.bind(4, j.last_block).bind(5, sweep_.after());
    put.step();
    j.id = put.get_int(0);
}

void event_log_erasures::erase_a_part() {
    if (!sweep_.busy()) return;
    try {
        std::vector<std::pair<std::int64_t, packed_event_block>> changed;
        std::vector<std::pair<std::int64_t, std::string>> changed_texts;
        auto read_to = sweep_.after();
        bool at_end = false;
        {
            // The filters first, and a body only where one may hold a job's
            // conversation: typeof() reads a row's type, not its body.
            auto read = db_.prepare(
                "SELECT b.id, b.first_seq, typeof(b.body) = 'text', f.conversations FROM event_blocks b "
                "LEFT JOIN event_block_filters f ON f.block = b.id WHERE b.id > ? AND b.id <= ? ORDER BY b.id LIMIT ?");
            read.bind(1, sweep_.after()).bind(2, sweep_.upto()).bind(3, std::int64_t{erasure_sweep::blocks_a_part});
            auto body = db_.prepare("SELECT body FROM event_blocks WHERE id = ?");
            int rows = 0;
            for (std::size_t bytes = 0; bytes < erasure_sweep::bytes_a_part;) {
                if (!read.step()) {
                    at_end = rows < erasure_sweep::blocks_a_part;
                    break;
                }
                ++rows;
                auto id = read.get_int(0);
                read_to = id;
                // A block from before schema 45 has no filter: it may hold any.
                auto eraser = sweep_.eraser_for(id, conversation_filter::from_bytes(read.get_bytes(3)));
                if (eraser.empty()) continue;
                body.bind(1, id);
                if (body.step()) {
                    auto bytes_of_it = body.get_bytes(0);
                    bytes += bytes_of_it.size();
                    if (read.get_int(2) == 0) {
                        if (auto now = erased_block(bytes_of_it, eraser)) changed.emplace_back(id, std::move(*now));
                    } else if (auto now = eraser(static_cast<std::uint64_t>(read.get_int(1)), bytes_of_it)) {
                        changed_texts.emplace_back(id, std::move(*now));  // a TEXT block of one (before schema 9)
                    }
                }
                body.reset();
            }
        }
        auto done = sweep_.read_to(read_to, at_end);
        if (changed.empty() && changed_texts.empty() && done.empty() && !at_end) return;
        write_part(changed, changed_texts, done);
        done_with(done);
    } catch (const std::exception& e) {
        log::error("an erased conversation's events not erased from the stored log yet: on at the next start",
                   {{"error", e.what()}, {"jobs", std::to_string(sweep_.jobs().size())}});
        sweep_ = erasure_sweep();
    }
}

void event_log_erasures::write_part(const std::vector<std::pair<std::int64_t, packed_event_block>>& blocks,
                                    const std::vector<std::pair<std::int64_t, std::string>>& texts,
                                    const std::vector<sweep_job>& done) {
    sqlite::transaction tx(db_);
    auto put_block = db_.prepare(rewrite_block_sql);
    for (auto& [id, block] : blocks) bind_block(put_block, block).bind(6, id).run();
    auto put_text = db_.prepare("UPDATE event_blocks SET body = ? WHERE id = ?");
    for (auto& [id, text] : texts) put_text.bind(1, text).bind(2, id).run();
    auto finished = db_.prepare("DELETE FROM event_erasures WHERE id = ?");
    for (auto& j : done) finished.bind(1, j.id).run();
    auto moved = db_.prepare("UPDATE event_erasures SET swept_after = ?, went_round = ? WHERE id = ?");
    for (auto& j : sweep_.jobs()) moved.bind(1, sweep_.after()).bind(2, std::int64_t{j.went_round}).bind(3, j.id).run();
    tx.commit();
}

void event_log_erasures::hide(const events::erased_conversation& e) {
    std::lock_guard lock(reading_mutex_);
    hidden_.push_back(e);
    remake_reading();
}

void event_log_erasures::done_with(const std::vector<sweep_job>& jobs) {
    std::lock_guard lock(reading_mutex_);
    for (auto& j : jobs) {
        auto it = std::find_if(hidden_.begin(), hidden_.end(), [&](const events::erased_conversation& h) {
            return h.phone == j.erased.phone && h.upto_seq == j.erased.upto_seq;
        });
        if (it != hidden_.end()) hidden_.erase(it);
    }
    remake_reading();
}

void event_log_erasures::remake_reading() {
    if (hidden_.empty()) {
        reading_.reset();
        return;
    }
    auto eraser = std::make_shared<events::envelope_eraser>();
    for (auto& h : hidden_) eraser->add(h);
    reading_ = std::move(eraser);
}

}  // namespace switchboard::store
