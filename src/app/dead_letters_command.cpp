// `seckill dead-letters list|replay`: the entries the store refused for good (issue #15), read
// back. A dead letter is a promise (a 201) the store did not take; `replay` writes each one to
// the store again (idempotently: an order or reminder already stored changes nothing) and
// removes it from its dead stream only once the store has it. What the store still refuses
// stays, with the reason printed.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/logging.hpp"
#include "app/offline_redis.hpp"
#include "coordinator/redis/dead_letter_count.hpp"
#include "coordinator/redis/remind_keys.hpp"
#include "coordinator/redis/sale_keys.hpp"
#include "coordinator/redis/stock_buckets_audit.hpp"
#include "core/decimal.hpp"
#include "core/infra_error.hpp"
#include "redis/client.hpp"
#include "store/postgres/order_store.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/reminder_store.hpp"

namespace seckill::app {

namespace asio = boost::asio;

namespace {

struct DeadLetter {
  std::string stream;
  std::string id;
  std::map<std::string, std::string> fields;
};

// Every dead stream that may exist: the catch-all one, each registered voucher bucket's, each
// reminder partition's.
asio::awaitable<std::vector<std::string>> dead_streams(redis::Client& client) {
  auto out = co_await coordinator::redis::order_dead_streams(client);
  for (auto& stream : coordinator::redis::reminder_dead_streams())
    out.push_back(std::move(stream));
  co_return out;
}

asio::awaitable<std::vector<DeadLetter>> read_dead_letters(redis::Client& client) {
  std::vector<DeadLetter> out;
  for (const auto& stream : co_await dead_streams(client)) {
    auto entries = co_await client.command({"XRANGE", stream, "-", "+"});
    for (const auto& entry : entries.elements()) {
      auto parts = entry.elements();
      if (parts.size() != 2 || !parts[1].is_array()) continue;
      DeadLetter letter{stream, std::string(parts[0].as_string()), {}};
      auto flat = parts[1].elements();
      for (std::size_t i = 0; i + 1 < flat.size(); i += 2)
        letter.fields[std::string(flat[i].as_string())] = std::string(flat[i + 1].as_string());
      out.push_back(std::move(letter));
    }
  }
  co_return out;
}

std::string field(const DeadLetter& d, const std::string& name) {
  auto it = d.fields.find(name);
  return it == d.fields.end() ? std::string() : it->second;
}

std::string describe(const DeadLetter& d) {
  if (d.fields.contains("o")) {
    return fmt::format("{} {} order {} user {} voucher {}: {}", d.stream, d.id, field(d, "o"),
                       field(d, "u"), field(d, "v"), field(d, "reason"));
  }
  if (d.fields.contains("r")) {
    return fmt::format("{} {} reminder {} ticket {} user {}: {}", d.stream, d.id, field(d, "r"),
                       field(d, "k"), field(d, "u"), field(d, "reason"));
  }
  return fmt::format("{} {} (no content): {}", d.stream, d.id, field(d, "reason"));
}

std::optional<std::uint64_t> id_field(const DeadLetter& d, const std::string& name) {
  return parse_decimal<std::uint64_t>(field(d, name));
}

std::optional<SysTime> time_field(const DeadLetter& d) {
  auto ms = parse_decimal<std::int64_t>(field(d, "t"));
  if (!ms) return std::nullopt;
  return SysTime(std::chrono::milliseconds(*ms));
}

// Writes one dead letter to the store; nullopt when stored (or already there), else why not.
std::optional<std::string> replay_one(store::postgres::PgConnection& c, const DeadLetter& d) {
  auto at = time_field(d);
  try {
    if (d.fields.contains("o")) {
      auto order = id_field(d, "o"), user = id_field(d, "u"), voucher = id_field(d, "v");
      if (!order || !user || !voucher || !at) return std::string("malformed order entry");
      const store::postgres::OrderRow row{*order, *user, *voucher, *at};
      store::postgres::insert_orders(c, std::span<const store::postgres::OrderRow>(&row, 1));
      // Inserted, or skipped: already stored with this id, or the user holds another order of
      // the voucher (then this one was never a second promise the store could keep).
      return std::nullopt;
    }
    if (d.fields.contains("r")) {
      auto record = id_field(d, "r"), user = id_field(d, "u");
      auto ticket = field(d, "k");
      if (!record || !user || ticket.empty() || !at) return std::string("malformed reminder entry");
      store::postgres::ReminderEvent event{.reminder_id = *record,
                                           .ticket = ticket,
                                           .user_id = *user,
                                           .at = *at,
                                           .new_record = false};
      store::postgres::insert_reminder_events(
          c, std::span<const store::postgres::ReminderEvent>(&event, 1));
      return std::nullopt;
    }
    return std::string("nothing to replay (a malformed queue entry)");
  } catch (const ReplyError& e) {
    return std::string(e.what());
  }
}

asio::awaitable<int> dead_letters(redis::Client& client, DeadLettersConfig config) {
  co_await client.connect();
  auto letters = co_await read_dead_letters(client);
  if (config.voucher) {
    std::erase_if(letters, [&](const DeadLetter& d) { return id_field(d, "v") != config.voucher; });
  }
  if (!config.replay) {
    for (const auto& d : letters)
      fmt::print("DEAD {}\n", describe(d));
    fmt::print("{} dead letters\n", letters.size());
    co_return 0;
  }
  store::postgres::PgConnectOptions options;
  options.conninfo = config.backends.postgres_url;
  auto c = store::postgres::PgConnection::connect(options);
  std::size_t replayed = 0, kept = 0;
  for (const auto& d : letters) {
    if (auto refusal = replay_one(c, d)) {
      ++kept;
      fmt::print("KEPT {} ({})\n", describe(d), *refusal);
      continue;
    }
    // Only once the store has it does it leave the dead stream.
    co_await client.command({"XDEL", d.stream, d.id});
    ++replayed;
    fmt::print("REPLAYED {}\n", describe(d));
  }
  fmt::print("{} replayed, {} kept\n", replayed, kept);
  co_return kept == 0 ? 0 : 1;
}

}  // namespace

int run_dead_letters(const DeadLettersConfig& config) {
  setup_logging(config.backends.log_level);
  if (config.backends.redis_urls.empty()) {
    fmt::print("the embedded mode keeps no dead letters: every 201 is stored before it is sent\n");
    return 0;
  }
  if (config.replay && config.backends.postgres_url.empty()) {
    fmt::print(stderr, "seckill dead-letters replay: give --postgres\n");
    return 2;
  }
  const auto& b = config.backends;
  auto options =
      offline_redis_options(b.redis_urls, b.redis_sentinel_password,
                            redis::TlsFiles{b.redis_tls_ca, b.redis_tls_cert, b.redis_tls_key});
  if (!options) {
    fmt::print(stderr, "seckill dead-letters: {}\n", options.error());
    return 2;
  }
  asio::io_context io;
  redis::Client client(io, *options);
  return run_to_exit_code(io, client, dead_letters(client, config), "dead-letters");
}

}  // namespace seckill::app
