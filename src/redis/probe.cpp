#include "redis/probe.hpp"

#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "redis/auth_error.hpp"
#include "redis/connection.hpp"

namespace seckill::redis {
namespace {

namespace asio = boost::asio;

// `connection` outlives the io_context's run, hence this coroutine.
asio::awaitable<void> ping(Connection* connection) {
  co_await connection->connect();
  Reply reply = co_await connection->command({"PING"});
  if (reply.is_error()) {
    const auto& endpoint = connection->options().endpoint;
    std::string message =
        fmt::format("{}: PING refused: {}", to_string(endpoint), reply.error_message());
    if (reply.error_message().starts_with("NOAUTH")) throw AuthError(message);
    throw ReplyError(message);
  }
}

}  // namespace

void probe(const ConnectionOptions& options) {
  asio::io_context io;
  Connection connection(io.get_executor(), options);
  std::exception_ptr failure;
  asio::co_spawn(io, ping(&connection), [&](std::exception_ptr e) {
    failure = e;
    connection.close();  // it would retry in the background, and run() would never return
  });
  io.run();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace seckill::redis
