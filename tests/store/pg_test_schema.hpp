#pragma once
// A private schema in the test database, so PostgreSQL tests do not depend on each other or on
// their order: created (and migrated) by the constructor, dropped with everything in it by the
// destructor.

#include <atomic>
#include <string>
#include <string_view>
#include <unistd.h>

#include "store/postgres/migrations.hpp"
#include "store/postgres/pg_connection.hpp"
#include "support/test_env.hpp"

namespace seckill::testing {

class PgTestSchema {
 public:
  /// `tag` names the schema (lower-case letters, digits, '_'), made unique per process and call.
  explicit PgTestSchema(std::string_view tag, bool migrated = true) {
    static std::atomic<int> counter{0};
    name_ = "t_" + std::string(tag) + "_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter++);
    options_.conninfo = postgres_url();
    options_.connect_timeout = std::chrono::seconds(5);
    auto admin = store::postgres::PgConnection::connect(options_);
    admin.exec("create schema " + quoted());
    options_.schema = name_;
    if (migrated) store::postgres::migrate(options_);
  }
  ~PgTestSchema() {
    try {
      auto admin_options = options_;
      admin_options.schema.clear();
      auto admin = store::postgres::PgConnection::connect(admin_options);
      admin.exec("drop schema " + quoted() + " cascade");
    } catch (...) {  // a failed clean-up must not hide the test's own result
    }
  }
  PgTestSchema(const PgTestSchema&) = delete;
  PgTestSchema& operator=(const PgTestSchema&) = delete;

  /// Options whose connections work in this schema.
  const store::postgres::PgConnectOptions& options() const { return options_; }
  store::postgres::PgConnection connect() const {
    return store::postgres::PgConnection::connect(options_);
  }
  const std::string& name() const { return name_; }

 private:
  // The name is made by this class from a tag written in a test, never from outside input;
  // quoting keeps it an identifier anyway.
  std::string quoted() const { return "\"" + name_ + "\""; }

  std::string name_;
  store::postgres::PgConnectOptions options_;
};

}  // namespace seckill::testing
