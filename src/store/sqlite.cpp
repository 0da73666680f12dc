#include "sqlite.hpp"

#include <utility>

namespace switchboard::store::sqlite {

bool error::unavailable() const {
    switch (code_ & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return true;
    default:
        return false;
    }
}

connection::connection(const std::string& path, int flags) {
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw error(rc, "cannot open " + path + ": " + msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 5000);
}

connection::~connection() { sqlite3_close_v2(db_); }

void connection::fail(int code, std::string_view context) const {
    throw error(code, std::string(context) + ": " + sqlite3_errmsg(db_));
}

std::int64_t connection::page_size() {
    auto st = prepare("PRAGMA page_size");
    st.step();
    return st.get_int(0);
}

void connection::exec(std::string_view sql) {
    char* msg = nullptr;
    std::string s(sql);
    int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &msg);
    if (rc != SQLITE_OK) {
        std::string text = msg ? msg : sqlite3_errstr(rc);
        sqlite3_free(msg);
        throw error(rc, text + " (in: " + s.substr(0, 120) + ")");
    }
}

statement connection::prepare(std::string_view sql) { return statement(*this, sql); }

interrupt_when::interrupt_when(sqlite3* db, const std::function<bool()>& stop) : db_(db), stop_(stop) {
    if (!stop_) return;
    // 10,000 steps: a scan of the messages table makes about 50 million a
    // second here, so `stop` is asked every 0.2 ms or so.
    sqlite3_progress_handler(
        db_, 10000,
        [](void* self) -> int {
            auto& me = *static_cast<interrupt_when*>(self);
            if (!me.interrupted_ && me.stop_()) me.interrupted_ = true;
            return me.interrupted_ ? 1 : 0;
        },
        this);
}

interrupt_when::~interrupt_when() {
    if (stop_) sqlite3_progress_handler(db_, 0, nullptr, nullptr);
}

statement::statement(connection& db, std::string_view sql) : db_(&db), sql_(sql), text_lifetime_(SQLITE_TRANSIENT) {
    int rc = sqlite3_prepare_v3(db.handle(), sql_.data(), static_cast<int>(sql_.size()), SQLITE_PREPARE_PERSISTENT,
                                &stmt_, nullptr);
    if (rc != SQLITE_OK) db.fail(rc, "prepare " + sql_);
}

statement::~statement() { sqlite3_finalize(stmt_); }

statement::statement(statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      sql_(std::move(other.sql_)),
      text_lifetime_(other.text_lifetime_) {}

statement& statement::bind(int index, std::string_view text) {
    int rc = sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), text_lifetime_);
    if (rc != SQLITE_OK) db_->fail(rc, "bind " + sql_);
    return *this;
}

statement& statement::bind_blob(int index, std::string_view bytes) {
    int rc = sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), text_lifetime_);
    if (rc != SQLITE_OK) db_->fail(rc, "bind " + sql_);
    return *this;
}

statement& statement::bind(int index, std::int64_t value) {
    int rc = sqlite3_bind_int64(stmt_, index, value);
    if (rc != SQLITE_OK) db_->fail(rc, "bind " + sql_);
    return *this;
}

statement& statement::bind(int index, std::nullptr_t) {
    int rc = sqlite3_bind_null(stmt_, index);
    if (rc != SQLITE_OK) db_->fail(rc, "bind " + sql_);
    return *this;
}

statement& statement::bind_optional(int index, const std::optional<std::int64_t>& value) {
    return value ? bind(index, *value) : bind(index, nullptr);
}

bool statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3_reset(stmt_);
    db_->fail(rc, "step " + sql_.substr(0, 120));
}

void statement::run() {
    step();
    reset();
}

void statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::int64_t statement::get_int(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string statement::get_text(int col) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string{};
}

std::optional<std::int64_t> statement::get_optional_int(int col) const {
    if (is_null(col)) return std::nullopt;
    return get_int(col);
}

bool statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

bool statement::is_text(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_TEXT; }

std::string_view statement::get_bytes(int col) const {
    auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));  // before _bytes, as SQLite asks
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

transaction::transaction(connection& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

transaction::~transaction() {
    if (!done_) {
        try {
            db_.exec("ROLLBACK");
        } catch (...) {
        }
    }
}

void transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace switchboard::store::sqlite
