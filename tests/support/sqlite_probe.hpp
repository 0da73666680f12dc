// Reading a server's database file directly, to check what it made durable.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

struct sqlite3;

namespace switchboard::test {

// Holds a database's write lock (BEGIN IMMEDIATE) until release() or the
// end of its life: the server's writes to that file wait meanwhile (for
// SQLite's busy timeout, 5 s, then fail).
class sqlite_write_lock {
public:
    explicit sqlite_write_lock(const std::filesystem::path& db);
    ~sqlite_write_lock();
    sqlite_write_lock(const sqlite_write_lock&) = delete;
    sqlite_write_lock& operator=(const sqlite_write_lock&) = delete;
    void release();

private:
    sqlite3* db_ = nullptr;
};

// Every row of `sql` as text columns (NULL reads as "").
std::vector<std::vector<std::string>> sqlite_rows(const std::filesystem::path& db, const std::string& sql);
std::string sqlite_value(const std::filesystem::path& db, const std::string& sql);
// Runs a script (several statements), e.g. a fixture.
void sqlite_script(const std::filesystem::path& db, const std::string& sql);
// A script that takes a database of this build back to schema `version`
// (29 or later), as an older build left it, for a test of the upgrades
// after it: each later migration undone, newest first, then the version.
std::string schema_back_to(int version);

}  // namespace switchboard::test
