#pragma once
// A blocking one-request HTTP client for the load generator's set-up and read-back (create the
// voucher, sell it out, read its stock): a handful of requests, never on the measured path.

#include <string>
#include <string_view>

#include "loadgen/bench_options.hpp"

namespace seckill::loadgen {

struct SetupAnswer {
  int status = 0;
  std::string body;
};

/// Sends one request with an optional bearer token and JSON body; throws std::runtime_error if
/// the target cannot be reached or answers garbage.
SetupAnswer http_call(const Target& target, std::string_view method, std::string_view path,
                      std::string_view token, std::string_view body = {});

}  // namespace seckill::loadgen
