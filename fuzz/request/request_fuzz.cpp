// Fuzz target: the server's request path without sockets. Arbitrary bytes are parsed as an HTTP
// request with the server's limits (http/limits.hpp), then handled by a Router holding the real
// routes (health, sale, reminders) over the embedded backend (SQLite in a temporary directory,
// the in-process coordinator): parse -> route -> authenticate -> validate -> use case.
//
// Oracle: nothing crashes (ASan, UBSan), every request gets an answer, and no answer is a 5xx:
// a 500 means an exception escaped a handler (a bug), and nothing here can be "unavailable".
// Every error body is the contract's {"error":{"code","message"}}. As in the session, the head
// is checked (http/request_head.hpp) before routing: a refused head gets its 400, and a request
// that reaches the router carries no Transfer-Encoding but `chunked` alone, in one field line,
// on HTTP/1.1, without Content-Length (the TE seeds hold the variants that must not).
//
// The seeds carry bearer tokens signed with kFuzzSecret that expire in 2100, so mutations reach
// the handlers behind authentication.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/json/parse.hpp>

#include "api/remind_routes.hpp"
#include "api/sale_routes.hpp"
#include "coordinator/embedded/embedded_id_source.hpp"
#include "coordinator/embedded/embedded_reminder_gate.hpp"
#include "coordinator/embedded/embedded_stock_gate.hpp"
#include "http/error_response.hpp"
#include "http/health.hpp"
#include "http/limits.hpp"
#include "http/request_head.hpp"
#include "http/router.hpp"
#include "remind/reminder_service.hpp"
#include "sale/sale_service.hpp"
#include "store/sqlite/sqlite_database.hpp"
#include "store/sqlite/sqlite_reminder_records.hpp"
#include "store/sqlite/sqlite_sale_store.hpp"

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using namespace seckill;

constexpr const char* kFuzzSecret = "fuzz secret";

SysTime now() {
  return std::chrono::system_clock::now();
}

std::filesystem::path& store_dir() {
  static std::filesystem::path dir;
  return dir;
}

/// A fresh directory for this process's store, removed when the process exits normally (the
/// fuzzer's time limit, the replay's end); a crash leaves it for inspection.
store::sqlite::SqliteDatabaseOptions temporary_store() {
  char pattern[] = "/tmp/seckill-request-fuzz-XXXXXX";
  const char* dir = ::mkdtemp(pattern);
  if (dir == nullptr) std::abort();
  store_dir() = dir;
  std::atexit([] {
    std::error_code ignored;
    std::filesystem::remove_all(store_dir(), ignored);
  });
  store::sqlite::SqliteDatabaseOptions options;
  options.data_dir = dir;
  return options;
}

/// The embedded mode's parts, as app/embedded_backend.cpp wires them. Made once per process and
/// never destroyed (the fuzzer exits without running destructors).
struct World {
  asio::io_context io;
  // The seeds' tokens expire in 2100: no bound on a token's life, or none would pass.
  auth::TokenVerifier verifier{
      kFuzzSecret, auth::ClaimRules{std::chrono::hours(24 * 365 * 200), std::chrono::seconds(60)}};
  store::sqlite::SqliteDatabase db{temporary_store()};
  store::sqlite::SqliteSaleStore store{db};
  coordinator::embedded::EmbeddedStockGate gate{store};
  coordinator::embedded::EmbeddedIdSource ids{io.get_executor(), store.max_id_now()};
  sale::SaleService sale{gate, store, ids, now};
  store::sqlite::SqliteReminderRecords records{db};
  coordinator::embedded::EmbeddedReminderGate reminder_gate{
      records, remind::ReminderWindows{std::chrono::minutes(15), std::chrono::minutes(15)}};
  remind::ReminderService reminders{reminder_gate, records, ids, now, std::chrono::minutes(30)};
  http::Router router{&verifier};

  World() {
    http::add_health_routes(router, {});
    api::add_sale_routes(router, sale);
    api::add_remind_routes(router, reminders);
  }
};

World& world() {
  static World* w = new World();
  return *w;
}

asio::awaitable<void> route(const http::Request* request, std::optional<http::Response>* out) {
  out->emplace(co_await world().router.handle(*request));
}

void check_answer(const http::Response& response) {
  const auto status = static_cast<unsigned>(response.status());
  if (status >= 500) {
    std::fprintf(stderr, "request_fuzz: a %u answer: %.*s\n", status,
                 static_cast<int>(response.body().size()), response.body().data());
    std::abort();
  }
  if (status >= 400) {
    boost::system::error_code ec;
    auto body = boost::json::parse(response.body(), ec);
    if (ec || !body.is_object() || !body.as_object().contains("error")) std::abort();
    const auto& error = body.as_object().at("error");
    if (!error.is_object() || !error.as_object().contains("code") ||
        !error.as_object().at("code").is_string()) {
      std::abort();
    }
  }
}

/// The framing a routed request may have, checked independently of check_request_head.
bool framing_accepted(const http::Request& request) {
  int te_lines = 0;
  std::string_view te;
  for (const auto& field : request) {
    if (field.name() != bhttp::field::transfer_encoding) continue;
    ++te_lines;
    te = std::string_view(field.value().data(), field.value().size());
  }
  if (te_lines == 0) return true;
  while (!te.empty() && (te.front() == ' ' || te.front() == '\t'))
    te.remove_prefix(1);
  while (!te.empty() && (te.back() == ' ' || te.back() == '\t'))
    te.remove_suffix(1);
  return te_lines == 1 && boost::beast::iequals(te, "chunked") && request.version() >= 11 &&
         request.find(bhttp::field::content_length) == request.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = world();
  http::ServerLimits limits;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;
  const auto& fields = parser.get();
  if (static_cast<std::size_t>(std::distance(fields.begin(), fields.end())) >
      limits.max_header_count) {
    return 0;  // the session answers 431 before routing
  }
  http::Request request = parser.release();
  if (auto refused = http::check_request_head(request)) {
    const http::Response answer = http::error_response(*refused);
    if (answer.status() != bhttp::status::bad_request) std::abort();
    check_answer(answer);
    return 0;
  }
  if (!framing_accepted(request)) {
    std::fprintf(stderr, "request_fuzz: a Transfer-Encoding the server must refuse was routed\n");
    std::abort();
  }
  std::optional<http::Response> response;
  asio::co_spawn(w.io, route(&request, &response), [](const std::exception_ptr& e) {
    if (e) std::abort();  // Router::handle never throws
  });
  w.io.restart();
  w.io.run();
  if (!response) std::abort();
  check_answer(*response);
  return 0;
}
