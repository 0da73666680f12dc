// The scan is most of a large database's start: 2,200,000 message rows took
// about 2.5 s, of which SQLite's reading was 0.8 s and the rest filing each
// row in three indexes, every one a lookup at random. So one thread reads
// and another files, a batch of rows at a time.
#include "index_scan.hpp"

#include "batch_pipeline.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace switchboard::store {

namespace {

struct scanned_row {
    std::string phone;
    std::uint64_t seq;
    std::int64_t row;
    std::int64_t at_ms;
    std::uint64_t key_hash;  // of the dedupe key in the row, when has_key
    bool from_user;
    bool has_key;
};

using batch = std::vector<scanned_row>;
constexpr std::size_t batch_rows = 8192;
constexpr std::size_t batches_queued_max = 4;  // the reader waits past this: memory stays small

}  // namespace

void scan_into_indexes(sqlite::connection& db, message_index& messages, message_time_blocks& times,
                       key_index& message_keys, key_index& table_keys) {
    auto keys = db.prepare("SELECT rowid, key FROM dedupe");
    while (keys.step()) table_keys.add(keys.get_bytes(1), keys.get_int(0));

    auto read_rows = [&](auto emit) {
        auto rows = db.prepare("SELECT phone, seq, rowid, at, dedupe_key, sender = 'user' FROM messages");
        batch b;
        b.reserve(batch_rows);
        while (rows.step()) {
            auto key = rows.get_bytes(4);
            b.push_back({std::string(rows.get_bytes(0)), static_cast<std::uint64_t>(rows.get_int(1)),
                         rows.get_int(2), rows.get_int(3), key.empty() ? 0 : message_keys.hash_of(key),
                         rows.get_int(5) != 0, !key.empty()});
            if (b.size() == batch_rows) {
                emit(std::move(b));
                b = {};
                b.reserve(batch_rows);
            }
        }
        if (!b.empty()) emit(std::move(b));
    };
    auto file_rows = [&](batch& b) {
        try {
            for (auto& r : b) {
                messages.add(r.phone, r.seq, r.row, r.from_user);
                times.add(r.at_ms, r.row);
                if (r.has_key) message_keys.add_hashed(r.key_hash, r.row);
            }
        } catch (const std::exception& e) {
            // Most likely std::bad_alloc: say what the server was doing.
            throw std::runtime_error(std::string("indexing the stored messages: ") + e.what());
        }
    };
    run_batch_pipeline<batch>("sb-index", batches_queued_max, read_rows, file_rows);
}

}  // namespace switchboard::store
