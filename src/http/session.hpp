#pragma once
// Internal to the server: the coroutine that serves one connection.

#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "http/server_state.hpp"

namespace seckill::http::detail {

/// Serves `socket` until the client leaves, a limit is hit, or the server drains: requests in
/// order, one at a time, with the timeouts and limits of `state->limits`. The accept loop has
/// already counted the connection in `state->connections` (and, if `address_counted`, in
/// `state->per_address` under `peer`); this coroutine uncounts it. `peer` is the TCP peer's
/// address (unspecified if it was already gone). Arguments are taken by value (the coroutine
/// frame owns them). Never throws except std::bad_alloc.
boost::asio::awaitable<void> run_session(boost::asio::ip::tcp::socket socket,
                                         std::shared_ptr<ServerState> state, Worker* worker,
                                         boost::asio::ip::address peer, bool address_counted);

}  // namespace seckill::http::detail
