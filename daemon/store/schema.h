#pragma once

#include <span>
#include <string_view>

#include "daemon/base/status.h"
#include "daemon/store/sqlite.h"

namespace brandmon::store {

// One step of the schema: the SQL that takes version `version - 1` to
// `version`. Steps are applied in order, each in its own transaction together
// with the update of the schema_version table, so a crash leaves the database
// at one version or the next.
struct Migration {
  int version;
  std::string_view sql;
  // Runs after `sql`, in the same transaction, for what SQL alone cannot
  // fill in (values decoded from the store's own encodings).
  Status (*backfill)(Database& db) = nullptr;
};

// The steps of brandmon's state database, oldest first.
std::span<const Migration> Migrations();

// The version recorded in the schema_version table; 0 for a new database.
Result<int> SchemaVersion(Database& db);

// Brings `db` up to the last of `steps`. REQUIRES: steps are numbered 1, 2, ...
// Errors: InvalidArgument when the database is newer than the last step (a
// downgrade), or the error of the failing step (which is rolled back).
Status Migrate(Database& db, std::span<const Migration> steps);

}  // namespace brandmon::store
