#pragma once
// Where the live servers of a test run are. scripts/with-services (called by scripts/test) starts
// a private Redis and PostgreSQL and exports their URLs; a test that needs one and does not find
// it fails with a message saying how to run it, it never passes by doing nothing.

#include <string>

namespace seckill::testing {

/// SECKILL_TEST_REDIS_URL, e.g. "redis://127.0.0.1:29275". Throws std::runtime_error if unset.
std::string redis_url();

/// SECKILL_TEST_POSTGRES_URL, a libpq URI. Throws std::runtime_error if unset.
std::string postgres_url();
/// The test Redis Cluster's seed list (SECKILL_TEST_REDIS_CLUSTER_URLS: comma-separated URLs).
std::string redis_cluster_urls();
/// The PostgreSQL database paired with that cluster (SECKILL_TEST_POSTGRES_CLUSTER_URL).
std::string postgres_cluster_url();

/// SECKILL_BINARY, the path of the built `seckill`. Throws std::runtime_error if unset.
std::string seckill_binary();

/// A loopback TCP port nobody listens on right now.
unsigned short free_port();

}  // namespace seckill::testing
