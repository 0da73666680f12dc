#include "sqlite_probe.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace switchboard::test {

namespace {
struct handle {
    sqlite3* db = nullptr;
    explicit handle(const std::filesystem::path& p) {
        if (sqlite3_open(p.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open " + p.string());
        sqlite3_busy_timeout(db, 5000);
    }
    ~handle() { sqlite3_close(db); }
};
}  // namespace

std::vector<std::vector<std::string>> sqlite_rows(const std::filesystem::path& db, const std::string& sql) {
    handle h(db);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h.db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
        throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(h.db));
    std::vector<std::vector<std::string>> rows;
    while (sqlite3_step(st) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int i = 0; i < sqlite3_column_count(st); ++i) {
            auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
            row.emplace_back(t ? t : "");
        }
        rows.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    return rows;
}

sqlite_write_lock::sqlite_write_lock(const std::filesystem::path& db) {
    if (sqlite3_open(db.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("cannot open " + db.string());
    sqlite3_busy_timeout(db_, 5000);
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
        std::string msg = sqlite3_errmsg(db_);
        sqlite3_close(db_);
        throw std::runtime_error("cannot lock " + db.string() + ": " + msg);
    }
}

sqlite_write_lock::~sqlite_write_lock() { release(); }

void sqlite_write_lock::release() {
    if (!db_) return;
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    db_ = nullptr;
}

std::string sqlite_value(const std::filesystem::path& db, const std::string& sql) {
    auto rows = sqlite_rows(db, sql);
    return rows.empty() || rows[0].empty() ? std::string{} : rows[0][0];
}

void sqlite_script(const std::filesystem::path& db, const std::string& sql) {
    handle h(db);
    char* err = nullptr;
    if (sqlite3_exec(h.db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "?";
        sqlite3_free(err);
        throw std::runtime_error("script: " + msg);
    }
}

std::string schema_back_to(int version) {
    // What each migration from 30 on added (store/schema.cpp), by its number; 47 changed rows alone.
    static const std::vector<std::pair<int, std::string>> undo{
        {50, "DROP TABLE message_edits;"},
        {49, "ALTER TABLE conversations DROP COLUMN muted;"},
        {48, "ALTER TABLE agents DROP COLUMN totp_secret; ALTER TABLE agents DROP COLUMN totp_last_step; "
             "ALTER TABLE agents DROP COLUMN recovery_codes;"},
        {46, "ALTER TABLE messages DROP COLUMN choices;"},
        {45, "DROP TRIGGER event_block_filters_go; DROP TABLE event_block_filters; DROP TABLE event_erasures;"},
        {44, "ALTER TABLE agents DROP COLUMN email;"},
        {43, "ALTER TABLE chats DROP COLUMN channel;"},
        {42, "ALTER TABLE chats DROP COLUMN first_seq;"},
        {41, "DROP INDEX chats_by_phone; DROP INDEX ratings_by_ticket;"},
        {40, "ALTER TABLE conversations DROP COLUMN participants;"},
        {39, "DROP TABLE notifications;"},
        {38, "ALTER TABLE agents DROP COLUMN signature;"},
        {37, "ALTER TABLE chats DROP COLUMN labels;"},
        {36, "DROP TABLE audit_log;"},
        {35, "ALTER TABLE chats DROP COLUMN team;"},
        {34, "ALTER TABLE conversations DROP COLUMN team;"},
        {33, "ALTER TABLE chats DROP COLUMN resolution_missed;"},
        {32, "ALTER TABLE chats DROP COLUMN answered_waits;"},
        {31, "ALTER TABLE chats DROP COLUMN target_missed_for;"},
        {30, "ALTER TABLE chats DROP COLUMN waiting_since;"},
    };
    if (version < 29) throw std::invalid_argument("schema_back_to knows the migrations from 30 on");
    std::string sql;
    for (auto& [number, statements] : undo)
        if (number > version) sql += statements + ' ';
    return sql + "PRAGMA user_version = " + std::to_string(version) + ";";
}

}  // namespace switchboard::test
