// The SQLite schema as a list of forward migrations; PRAGMA user_version
// says how many have been applied.
#pragma once

#include "sqlite.hpp"

namespace switchboard::store {

// The version this build writes.
int current_schema_version();
// Applies what is missing, each migration in its own transaction. Throws
// for a database newer than this build.
void migrate(sqlite::connection& db);

}  // namespace switchboard::store
