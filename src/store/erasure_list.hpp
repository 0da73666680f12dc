// The users erased from a directory's database (DELETE /conversations/{phone}),
// kept beside it in DIR/erasures, one line each: when, whose phone, by whom.
// A backup is a copy of the database alone, so a backup put back holds the
// users erased after it was taken; the store, when it opens, erases them
// again from this list (sqlite_store::erase_again). A user who wrote again
// after their erasure is new: their conversation began at the erasure or
// after, and stays.
#pragma once

#include "switchboard/store/store.hpp"

#include <string>
#include <vector>

namespace switchboard::store {

class erasure_list {
public:
    explicit erasure_list(std::string dir);

    // On the disk (synced) by return; throws std::runtime_error naming the file.
    void append(const erasure& e) const;
    // In the order written. A line that does not read (one cut short by a
    // crash while it was written) is logged and passed over.
    std::vector<erasure> read() const;

    const std::string& file() const { return file_; }

private:
    std::string dir_, file_;
};

}  // namespace switchboard::store
