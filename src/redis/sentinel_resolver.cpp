#include "redis/sentinel_resolver.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <string>

#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "core/infra_error.hpp"
#include "redis/connection.hpp"

namespace seckill::redis {
namespace {

namespace asio = boost::asio;

std::string where(const SentinelAddress& sentinel) {
  const bool v6 = sentinel.host.find(':') != std::string::npos;
  return fmt::format("sentinel {}{}{}:{}", v6 ? "[" : "", sentinel.host, v6 ? "]" : "",
                     sentinel.port);
}

// The master's address as `sentinel` knows it; throws InfraError (or ReplyError for an answer
// that makes no sense) otherwise.
asio::awaitable<SentinelAddress> ask(const SentinelAddress& sentinel, const RedisUrl& url,
                                     std::chrono::milliseconds timeout) {
  ConnectionOptions options;
  options.endpoint = RedisUrl{sentinel.host, sentinel.port, 0};
  options.endpoint.password = url.sentinel_password;
  options.connect_timeout = timeout;
  options.request_timeout = timeout;
  options.reconnect_min = options.reconnect_max = std::chrono::seconds(60);  // closed before
  Connection connection(co_await asio::this_coro::executor, std::move(options));
  co_await connection.connect();
  Reply reply =
      co_await connection.command({"SENTINEL", "get-master-addr-by-name", url.sentinel_master});
  if (reply.is_nil()) {
    throw IoError(
        fmt::format("{} knows no master named '{}'", where(sentinel), url.sentinel_master));
  }
  if (reply.is_error()) {
    throw ReplyError(fmt::format("{}: {}", where(sentinel), reply.error_message()));
  }
  if (!reply.is_array()) {
    throw ReplyError(
        fmt::format("{}: unexpected answer {}", where(sentinel), reply.to_debug_string()));
  }
  auto address = reply.elements();
  unsigned port = 0;
  std::string_view port_text =
      address.size() == 2 && address[1].is_string() ? address[1].as_string() : "";
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (address.size() != 2 || !address[0].is_string() || ec != std::errc() ||
      end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    throw ReplyError(
        fmt::format("{}: unexpected answer {}", where(sentinel), reply.to_debug_string()));
  }
  co_return SentinelAddress{std::string(address[0].as_string()), static_cast<std::uint16_t>(port)};
}

}  // namespace

asio::awaitable<RedisUrl> resolve_master(RedisUrl url, std::chrono::milliseconds timeout) {
  if (!url.sentinel()) throw std::invalid_argument("resolve_master: not a redis-sentinel:// URL");
  std::string reasons;
  for (std::size_t i = 0; i < url.sentinels.size(); ++i) {
    try {
      SentinelAddress master = co_await ask(url.sentinels[i], url, timeout);
      url.host = std::move(master.host);
      url.port = master.port;
      std::rotate(url.sentinels.begin(), url.sentinels.begin() + static_cast<std::ptrdiff_t>(i),
                  url.sentinels.begin() + static_cast<std::ptrdiff_t>(i) + 1);
      co_return url;
    } catch (const InfraError& e) {
      if (!reasons.empty()) reasons += "; ";
      reasons += e.what();
    }
  }
  throw IoError(fmt::format("no sentinel named the master '{}': {}", url.sentinel_master, reasons));
}

Subscriber watch_master_switches(asio::any_io_executor executor, const RedisUrl& master,
                                 ConnectionOptions options,
                                 std::function<void(std::string_view message)> on_switch) {
  const SentinelAddress& sentinel = master.sentinels.front();
  options.endpoint = RedisUrl{sentinel.host, sentinel.port, 0};
  options.endpoint.password = master.sentinel_password;
  options.tls_context.reset();
  Subscriber watch(std::move(executor), std::move(options),
                   [prefix = master.sentinel_master + " ", on_switch = std::move(on_switch)](
                       std::string_view, std::string_view message) {
                     if (message.starts_with(prefix)) on_switch(message);
                   });
  watch.subscribe("+switch-master");
  watch.start();
  return watch;
}

}  // namespace seckill::redis
